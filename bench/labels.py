"""Label benchmark: seconds to print 1,000 product labels and 1,000 bin labels as a PDF.

Run: .venv/bin/python bench/labels.py [--count 1000] [--template a4-3x10]

Migrates a fresh SQLite file, adds `count` products (half with an EAN-13, names with accents)
and `count` bins under one zone, then times GET /labels/products.pdf?category=... and
GET /labels/bins.pdf?location=ZONE through the app (selection, layout, reportlab), and the
same jobs as ZPL and as the HTML print page. Prints figures; asserts nothing about speed.
"""

import sys  # noqa: I001  (first: the path must be set before anything imports http)
from pathlib import Path

# The project folder, not bench/, first on the path: bench/http.py would hide the standard
# library's http package from everything imported below.
sys.path[0] = str(Path(__file__).resolve().parent.parent)

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask_migrate import upgrade  # noqa: E402

from warehouse_app import create_app  # noqa: E402
from warehouse_app.extensions import db  # noqa: E402


def ean13(n: int) -> str:
    body = f"{400000000000 + n:012d}"
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body))
    return body + str((10 - total % 10) % 10)


def seed(count: int) -> None:
    """count products in one category and count bins in one zone."""
    from warehouse_app.auth.models import Role
    from warehouse_app.auth.users import create_user
    from warehouse_app.catalog import products
    from warehouse_app.locations import places
    from warehouse_app.locations.models import LocationKind
    create_user("bench", "bench-password", Role.STAFF)
    for i in range(count):
        products.create({"sku": f"SKU-{i:05d}", "name": f"Crème brûlée gift box nº {i} "
                         "with a long descriptive name", "category": "Bench > Labels",
                         "sale_price": "9.90", "barcodes": [ean13(i)] if i % 2 else []})
    warehouse = places.create("WHB", LocationKind.WAREHOUSE)
    zone = places.create("ZONE-B", LocationKind.ZONE, parent=warehouse)
    for i in range(count):
        places.create(f"B-{i // 100:02d}-{i // 10 % 10:02d}-{i % 10:02d}", LocationKind.BIN,
                      parent=zone, sequence=i)
    db.session.commit()


def timed(client, url: str) -> tuple[float, int]:
    start = time.perf_counter()
    response = client.get(url)
    seconds = time.perf_counter() - start
    if response.status_code != 200:
        raise SystemExit(f"{url}: {response.status_code} {response.text[:200]}")
    return seconds, len(response.data)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--template", default="a4-3x10")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="labels-bench-"))
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'bench.db'}",
                      "SECRET_KEY": "bench", "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})
    app.instance_path = str(folder)
    with app.app_context():
        upgrade()
        seed(args.count)
    client = app.test_client()
    with client:
        from warehouse_app.auth.models import User
        with app.app_context():
            user_id = db.session.scalar(db.select(User.id))
        from flask_login.utils import _create_identifier
        with app.test_request_context(environ_base=client.environ_base):
            identifier = _create_identifier()  # session_protection="strong" checks it
        with client.session_transaction() as session:
            session.update({"_user_id": str(user_id), "_fresh": True, "_id": identifier})
        timed(client, "/labels/products.pdf?sku=SKU-00000")  # warm up: fonts, imports
        print(f"{args.count} labels each, template {args.template}, SQLite, one process")
        jobs = [("product labels", f"products.{{}}?category=Bench&template={args.template}"),
                ("bin labels", f"bins.{{}}?location=ZONE-B&template={args.template}")]
        for name, url in jobs:
            seconds, size = timed(client, "/labels/" + url.format("pdf"))
            print(f"PDF  {name}: {seconds:.2f} s ({size / 1024:.0f} KiB)")
        for name, url in jobs:
            zpl = url.format("zpl").replace(args.template, "thermal-2x1")
            seconds, size = timed(client, "/labels/" + zpl)
            print(f"ZPL  {name} (thermal-2x1): {seconds:.2f} s ({size / 1024:.0f} KiB)")
        for name, url in jobs:
            seconds, size = timed(client, "/labels/" + url.format("html"))
            print(f"HTML {name} print page: {seconds:.2f} s ({size / 1024:.0f} KiB)")


if __name__ == "__main__":
    main()
