"""signing secrets: webhook secret rotation, the virtual agent's secret on queues

rotate-webhook-secret keeps the replaced secret (webhook.previous_secret) signing as
X-Signature's `secondary=` until webhook.previous_secret_until. A queue created with a
virtual agent's URL gets queue.virtual_agent_secret, the HMAC key signing the calls to
it. All three are nullable: existing rows need no value.

Revision ID: a1b2c3d4e5f6
Revises: c3e1a7f0d9b2
Create Date: 2026-12-06 12:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a1b2c3d4e5f6'
down_revision = 'c3e1a7f0d9b2'
branch_labels = None
depends_on = None

_COLUMNS = (
    ('webhook', sa.Column('previous_secret', sa.String(length=128), nullable=True)),
    ('webhook', sa.Column('previous_secret_until', sa.DateTime(), nullable=True)),
    ('queue', sa.Column('virtual_agent_secret', sa.String(length=128), nullable=True)),
)


def upgrade():
    # Plain ADD COLUMN (no batch), nullable with no default, which SQLite supports in
    # place: a batch rebuilds the table, and dropping the old one cascades into the rows
    # that refer to it (outbox events, agents' skills; see migration b69c7d6d3785).
    for table, column in _COLUMNS:
        op.add_column(table, column)


def downgrade():
    # DROP COLUMN in place too (SQLite 3.35+), for the same reason.
    for table, column in reversed(_COLUMNS):
        op.drop_column(table, column.name)
