"""sqlite timestamps: one text format for every movement time

Movements posted by the scan path were stored by the driver's own datetime text
('2026-12-07 00:00:00+00:00') while every query compares against SQLAlchemy's
('2026-12-07 00:00:00.000000'), so a movement at the exact second of a boundary (midnight, a
week's start) fell on the wrong side of it. PostgreSQL stores a timestamp, not text: nothing to do.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 02:00:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

LEDGER_GUARD = 'the ledger is append-only: post a reversal movement instead'
# 'YYYY-MM-DD HH:MM:SS[.ffffff]+00:00' -> 'YYYY-MM-DD HH:MM:SS.ffffff' (the zone is always UTC)
NORMAL = ("substr({c}, 1, 19) || CASE WHEN substr({c}, 20, 1) = '.' "
          "THEN substr({c}, 20, 7) ELSE '.000000' END")


def upgrade():
    if op.get_bind().dialect.name != 'sqlite':
        return
    guard = op.get_bind().exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'movement_no_update'"
    ).scalar()
    op.execute("DROP TRIGGER IF EXISTS movement_no_update")
    op.execute(f"UPDATE movement SET created_at = {NORMAL.format(c='created_at')} "
               "WHERE created_at LIKE '%+00:00'")
    op.execute(guard or f"""CREATE TRIGGER movement_no_update BEFORE UPDATE ON movement
                            BEGIN SELECT RAISE(ABORT, '{LEDGER_GUARD}'); END""")


def downgrade():
    pass  # the normal form reads back the same moments
