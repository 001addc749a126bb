"""Assertions about time live only in tests marked `alone` or in bench/ (docs/ARCHITECTURE.md):
beside the parallel run the machine is shared, and a test that times itself there fails for
someone else's load. An ordinary test asserts what happened (the order of events, the work
done, what a wait returned), and a time that bounds a wait is not asserted itself.

The check reads each test module: an `assert` outside `alone` that reads a clock
(time.monotonic(), perf_counter()...), a name the module sets from one, or an
elapsed/took/waited/duration name fails here."""
import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent
CLOCKS = frozenset({"monotonic", "monotonic_ns", "perf_counter", "perf_counter_ns",
                    "process_time", "process_time_ns", "thread_time", "thread_time_ns",
                    "time", "time_ns"})
TIME_WORDS = frozenset({"elapsed", "took", "waited", "duration"})
ALLOWED = {  # (module, function): why its assertion on the clock is not a timing assertion
    ("web/test_page_weight.py", "downloads"):
        "it waits (30 s at most) for the page's network to go quiet before it counts bytes",
}


def _alone(decorators) -> bool:
    return any("mark.alone" in ast.unparse(d) for d in decorators)


def _module_alone(tree: ast.Module) -> bool:
    return any(isinstance(node, ast.Assign) and "mark.alone" in ast.unparse(node.value)
               and any(isinstance(t, ast.Name) and t.id == "pytestmark" for t in node.targets)
               for node in tree.body)


def _is_clock(node: ast.AST) -> bool:
    if not isinstance(node, ast.Call):
        return False
    func = node.func
    if isinstance(func, ast.Attribute):
        return (func.attr in CLOCKS and isinstance(func.value, ast.Name)
                and func.value.id == "time")
    return isinstance(func, ast.Name) and func.id in CLOCKS - {"time"}


def _reads_time(node: ast.AST, clocked: set[str]) -> bool:
    return any(_is_clock(n) or (isinstance(n, ast.Name) and (n.id in clocked
                                                             or n.id in TIME_WORDS))
               or (isinstance(n, ast.Attribute) and ast.unparse(n) in clocked)
               for n in ast.walk(node))


def _targets(node: ast.AST) -> set[str]:
    """Names an assignment sets: a name (or self.name), its items, the list it writes into."""
    if isinstance(node, ast.Name):
        return {node.id}
    if isinstance(node, ast.Attribute):
        return {ast.unparse(node)}
    if isinstance(node, (ast.Tuple, ast.List)):
        return set().union(*(_targets(e) for e in node.elts))
    if isinstance(node, (ast.Subscript, ast.Starred)):
        return _targets(node.value)
    return set()


def clocked_names(tree: ast.AST) -> set[str]:
    """Names a module sets from a clock, or from such a name (a list of moments included)."""
    clocked: set[str] = set()
    for _ in range(3):  # a name set from a name set from the clock
        for node in ast.walk(tree):
            if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.NamedExpr)):
                if node.value is not None and _reads_time(node.value, clocked):
                    targets = getattr(node, "targets", None) or [node.target]
                    clocked |= set().union(*(_targets(t) for t in targets))
            elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                  and node.func.attr in ("append", "add", "extend")
                  and any(_reads_time(a, clocked) for a in node.args)):
                clocked |= _targets(node.func.value)
    return clocked


def timed_asserts(function: ast.AST, clocked: set[str]) -> list[int]:
    """Lines of the asserts in a function (nested ones included) that read the clock."""
    return [node.lineno for node in ast.walk(function)
            if isinstance(node, ast.Assert) and _reads_time(node.test, clocked)]


def functions(tree: ast.Module):
    """Module-level functions and the methods of module-level classes, with their marks."""
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    yield item, _alone(node.decorator_list) or _alone(item.decorator_list)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield node, _alone(node.decorator_list)


def timing_outside_alone() -> set[tuple[str, str, int]]:
    """(module, function, line) of every timing assertion a test outside `alone` makes."""
    found = set()
    for path in sorted(TESTS.rglob("*.py")):
        module = path.relative_to(TESTS).as_posix()
        tree = ast.parse(path.read_text())
        if _module_alone(tree):
            continue
        clocked = clocked_names(tree)
        for function, alone in functions(tree):
            if not alone and (module, function.name) not in ALLOWED:
                found |= {(module, function.name, line)
                          for line in timed_asserts(function, clocked)}
    return found


def test_no_timing_assertion_outside_alone_tests():
    assert timing_outside_alone() == set(), "time asserted outside `alone` (or bench/)"


def test_the_check_finds_each_way_of_timing():
    source = '''
import time
import pytest

def test_direct():
    started = time.monotonic()
    assert time.monotonic() - started < 1

def test_through_names():
    began = time.perf_counter()
    spent = time.perf_counter() - began
    total = spent * 2
    assert total < 1

def test_a_list_of_moments():
    moments = []
    moments.append(time.monotonic())
    assert moments[0] > 0

def test_a_helper_answer(send):
    response, took = send()
    assert took < 1

def test_behaviour():
    deadline = time.monotonic() + 5
    while not done() and time.monotonic() < deadline:
        pass
    assert done()

@pytest.mark.alone
def test_timed_alone():
    started = time.monotonic()
    assert time.monotonic() - started < 1
'''
    tree = ast.parse(source)
    clocked = clocked_names(tree)
    found = {f.name: timed_asserts(f, clocked) for f, alone in functions(tree) if not alone}
    assert found == {"test_direct": [7], "test_through_names": [13],
                     "test_a_list_of_moments": [18], "test_a_helper_answer": [22],
                     "test_behaviour": []}
    assert _module_alone(ast.parse("import pytest\npytestmark = pytest.mark.alone\n"))
    assert _module_alone(ast.parse("pytestmark = [pytest.mark.alone, pytest.mark.x]\n"))
