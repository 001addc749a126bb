"""Which warehouse ships an order: complete first, then nearest, then priority; splits proposed."""
import pytest

from tests.orders.conftest import assert_books_agree, reserved
from warehouse_app.errors import Forbidden
from warehouse_app.orders import picking, reserving, routing
from warehouse_app.orders.documents import OrderShort, SplitProposed

LONDON = {"latitude": 51.507, "longitude": -0.128}   # ~76 km from Brighton, ~270 from Leeds
YORK = {"latitude": 53.96, "longitude": -1.08}       # ~35 km from Leeds


def place(db, reference, lines, **fields):
    order = reserving.place({"reference": reference,
                             "lines": [{"sku": s, "qty": q} for s, q in lines], **fields})
    db.session.commit()
    return order


def shipped_from(order) -> set[str]:
    return {line.warehouse.code for line in order.lines}


def test_haversine_distances_are_right():
    assert routing.haversine_km(51.507, -0.128, 48.857, 2.352) == pytest.approx(343.5, abs=1)
    assert routing.haversine_km(53.8, -1.55, 53.8, -1.55) == 0


def test_the_warehouse_that_ships_it_complete_wins_over_a_nearer_one(db, site):
    site.stock(site.p.mug, site.bins.s1, 5)      # SOUTH is nearer London but has no caps
    site.stock(site.p.mug, site.bins.na1, 5)
    site.stock(site.p.cap, site.bins.nb1, 1)
    order = place(db, "SO-1", [("MUG", 2), ("CAP", 1)], **LONDON)
    assert shipped_from(order) == {"NORTH"}


def test_among_complete_warehouses_the_nearest_by_coordinates_ships(db, site):
    site.stock(site.p.mug, site.bins.s1, 5)
    site.stock(site.p.mug, site.bins.na1, 5)
    assert shipped_from(place(db, "SO-1", [("MUG", 1)], **LONDON)) == {"SOUTH"}
    assert shipped_from(place(db, "SO-2", [("MUG", 1)], **YORK)) == {"NORTH"}
    assert_books_agree(db)


def test_without_coordinates_a_shared_postcode_prefix_decides(db, site):
    site.stock(site.p.mug, site.bins.s1, 5)
    site.stock(site.p.mug, site.bins.na1, 5)
    assert shipped_from(place(db, "SO-1", [("MUG", 1)], postcode="bn2 9zz")) == {"SOUTH"}
    assert shipped_from(place(db, "SO-2", [("MUG", 1)], postcode="LS6 2AB")) == {"NORTH"}


def test_without_any_address_the_configured_priority_decides(db, site):
    site.stock(site.p.mug, site.bins.s1, 5)
    site.stock(site.p.mug, site.bins.na1, 5)
    routing.configure(site.south, {"priority": "1"})
    routing.configure(site.north, {"priority": 2})
    assert shipped_from(place(db, "SO-1", [("MUG", 1)])) == {"SOUTH"}
    routing.configure(site.north, {"priority": 1})
    routing.configure(site.south, {"priority": ""})  # empty comes after every number
    assert shipped_from(place(db, "SO-2", [("MUG", 1)])) == {"NORTH"}


def test_a_split_is_proposed_and_made_only_when_confirmed(db, site):
    site.stock(site.p.mug, site.bins.na1, 3)
    site.stock(site.p.mug, site.bins.s1, 4)
    site.stock(site.p.tee, site.bins.s2, 2)
    with pytest.raises(SplitProposed) as proposed:
        place(db, "SO-1", [("MUG", 6), ("TEE", 2)], **LONDON)
    db.session.rollback()
    assert proposed.value.status == 409
    assert proposed.value.to_dict()["error"]["proposal"] == [
        {"warehouse": "SOUTH", "lines": [{"sku": "MUG", "qty": 4}, {"sku": "TEE", "qty": 2}]},
        {"warehouse": "NORTH", "lines": [{"sku": "MUG", "qty": 2}]}]
    assert reserved(db, site.p.mug, site.south) == 0, "a proposal reserves nothing"
    order = place(db, "SO-1", [("MUG", 6), ("TEE", 2)], allow_split=True, **LONDON)
    assert sorted((line.warehouse.code, line.product.sku, line.qty, line.reserved)
                  for line in order.lines) == [
        ("NORTH", "MUG", 2, 2), ("SOUTH", "MUG", 4, 4), ("SOUTH", "TEE", 2, 2)]
    assert_books_agree(db)


def test_more_than_all_warehouses_hold_is_refused_with_the_totals(db, site):
    site.stock(site.p.mug, site.bins.na1, 3)
    site.stock(site.p.mug, site.bins.s1, 4)
    with pytest.raises(OrderShort) as refused:
        place(db, "SO-1", [("MUG", 8)], allow_split=True)
    assert refused.value.lines == [{"sku": "MUG", "wanted": 8, "available": 7}]


def test_a_supervisor_reroutes_an_order_atomically(db, site, make_user):
    boss, staff = make_user("boss", "supervisor"), make_user("staff1")
    site.stock(site.p.mug, site.bins.na1, 5)
    site.stock(site.p.mug, site.bins.s1, 1)
    order = place(db, "SO-1", [("MUG", 2)], warehouse="NORTH")
    with pytest.raises(Forbidden):
        reserving.reroute(order, "SOUTH", staff)
    db.session.rollback()
    with pytest.raises(OrderShort):  # SOUTH has only 1: nothing changes
        reserving.reroute(order, "SOUTH", boss)
    db.session.rollback()
    assert (reserved(db, site.p.mug, site.north), shipped_from(order)) == (2, {"NORTH"})
    site.stock(site.p.mug, site.bins.s2, 1)
    reserving.reroute(order, "SOUTH", boss)
    db.session.commit()
    assert shipped_from(order) == {"SOUTH"}
    assert (reserved(db, site.p.mug, site.north), reserved(db, site.p.mug, site.south)) == (0, 2)
    assert_books_agree(db)


def test_a_split_order_rerouted_comes_together_in_one_warehouse(db, site, make_user):
    site.stock(site.p.mug, site.bins.na1, 3)
    site.stock(site.p.mug, site.bins.s1, 3)
    order = place(db, "SO-1", [("MUG", 5)], allow_split=True)
    assert shipped_from(order) == {"NORTH", "SOUTH"}
    site.stock(site.p.mug, site.bins.na2, 2)
    reserving.reroute(order, "NORTH", make_user("boss", "supervisor"))
    db.session.commit()
    assert shipped_from(order) == {"NORTH"}
    assert sum(line.reserved for line in order.lines) == 5
    assert (reserved(db, site.p.mug, site.north), reserved(db, site.p.mug, site.south)) == (5, 0)
    assert_books_agree(db)


def test_an_order_cannot_be_rerouted_once_picking_started(db, site, make_user):
    boss = make_user("boss", "supervisor")
    site.stock(site.p.mug, site.bins.na1, 5)
    site.stock(site.p.mug, site.bins.s1, 5)
    order = place(db, "SO-1", [("MUG", 2)], warehouse="NORTH")
    picking.pick(order, {"line": order.lines[0].id, "location": "N-A-1", "code": "MUG",
                         "qty": 1}, boss)
    db.session.commit()
    with pytest.raises(Exception, match="Picking of SO-1 has started"):
        reserving.reroute(order, "SOUTH", boss)
