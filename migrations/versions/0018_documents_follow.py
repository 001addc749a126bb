"""documents follow the ledger: each purchase order receipt linked to its movement; hold bins;
stock in transit between warehouses

Revision ID: 0018
Revises: 0016
Create Date: 2026-12-07 05:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('location', schema=None) as batch_op:
        batch_op.add_column(sa.Column('hold', sa.Boolean(), server_default='0', nullable=False))
    op.create_table(
        'purchase_receipt',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('line_id', sa.Integer(), nullable=False),
        sa.Column('movement_id', sa.Integer(), nullable=False),
        sa.Column('qty', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['line_id'], ['purchase_order_line.id'],
                                name=op.f('fk_purchase_receipt_line_id_purchase_order_line')),
        sa.ForeignKeyConstraint(['movement_id'], ['movement.id'],
                                name=op.f('fk_purchase_receipt_movement_id_movement')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_purchase_receipt')),
        sa.UniqueConstraint('movement_id', name=op.f('uq_purchase_receipt_movement_id')))
    with op.batch_alter_table('purchase_receipt', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_purchase_receipt_line_id'), ['line_id'],
                              unique=False)
    op.create_table(
        'transit',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('code', sa.String(length=20), nullable=False),
        sa.Column('status', sa.Enum('in_transit', 'received', 'cancelled', name='transitstatus',
                                    native_enum=False, length=20), nullable=False),
        sa.Column('product_id', sa.Integer(), nullable=False),
        sa.Column('lot_id', sa.Integer(), nullable=True),
        sa.Column('qty', sa.Integer(), nullable=False),
        sa.Column('from_location_id', sa.Integer(), nullable=False),
        sa.Column('to_warehouse_id', sa.Integer(), nullable=False),
        sa.Column('via_location_id', sa.Integer(), nullable=False),
        sa.Column('to_location_id', sa.Integer(), nullable=True),
        sa.Column('dispatch_movement_id', sa.Integer(), nullable=False),
        sa.Column('receive_movement_id', sa.Integer(), nullable=True),
        sa.Column('dispatched_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('received_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['product_id'], ['product.id'],
                                name=op.f('fk_transit_product_id_product')),
        sa.ForeignKeyConstraint(['lot_id'], ['lot.id'], name=op.f('fk_transit_lot_id_lot')),
        sa.ForeignKeyConstraint(['from_location_id'], ['location.id'],
                                name=op.f('fk_transit_from_location_id_location')),
        sa.ForeignKeyConstraint(['to_warehouse_id'], ['location.id'],
                                name=op.f('fk_transit_to_warehouse_id_location')),
        sa.ForeignKeyConstraint(['via_location_id'], ['location.id'],
                                name=op.f('fk_transit_via_location_id_location')),
        sa.ForeignKeyConstraint(['to_location_id'], ['location.id'],
                                name=op.f('fk_transit_to_location_id_location')),
        sa.ForeignKeyConstraint(['dispatch_movement_id'], ['movement.id'],
                                name=op.f('fk_transit_dispatch_movement_id_movement')),
        sa.ForeignKeyConstraint(['receive_movement_id'], ['movement.id'],
                                name=op.f('fk_transit_receive_movement_id_movement')),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_transit_user_id_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_transit')),
        sa.UniqueConstraint('code', name=op.f('uq_transit_code')),
        sa.UniqueConstraint('dispatch_movement_id',
                            name=op.f('uq_transit_dispatch_movement_id')),
        sa.UniqueConstraint('receive_movement_id', name=op.f('uq_transit_receive_movement_id')))
    with op.batch_alter_table('transit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_transit_status'), ['status'], unique=False)
    # Receipts posted before today: the receipt movements carrying a PO's reference, for a
    # product on that PO, not reversed.
    op.execute("""
        INSERT INTO purchase_receipt (line_id, movement_id, qty)
        SELECT l.id, m.id, m.qty
        FROM movement m
        JOIN purchase_order po ON po.reference = m.reference
        JOIN purchase_order_line l ON l.purchase_order_id = po.id
                                  AND l.product_id = m.product_id
        WHERE m.kind = 'receive'
          AND l.id = (SELECT min(l2.id) FROM purchase_order_line l2
                      WHERE l2.purchase_order_id = po.id AND l2.product_id = m.product_id)
          AND NOT EXISTS (SELECT 1 FROM movement r WHERE r.reversal_of_id = m.id)""")


def downgrade():
    with op.batch_alter_table('transit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_transit_status'))
    op.drop_table('transit')
    with op.batch_alter_table('purchase_receipt', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_purchase_receipt_line_id'))
    op.drop_table('purchase_receipt')
    with op.batch_alter_table('location', schema=None) as batch_op:
        batch_op.drop_column('hold')
