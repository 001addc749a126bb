"""Put-away suggestions: storage bins of the same warehouse that fit the whole move; never a
receiving dock, a returns or a hold bin, nor a bin of another warehouse."""
import pytest


@pytest.fixture
def site(db, make_location, make_product, stock):
    """MAIN: DOCK-01 holding 5 mugs, DOCK-02, RET-01, HOLD-01 (each holding a mug), storage
    bins S-01 (2 mugs, capacity 6) and S-02 (empty); OTHER: O-01 holding a mug."""
    main, other = make_location("MAIN", "warehouse"), make_location("OTHER", "warehouse")
    goods_in = make_location("M-IN", "zone", parent=main)
    store = make_location("M-ST", "zone", parent=main)
    mug = make_product("MUG")
    stock(mug, make_location("DOCK-01", parent=goods_in, sequence=1), 5)
    make_location("DOCK-02", parent=goods_in, sequence=2)
    for code in ("RET-01", "HOLD-01"):
        stock(mug, make_location(code, parent=goods_in), 1)
    stock(mug, make_location("S-01", parent=store, sequence=1, capacity=6), 2)
    make_location("S-02", parent=store, sequence=2)
    stock(mug, make_location("O-01", parent=make_location("O-Z", "zone", parent=other)), 1)
    db.session.commit()


def suggestions(client, qty=None) -> list[str]:
    body = {"code": "MUG", "location": "DOCK-01", "flow": "move"}
    if qty is not None:
        body["qty"] = qty
    answer = client.post("/scan/resolve", json=body)
    assert answer.status_code == 200, answer.json
    return [s["location"] for s in answer.json["suggestions"]]


def test_put_away_offers_storage_bins_of_this_warehouse_only(client, login_as, no_csrf, site):
    login_as("staff")
    assert suggestions(client) == ["S-01", "S-02"]


def test_put_away_counts_the_units_moved_against_capacity(client, login_as, no_csrf, site):
    login_as("staff")
    assert suggestions(client, qty=4) == ["S-01", "S-02"]
    assert suggestions(client, qty=5) == ["S-02"]  # 2 + 5 > 6


@pytest.mark.parametrize("qty", [0, -1, "3", 1.5, True, None])
def test_put_away_quantity_is_a_whole_number(client, login_as, no_csrf, site, qty):
    login_as("staff")
    answer = client.post("/scan/resolve", json={"code": "MUG", "location": "DOCK-01",
                                               "flow": "move", "qty": qty},
                         headers={"Accept": "application/json"})
    assert answer.status_code == 422
    assert answer.json["error"]["field"] == "qty"
