"""purchase order lines by product: what is still on order for a product is read in every
commit that moves it (the alert of its reorder point), and was a scan of every line

Revision ID: 0025
Revises: 0022
Create Date: 2026-12-07 17:30:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0025'
down_revision = '0022'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('purchase_order_line', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_purchase_order_line_product_id'), ['product_id'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('purchase_order_line', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_purchase_order_line_product_id'))
