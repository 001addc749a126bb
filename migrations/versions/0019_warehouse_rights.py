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
    op.create_table(
        'user_warehouse',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('warehouse_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'],
                                name=op.f('fk_user_warehouse_user_id_user')),
        sa.ForeignKeyConstraint(['warehouse_id'], ['location.id'],
                                name=op.f('fk_user_warehouse_warehouse_id_location')),
        sa.PrimaryKeyConstraint('user_id', 'warehouse_id', name=op.f('pk_user_warehouse')))
    op.create_table(
        'token_warehouse',
        sa.Column('token_id', sa.Integer(), nullable=False),
        sa.Column('warehouse_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['token_id'], ['api_token.id'],
                                name=op.f('fk_token_warehouse_token_id_api_token')),
        sa.ForeignKeyConstraint(['warehouse_id'], ['location.id'],
                                name=op.f('fk_token_warehouse_warehouse_id_location')),
        sa.PrimaryKeyConstraint('token_id', 'warehouse_id', name=op.f('pk_token_warehouse')))


def downgrade():
    op.drop_table('token_warehouse')
    op.drop_table('user_warehouse')
