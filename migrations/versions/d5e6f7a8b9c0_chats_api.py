"""chats api: a chat's language, context, custom data and flags; escalations; end users by phone

The CCAI chats API (CONTRACT §3, §7) reads every conversation as a chat: `lang`, the
create call's `context`, the `custom_data` and customer flags set during it, who finished
it. An escalation moves a chat from its virtual agent to the human queue and records the
deflection channel offered. End users are also created from a phone number or an e-mail
before the integrator names them, so `identifier` may be empty until then. Media of a chat
(photos, videos) carry their kind.

Revision ID: d5e6f7a8b9c0
Revises: a1b2c3d4e5f6
Create Date: 2026-12-06 12:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd5e6f7a8b9c0'
down_revision = 'a1b2c3d4e5f6'
branch_labels = None
depends_on = None


def upgrade():
    # Plain ADD COLUMN on conversation (no batch): a batch rebuilds the table on SQLite,
    # and dropping the old one cascades into the rows that refer to it.
    op.add_column('conversation', sa.Column('lang', sa.String(length=16), nullable=True))
    op.add_column('conversation', sa.Column('chat_context', sa.JSON(), nullable=True))
    op.add_column('conversation', sa.Column('custom_data', sa.JSON(), nullable=True))
    op.add_column('conversation', sa.Column('customer_flags', sa.JSON(), nullable=True))
    op.add_column('conversation', sa.Column('finished_by', sa.JSON(), nullable=True))
    op.add_column('media', sa.Column('kind', sa.String(length=8), nullable=True))
    op.add_column('media', sa.Column('photo_type', sa.String(length=64), nullable=True))
    op.add_column('end_user', sa.Column('phone', sa.String(length=64), nullable=True))
    # Nothing refers to end_user by a foreign key, so rebuilding it on SQLite is safe.
    with op.batch_alter_table('end_user') as batch:
        batch.alter_column('identifier', existing_type=sa.String(length=255), nullable=True)
    op.create_index(op.f('ix_end_user_phone'), 'end_user', ['phone'], unique=False)
    op.create_index(op.f('ix_end_user_email'), 'end_user', ['email'], unique=False)
    op.create_table('escalation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('conversation_pk', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('reason', sa.String(length=255), nullable=True),
    sa.Column('force_escalate', sa.Boolean(), nullable=False),
    sa.Column('deflection_channel', sa.String(length=32), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['conversation_pk'], ['conversation.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(
        op.f('ix_escalation_conversation_pk'), 'escalation', ['conversation_pk'], unique=False
    )


def downgrade():
    op.drop_index(op.f('ix_escalation_conversation_pk'), table_name='escalation')
    op.drop_table('escalation')
    op.drop_index(op.f('ix_end_user_email'), table_name='end_user')
    op.drop_index(op.f('ix_end_user_phone'), table_name='end_user')
    with op.batch_alter_table('end_user') as batch:
        batch.alter_column('identifier', existing_type=sa.String(length=255), nullable=False)
    op.drop_column('end_user', 'phone')
    op.drop_column('media', 'photo_type')
    op.drop_column('media', 'kind')
    for name in ('finished_by', 'customer_flags', 'custom_data', 'chat_context', 'lang'):
        op.drop_column('conversation', name)
