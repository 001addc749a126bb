"""The demo catalogue: suppliers, a category tree and about 150 believable products."""
import math
import random
from dataclasses import dataclass
from decimal import Decimal

COMPANY_PREFIX = "5012345"  # a made-up GS1 company prefix: item barcodes
PACK_PREFIX = "5012346"  # and the one for six-pack labels

# Supplier name -> lead time in days.
SUPPLIERS = {
    "Nordic Apparel Co.": 21, "Bean & Leaf Roasters": 7, "FreshPantry Foods": 5,
    "Clearwater Drinks": 4, "CleanHome Supplies": 6, "Kitchen Pro Wholesale": 10,
    "OfficeLine Distribution": 3, "VoltEdge Electronics": 12, "ToolMaster Trade": 9,
    "GreenThumb Garden": 8, "SafeWork PPE": 6, "PackRight Packaging": 4,
}

# (category path, supplier, SKU prefix, options, [(name, unit cost), ...]).
# Options: lot = shelf life in days (lot-tracked), shop = also sold in the shop,
# packs = {name: units per pack barcode}.
CATALOGUE = [
    ("Food & Drink > Coffee", "Bean & Leaf Roasters", "COF", {"lot": 240, "shop": True}, [
        ("Espresso beans 1 kg", 11.80), ("House blend beans 1 kg", 9.60),
        ("Decaf ground coffee 250 g", 3.40), ("Colombia single origin 500 g", 7.90)]),
    ("Food & Drink > Snacks", "FreshPantry Foods", "SNK", {"lot": 120, "shop": True}, [
        ("Salted almonds 200 g", 2.10), ("Dark chocolate bar 100 g", 0.95),
        ("Oat cookies 300 g", 1.40), ("Trail mix 250 g", 1.85)]),
    ("Food & Drink > Beverages", "Clearwater Drinks", "BEV",
     {"shop": True, "packs": {"Sparkling water 500 ml": 12, "Still water 1.5 l": 6,
                              "Cola 330 ml can": 12, "Iced tea 500 ml": 6}}, [
        ("Sparkling water 500 ml", 0.28), ("Still water 1.5 l", 0.35),
        ("Orange juice 1 l", 0.90), ("Cola 330 ml can", 0.38), ("Iced tea 500 ml", 0.55),
        ("Energy drink 250 ml", 0.70)]),
    ("Household > Cleaning", "CleanHome Supplies", "CLN", {}, [
        ("All-purpose cleaner 750 ml", 1.10), ("Dish soap 500 ml", 0.85),
        ("Microfibre cloths 5-pack", 2.30), ("Glass cleaner 500 ml", 1.05),
        ("Sponges 10-pack", 1.20), ("Bin bags 60 l, roll of 20", 1.60),
        ("Laundry liquid 1.5 l", 3.90), ("Hand soap refill 1 l", 1.75)]),
    ("Household > Kitchen", "Kitchen Pro Wholesale", "KIT", {}, [
        ("Chef's knife 20 cm", 8.50), ("Bamboo cutting board", 4.20),
        ("Stainless saucepan 18 cm", 9.80), ("Non-stick frying pan 28 cm", 11.40),
        ("Silicone spatula", 1.30), ("Measuring jug 1 l", 1.90), ("Digital kitchen scale", 6.70),
        ("Glass storage jar 1 l", 2.10), ("Tea towels 2-pack", 2.40),
        ("Wooden spoon set", 2.80)]),
    ("Office > Paper", "OfficeLine Distribution", "PAP", {}, [
        ("Copy paper A4, 500 sheets", 3.10), ("Spiral notebook A5", 1.20),
        ("Sticky notes 76x76, 12 pads", 2.60), ("Envelopes C5, box of 50", 2.20),
        ("Index cards, pack of 100", 0.90)]),
    ("Office > Writing", "OfficeLine Distribution", "WRT", {"shop": True}, [
        ("Ballpoint pens blue, 10-pack", 1.40), ("Gel pen black", 0.45),
        ("Highlighters, set of 4", 1.60), ("Permanent marker black", 0.60),
        ("Pencils HB, 12-pack", 1.10), ("Whiteboard markers, set of 4", 2.30)]),
    ("Office > Desk", "OfficeLine Distribution", "DSK", {}, [
        ("Stapler", 3.20), ("Staples 26/6, box of 5000", 0.95), ("Tape dispenser", 2.40),
        ("Scissors 21 cm", 1.50), ("Desk organiser", 5.60), ("Paper clips, box of 100", 0.40),
        ("Lever arch file A4", 1.30), ("Document wallets, 10-pack", 2.90)]),
    ("Electronics > Cables", "VoltEdge Electronics", "CAB", {"shop": True}, [
        ("USB-C cable 1 m", 1.90), ("USB-C cable 2 m", 2.60), ("USB-A to Lightning 1 m", 2.80),
        ("HDMI cable 2 m", 2.40), ("Ethernet cable Cat6 3 m", 1.70),
        ("Ethernet cable Cat6 10 m", 3.90), ("DisplayPort cable 2 m", 3.30),
        ("Extension lead 4-way 2 m", 5.80)]),
    ("Electronics > Power", "VoltEdge Electronics", "PWR", {}, [
        ("USB-C charger 20 W", 5.40), ("USB-C charger 65 W", 14.90),
        ("Power bank 10,000 mAh", 9.80), ("Wireless charging pad", 7.20),
        ("Car charger, dual USB", 3.60)]),
    ("Electronics > Batteries", "VoltEdge Electronics", "BAT", {"shop": True}, [
        ("AA alkaline, 4-pack", 1.60), ("AAA alkaline, 4-pack", 1.50), ("9V battery", 1.80),
        ("CR2032 coin cell, 2-pack", 0.90), ("AA rechargeable, 4-pack", 5.20)]),
    ("Electronics > Accessories", "VoltEdge Electronics", "ACC", {}, [
        ("Wireless mouse", 6.30), ("USB keyboard", 8.10), ("Webcam 1080p", 17.50),
        ("Over-ear headphones", 21.00), ("Wired earbuds", 3.20), ("Laptop stand", 12.40),
        ("USB hub, 4 ports", 6.90), ("SD card 64 GB", 5.50)]),
    ("Tools > Hand tools", "ToolMaster Trade", "HTL", {}, [
        ("Claw hammer 16 oz", 6.40), ("Screwdriver set, 6 pieces", 5.10),
        ("Adjustable wrench 250 mm", 6.80), ("Tape measure 5 m", 3.30), ("Utility knife", 2.20),
        ("Combination pliers 180 mm", 4.70), ("Spirit level 60 cm", 7.60),
        ("Hex key set", 3.90)]),
    ("Tools > Fasteners", "ToolMaster Trade", "FAS", {}, [
        ("Wood screws 4x40, box of 200", 3.40), ("Wall plugs 6 mm, bag of 100", 1.30),
        ("Cable ties 200 mm, bag of 100", 1.10), ("Nails 40 mm, 500 g", 1.70),
        ("Washers M6, bag of 100", 0.90), ("Hex bolts M8x50, bag of 25", 2.60)]),
    ("Tools > Power tools", "ToolMaster Trade", "PTL", {}, [
        ("Cordless drill 18 V", 48.00), ("Jigsaw 650 W", 39.00), ("Orbital sander", 31.00),
        ("Drill bit set, 15 pieces", 8.20)]),
    ("Garden", "GreenThumb Garden", "GRD", {}, [
        ("Garden gloves M", 1.90), ("Garden gloves L", 1.90), ("Garden hose 25 m", 14.50),
        ("Hose spray nozzle", 3.80), ("Pruning shears", 6.20), ("Plant pots 20 cm, 5-pack", 3.40),
        ("Potting soil 40 l", 3.10), ("Watering can 10 l", 4.60),
        ("Wildflower seed mix", 1.20), ("Lawn feed 2.5 kg", 6.90)]),
    ("Health & Safety", "SafeWork PPE", "PPE", {}, [
        ("Hi-vis vest L", 1.40), ("Safety glasses", 1.80), ("Nitrile gloves, box of 100", 4.90),
        ("Ear plugs, 50 pairs", 3.70), ("Hard hat", 5.60), ("First aid kit", 9.40),
        ("Plasters assorted, 40", 0.95), ("Hand sanitiser 500 ml", 1.60)]),
    ("Packaging", "PackRight Packaging", "PKG", {}, [
        ("Shipping box small", 0.32), ("Shipping box medium", 0.48),
        ("Shipping box large", 0.71), ("Packing tape 48 mm", 0.85),
        ("Bubble wrap roll 10 m", 3.40), ("Padded envelopes C5, 10-pack", 2.10)]),
]

# Apparel: every size and colour is its own SKU, grouped by style.
APPAREL = [  # (style code, name, category, colours, sizes, cost, sold in the shop)
    ("TS-CREW", "Crew neck tee", "Apparel > T-shirts", ["Black", "White", "Navy"],
     ["S", "M", "L", "XL"], 3.90, True),
    ("TS-VNECK", "V-neck tee", "Apparel > T-shirts", ["Grey", "Olive"], ["S", "M", "L", "XL"],
     4.30, False),
    ("HD-ZIP", "Zip hoodie", "Apparel > Hoodies", ["Black", "Heather grey"],
     ["S", "M", "L", "XL"], 13.50, False),
    ("SK-SPORT", "Sport socks, 3 pairs", "Apparel > Socks", ["White", "Black"],
     ["39-42", "43-46"], 2.40, True),
]

# Pace: order lines per day and the largest line, by how fast a product sells.
PACES = {"fast": (0.36, 20), "medium": (0.06, 8), "slow": (0.02, 3), "dead": (0.0, 1)}
PACE_WEIGHTS = (("fast", 12), ("medium", 50), ("slow", 28), ("dead", 10))
SHOP_SHARE = 0.5  # shop sales a day, relative to the warehouse's order lines


@dataclass
class Spec:
    """One demo product before it is created."""

    sku: str
    name: str
    category: str
    supplier: str
    cost: Decimal
    pace: str
    shop: bool = False
    shelf_life: int | None = None  # lot-tracked when set
    pack: int | None = None
    variant_group: str | None = None
    variant: str | None = None

    @property
    def lead_time(self) -> int:
        return SUPPLIERS[self.supplier]

    @property
    def rate(self) -> float:
        """Warehouse order lines a day."""
        return PACES[self.pace][0]

    @property
    def biggest(self) -> int:
        """The most units one order line asks for."""
        return PACES[self.pace][1]

    @property
    def shop_rate(self) -> float:
        """Shop sales a day (one or two units each)."""
        return self.rate * SHOP_SHARE if self.shop else 0.0

    @property
    def daily_units(self) -> float:
        """Units sold a day on average, warehouse and shop together."""
        return self.rate * (1 + self.biggest) / 2 + self.shop_rate * 1.5


def check_digit(body: str) -> str:
    """The GS1 check digit of a string of digits (EAN-8, EAN-13, GTIN-14 alike)."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return str((10 - total % 10) % 10)


def ean13(prefix: str, item: int) -> str:
    """A valid EAN-13 from a company prefix and an item reference."""
    body = f"{prefix}{item:0{12 - len(prefix)}d}"
    return body + check_digit(body)


def specs(rng: random.Random) -> list[Spec]:
    """Every demo product, in catalogue order, with a pace drawn from rng."""
    paces = [name for name, weight in PACE_WEIGHTS for _ in range(weight)]
    found = []
    for path, supplier, prefix, options, items in CATALOGUE:
        for n, (name, cost) in enumerate(items, start=1):
            found.append(Spec(f"{prefix}-{n:03d}", name, path, supplier, _money(cost),
                              rng.choice(paces), shop=options.get("shop", False),
                              shelf_life=options.get("lot"),
                              pack=options.get("packs", {}).get(name)))
    for style, name, path, colours, sizes, cost, shop in APPAREL:
        for colour in colours:
            for size in sizes:
                sku = f"{style}-{colour[:3].upper()}-{size.replace('-', '')}"
                found.append(Spec(sku, f"{name} {colour.lower()} {size}", path,
                                  "Nordic Apparel Co.", _money(cost), rng.choice(paces),
                                  shop=shop, variant_group=style, variant=f"{size} / {colour}"))
    return found


def fields(spec: Spec, item: int, rng: random.Random) -> dict:
    """The products.create() fields of a spec: barcodes, prices, reorder point."""
    barcodes = [ean13(COMPANY_PREFIX, item)]
    if spec.pack == 6:
        barcodes.append({"code": ean13(PACK_PREFIX, item), "pack_size": 6})
    elif spec.pack == 12:  # a case: GTIN-14 with packaging indicator 1
        body = "1" + barcodes[0][:12]
        barcodes.append({"code": body + check_digit(body), "kind": "gtin", "pack_size": 12})
    safety = math.ceil(spec.daily_units * 3)
    return {
        "sku": spec.sku, "name": spec.name, "category": spec.category,
        "supplier": spec.supplier, "barcodes": barcodes, "unit_cost": str(spec.cost),
        "sale_price": str(_price(spec.cost, rng)), "lead_time_days": spec.lead_time,
        "safety_stock": safety,
        "reorder_point": math.ceil(spec.daily_units * spec.lead_time) + safety,
        "tracking": "lot" if spec.shelf_life else "none",
        "variant_group": spec.variant_group, "variant": spec.variant,
        "description": f"{spec.name}. Supplied by {spec.supplier}.",
    }


def _money(value: float) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))


def _price(cost: Decimal, rng: random.Random) -> Decimal:
    """A shelf price: cost times a markup, ending in .49 or .99."""
    raw = float(cost) * rng.uniform(1.7, 2.6)
    whole = math.floor(raw)
    return Decimal(f"{whole}.49") if raw - whole < 0.5 and whole > 0 else Decimal(f"{whole}.99")
