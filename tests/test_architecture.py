"""The rooms of docs/ARCHITECTURE.md: a package imports only rooms below its own (or beside it,
at the bottom), except for the debts listed here, each named in that page. A new import across
the rules fails; a debt paid off must leave the list."""
import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "warehouse_app"

ROOMS = [  # from the bottom; the rooms in one set may import each other up to "master data"
    {"extensions", "models", "config", "errors"},
    {"database", "retries", "codes", "csvfile", "bodies", "gate", "prepared", "assets", "ratelimit",
     "inputs",
     "compress", "serving"},
    {"auth", "audit"},
    {"catalog", "locations"},
    {"ledger"},
    {"scanning", "orders", "counting", "labels", "insight", "integrations"},
    {"web", "api", "demo"},
    {"__init__"},
]
SIDE_BY_SIDE = 4  # rooms below this index may import within their own room

DEBTS = {
    ("catalog", "ledger"): "the cost parser; the opening-stock import on the import page",
    ("catalog", "insight"): "the product form shows the reorder point in force, and the computed",
    ("catalog", "web"): "the product page shows stock (web.lookup) and money",
    ("locations", "ledger"): "a bin holding stock cannot be deleted",
    ("auth", "locations"): "warehouse rights name the warehouses a user is kept to",
    ("counting", "orders"): "a count's shortfall reopens order lines",
    ("orders", "counting"): "a count request freezes what orders pick",
    ("counting", "scanning"): "counts resolve codes and documents with the scan resolver",
    ("orders", "scanning"): "purchase-order receipts resolve codes with the scan resolver",
    ("counting", "insight"): "count planning and reports use the ABC class and ledger queries",
    ("labels", "api"): "/api/v1 label routes outside api/",
    ("insight", "api"): "/api/v1 insight routes outside api/",
    ("integrations", "api"): "/api/v1 integration routes outside api/",
    ("labels", "orders"): "receipt labels read purchase orders",
    ("insight", "orders"): "reorder suggestions count open purchase orders and draft them",
    ("integrations", "orders"): "order events and shipment exports",
}


def room(name: str) -> int:
    return next(i for i, names in enumerate(ROOMS) if name in names)


def imports() -> set[tuple[str, str]]:
    """(importer, imported) for every import between two of the package's top-level rooms."""
    found = set()
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE).parts
        here = parts[0].removesuffix(".py")
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                names = ([f"{node.module}.{a.name}" for a in node.names]
                         if node.module == "warehouse_app" else [node.module])
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            else:
                continue
            for name in names:
                dotted = name.split(".")
                if dotted[0] == "warehouse_app" and len(dotted) > 1 and dotted[1] != here:
                    found.add((here, dotted[1]))
    return found


def test_every_package_has_a_room():
    packages = {p.name.removesuffix(".py") for p in PACKAGE.iterdir()
                if p.suffix == ".py" or (p / "__init__.py").exists()}
    assert packages == set().union(*ROOMS)


def test_no_package_imports_a_room_it_may_not():
    wrong = set()
    for importer, imported in imports():
        below, beside = room(imported) < room(importer), room(imported) == room(importer)
        if not (below or (beside and room(importer) < SIDE_BY_SIDE)):
            wrong.add((importer, imported))
    assert wrong - set(DEBTS) == set(), "new imports across the rooms (docs/ARCHITECTURE.md)"
    assert set(DEBTS) - wrong == set(), "paid off: take these out of DEBTS"


def test_the_ledger_imports_no_workflow():
    assert {b for a, b in imports() if a == "ledger"} & (ROOMS[5] | ROOMS[6]) == set()


def test_every_setting_is_read_in_config():
    """The environment is read in config.py only: every setting is found in one place."""
    readers = set()
    for path in PACKAGE.rglob("*.py"):
        if path.name == "config.py" and path.parent == PACKAGE:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if (isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv")
                    and isinstance(node.value, ast.Name) and node.value.id == "os"):
                readers.add(str(path.relative_to(PACKAGE)))
    assert readers == set()


def test_blueprints_are_registered_by_name():
    """create_app() names each capability's blueprint: no loop finds them by import."""
    source = (PACKAGE / "__init__.py").read_text()
    assert "import_module" not in source
    for package in sorted(ROOMS[2] | ROOMS[3] | ROOMS[4] | ROOMS[5] | {"web", "demo"}):
        assert f"{package}.bp" in source, package
