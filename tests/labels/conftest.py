"""A small warehouse to print labels for: products of every awkward kind, a tree of bins."""
from datetime import date

import pytest

EAN = "4006381333931"
LONG = ("Extra-long organic cotton crew-neck T-shirt with reinforced seams, pre-shrunk, "
        "ocean blue, medium, made to last many washes")


@pytest.fixture
def shop(db, make_product, make_location, stock):
    """Products (EAN, accents, markup, very long name), WH1 > ZONE-A > two bins, a receipt."""
    tee = make_product("TEE-M", name="Organic tee", barcodes=[EAN, {"code": "CASE-TEE-M",
                                                                    "pack_size": 12}],
                       category="Apparel > T-shirts", sale_price="12.50", tracking="lot")
    make_product("CREME-1", name="Crème brûlée à l'érable, Łódź", category="Food")
    make_product("MARKUP-1", name="<script>alert(1)</script> & <b>bold</b>")
    make_product("LONG-1", name=LONG, category="Apparel > T-shirts")
    zone = make_location("ZONE-A", "zone", name="Aisle A")
    bins = [make_location(code, parent=zone, sequence=seq)
            for code, seq in (("A-01-02", 2), ("A-01-01", 1))]
    make_location("ZONE-B", "zone")
    receipt = stock(tee, bins[0], 30, lot="LOT42A", expiry=date(2026, 12, 31),
                    reference="DN-4711")
    return {"tee": tee, "zone": zone, "bins": bins, "receipt": receipt}


@pytest.fixture
def staff(login_as):
    return login_as("staff")
