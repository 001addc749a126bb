"""A random life of two warehouses: orders placed, picked, undone, shipped (short as backorder
or cancel), purchase orders received and reversed, customer returns held and released, lots
expiring, stock transferred (between the warehouses through transit, received or undone).
After every step `ledger verify` is clean: every balance and every document's figures equal
the ledger's, and the central view counts units in transit apart and in its totals.

Each example gets fresh codes, so examples share the test's database without seeing each
other's stock. Kept small: a few examples of a few steps, on each engine.
"""
import uuid
from datetime import timedelta

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test
from sqlalchemy import func, select

from warehouse_app.errors import DomainError
from warehouse_app.insight import central
from warehouse_app.ledger import balances, transit
from warehouse_app.ledger.models import (
    Lot,
    Movement,
    MovementKind,
    Reason,
    StockLevel,
    Transit,
    TransitStatus,
)
from warehouse_app.ledger.movements import Line, record, reverse
from warehouse_app.locations import places
from warehouse_app.locations.models import LocationKind
from warehouse_app.models import utcnow
from warehouse_app.orders import picking, purchasing, reserving, shipping
from warehouse_app.orders.models import FINAL, Order, OrderPick, PurchaseReceipt
from warehouse_app.scanning import workflows

SETTINGS = settings(max_examples=6, stateful_step_count=12, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])
qty = st.integers(1, 6)
pick_any = st.integers(0, 50)  # an index into whatever exists, modulo its length


def machine(db, make_user, make_product):
    supervisor = make_user(f"sup-{uuid.uuid4().hex[:6]}", role="supervisor")

    class Warehouses(RuleBasedStateMachine):
        """NORTH (bins N0, N1, a packing bin and a hold bin for returns) and SOUTH (bin S0,
        no packing bin: picks go straight to Customer); a plain product and a lot-tracked
        one."""

        def __init__(self):
            super().__init__()
            tag = self.tag = uuid.uuid4().hex[:6].upper()
            north = places.create(f"N{tag}", LocationKind.WAREHOUSE)
            south = places.create(f"S{tag}", LocationKind.WAREHOUSE)
            self.warehouses = [north, south]
            self.bins = [places.create(f"{w.code}-{n}", LocationKind.BIN, parent=w)
                         for w, n in ((north, 0), (north, 1), (south, 0))]
            places.create(f"{north.code}-PACK", LocationKind.BIN, parent=north)
            self.hold = places.create(f"RET{tag}", LocationKind.BIN, parent=north, hold=True)
            self.products = [make_product(f"P{tag}"), make_product(f"L{tag}", tracking="lot")]
            db.session.commit()
            self.orders, self.pos, self.n = [], [], 0

        def _lot(self, product, n):
            return f"{self.tag}-{n}" if product.tracking.value == "lot" else None

        def _try(self, work):
            try:
                work()
            except DomainError:
                db.session.rollback()
            else:
                db.session.commit()

        @rule(p=st.integers(0, 1), b=st.integers(0, 2), q=qty, lot=st.integers(0, 1))
        def receive(self, p, b, q, lot):
            product = self.products[p]
            self.n += 1
            po = purchasing.create({"reference": f"PO{self.tag}-{self.n}", "supplier": "Acme",
                                    "lines": [{"sku": product.sku, "qty": q + 1}]})
            db.session.commit()
            self.pos.append(po.reference)
            body = {"location": self.bins[b].code, "code": product.sku, "qty": q,
                    "confirm_expiry": True}
            if product.tracking.value == "lot":
                body.update(lot=self._lot(product, lot),
                            expiry=(utcnow().date() + timedelta(days=200)).isoformat())
            self._try(lambda: purchasing.receive(po, body, supervisor))

        @rule(p=st.integers(0, 1), w=st.integers(0, 1), q=qty, backorder=st.booleans())
        def place(self, p, w, q, backorder):
            self.n += 1
            reference = f"SO{self.tag}-{self.n}"
            self._try(lambda: reserving.place({
                "reference": reference, "warehouse": self.warehouses[w].code,
                "allow_backorder": backorder,
                "lines": [{"sku": self.products[p].sku, "qty": q}]}))
            if db.session.scalar(select(Order.id).where(Order.reference == reference)):
                self.orders.append(reference)

        def _order(self, i):
            if not self.orders:
                return None
            return db.session.scalar(select(Order).where(
                Order.reference == self.orders[i % len(self.orders)]))

        @rule(i=pick_any, b=st.integers(0, 3), q=qty)
        def pick(self, i, b, q):
            order = self._order(i)
            if order is None:
                return
            line = order.lines[0]
            where = (self.bins + [self.hold])[b]
            body = {"line": line.id, "location": where.code, "code": line.product.sku, "qty": q}
            self._try(lambda: picking.pick(order, body, supervisor))

        @rule(i=pick_any, phone=st.booleans())
        def undo_pick(self, i, phone):
            """The phone's undo, or a supervisor's reverse of the pick."""
            picks = db.session.scalars(select(OrderPick.movement_id).order_by(OrderPick.id)).all()
            if picks:
                movement = db.session.get(Movement, picks[i % len(picks)])
                if phone:
                    self._try(lambda: workflows.undo(movement.id, supervisor))
                else:
                    self._try(lambda: reverse(movement, supervisor))

        @rule(i=pick_any, short=st.sampled_from([None, "backorder", "cancel"]))
        def ship(self, i, short):
            order = self._order(i)
            if order is not None:
                self._try(lambda: shipping.ship(order, "DHL", f"T{i}", supervisor, short=short))

        @rule(i=pick_any)
        def reverse_receipt(self, i):
            receipts = db.session.scalars(select(PurchaseReceipt.movement_id)
                                          .order_by(PurchaseReceipt.id)).all()
            if receipts:
                movement = db.session.get(Movement, receipts[i % len(receipts)])
                self._try(lambda: reverse(movement, supervisor))

        @rule(p=st.integers(0, 1), q=qty, lot=st.integers(0, 1))
        def customer_return(self, p, q, lot):
            product = self.products[p]
            self._try(lambda: record(Line(MovementKind.RETURN, product, q,
                                          to_location=self.hold, lot=self._lot(product, lot),
                                          note="box damaged"), supervisor))

        @rule(p=st.integers(0, 1), q=qty, lot=st.integers(0, 1), scrap=st.booleans())
        def release_or_scrap(self, p, q, lot, scrap):
            product = self.products[p]
            if scrap:
                line = Line(MovementKind.ADJUST, product, q, from_location=self.hold,
                            reason=Reason.DAMAGE, lot=self._lot(product, lot))
            else:
                line = Line(MovementKind.TRANSFER, product, q, from_location=self.hold,
                            to_location=self.bins[0], lot=self._lot(product, lot))
            self._try(lambda: record(line, supervisor))

        @rule(lot=st.integers(0, 1))
        def expire(self, lot):
            found = db.session.scalar(select(Lot).where(
                Lot.product_id == self.products[1].id, Lot.code == f"{self.tag}-{lot}"))
            if found is not None:  # time passes: the lot's date is behind us
                found.expiry = utcnow().date() - timedelta(days=1)
                db.session.commit()

        @rule(p=st.integers(0, 1), a=st.integers(0, 2), b=st.integers(0, 2), q=qty,
              lot=st.integers(0, 1))
        def transfer(self, p, a, b, q, lot):
            """Inside a warehouse at once; between the two, dispatched into transit."""
            product, source, target = self.products[p], self.bins[a], self.bins[b]
            if source.warehouse_id == target.warehouse_id:
                self._try(lambda: record(Line(MovementKind.TRANSFER, product, q,
                                              from_location=source, to_location=target,
                                              lot=self._lot(product, lot)), supervisor))
            else:
                self._try(lambda: transit.dispatch(product, q, source, target.warehouse,
                                                   lot=self._lot(product, lot),
                                                   user=supervisor))

        @rule(i=pick_any, undo=st.booleans())
        def arrive_or_undo_transit(self, i, undo):
            found = db.session.scalars(select(Transit).where(
                Transit.code.in_(select(Movement.reference).where(
                    Movement.product_id.in_([p.id for p in self.products]))))
                .order_by(Transit.id)).all()
            if not found:
                return
            chosen = found[i % len(found)]
            if undo:
                movement = db.session.get(Movement, chosen.receive_movement_id
                                          or chosen.dispatch_movement_id)
                self._try(lambda: reverse(movement, supervisor))
            else:
                into = next(b for b in self.bins if b.warehouse_id == chosen.to_warehouse_id)
                self._try(lambda: transit.receive(chosen, into.code, supervisor))

        @invariant()
        def ledger_verifies(self):
            db.session.commit()
            assert balances.verify_all() == []
            for order in db.session.scalars(select(Order).where(
                    Order.reference.like(f"SO{self.tag}-%"))):
                for line in order.lines:
                    assert 0 <= line.shipped <= line.picked <= line.qty
                    if order.status in FINAL:
                        assert line.reserved == 0
            ids = [p.id for p in self.products]
            shown = central.balances(ids)
            for product in self.products:
                held = db.session.scalar(select(func.coalesce(func.sum(StockLevel.on_hand), 0))
                                         .where(StockLevel.product_id == product.id))
                moving = db.session.scalar(select(func.coalesce(func.sum(Transit.qty), 0)).where(
                    Transit.product_id == product.id,
                    Transit.status == TransitStatus.IN_TRANSIT))
                figures = shown.get(product.id, central.empty())
                assert (figures["on_hand"], figures["in_transit"]) == (held, moving)
                assert sum(c["on_hand"] for c in figures["cells"].values()) == held - moving

    return Warehouses


def test_a_random_life_keeps_every_document_equal_to_the_ledger(db, make_user, make_product):
    run_state_machine_as_test(machine(db, make_user, make_product), settings=SETTINGS)
