"""console: agent sessions, admins, deactivation, canned responses, first response, offline done

The agent console signs agents in with a server-side session (agent_session: the hash of
the cookie's random token), lets admins deactivate agents (agent.deactivated_at) and keeps
the team's canned responses. The dashboard's first-response time reads
conversation.first_response_at, set when an agent first writes; an offline message marked
done carries offline_done_at.

Revision ID: c3e1a7f0d9b2
Revises: b69c7d6d3785
Create Date: 2026-12-06 06:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c3e1a7f0d9b2'
down_revision = 'b69c7d6d3785'
branch_labels = None
depends_on = None


def upgrade():
    # Plain ADD COLUMN (no batch): a batch rebuilds the table on SQLite, and dropping the
    # old one cascades into the rows that refer to it (see migration b69c7d6d3785).
    op.add_column(
        'agent', sa.Column('is_admin', sa.Boolean(), nullable=False, server_default=sa.false())
    )
    op.add_column('agent', sa.Column('deactivated_at', sa.DateTime(), nullable=True))
    op.add_column('conversation', sa.Column('first_response_at', sa.DateTime(), nullable=True))
    op.add_column('conversation', sa.Column('offline_done_at', sa.DateTime(), nullable=True))
    op.create_table('agent_session',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('agent_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['agent_id'], ['agent.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('token_hash')
    )
    op.create_index(op.f('ix_agent_session_agent_id'), 'agent_session', ['agent_id'], unique=False)
    op.create_index(
        op.f('ix_agent_session_expires_at'), 'agent_session', ['expires_at'], unique=False
    )
    op.create_table('canned_response',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('shortcut', sa.String(length=40), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['agent.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('shortcut')
    )


def downgrade():
    op.drop_table('canned_response')
    op.drop_index(op.f('ix_agent_session_expires_at'), table_name='agent_session')
    op.drop_index(op.f('ix_agent_session_agent_id'), table_name='agent_session')
    op.drop_table('agent_session')
    for table, column in (
        ('conversation', 'offline_done_at'),
        ('conversation', 'first_response_at'),
        ('agent', 'deactivated_at'),
        ('agent', 'is_admin'),
    ):
        op.drop_column(table, column)
