"""The rooms of docs/ARCHITECTURE.md: a package imports only rooms below its own (or beside it,
at the bottom), except for the debts listed here, each named in that page. A new import across
the rules fails; a debt paid off must leave the list."""
import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "warehouse_app"

ROOMS = [  # from the bottom; the rooms in one set may import each other up to "master data"
    {"extensions", "models", "config", "errors"},
    {"database", "retries", "codes", "csvfile", "bodies", "assets", "ratelimit", "compress",
     "serving", "money", "inputs", "speed"},
    {"auth", "audit"},
    {"catalog", "locations", "labels"},
    {"ledger"},
    {"scanning", "orders", "counting", "insight", "integrations"},
    {"web", "api", "demo"},
    {"__init__"},
]
SIDE_BY_SIDE = 4  # rooms below this index may import within their own room

DEBTS = {
    ("counting", "scanning"): "counts resolve codes and documents with the scan resolver",
    ("orders", "scanning"): "purchase-order receipts resolve codes with the scan resolver",
    ("counting", "insight"): "count planning and reports use the ABC class and ledger queries",
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


def cycles(edges: set[tuple[str, str]]) -> list[list[str]]:
    """One cycle (a, b, ..., a) through each strongly connected component of an import graph."""
    out: dict[str, set[str]] = {}
    for a, b in edges:
        out.setdefault(a, set()).add(b)
    reach = {a: set(bs) for a, bs in out.items()}
    for middle in list(reach):  # Warshall: what each package reaches, directly or not
        for start in reach:
            if middle in reach[start]:
                reach[start] |= reach.get(middle, set())
    found, seen = [], set()
    for start in sorted(reach):
        if start in seen or start not in reach[start]:
            continue
        component = {b for b in reach[start] if start in reach.get(b, set())}
        seen |= component
        found.append(_way_back(start, out, component))
    return found


def _way_back(start: str, out: dict[str, set[str]], component: set[str]) -> list[str]:
    """The shortest path from start back to itself inside its component (breadth first)."""
    paths, queue = {start: [start]}, [start]
    for a in queue:
        for b in sorted(out[a] & component):
            if b == start:
                return [*paths[a], start]
            if b not in paths:
                paths[b] = [*paths[a], b]
                queue.append(b)
    raise AssertionError(f"{start} is in no cycle")


def test_cycles_names_each_cycle_once():
    edges = {("a", "b"), ("b", "c"), ("c", "a"), ("c", "d"), ("d", "e"), ("e", "d"), ("f", "a")}
    assert cycles(edges) == [["a", "b", "c", "a"], ["d", "e", "d"]]
    assert cycles({("a", "b"), ("b", "c"), ("a", "c")}) == []


def test_no_import_cycle_between_packages_but_through_a_debt():
    """Packages import one another without a cycle: only an import still listed in DEBTS may
    close one."""
    assert cycles(imports() - set(DEBTS)) == [], "import cycles between packages"


def test_the_ledger_imports_no_workflow():
    assert {b for a, b in imports() if a == "ledger"} & (ROOMS[5] | ROOMS[6]) == set()


def test_master_data_imports_no_stock():
    """Products, locations and labels know nothing of the ledger or what is built on it."""
    assert {(a, b) for a, b in imports() if a in ROOMS[3] and room(b) > 3} == set()


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


def test_only_create_app_plugs_in_the_speed_machinery():
    """speed/ sits behind one seam: the domain asks database.py, and only create_app() imports
    the package that answers faster (docs/ARCHITECTURE.md, "The speed machinery")."""
    assert {a for a, b in imports() if b == "speed"} == {"__init__"}


def test_the_speed_machinery_uses_no_private_names():
    """No underscore name of SQLAlchemy, Flask, Werkzeug or gunicorn (nor of any other object
    but its own): a minor upgrade of those may rename them."""
    found = []
    for path in (PACKAGE / "speed").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            own = isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and (
                node.value.id in ("self", "cls"))
            if (isinstance(node, ast.Attribute) and node.attr.startswith("_")
                    and not node.attr.startswith("__") and not own):
                found.append(f"{path.name}:{node.lineno} .{node.attr}")
            if isinstance(node, ast.ImportFrom) and any(
                    name.startswith("_") for name in [*(node.module or "").split("."),
                                                      *(a.name for a in node.names)]):
                found.append(f"{path.name}:{node.lineno} imports {node.module}")
    assert found == []
