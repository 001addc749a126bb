"""What each label says, from products, locations and receipts (given as plain data)."""
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from math import ceil

from warehouse_app.catalog.models import BarcodeKind, Product
from warehouse_app.labels.layout import Label
from warehouse_app.labels.symbols import Spec, as_qr, gs1, retail
from warehouse_app.locations.models import Location

SYMBOLOGIES = ("auto", "code128", "qr")
RETAIL_KINDS = (BarcodeKind.EAN13, BarcodeKind.UPC, BarcodeKind.GTIN, BarcodeKind.EAN8)


def gtin_of(product: Product) -> str | None:
    """The product's own retail code (EAN/UPC/GTIN of one unit), if it has one."""
    for code in product.barcodes:
        if code.kind in RETAIL_KINDS and code.pack_size == 1:
            return code.code
    return None


def _choose(auto: Spec | None, code: str, symbology: str) -> Spec:
    plain = Spec("code128", code, code)
    if symbology == "qr":
        return as_qr(auto or plain)
    if symbology == "code128" or auto is None:
        return plain
    return auto


def price_text(product: Product) -> str:
    """The sale price with two decimals (more when it has them), or blank."""
    if product.sale_price is None:
        return ""
    price = Decimal(product.sale_price)
    cents = price.quantize(Decimal("0.01"))
    return f"{cents:.2f}" if cents == price else f"{price.normalize():f}"


def product_label(product: Product, symbology: str = "auto", price: bool = False) -> Label:
    """SKU barcode (EAN/UPC when the product has one), name, optional price."""
    code = gtin_of(product)
    spec = _choose(retail(code) if code else None, product.sku, symbology)
    return Label("product", product.sku, spec, product.name,
                 price_text(product) if price else "")


def bin_label(location: Location, symbology: str = "auto", arrow: str = "") -> Label:
    """A big location code, its barcode, and an arrow to the shelf it names."""
    title = location.name if location.name != location.code else ""
    return Label("bin", location.code, _choose(None, location.code, symbology), title,
                 arrow=arrow)


def sign_label(location: Location, symbology: str = "auto") -> Label:
    """A shelf or aisle sign: the kind, the code as large as it fits, the name, a barcode."""
    title = location.name if location.name != location.code else ""
    return Label("sign", location.code, _choose(None, location.code, symbology), title,
                 lines=(location.kind.value.upper(),))


@dataclass(frozen=True)
class Receipt:
    """What a receipt label prints of one receipt: the goods, where they went, when."""

    product: Product
    qty: int
    received_at: datetime
    to_code: str
    reference: str = ""
    lot: str | None = None
    expiry: date | None = None


def receipt_labels(receipt: Receipt, per: str = "unit", case: int = 1,
                   symbology: str = "auto") -> list[Label]:
    """One label per unit, or per case of `case` units, of a receipt."""
    product, lot, expiry = receipt.product, receipt.lot, receipt.expiry
    code = gtin_of(product)
    auto = gs1(code, expiry, lot) if code and (lot or expiry) else None
    spec = _choose(auto, product.sku, symbology)
    facts = " · ".join(filter(None, [f"Lot {lot}" if lot else "",
                                     f"Exp {expiry:%Y-%m-%d}" if expiry else ""]))
    footer = " · ".join(filter(None, [f"Received {receipt.received_at:%Y-%m-%d}",
                                      receipt.reference, f"→ {receipt.to_code}"]))

    def make(qty_text: str) -> Label:
        return Label("receipt", product.sku, spec, product.name,
                     lines=(f"{product.sku} · {qty_text}", facts, footer) if facts
                     else (f"{product.sku} · {qty_text}", footer))

    if per == "unit":
        return [make("1 unit")] * receipt.qty
    full, rest = divmod(receipt.qty, case)
    labels = [make(f"case of {case}")] * full
    return labels + ([make(f"part case of {rest}")] if rest else [])


def cases(qty: int, case: int) -> int:
    """How many case labels a quantity needs."""
    return ceil(qty / case)
