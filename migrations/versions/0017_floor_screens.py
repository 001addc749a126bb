"""floor screens: damage and loss reports staff make and a supervisor approves

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 05:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'damage_report',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('product_id', sa.Integer(), nullable=False),
        sa.Column('location_id', sa.Integer(), nullable=False),
        sa.Column('lot', sa.String(length=64), nullable=True),
        sa.Column('qty', sa.Integer(), nullable=False),
        sa.Column('reason', sa.Enum('damage', 'loss', 'theft', 'expiry', 'found', 'count',
                                    'correction', 'other', name='reason', native_enum=False, length=20),
                  nullable=False),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('status', sa.Enum('open', 'approved', 'rejected', name='reportstatus',
                                    native_enum=False, length=20), nullable=False),
        sa.Column('reported_by_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('decided_by_id', sa.Integer(), nullable=True),
        sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('decision_note', sa.Text(), nullable=False),
        sa.Column('movement_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['product_id'], ['product.id'],
                                name=op.f('fk_damage_report_product_id_product')),
        sa.ForeignKeyConstraint(['location_id'], ['location.id'],
                                name=op.f('fk_damage_report_location_id_location')),
        sa.ForeignKeyConstraint(['reported_by_id'], ['user.id'],
                                name=op.f('fk_damage_report_reported_by_id_user')),
        sa.ForeignKeyConstraint(['decided_by_id'], ['user.id'],
                                name=op.f('fk_damage_report_decided_by_id_user')),
        sa.ForeignKeyConstraint(['movement_id'], ['movement.id'],
                                name=op.f('fk_damage_report_movement_id_movement')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_damage_report')),
    )
    with op.batch_alter_table('damage_report', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_damage_report_status'), ['status'], unique=False)


def downgrade():
    with op.batch_alter_table('damage_report', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_damage_report_status'))
    op.drop_table('damage_report')
