"""warehouse rights: users and API tokens kept to some warehouses

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07 14:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('warehouses', sa.String(length=1000), server_default='',
                                      nullable=False))
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.add_column(sa.Column('warehouses', sa.String(length=1000), server_default='',
                                      nullable=False))


def downgrade():
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.drop_column('warehouses')
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('warehouses')
