"""One namespace of scannable codes: a SKU, a barcode, a location code or a document reference
(order, purchase order, count) names one thing, whatever its case, so a scan finds what was
meant.

Each creator claims its codes in the `scan_code` table, in the transaction that creates the
thing; the table's primary key keeps two things from taking one code even when they are created
at the same moment (the second waits for the first's transaction, then finds the code taken and
answers 409). The checks each capability runs first only give a more precise message.
"""
from sqlalchemy import String, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, mapped_column

from warehouse_app.errors import Conflict
from warehouse_app.extensions import db

KINDS = {"product": "a product", "location": "a location", "order": "an order",
         "purchase_order": "a purchase order", "count": "a count"}


class ScanCode(db.Model):
    """A code (upper-cased) and the one thing it names."""

    __tablename__ = "scan_code"

    code: Mapped[str] = mapped_column(String(256), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    ref_id: Mapped[int]


def key(code: str) -> str:
    """The namespace's form of a code: the same code in any case is one code."""
    return code.strip().upper()


def claim(code: str, kind: str, ref_id: int, field: str = "code") -> None:
    """Take a code for one thing, or refuse (409) when it already names another."""
    wanted = key(code)
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    taken = db.session.execute(
        dialect.insert(ScanCode).values(code=wanted, kind=kind, ref_id=ref_id)
        .on_conflict_do_nothing(index_elements=["code"]).returning(ScanCode.code)).first()
    if taken is not None:
        return
    owner = db.session.execute(select(ScanCode.kind, ScanCode.ref_id)
                               .where(ScanCode.code == wanted)).first()
    if owner is not None and tuple(owner) == (kind, ref_id):
        return  # already this thing's (a product's SKU given again as its barcode)
    what = KINDS.get(owner[0], "something") if owner is not None else "something"
    raise Conflict(f"{code.strip()[:64]} already names {what} here; a code names one thing.",
                   field=field, code="duplicate_code")


def taken(wanted: set[str]) -> set[str]:
    """Which of these codes (in the namespace's form, key()) already name something."""
    found: set[str] = set()
    ordered = sorted(wanted)
    for start in range(0, len(ordered), 500):
        found.update(db.session.scalars(select(ScanCode.code).where(
            ScanCode.code.in_(ordered[start:start + 500]))))
    return found


def release(code: str, kind: str, ref_id: int) -> None:
    """Give back a code this thing no longer carries (a barcode taken off a product)."""
    db.session.execute(db.delete(ScanCode).where(ScanCode.code == key(code),
                                                 ScanCode.kind == kind,
                                                 ScanCode.ref_id == ref_id))
