"""unique in the database: a serial in stock once, user names whatever their case, one
namespace of scannable codes, an atomic login throttle

Revision ID: 0016
Revises: 0010
Create Date: 2026-12-07 03:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('lot', schema=None) as batch_op:
        batch_op.add_column(sa.Column('serial_in_stock', sa.Integer(), server_default='0',
                                      nullable=False))
        batch_op.create_check_constraint('serial_once', 'serial_in_stock IN (0, 1)')
    # Serials in stock now (at most once each: the write path refused more before today).
    op.execute("""
        UPDATE lot SET serial_in_stock = 1
        WHERE product_id IN (SELECT id FROM product WHERE tracking = 'serial')
          AND (SELECT coalesce(sum(on_hand), 0) FROM stock_level
               WHERE stock_level.lot_id = lot.id) > 0""")


    op.create_index('uq_user_username_lower', 'user', [sa.text('lower(username)')],
                    unique=True)

    op.create_table(
        'scan_code',
        sa.Column('code', sa.String(length=256), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('ref_id', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('code', name=op.f('pk_scan_code')))
    # What names something today, oldest first: should two things share a code already, the
    # first keeps it (the resolver found that one first too).
    ignore = ('INSERT OR IGNORE INTO' if op.get_bind().dialect.name == 'sqlite'
              else 'INSERT INTO')
    tail = '' if op.get_bind().dialect.name == 'sqlite' else ' ON CONFLICT DO NOTHING'
    for kind, table, column in (('location', 'location', 'code'), ('product', 'product', 'sku'),
                                ('order', 'customer_order', 'reference'),
                                ('purchase_order', 'purchase_order', 'reference'),
                                ('count', 'cycle_count', 'reference')):
        op.execute(f"""{ignore} scan_code (code, kind, ref_id)
                       SELECT upper({column}), '{kind}', id FROM "{table}" ORDER BY id{tail}""")
    op.execute(f"""{ignore} scan_code (code, kind, ref_id)
                   SELECT upper(code), 'product', product_id FROM barcode ORDER BY id{tail}""")

    op.create_table(
        'login_throttle',
        sa.Column('username', sa.String(length=80), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('window_start', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('username', name=op.f('pk_login_throttle')))


def downgrade():
    op.drop_table('login_throttle')
    op.drop_table('scan_code')
    op.drop_index('uq_user_username_lower', table_name='user')
    with op.batch_alter_table('lot', schema=None) as batch_op:
        batch_op.drop_constraint('serial_once', type_='check')
        batch_op.drop_column('serial_in_stock')
