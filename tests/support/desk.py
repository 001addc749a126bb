"""What a supervisor's desk says: the alert list and the reorder suggestions, by the API and on
the pages, read through a client logged in as a supervisor."""
import re


def open_alerts(client) -> dict[str, set[str]]:
    """SKUs with an open alert, by kind (every page of GET /api/v1/alerts)."""
    found: dict[str, set[str]] = {}
    page = 1
    while True:
        answer = client.get(f"/api/v1/alerts?per_page=200&page={page}")
        assert answer.status_code == 200, answer.get_json()
        for alert in answer.json["items"]:
            found.setdefault(alert["kind"], set()).add(alert["sku"])
        if page * 200 >= answer.json["total"]:
            return found
        page += 1


def assert_desk_agrees(client) -> dict[str, set[str]]:
    """The alert list, the reorder report and both pages name the same products: low stock is
    what the reorder report lists with units still available, out of stock the rest of it; the
    reorder page drafts only products with one of those alerts; the alert page shows them all."""
    alerts = open_alerts(client)
    low, out = alerts.get("low_stock", set()), alerts.get("out_of_stock", set())
    report = client.get("/api/v1/reports/reorder")
    assert report.status_code == 200, report.get_json()
    rows = report.json["items"]
    assert low == {row["sku"] for row in rows if row["available"] > 0}
    assert {row["sku"] for row in rows if row["available"] <= 0} <= out
    page = client.get("/insight/reorder").get_data(as_text=True)
    drafted = set(re.findall(r'name="qty-([^"]+)"', page))
    assert drafted == {row["sku"] for row in rows if row["suggested"] > 0}
    assert drafted <= low | out
    listed = client.get("/insight/alerts").get_data(as_text=True)
    assert all(sku in listed for sku in low | out)
    return alerts
