"""The scan resolver under fuzz: any scanned text resolves or is refused with a 4xx, never a crash.

Arbitrary text, GS1-looking strings (symbology ids, '(01)', FNC1 as GS, '|' and '~' from wedge
scanners), control characters, NUL, lone surrogates (JSON can carry them), very long strings and
non-text values go to `resolve()` and through both resolve endpoints. Failures are collected,
not raised at the first one, so a run names every kind of crash it met.
"""
import json
import re

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.hostile.conftest import last_crash
from warehouse_app.errors import DomainError
from warehouse_app.scanning.resolver import Scan, resolve

EAN = "5901234123457"
GTIN = "09501101530003"
SEPARATORS = ["\x1d", "|", "~"]
PREFIXES = ["", "]C1", "]d2", "]Q3", "]e0", "]J1", "(01)", "01", "02", "]C1(01)"]
AIS = ["(01)", "(02)", "(10)", "(11)", "(15)", "(17)", "(21)", "(30)", "(37)", "(99)", "(",
       ")", "01", "10", "17", "21", "30", "37", "00", "8200"]
SETTINGS = settings(max_examples=300, deadline=None, database=None, derandomize=True,
                    suppress_health_check=list(HealthCheck))
PHONE = {"Accept": "application/json"}  # what the phone's script sends
CORPUS = [  # fixed inputs every run tries, besides what hypothesis draws
    f"]C101{GTIN}17261231", f"(01){GTIN}(17)261331", f"01{GTIN}10" + "L" * 300,
    f"01{GTIN}\x1d\x1d\x1d", f"01{GTIN}|21|", "(01)", "(01)(10)", "]C1", "]d2\x1d", "\x1d",
    "|||", "((((", "(01" + "9" * 14, "01" + "9" * 14 + "17000000", "017" * 80, "0" * 14,
    EAN + "\n", "\x00", "A\x00B", "\r\n", " \t ", "\ud800", "SKU\udfff", "\U0001f4e6",
    "x" * 256, "x" * 257, "ß" * 200, "ﬁ" * 200, "İ" * 100, "\u202eA-01", "a-01",
    "COUNT-1", "CC-1", "SO-1\x1d",
]


def gs1_like():
    """Strings put together from GS1 pieces: prefixes, AIs, digits, separators, junk."""
    piece = st.one_of(st.sampled_from(AIS), st.sampled_from(SEPARATORS),
                      st.text("0123456789", min_size=1, max_size=16),
                      st.sampled_from([GTIN, EAN, "261231", "991399", "LOT42A"]),
                      st.text(max_size=4))
    return st.builds(lambda head, body: head + "".join(body), st.sampled_from(PREFIXES),
                     st.lists(piece, max_size=10))


def hostile_text():
    """Text of every awkward kind."""
    surrogate = st.characters(categories=["Cs"])
    control = st.characters(max_codepoint=0x1F)
    anything = st.one_of(st.characters(), surrogate, control)
    return st.one_of(
        st.text(max_size=40),
        st.text(anything, max_size=40),
        gs1_like(),
        st.text(st.characters(min_codepoint=0x80), max_size=80),
        st.text(min_size=200, max_size=2000),
        st.builds(lambda s, n: s * n, st.sampled_from(["0", "(01)", "\x1d", "|", "ß"]),
                  st.integers(1, 600)),
    )


def known_code():
    """Codes that name something here, as scanners send them (case, CR/LF, GS1 wrapping)."""
    code = st.sampled_from(["MUG-1", EAN, GTIN, "MUG-BOX", "A-01", "a-01", "SO-1", "CC-00001",
                            f"]C101{GTIN}10LOT42A", f"(01){GTIN}(17)261231", f"01{GTIN}|21SN1"])
    return st.builds(lambda c, tail: c + tail, code, st.sampled_from(["", "\r\n", " ", "\t"]))


def any_value():
    """What a JSON body may put where a code belongs: text, or not text at all."""
    return st.one_of(hostile_text(), st.none(), st.booleans(), st.integers(),
                     st.floats(allow_nan=False), st.lists(st.text(max_size=5), max_size=3),
                     st.dictionaries(st.text(max_size=3), st.integers(), max_size=2))


@pytest.fixture
def things(db, make_product, make_location, make_user, stock, api_token):
    """A product with barcodes, a bin holding it, an order and a count to resolve to."""
    mug = make_product("MUG-1", barcodes=[EAN, GTIN, {"code": "MUG-BOX", "pack_size": 6}],
                       tracking="lot")
    bin_ = make_location("A-01")
    stock(mug, bin_, 10, lot="L1")
    from warehouse_app.counting import planning
    from warehouse_app.orders import purchasing, reserving
    boss = make_user("boss", "supervisor")
    reserving.place({"reference": "SO-1", "lines": [{"sku": "MUG-1", "qty": 1}]})
    purchasing.create({"reference": "PO-1", "supplier": "Acme",
                       "lines": [{"sku": "MUG-1", "qty": 5}]}, boss)
    count = planning.open_count({"locations": ["A-01"]}, boss)
    db.session.commit()
    return {"count": count.reference, "headers": api_token("staff")}


def _gist(err: Exception) -> str:
    """The first line of an error without positions, so one kind of crash is counted once."""
    return _gist_text(str(err).splitlines()[0][:100])


def _gist_text(text: str) -> str:
    text = re.sub(r"position \d+(-\d+)?", "position N", text)
    return re.sub(r"character '\\u[0-9a-f]{4}'", "character (a surrogate)", text)


class Tally:
    """How many inputs went in, how each came out, and what crashed."""

    def __init__(self):
        self.tried, self.resolved, self.refused = 0, 0, 0
        self.failures: dict[str, str] = {}

    def crash(self, kind: str, value) -> None:
        self.failures.setdefault(kind, repr(value)[:120])

    def report(self) -> str:
        return "\n".join(f"{kind}  e.g. {value}" for kind, value in self.failures.items())


def test_resolve_answers_a_scan_or_a_4xx_for_any_input(db, things):
    tally = Tally()

    def check(value):
        tally.tried += 1
        try:
            scan = resolve(value)
            assert isinstance(scan, Scan)
            json.dumps(scan.as_dict())
            tally.resolved += 1
        except DomainError as err:
            db.session.rollback()
            if 400 <= err.status < 500 and err.message:
                tally.refused += 1
            else:
                tally.crash(f"DomainError status {err.status}", value)
        except Exception as err:  # noqa: BLE001  (any other exception is the finding)
            db.session.rollback()
            tally.crash(f"{type(err).__name__}: {_gist(err)}", value)

    for value in CORPUS + [None, 7, 1.5, True, [EAN], {"code": EAN}, b"MUG-1"]:
        check(value)

    @SETTINGS
    @given(value=st.one_of(hostile_text(), any_value(), known_code()))
    @example(value=things["count"])
    def run(value):
        check(value)

    run()
    print(f"hostile: {tally.tried} codes to resolve(): {tally.resolved} resolved, "
          f"{tally.refused} refused 4xx, {len(tally.failures)} kinds of crash")
    assert tally.resolved >= 10 and tally.refused >= 100  # both paths really ran
    assert not tally.failures, "resolve() crashed on:\n" + tally.report()


def test_a_lone_surrogate_is_refused_as_bad_input_not_a_crash(db, things):
    """JSON may carry "\\ud800"; the database cannot store or compare it."""
    with pytest.raises(DomainError) as refused:
        resolve("MUG\ud800")
    assert refused.value.status == 422 and refused.value.field == "code"


def test_both_resolve_endpoints_never_answer_5xx(client, db, things, login_as, no_csrf,
                                                 crash_as_500):
    """POST /api/v1/scan/resolve (token) and /scan/resolve (the phone's session call)."""
    headers = things["headers"]
    login_as("staff")
    tally = Tally()

    def post(path: str, body: bytes, value, what: str = "code") -> None:
        tally.tried += 1
        response = client.post(path, data=body, content_type="application/json",
                               headers=headers if path.startswith("/api/") else PHONE)
        if response.status_code >= 500:
            tally.crash(f"{path} {response.status_code} on a hostile {what}: "
                        f"{_gist_text(last_crash(crash_as_500))}", value)
        elif response.status_code == 200:
            tally.resolved += 1
        else:
            tally.refused += 1
            assert response.is_json and response.json["error"]["message"], (path, value)

    def both(value) -> None:
        body = json.dumps({"code": value}).encode()
        post("/api/v1/scan/resolve", body, value)
        post("/scan/resolve", body, value)

    for value in CORPUS:
        both(value)
    for raw in (b"", b"null", b"[]", b'"MUG-1"', b"{", b'{"code": "\\ud800"}', b"\xff\xfe",
                b'{"code": "MUG-1", "location": "\\u0000"}', b'{"code": "' + b"9" * 10**5 + b'"}'):
        post("/api/v1/scan/resolve", raw, raw)
        post("/scan/resolve", raw, raw)

    @SETTINGS
    @given(value=st.one_of(any_value(), known_code()), here=st.one_of(st.none(), hostile_text()),
           flow=st.sampled_from([None, "move", "receive", "\x00"]))
    def run(value, here, flow):
        both(value)
        # the phone also says where it is: a hostile location beside a good product code
        body = json.dumps({"code": "MUG-1", "location": here, "flow": flow}).encode()
        post("/scan/resolve", body, {"location": here, "flow": flow}, "location")

    run()
    print(f"hostile: {tally.tried} resolve requests: {tally.resolved} answered 200, "
          f"{tally.refused} 4xx, {len(tally.failures)} kinds of 5xx")
    assert tally.resolved >= 30 and tally.refused >= 100
    assert not tally.failures, "5xx from the resolve endpoints:\n" + tally.report()


PHONE_CALLS = ["/scan/resolve", "/scan/line", "/scan/undo", "/orders/pick/line",
               "/orders/pick/short", "/orders/purchase/PO-1/receive", "/counting/{count}/scan",
               "/counting/{count}/set", "/counting/{count}/close", "/counting/{count}/reopen",
               "/counting/{count}/submit"]
PHONE_FIELDS = ["code", "location", "qty", "lot", "expiry", "reason", "note", "flow",
                "from_location", "to_location", "movement", "client_op_id", "order", "line",
                "sku", "empty", "counted", "unit_cost"]


def hostile_json():
    """A JSON value a field of the phone's calls may be given instead of the right one."""
    return st.one_of(st.sampled_from(["", "\x00", "A\x00", "\ud800", "x" * 5000, "-1", "1e9",
                                      "MUG-1", "A-01", "SO-1", "2027-02-30", "damage"]),
                     st.integers(-2**70, 2**70), st.floats(allow_nan=False), st.booleans(),
                     st.none(), st.lists(st.integers(), max_size=2),
                     st.dictionaries(st.sampled_from(["id", "x"]), st.integers(), max_size=1))


def test_the_phones_json_calls_never_answer_5xx(client, db, things, login_as, no_csrf,
                                                 crash_as_500):
    """Every JSON call the phone's scripts make, with bodies that are not objects and objects
    whose fields are NUL, surrogates, huge, of the wrong type or out of range."""
    login_as("supervisor")
    calls = [path.format(count=things["count"]) for path in PHONE_CALLS]
    tally = Tally()

    def post(path: str, body: bytes, value) -> None:
        tally.tried += 1
        response = client.post(path, data=body, content_type="application/json", headers=PHONE)
        if response.status_code >= 500:
            tally.crash(f"{path} {response.status_code}: "
                        f"{_gist_text(last_crash(crash_as_500))}", value)
        elif response.status_code < 300:
            tally.resolved += 1
        else:
            tally.refused += 1

    for path in calls:
        for raw in (b"", b"null", b"[]", b'"MUG-1"', b"7", b"true", b"{", b"{}", b"\xff"):
            post(path, raw, raw)

    @settings(SETTINGS, max_examples=200)
    @given(path=st.sampled_from(calls),
           body=st.dictionaries(st.sampled_from(PHONE_FIELDS), hostile_json(), max_size=6))
    def run(path, body):
        post(path, json.dumps(body).encode(), body)

    run()
    print(f"hostile: {tally.tried} phone JSON calls: {tally.resolved} accepted, "
          f"{tally.refused} refused, {len(tally.failures)} kinds of 5xx")
    assert tally.refused >= 100
    assert not tally.failures, "5xx from the phone's JSON calls:\n" + tally.report()
