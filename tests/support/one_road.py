"""What the one-road tests share (tests/*/test_one_road*.py): the same input sent by each road
a user or a system has answers alike and writes alike.

The scanned inputs go two ways, the API's and the phone's: a test's `roads` fixture sends one
and answers (status, (error code, field) or None, what it wrote). Master data goes three ways,
API JSON, the page's form and a one-row CSV import: `send()` answers (status, field, message).
"""
import csv
import io


def assert_written_alike(api: tuple, phone: tuple, nothing) -> None:
    """A good input: both roads answer 201 with no error and write the same, and not nothing."""
    assert api[0] == phone[0] == 201, (api, phone)
    assert api[1] is phone[1] is None
    assert api[2] == phone[2] != nothing


def assert_refused_alike(api: tuple, phone: tuple, bad: tuple, nothing) -> None:
    """A bad input (body, status, code, field): both roads refuse it for the same field with
    the same code and status, and write nothing."""
    _body, status, code, field = bad
    assert api[:2] == phone[:2] == (status, (code, field)), (api, phone)
    assert api[2] == phone[2] == nothing


def send(road: str, client, headers, case: tuple, *, api: str, form: str,
         columns: tuple[str, ...]) -> tuple:
    """(status, field, message) of one road's answer to a case (its JSON body and the text a
    form or CSV cell gives for it): POSTed to `api`, to the page `form` (which names no field:
    it shows its message), or as a one-row CSV file to `api`/import with the file's required
    `columns`, maybe empty."""
    body, text = case
    if road == "api":
        answer = client.post(api, json=body, headers=headers)
        error = (answer.json or {}).get("error") or {}
        return answer.status_code, error.get("field"), error.get("message")
    if road == "form":
        answer = client.post(form, data=text)
        return answer.status_code, None, answer.text
    text = {**dict.fromkeys(columns, ""), **text}
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(text))
    writer.writeheader()
    writer.writerow(text)
    answer = client.post(f"{api}/import", data=out.getvalue().encode(),
                         headers={**headers, "Content-Type": "text/csv"})
    rows = ((answer.json or {}).get("error") or {}).get("rows") or [{}]
    assert all(row.get("line", 2) == 2 for row in rows)
    return answer.status_code, rows[0].get("field"), rows[0].get("message")
