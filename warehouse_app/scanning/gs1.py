"""GS1 element strings (GS1-128, GS1 DataMatrix, GS1 QR, GS1 DataBar, the printed
'(01)...(10)...' form), via biip; and the UPC-E a GTIN is printed as."""
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import biip
from biip.gs1_messages import GS1Message

GS = "\x1d"
# What keyboard-wedge scanners send for the invisible FNC1/GS separator, besides GS itself.
WEDGE_SEPARATORS = ["|", "~"]
# The AIM symbology identifiers of GS1 data: GS1-128, GS1 DataMatrix, GS1 QR, GS1 DataBar
# (every DataBar), GS1 DotCode. A scanner set to send identifiers puts one before the data.
SYMBOLOGY_IDS = ("]C1", "]d2", "]Q3", "]e0", "]J1")


@dataclass(frozen=True)
class GS1Data:
    gtin: str
    lot: str | None = None
    expiry: date | None = None
    serial: str | None = None
    count: int | None = None  # AI (30): variable count of items
    weight_kg: Decimal | None = None  # AI (310n): net weight of a variable-measure item

    def as_dict(self) -> dict:
        out = {"gtin": self.gtin, "lot": self.lot,
               "expiry": self.expiry.isoformat() if self.expiry else None,
               "serial": self.serial}
        if self.weight_kg is not None:
            out["weight_kg"] = str(self.weight_kg)
        return out


class GS1Error(ValueError):
    """A code that claims to be GS1 but does not parse."""


def looks_like_gs1(code: str) -> bool:
    """A symbology id, a GS separator, the printed '(01)' form, or (01)+GTIN-14 and more digits."""
    if code.startswith(SYMBOLOGY_IDS) or GS in code or code.startswith("(01)"):
        return True
    return len(code) >= 16 and code[:2] in ("01", "02") and code[2:16].isdigit()


def parse(code: str) -> GS1Data | None:
    """The GTIN, lot, expiry and serial of a GS1 element string; None when it carries no GTIN."""
    try:
        if code.startswith("("):
            message = GS1Message.parse_hri(code)
        else:
            config = biip.ParseConfig(separator_chars=[GS, *WEDGE_SEPARATORS])
            result = biip.parse(code, config=config)
            if result.gs1_message is None:
                raise GS1Error(result.gs1_message_error or "not a GS1 element string")
            message = result.gs1_message
    except GS1Error:
        raise
    except Exception as err:  # biip raises its own ParseError family
        raise GS1Error(str(err)) from None
    fields = {es.ai.ai: es for es in message.element_strings}
    gtin = fields.get("01") or fields.get("02")
    if gtin is None:
        return None
    expiry = fields.get("17") or fields.get("15")
    count = fields.get("30") or fields.get("37")
    weight = next((es for ai, es in fields.items() if ai.startswith("310")), None)
    return GS1Data(gtin=gtin.value,
                   lot=fields["10"].value if "10" in fields else None,
                   expiry=expiry.date if expiry else None,
                   serial=fields["21"].value if "21" in fields else None,
                   count=int(count.value) if count and count.value.isdigit() else None,
                   weight_kg=weight.decimal if weight else None)


def gtin_variants(gtin: str) -> list[str]:
    """The forms one GTIN is printed in: GTIN-14, EAN-13, UPC-A (leading zeros dropped)."""
    digits = gtin.lstrip("0")
    return list(dict.fromkeys(
        [gtin] + [digits.rjust(n, "0") for n in (14, 13, 12, 8) if len(digits) <= n]))


def upce_gtin(code: str) -> str | None:
    """The 12-digit UPC-A an 8-digit UPC-E stands for, when its check digit holds."""
    if len(code) != 8 or not code.isdigit() or code[0] not in "01":
        return None
    try:
        return biip.upc.Upc.parse(code).as_upc_a()
    except Exception:  # biip's ParseError: not a UPC-E (an EAN-8, or a typo)
        return None
