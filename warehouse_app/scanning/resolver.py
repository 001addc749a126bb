"""One resolver turns any scanned string into a thing: product, location or document."""
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from warehouse_app.auth import warehouses
from warehouse_app.catalog import products
from warehouse_app.catalog.models import Product
from warehouse_app.errors import DomainError, NotFound
from warehouse_app.locations import places
from warehouse_app.locations.models import Location
from warehouse_app.scanning import gs1 as gs1_codes

MAX_CODE = 256
AIM_ID = re.compile(r"\][A-Za-z][0-9A-Za-z].")  # ']', symbology letter, modifier, then data


@dataclass
class Scan:
    """What a scanned code means."""

    type: str  # product, location, or a document type
    code: str
    product: Product | None = None
    pack_size: int = 1
    location: Location | None = None
    document: object | None = None
    gs1: gs1_codes.GS1Data | None = None
    extra: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        out = {"type": self.type, "code": self.code, **self.extra}
        if self.product is not None:
            out.update(sku=self.product.sku, name=self.product.name, pack_size=self.pack_size,
                       tracking=self.product.tracking.value, active=self.product.active)
        if self.location is not None:
            out.update(location=self.location.code, name=self.location.name,
                       kind=self.location.kind.value, physical=self.location.is_physical)
        if self.gs1 is not None:
            out.update(self.gs1.as_dict())
        return out


# Later capabilities (orders, purchase orders, counts) register a function here that returns a
# Scan for one of their document codes, or None.
DOCUMENT_RESOLVERS: list[Callable[[str], Scan | None]] = []


def clean(code) -> str:
    """The scanned text without surrounding whitespace or a scanner's trailing CR/LF."""
    if not isinstance(code, str):
        raise DomainError("A scanned code must be text.", field="code")
    code = code.strip(" \r\n\t")
    if not code:
        raise DomainError("Nothing was scanned.", field="code")
    if len(code) > MAX_CODE:
        raise DomainError(f"A code is at most {MAX_CODE} characters.", field="code")
    if any(ord(ch) < 32 and ch != gs1_codes.GS for ch in code):
        raise DomainError("The code contains control characters.", field="code")
    if any(0xD800 <= ord(ch) <= 0xDFFF for ch in code):  # from JSON's "\ud800": not text
        raise DomainError("The code is not valid text.", field="code")
    return code


def resolve(code) -> Scan:
    """The product, location or document a scanned code names, or a 404 in plain words; a
    location or document of a warehouse the caller is not kept to is refused (403)."""
    scan = _resolve(clean(code))
    warehouses.check(scan.location, field="code")
    if scan.document is not None and hasattr(scan.document, "warehouse_ids"):
        warehouses.check_document(scan.document, scan.code[:60], "code")
    return scan


def _resolve(code: str) -> Scan:
    if gs1_codes.looks_like_gs1(code):
        if scan := _by_gs1(code):
            return scan
    elif AIM_ID.match(code):  # a scanner's symbology identifier before plain data: "]E0..."
        code = clean(code[3:])
    if scan := _by_barcode(code) or _by_sku(code) or _by_location(code) or _by_document(code):
        return scan
    if code.isdigit() and len(code) in (8, 12, 13, 14):
        # UPC-E first: a product is registered under the GTIN its zero-suppressed form stands
        # for. An 8-digit code that is no UPC-E is an EAN-8.
        upc_a = gs1_codes.upce_gtin(code) if len(code) == 8 else None
        variants = gs1_codes.gtin_variants(upc_a) if upc_a else []
        for variant in dict.fromkeys(variants + gs1_codes.gtin_variants(code)):
            if scan := _by_barcode(variant):
                return Scan("product", code, scan.product, scan.pack_size)
    raise NotFound(f"Unknown code {code[:60]}: not a product, bin or document here.",
                   field="code")


def _by_gs1(code: str) -> Scan | None:
    marked = (code.startswith(gs1_codes.SYMBOLOGY_IDS) or gs1_codes.GS in code
              or code.startswith("("))
    try:
        data = gs1_codes.parse(code)
    except gs1_codes.GS1Error as err:
        if marked:
            raise DomainError(f"Unreadable GS1 code: {err}", field="code") from None
        return None  # only looked like GS1; try it as a plain code
    if data is None:
        return None
    for variant in gs1_codes.gtin_variants(data.gtin):
        if found := _by_barcode(variant):
            return Scan("product", code, found.product, found.pack_size, gs1=data)
    if not marked:
        return None  # digits that only look like (01)+GTIN may be a SKU or a bin
    raise NotFound(f"GTIN {data.gtin} is not on any product here.", field="code")


def _by_barcode(code: str) -> Scan | None:
    barcode = products.barcode_of(code)
    if barcode is None:
        return None
    return Scan("product", code, barcode.product, barcode.pack_size)


def _by_sku(code: str) -> Scan | None:
    product = products.with_sku(code)
    return Scan("product", code, product) if product is not None else None


def _by_location(code: str) -> Scan | None:
    location = places.with_code(code.upper())
    return Scan("location", code, location=location) if location is not None else None


def _by_document(code: str) -> Scan | None:
    for resolver in DOCUMENT_RESOLVERS:
        if scan := resolver(code):
            return scan
    return None
