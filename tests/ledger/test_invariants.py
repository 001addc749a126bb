"""Random sequences of movements never break the ledger, and stock equals a simple model.

Each example gets products with fresh SKUs and fresh bins, so examples share the function's
database without seeing each other's stock.
"""
import uuid

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from warehouse_app.errors import Conflict, DomainError, InsufficientStock
from warehouse_app.ledger import balances
from warehouse_app.ledger.models import Movement, MovementKind, Reason, StockLevel
from warehouse_app.ledger.movements import Line, record, reverse
from warehouse_app.ledger.sellable import HeldStock

PRODUCTS, BINS = 2, 3
HOLD = BINS - 1  # the last bin is a hold bin: returns land there, picks never take from it
product = st.integers(0, PRODUCTS - 1)
bin_ = st.integers(0, BINS - 1)
qty = st.integers(1, 9)
step = st.one_of(
    st.tuples(st.just("receive"), product, bin_, qty),
    st.tuples(st.just("transfer"), product, bin_, qty, bin_),
    st.tuples(st.just("pick"), product, bin_, qty),
    st.tuples(st.just("return"), product, bin_, qty),
    st.tuples(st.just("scrap"), product, bin_, qty),
    st.tuples(st.just("found"), product, bin_, qty),
    st.tuples(st.just("reverse"), st.integers(0, 40)),
)
# kind -> (movement kind, takes from the bin, puts into the bin, extra Line fields)
SHAPES = {
    "receive": (MovementKind.RECEIVE, False, True, {}),
    "transfer": (MovementKind.TRANSFER, True, True, {}),
    "pick": (MovementKind.PICK, True, False, {}),
    "return": (MovementKind.RETURN, False, True, {}),
    "scrap": (MovementKind.ADJUST, True, False, {"reason": Reason.DAMAGE}),
    "found": (MovementKind.ADJUST, False, True, {"reason": Reason.FOUND}),
}


class Model:
    """The stock the ledger should hold, in a dict, and what was posted."""

    def __init__(self):
        self.stock: dict[tuple[int, int], int] = {}
        self.posted: list[tuple[int, int, int | None, int | None, int]] = []  # id, p, out, in, q
        self.reversed: set[int] = set()

    def held(self, p: int, b: int | None) -> int:
        return self.stock.get((p, b), 0)

    def move(self, p: int, out: int | None, into: int | None, q: int) -> None:
        if out is not None:
            self.stock[p, out] = self.held(p, out) - q
        if into is not None:
            self.stock[p, into] = self.held(p, into) + q


def apply(db, model: Model, products, bins, op: tuple) -> None:
    """Post one step, expecting exactly the outcome the model predicts."""
    if op[0] == "reverse":
        return apply_reversal(db, model, op[1])
    kind, p, b, q = op[:4]
    movement_kind, takes, puts, fields = SHAPES[kind]
    out = b if takes else None
    into = (op[4] if kind == "transfer" else b) if puts else None
    line = Line(movement_kind, products[p], q, from_location=bins[out] if takes else None,
                to_location=bins[into] if puts else None, **fields)
    if out is not None and out == into:
        expect_refusal(db, DomainError, line)
    elif kind == "return" and into != HOLD:
        expect_refusal(db, DomainError, line)
    elif kind == "pick" and out == HOLD:
        expect_refusal(db, HeldStock, line)
    elif out is not None and model.held(p, out) < q:
        expect_refusal(db, InsufficientStock, line)
    else:
        movement = record(line)
        db.session.commit()
        model.move(p, out, into, q)
        model.posted.append((movement.id, p, out, into, q))


def apply_reversal(db, model: Model, index: int) -> None:
    """Reverse an earlier movement: refused when reversed already or its stock has moved on."""
    if not model.posted:
        return
    movement_id, p, out, into, q = model.posted[index % len(model.posted)]
    original = db.session.get(Movement, movement_id)
    if movement_id in model.reversed:
        expected = Conflict
    elif into is not None and model.held(p, into) < q:
        expected = InsufficientStock
    else:
        reverse(original)
        db.session.commit()
        model.move(p, into, out, q)
        model.reversed.add(movement_id)
        return
    try:
        reverse(original)
    except expected:
        db.session.rollback()
    else:
        raise AssertionError(f"reversing {movement_id} should have raised {expected.__name__}")


def expect_refusal(db, error: type, line: Line) -> None:
    try:
        record(line)
    except error:
        db.session.rollback()
    else:
        raise AssertionError(f"{line.kind.value} of {line.qty} should raise {error.__name__}")


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(ops=st.lists(step, max_size=25))
def test_random_movements_keep_the_ledger_true(db, make_product, make_location, ops):
    tag = uuid.uuid4().hex[:8].upper()
    products = [make_product(f"P{n}-{tag}") for n in range(PRODUCTS)]
    warehouse = make_location.default_warehouse()
    bins = [make_location(f"B{n}-{tag}", parent=warehouse, hold=n == HOLD) for n in range(BINS)]
    model = Model()

    for op in ops:
        apply(db, model, products, bins, op)

    assert balances.verify() == []
    assert db.session.scalar(select(func.coalesce(func.min(StockLevel.on_hand), 0))) >= 0
    for p, product in enumerate(products):
        for b, location in enumerate(bins):
            held = db.session.scalar(select(StockLevel.on_hand).where(
                StockLevel.product_id == product.id, StockLevel.location_id == location.id))
            assert (held or 0) == model.held(p, b), (product.sku, location.code)
