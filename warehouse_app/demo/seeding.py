"""Loading the demo: users, sites, catalogue and history, all in the caller's transaction."""
import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from itertools import cycle

from sqlalchemy import func, select

from warehouse_app.auth import users as accounts
from warehouse_app.auth.models import Role, User
from warehouse_app.catalog import products
from warehouse_app.catalog.models import Product
from warehouse_app.demo import catalog_data, layout, open_work
from warehouse_app.demo.history import DAYS, History, Item
from warehouse_app.extensions import db
from warehouse_app.insight import alerts

SEED = 20240917  # the same demo every time
DEMO_USERS = (("admin", Role.ADMIN, "admin-demo", "Ada Admin"),
              ("supervisor", Role.SUPERVISOR, "supervisor-demo", "Sam Supervisor"),
              ("staff", Role.STAFF, "staff-demo", "Pat Picker"))


@dataclass
class Summary:
    """What the demo loaded."""

    warehouses: int
    bins: int
    products: int
    movements: Counter
    days: int
    logins: list[tuple[str, str]] = field(default_factory=list)  # (username, password)
    kept: list[str] = field(default_factory=list)  # demo usernames that already existed
    work: open_work.OpenWork = field(default_factory=open_work.OpenWork)


def is_empty() -> bool:
    """True when the database has no product yet."""
    return not db.session.scalar(select(func.count(Product.id)))


def load(seed: int = SEED, days: int = DAYS, today: date | None = None,
         checkpoint=None) -> Summary:
    """Create the demo warehouse, post its history and leave today's work open; the caller
    commits (and checkpoint(), if given, runs after the catalogue and after each day of
    history)."""
    rng = random.Random(seed)
    people, logins, kept = _users()
    sites = layout.build()
    items = _catalogue(rng, sites)
    if checkpoint is not None:
        checkpoint()
    history = History(items, sites, people, rng, days=days, today=today)
    counts = history.run(checkpoint)
    work = open_work.leave(history, sites)
    # Each day's commit judged the products it moved by the history loaded so far; now that it
    # is all in, with the open work, every product is judged as the reorder page judges it,
    # with no sweep needed.
    alerts.evaluate()
    return Summary(len(sites.warehouses), sites.bin_count, len(items), counts, days, logins,
                   kept, work)


def _users() -> tuple[dict, list, list]:
    """The three demo users by role name; existing ones keep their password."""
    people, logins, kept = {}, [], []
    for username, role, password, full_name in DEMO_USERS:
        user = db.session.scalar(select(User).where(func.lower(User.username) == username))
        if user is None:
            user = accounts.create_user(username, password, role, full_name)
            logins.append((username, password))
        else:
            kept.append(username)
        people[role.value] = user
    return people, logins, kept


def _catalogue(rng: random.Random, sites: layout.Layout) -> list[Item]:
    """Every demo product, created with its barcodes and placed in its bins."""
    a, b, c = sites.bins("MAIN-A"), sites.bins("MAIN-B"), sites.bins("MAIN-C")
    homes = {"fast": cycle(a), "medium": cycle(b + a[6:]), "slow": cycle(b[6:] + c[:6]),
             "dead": cycle(c[6:])}
    reserves, backs, floors = cycle(c[:6]), cycle(sites.bins("SHOP-R")), cycle(
        sites.bins("SHOP-F"))
    placed_home = "home_location" in products.EDITABLE
    items = []
    for number, spec in enumerate(catalog_data.specs(rng), start=1):
        home = next(homes[spec.pace])
        fields = catalog_data.fields(spec, number, rng)
        if placed_home:
            fields["home_location"] = home.code
        item = Item(products.create(fields), spec, home)
        if spec.pace == "fast":
            item.reserve = next(reserves)
        if spec.shop:
            item.shop_back, item.shop_floor = next(backs), next(floors)
        items.append(item)
    return items
