"""ZPL: one ^XA ... ^XZ per label, field data hex-escaped so ^ and ~ cannot break the format,
and the printer is told exactly the symbol python-barcode encodes."""
import re
from datetime import date

import barcode
import pytest

from warehouse_app.errors import DomainError
from warehouse_app.labels import zpl
from warehouse_app.labels.layout import Label
from warehouse_app.labels.symbols import Spec, encode, gs1
from warehouse_app.labels.templates import TEMPLATES

FIELD = re.compile(r"\^FD(.*?)\^FS", re.S)


def unescape(data: str) -> str:
    """Undo ^FH_ hex escapes."""
    return re.sub(r"_([0-9A-F]{2})", lambda m: chr(int(m.group(1), 16)), data)


def plain_code128(data: str) -> str:
    """The text a ^BC field in mode N encodes, invocation codes removed."""
    out, i, charset = [], 0, None
    while i < len(data):
        if data[i] == ">":
            code = data[i + 1]
            i += 2
            if code == "0":  # value 30: ">" in subsets A and B
                out.append(">")
            else:
                charset = {"9": "A", ":": "B", ";": "C", "5": "C", "6": "B", "7": "A"}.get(
                    code, charset)
            continue
        step = 2 if charset == "C" else 1
        out.append(data[i:i + step])
        i += step
    return "".join(out)


def label(code: str, name: str = "Name", kind: str = "product") -> Label:
    return Label(kind, code, Spec("code128", code, code), name)


@pytest.mark.parametrize("template", ["thermal-2x1", "thermal-4x6"])
def test_each_label_is_one_format_and_fields_round_trip(template):
    nasty = "A^XZ~JA_B>C"
    labels = [label("TEE-M"), label(nasty, "Price ^FS ~DG ünï <b>"), label("12345678", "Digits")]
    text = zpl.render(labels, TEMPLATES[template])
    formats = text.strip().split("\n")
    assert len(formats) == 3
    for one in formats:
        assert one.startswith("^XA^CI28^PW") and one.endswith("^XZ")
        assert one.count("^XA") == 1 and one.count("^XZ") == 1
        for field in FIELD.findall(one):
            assert "^" not in field and "~" not in field
    fields = [unescape(f) for f in FIELD.findall(text)]
    bars = [plain_code128(f) for f in fields if f.startswith(">")]
    assert bars == ["TEE-M", nasty, "12345678"]
    assert "Price ^FS ~DG ünï <b>" in fields  # text escaped, then printed as it is


def test_code128_fields_follow_python_barcode_subsets():
    symbol = encode(Spec("code128", "AB12345678", "AB12345678"))
    data = zpl.code128_data(symbol.codes)
    assert data == ">:AB>512345678"  # start B, then code C for the digit run
    assert plain_code128(data) == "AB12345678"
    assert barcode.get("code128", "AB12345678").build()  # the same symbol python-barcode draws


def test_gs1_receipt_goes_to_the_printer_with_fnc1():
    spec = gs1("4006381333931", date(2026, 12, 31), "LOT42A")
    receipt = Label("receipt", "TEE-M", spec, "Tee", lines=("TEE-M · 1 unit", "Received"))
    text = zpl.render([receipt], TEMPLATES["thermal-4x6"])
    field = next(f for f in FIELD.findall(text) if f.startswith(">"))
    assert field.startswith(">:>8>5")  # start, FNC1: a GS1-128 symbol
    assert plain_code128(field.replace(">8", "")) == spec.data
    assert "(01)04006381333931(17)261231(10)LOT42A" in text


def test_ean_and_qr_use_the_printers_own_symbols():
    ean = Label("product", "TEE-M", Spec("ean13", "4006381333931", "4006381333931"), "Tee")
    qr = Label("product", "QR-1", Spec("qr", "QR^1", "QR^1"), "Tee")
    text = zpl.render([ean, qr], TEMPLATES["thermal-2x1"])
    assert "^BEN," in text and "^FD400638133393^FS" in text
    assert "^BQN,2," in text and "^FH_^FDMA,QR_5E1^FS" in text


def test_zpl_refuses_sheets_and_control_characters():
    with pytest.raises(DomainError, match="thermal-2x1"):
        zpl.render([label("A")], TEMPLATES["a4-3x10"])
    with pytest.raises(DomainError):
        zpl.field("bad\x1bcode")
