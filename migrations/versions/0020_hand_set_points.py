"""a product's reorder point and safety stock are hand-set or not set (NULL): a hand-set one
wins over the computed one until cleared

Revision ID: 0020
Revises: 0018
Create Date: 2026-12-07 15:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('product', schema=None) as batch_op:
        batch_op.alter_column('reorder_point', existing_type=sa.Integer(), nullable=True)
        batch_op.alter_column('safety_stock', existing_type=sa.Integer(), nullable=True)
    # 0 was the default, not a choice: until now it meant "work it out".
    op.execute("UPDATE product SET reorder_point = NULL WHERE reorder_point = 0")
    op.execute("UPDATE product SET safety_stock = NULL WHERE safety_stock = 0")


def downgrade():
    op.execute("UPDATE product SET reorder_point = 0 WHERE reorder_point IS NULL")
    op.execute("UPDATE product SET safety_stock = 0 WHERE safety_stock IS NULL")
    with op.batch_alter_table('product', schema=None) as batch_op:
        batch_op.alter_column('reorder_point', existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column('safety_stock', existing_type=sa.Integer(), nullable=False)
