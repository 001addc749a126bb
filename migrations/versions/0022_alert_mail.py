"""alerts by e-mail: a user's address and choice (at once, a daily digest, none), and the
outbox of alert mails

Revision ID: 0022
Revises: 0020
Create Date: 2026-12-07 17:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0022'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email', sa.String(length=254), nullable=True))
        batch_op.add_column(sa.Column(
            'alert_mail', sa.Enum('immediate', 'digest', 'none', name='mailpreference',
                                  native_enum=False, length=10),
            server_default='immediate', nullable=False))
    op.create_table('alert_mail',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('alert_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('digest', sa.Boolean(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('status', sa.Enum('pending', 'sending', 'sent', 'dropped', 'failed',
                                name='mailstatus', native_enum=False, length=10),
              nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.String(length=500), nullable=False),
    sa.Column('claim', sa.String(length=32), nullable=True),
    sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['alert_id'], ['alert.id'], name=op.f('fk_alert_mail_alert_id_alert')),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_alert_mail_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alert_mail')),
    sa.UniqueConstraint('alert_id', 'user_id', name=op.f('uq_alert_mail_alert_id'))
    )
    with op.batch_alter_table('alert_mail', schema=None) as batch_op:
        batch_op.create_index('ix_alert_mail_status_day', ['status', 'day'], unique=False)
        batch_op.create_index(batch_op.f('ix_alert_mail_user_id'), ['user_id'], unique=False)


def downgrade():
    op.drop_table('alert_mail')
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('alert_mail')
        batch_op.drop_column('email')
