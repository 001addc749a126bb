"""Pick lists in walking order with FEFO, waves, picks through the ledger, short picks."""
from datetime import date

import pytest
from sqlalchemy import func, select

from tests.orders.conftest import assert_books_agree
from warehouse_app.errors import DomainError
from warehouse_app.ledger.models import CountRequest, Movement
from warehouse_app.orders import picking, picklists, reserving
from warehouse_app.orders.models import OrderStatus, PickShortage


def place(db, reference, lines, **fields):
    order = reserving.place({"reference": reference,
                             "lines": [{"sku": s, "qty": q} for s, q in lines], **fields})
    db.session.commit()
    return order


def walk(pick_list) -> list[tuple]:
    return [(t.location, t.sku, t.qty, t.order) for t in pick_list.tasks]


def movements(db) -> int:
    db.session.commit()
    return db.session.scalar(select(func.count(Movement.id)))


def test_the_pick_list_follows_zone_then_bin_sequence(db, site):
    b = site.bins
    site.stock(site.p.mug, b.na1, 2)
    site.stock(site.p.tee, b.na2, 2)
    site.stock(site.p.cap, b.nb1, 2)
    order = place(db, "SO-1", [("MUG", 1), ("TEE", 1), ("CAP", 1)])
    # zone N-B (sequence 1) before N-A (2); inside N-A, N-A-2 (sequence 1) before N-A-1
    assert walk(picklists.build([order])) == [("N-B-1", "CAP", 1, "SO-1"),
                                              ("N-A-2", "TEE", 1, "SO-1"),
                                              ("N-A-1", "MUG", 1, "SO-1")]
    api = picklists.for_order(order)
    assert [(line["sku"], [x["location"] for x in line["bins"]]) for line in api] == [
        ("CAP", ["N-B-1"]), ("TEE", ["N-A-2"]), ("MUG", ["N-A-1"])]


def test_a_line_spans_bins_in_walking_order(db, site):
    site.stock(site.p.mug, site.bins.na1, 2)
    site.stock(site.p.mug, site.bins.nb1, 2)
    order = place(db, "SO-1", [("MUG", 3)])
    assert walk(picklists.build([order])) == [("N-B-1", "MUG", 2, "SO-1"),
                                              ("N-A-1", "MUG", 1, "SO-1")]


def test_earliest_expiry_is_picked_first(db, site, make_product):
    milk = make_product("MILK", tracking="lot")
    site.stock(milk, site.bins.nb1, 3, lot="L-LATE", expiry=date(2031, 5, 1))
    site.stock(milk, site.bins.na1, 3, lot="L-SOON", expiry=date(2030, 1, 1))
    site.stock(milk, site.bins.na2, 3, lot="L-MID", expiry=date(2030, 6, 1))
    order = place(db, "SO-1", [("MILK", 4)])
    tasks = picklists.build([order]).tasks
    assert [(t.location, t.lot, t.qty) for t in tasks] == [("N-A-2", "L-MID", 1),
                                                           ("N-A-1", "L-SOON", 3)]
    picking.pick(order, {"line": order.lines[0].id, "location": "N-A-1", "code": "MILK",
                         "qty": 3}, None)
    db.session.commit()
    assert db.session.scalars(select(Movement).order_by(Movement.id.desc())).first().lot.code \
        == "L-SOON"


def test_a_wave_is_one_walk_with_a_tote_per_order(db, site, make_user):
    site.stock(site.p.mug, site.bins.na1, 5)
    site.stock(site.p.tee, site.bins.nb1, 5)
    orders = [place(db, "SO-1", [("MUG", 1)]), place(db, "SO-2", [("TEE", 2), ("MUG", 2)]),
              place(db, "SO-3", [("TEE", 1)])]
    wave = picking.start_wave(orders, make_user("picker"))
    db.session.commit()
    assert wave.code.startswith("W") and [o.wave for o in orders] == [wave] * 3
    tasks = picklists.build(wave.orders).tasks
    assert [(t.location, t.sku, t.qty, t.tote) for t in tasks] == [
        ("N-B-1", "TEE", 2, 2), ("N-B-1", "TEE", 1, 3),
        ("N-A-1", "MUG", 1, 1), ("N-A-1", "MUG", 2, 2)]
    with pytest.raises(DomainError, match="is in wave"):
        picking.start_wave([orders[0]], make_user("other"))


def test_wrong_bin_wrong_product_and_too_many_post_nothing(db, site, make_user,
                                                           make_location):
    picker = make_user("picker")
    site.stock(site.p.mug, site.bins.na1, 5)
    site.stock(site.p.mug, site.bins.s1, 5)
    order = place(db, "SO-1", [("MUG", 2)], warehouse="NORTH")
    line = order.lines[0].id
    before = movements(db)
    cases = [({"location": "S-1", "code": "MUG"}, "wrong_bin"),
             ({"location": "N-A-1", "code": "TEE"}, "wrong_product"),
             ({"location": "N-A-1", "code": "N-A-2"}, "wrong_scan"),
             ({"location": "N-A-1", "code": "MUG", "qty": 3}, "over_pick"),
             ({"location": "N-A-1", "code": "MUG", "qty": 0}, "invalid")]
    for fields, code in cases:
        with pytest.raises(DomainError) as refused:
            picking.pick(order, {"line": line, **fields}, picker)
        db.session.rollback()
        assert refused.value.code == code, fields
    assert movements(db) == before
    assert order.lines[0].picked == 0


def test_a_short_pick_flags_the_bin_and_offers_the_next_one(db, site, make_user):
    picker = make_user("picker")
    site.stock(site.p.mug, site.bins.nb1, 3)   # walked first, but really holds 1
    site.stock(site.p.mug, site.bins.na1, 5)
    order = place(db, "SO-1", [("MUG", 3)])
    line = order.lines[0]
    assert walk(picklists.build([order]))[0] == ("N-B-1", "MUG", 3, "SO-1")
    picking.pick(order, {"line": line.id, "location": "N-B-1", "code": "MUG", "qty": 1}, picker)
    for _ in range(2):  # a replayed report records once
        picking.report_short(order, {"line": line.id, "location": "N-B-1", "qty": 2,
                                     "client_op_id": "short-1"}, picker)
        db.session.commit()
    assert walk(picklists.build([order])) == [("N-A-1", "MUG", 2, "SO-1")]
    request = db.session.scalars(select(CountRequest)).one()
    assert (request.location.code, request.product.sku, request.resolved_at) == (
        "N-B-1", "MUG", None)
    assert "SO-1" in request.reason and request.user_id == picker.id
    assert db.session.scalar(select(func.count(PickShortage.id))) == 1
    picking.pick(order, {"line": line.id, "location": "N-A-1", "code": "MUG", "qty": 2}, picker)
    db.session.commit()
    assert order.status is OrderStatus.PICKED
    assert_books_agree(db)


def test_nothing_left_anywhere_shows_as_missing(db, site, make_user):
    site.stock(site.p.mug, site.bins.na1, 2)
    order = place(db, "SO-1", [("MUG", 2)])
    picking.report_short(order, {"line": order.lines[0].id, "location": "N-A-1", "qty": 2},
                         make_user("picker"))
    db.session.commit()
    pick_list = picklists.build([order])
    assert pick_list.tasks == []
    assert pick_list.missing == [{"order": "SO-1", "line": order.lines[0].id, "sku": "MUG",
                                  "qty": 2}]


def test_the_packing_bin_is_never_a_source(db, site, make_location, make_user):
    make_location("PACK", "bin", parent=site.north)
    site.stock(site.p.mug, site.bins.na1, 2)
    first = place(db, "SO-1", [("MUG", 1)])
    picking.pick(first, {"line": first.lines[0].id, "location": "N-A-1", "code": "MUG"},
                 make_user("picker"))
    db.session.commit()
    second = place(db, "SO-2", [("MUG", 1)])
    assert walk(picklists.build([second])) == [("N-A-1", "MUG", 1, "SO-2")]
    with pytest.raises(DomainError, match="packing bin"):
        picking.pick(second, {"line": second.lines[0].id, "location": "PACK", "code": "MUG"},
                     None)


def test_receiving_docks_are_picked_from_last(db, site, make_location):
    dock = make_location("DOCK-9", "bin", parent=site.north, sequence=0)  # walked first
    site.stock(site.p.mug, dock, 5)
    site.stock(site.p.mug, site.bins.na1, 2)
    order = place(db, "SO-1", [("MUG", 3)])
    assert walk(picklists.build([order])) == [("DOCK-9", "MUG", 1, "SO-1"),
                                              ("N-A-1", "MUG", 2, "SO-1")]


def test_a_short_report_cannot_exceed_what_is_left_to_pick(db, site, make_user):
    site.stock(site.p.mug, site.bins.na1, 5)
    order = place(db, "SO-1", [("MUG", 2)])
    with pytest.raises(DomainError, match="Only 2 MUG are left to pick"):
        picking.report_short(order, {"line": order.lines[0].id, "location": "N-A-1", "qty": 3},
                             make_user("picker"))
    db.session.rollback()
    assert db.session.scalar(select(func.count(CountRequest.id))) == 0
