"""flask demo seed: a believable small warehouse with 120 days of history."""
import random
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from werkzeug.security import check_password_hash

from tests.support.desk import assert_desk_agrees
from warehouse_app.auth.models import Role, User
from warehouse_app.catalog.models import Barcode, BarcodeKind, Product, Tracking
from warehouse_app.demo import catalog_data, seeding
from warehouse_app.ledger.models import Lot, Movement
from warehouse_app.locations.models import Location, LocationKind
from warehouse_app.models import utcnow

# History "n days ago" and "this month" are read on a fixed day (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("fixed_clock")


def count(db, column, *where):
    return db.session.scalar(select(func.count(column)).where(*where))


def valid_gs1(code: str) -> bool:
    return code.isdigit() and catalog_data.check_digit(code[:-1]) == code[-1]


def test_seed_loads_a_believable_warehouse_and_if_empty_then_does_nothing(db, runner, client,
                                                                         login_as):
    # One seed per engine for all these checks: seeding takes seconds.
    result = runner.invoke(args=["demo", "seed"])
    assert result.exit_code == 0, result.output
    check_sites(db)
    check_catalogue(db)
    check_history(db)
    check_logins(db, result.output)
    login_as("supervisor")  # right after the seed, no sweep: the desk agrees with itself
    assert assert_desk_agrees(client).get("low_stock")
    check_forecasts(client)
    verify = runner.invoke(args=["ledger", "verify"])
    assert verify.exit_code == 0, verify.output

    movements = count(db, Movement.id)
    again = runner.invoke(args=["demo", "seed", "--if-empty"])
    assert again.exit_code == 0
    assert again.output.strip().count("\n") == 0 and "not loaded" in again.output
    assert count(db, Movement.id) == movements


def check_forecasts(client):
    """The demo's weekly rhythm (quiet weekends) wins the weekly model its backtest for some
    products, and their pages say so."""
    from warehouse_app.insight import reorder
    found = reorder.points(reorder.policy())
    weekly = [p for p in found if p.model == "weekly"]
    assert len(weekly) >= 3, len(weekly)
    page = client.get(f"/insight/products/{weekly[0].sku}").get_data(as_text=True)
    assert 'data-model="weekly"' in page and 'data-candidate="weekly" data-kept="yes"' in page


def check_sites(db):
    """Two warehouses, zones, about sixty bins named aisle-rack-level in walking order."""
    kinds = dict(db.session.execute(select(Location.kind, func.count(Location.id))
                                    .group_by(Location.kind)).all())
    assert kinds[LocationKind.WAREHOUSE] == 2
    assert kinds[LocationKind.ZONE] >= 4
    assert 55 <= kinds[LocationKind.BIN] <= 65
    aisle = db.session.scalars(select(Location).where(Location.parent.has(code="MAIN-A"))
                               .order_by(Location.sequence)).all()
    assert [b.code for b in aisle[:4]] == ["A-01-01", "A-01-02", "A-01-03", "A-02-03"]


def check_catalogue(db):
    """About 150 products with valid EAN-13s, a few packs, lots, prices and reorder points."""
    assert 140 <= count(db, Product.id) <= 160
    assert count(db, Product.id, Product.category_id.is_(None)) == 0
    assert count(db, Product.id, Product.supplier_id.is_(None)) == 0
    eans = db.session.scalars(select(Barcode.code).where(Barcode.kind == BarcodeKind.EAN13,
                                                         Barcode.pack_size == 1)).all()
    assert len(eans) == count(db, Product.id)
    assert all(len(code) == 13 and valid_gs1(code) for code in eans)
    packs = db.session.scalars(select(Barcode).where(Barcode.pack_size > 1)).all()
    assert {b.pack_size for b in packs} == {6, 12} and all(valid_gs1(b.code) for b in packs)
    assert count(db, Product.id, Product.tracking == Tracking.LOT) >= 3
    assert count(db, Lot.id, Lot.expiry.is_(None)) == 0
    assert count(db, Product.id, Product.sale_price <= Product.unit_cost) == 0
    assert count(db, Product.id, Product.reorder_point > 0) > 100


def check_history(db):
    """About 120 days of every kind of movement, all in the past."""
    first, last = db.session.execute(select(func.min(Movement.created_at),
                                            func.max(Movement.created_at))).one()
    now = utcnow()
    assert timedelta(days=115) <= now - first <= timedelta(days=125)
    assert last <= now
    kinds = {k.value for k in db.session.scalars(select(Movement.kind).distinct())}
    assert {"receive", "pick", "transfer", "adjust", "return"} <= kinds
    assert count(db, Movement.id) > 2000
    assert count(db, Movement.id, Movement.reason.is_not(None)) >= 5


def check_logins(db, output):
    """The three demo users exist, and their logins are printed once."""
    assert output.count("Demo logins:") == 1
    for username, role in (("admin", Role.ADMIN), ("supervisor", Role.SUPERVISOR),
                           ("staff", Role.STAFF)):
        user = db.session.scalar(select(User).where(User.username == username))
        assert user.role is role
        assert check_password_hash(user.password_hash, f"{username}-demo")
        assert f"{username} / {username}-demo" in output


def test_seed_without_if_empty_refuses_a_database_with_products(db, runner, make_product):
    make_product("MINE-1")
    result = runner.invoke(args=["demo", "seed"])
    assert result.exit_code == 1
    assert "already has products" in result.output
    assert count(db, Product.id) == 1
    assert count(db, Location.id, Location.kind == LocationKind.WAREHOUSE) == 0


def test_seed_keeps_an_existing_admin_and_its_password(db, make_user):
    make_user("admin", "admin", "my-own-password")
    summary = seeding.load(days=3)  # a short history: this is about the users
    assert summary.kept == ["admin"]
    assert [name for name, _ in summary.logins] == ["supervisor", "staff"]
    admin = db.session.scalar(select(User).where(User.username == "admin"))
    assert check_password_hash(admin.password_hash, "my-own-password")


def test_catalogue_is_the_same_every_time():
    first, second = (catalog_data.specs(random.Random(7)) for _ in range(2))
    assert first == second
    assert len({spec.sku for spec in first}) == len(first)


def test_check_digit_matches_a_known_ean13():
    assert catalog_data.check_digit("400638133393") == "1"
    assert catalog_data.ean13("5012345", 42) == "5012345000428"
