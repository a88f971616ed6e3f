"""bot calls: the virtual agent's calls ride the webhook outbox

Each end-user message of a chat with its virtual agent is POSTed to the queue's URL
from the outbox (CONTRACT §7), with the webhooks' retries, backoff, dead letters and
delivery log. Such a row names no webhook: webhook_id becomes nullable, and it names
the queue whose URL and secret it goes to (queue_id) and its chat (conversation_pk,
whose calls are delivered in order).

On SQLite, making webhook_id nullable rebuilds outbox_event (a batch), and dropping the
old table (foreign keys on) cascades into delivery_attempt: the log is kept aside and
put back, the rows keeping their ids.

Revision ID: f1e2d3c4b5a6
Revises: d5e6f7a8b9c0
Create Date: 2026-12-06 14:00:00.000000

"""
from contextlib import contextmanager

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f1e2d3c4b5a6'
down_revision = 'd5e6f7a8b9c0'
branch_labels = None
depends_on = None

_KEPT = '_delivery_attempt_kept'


@contextmanager
def _log_kept():
    """On SQLite, the delivery log survives the rebuild of outbox_event."""
    sqlite = op.get_bind().dialect.name == 'sqlite'
    if sqlite:
        op.execute('CREATE TABLE %s AS SELECT * FROM delivery_attempt' % _KEPT)
    yield
    if sqlite:
        op.execute('DELETE FROM delivery_attempt')
        op.execute(
            'INSERT INTO delivery_attempt SELECT * FROM %s '
            'WHERE outbox_id IN (SELECT id FROM outbox_event)' % _KEPT
        )
        op.execute('DROP TABLE %s' % _KEPT)


def upgrade():
    with _log_kept(), op.batch_alter_table('outbox_event') as batch:
        batch.add_column(sa.Column('queue_id', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('conversation_pk', sa.Integer(), nullable=True))
        batch.alter_column('webhook_id', existing_type=sa.Integer(), nullable=True)
        batch.create_foreign_key(
            'outbox_event_queue_id_fkey', 'queue', ['queue_id'], ['id'], ondelete='CASCADE'
        )
        batch.create_foreign_key(
            'outbox_event_conversation_pk_fkey',
            'conversation',
            ['conversation_pk'],
            ['id'],
            ondelete='CASCADE',
        )
        batch.create_index('ix_outbox_event_conversation_pk', ['conversation_pk'], unique=False)


def downgrade():
    # Bot calls cannot exist without a webhook: they go, and their log with them.
    op.execute('DELETE FROM outbox_event WHERE webhook_id IS NULL')
    with _log_kept(), op.batch_alter_table('outbox_event') as batch:
        batch.drop_index('ix_outbox_event_conversation_pk')
        batch.drop_constraint('outbox_event_conversation_pk_fkey', type_='foreignkey')
        batch.drop_constraint('outbox_event_queue_id_fkey', type_='foreignkey')
        batch.alter_column('webhook_id', existing_type=sa.Integer(), nullable=False)
        batch.drop_column('conversation_pk')
        batch.drop_column('queue_id')
