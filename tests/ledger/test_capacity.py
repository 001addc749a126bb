"""A bin never goes over its capacity without a supervisor's reason, which the audit keeps."""
import pytest
from sqlalchemy import func, select

from warehouse_app.audit.models import AuditEntry
from warehouse_app.ledger.models import Movement, StockLevel

MOVES = "/api/v1/movements"
JSON = {"Accept": "application/json"}


@pytest.fixture
def small(db, make_product, make_location):
    """SMALL holds at most 5 units; BIG has no limit and 30 MUG."""
    from warehouse_app.ledger.models import MovementKind
    from warehouse_app.ledger.movements import Line, record
    mug = make_product("MUG")
    small, big = make_location("SMALL", capacity=5), make_location("BIG")
    record(Line(MovementKind.RECEIVE, mug, 30, to_location=big))
    db.session.commit()
    return small


def held(db, code) -> int:
    db.session.commit()
    return db.session.scalar(select(func.coalesce(func.sum(StockLevel.on_hand), 0))
                             .join(StockLevel.location).where(StockLevel.location.has(code=code)))


def test_a_bin_of_capacity_5_refuses_25_saying_what_fits_api(client, db, small, staff):
    for body in ({"kind": "receive", "to_location": "SMALL"},
                 {"kind": "transfer", "from_location": "BIG", "to_location": "SMALL"}):
        refused = client.post(MOVES, json={**body, "sku": "MUG", "qty": 25}, headers=staff)
        assert refused.status_code == 409 and refused.json["error"]["code"] == "over_capacity"
        assert "5 more fit, 25 asked" in refused.json["error"]["message"]
    assert client.post(MOVES, json={"kind": "receive", "sku": "MUG", "qty": 3,
                                    "to_location": "SMALL"}, headers=staff).status_code == 201
    refused = client.post(MOVES, json={"kind": "receive", "sku": "MUG", "qty": 3,
                                       "to_location": "SMALL"}, headers=staff)
    assert refused.status_code == 409 and "2 more fit, 3 asked" in refused.json["error"]["message"]
    assert held(db, "SMALL") == 3


def test_a_supervisor_overrides_with_a_reason_the_audit_keeps_api(client, db, small, staff,
                                                                  supervisor):
    body = {"kind": "transfer", "sku": "MUG", "qty": 25, "from_location": "BIG",
            "to_location": "SMALL"}
    assert client.post(MOVES, json={**body, "override_capacity": "pallet overflow"},
                       headers=staff).status_code == 403
    for bad in (5, ["x"], "   ", "x" * 301):
        assert client.post(MOVES, json={**body, "override_capacity": bad},
                           headers=supervisor).status_code == 422, bad
    assert held(db, "SMALL") == 0
    done = client.post(MOVES, json={**body, "override_capacity": "pallet overflow"},
                       headers=supervisor)
    assert done.status_code == 201
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "override")).one()
    assert entry.entity_id == done.json["id"] and entry.after["reason"] == "pallet overflow"
    assert entry.after["capacity"] == 5 and "supervisor" in entry.actor
    assert held(db, "SMALL") == 25


def test_the_phone_refuses_a_full_bin_and_a_supervisor_overrides(client, db, small, login_as,
                                                                 no_csrf):
    login_as("staff")
    body = {"flow": "receive", "code": "MUG", "qty": 25, "to_location": "SMALL"}
    refused = client.post("/scan/line", json=body, headers=JSON)
    assert refused.status_code == 409 and refused.json["error"]["code"] == "over_capacity"
    assert "5 more fit" in refused.json["error"]["message"]
    page = client.get("/scan/receive").get_data(as_text=True)
    assert 'data-supervisor=""' in page
    login_as("supervisor")
    assert 'data-supervisor="1"' in client.get("/scan/receive").get_data(as_text=True)
    done = client.post("/scan/line", json={**body, "override_capacity": "one delivery"},
                       headers=JSON)
    assert done.status_code == 201
    assert db.session.scalar(select(func.count(Movement.id))) == 2
    assert held(db, "SMALL") == 25
