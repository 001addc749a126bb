"""The demo sites: two warehouses, their zones and about sixty bins in walking order."""
from dataclasses import dataclass, field

from warehouse_app.locations import places
from warehouse_app.locations.models import Location, LocationKind

# (warehouse code, name, [(zone code, zone name, bins)]). Bins are either a list of codes or
# (aisle, racks, levels): racked bins are named aisle-rack-level, e.g. A-01-02.
SITES = [
    ("MAIN", "Main warehouse", [
        ("MAIN-DOCK", "Goods in and returns", ["DOCK-01", "DOCK-02", "RET-01"]),
        ("MAIN-A", "Aisle A, fast pick", ("A", 4, 3)),
        ("MAIN-B", "Aisle B", ("B", 4, 3)),
        ("MAIN-C", "Aisle C, bulk reserve", ("C", 4, 3)),
    ]),
    ("SHOP", "City shop and overflow", [
        ("SHOP-F", "Shop floor", ("F", 3, 3)),
        ("SHOP-R", "Back room", ("R", 4, 3)),
    ]),
]


@dataclass
class Layout:
    """The locations the history needs, by role."""

    warehouses: list[Location] = field(default_factory=list)
    zones: dict[str, list[Location]] = field(default_factory=dict)  # zone code -> its bins

    def bins(self, zone: str) -> list[Location]:
        return self.zones[zone]

    @property
    def bin_count(self) -> int:
        return sum(len(bins) for bins in self.zones.values())


def build() -> Layout:
    """Create every warehouse, zone and bin; sequence numbers follow the walk through a site."""
    layout = Layout()
    for code, name, zones in SITES:
        warehouse = places.create(code, LocationKind.WAREHOUSE, name=name)
        layout.warehouses.append(warehouse)
        step = 0
        for order, (zone_code, zone_name, bins) in enumerate(zones, start=1):
            zone = places.create(zone_code, LocationKind.ZONE, name=zone_name, parent=warehouse,
                                 sequence=order)
            layout.zones[zone_code] = []
            for bin_code in _bin_codes(bins):
                step += 1
                layout.zones[zone_code].append(  # returns wait in RET- bins for inspection
                    places.create(bin_code, LocationKind.BIN, parent=zone, sequence=step,
                                  name=f"{zone_name} {bin_code}",
                                  hold=bin_code.startswith("RET")))
    return layout


def _bin_codes(bins) -> list[str]:
    """A-01-01, A-01-02 ... rack by rack, snaking: up one rack, down the next."""
    if isinstance(bins, list):
        return bins
    prefix, racks, levels = bins
    codes = []
    for rack in range(1, racks + 1):
        order = range(1, levels + 1) if rack % 2 else range(levels, 0, -1)
        codes.extend(f"{prefix}-{rack:02d}-{level:02d}" for level in order)
    return codes
