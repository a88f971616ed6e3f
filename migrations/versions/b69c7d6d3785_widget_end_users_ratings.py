"""widget: end users, conversations' end user and the customer's rating

An identified widget visitor (identity token or identifier + hash) is an end_user row,
named by the integrator's identifier; a conversation may belong to one. A conversation
also keeps the customer's 1-5 rating and comment, given once after it ended. Offline
messages are conversations in state `offline`: no column for them.

Revision ID: b69c7d6d3785
Revises: 175d7019ea5c
Create Date: 2026-12-06 03:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b69c7d6d3785'
down_revision = '175d7019ea5c'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('end_user',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('identifier', sa.String(length=255), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=True),
    sa.Column('email', sa.String(length=255), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('identifier')
    )
    # Plain ADD COLUMN, no batch: on SQLite a batch rebuilds the conversation table, and
    # dropping the old one (foreign keys on) cascades into its participants and messages.
    # That is also why end_user_id carries no FOREIGN KEY: SQLite cannot add or drop one
    # without that rebuild. End users are never deleted, so nothing can dangle.
    op.add_column('conversation', sa.Column('end_user_id', sa.Integer(), nullable=True))
    op.add_column('conversation', sa.Column('rating', sa.Integer(), nullable=True))
    op.add_column('conversation', sa.Column('rating_comment', sa.Text(), nullable=True))
    op.add_column('conversation', sa.Column('rated_at', sa.DateTime(), nullable=True))
    op.create_index(
        op.f('ix_conversation_end_user_id'), 'conversation', ['end_user_id'], unique=False
    )


def downgrade():
    op.drop_index(op.f('ix_conversation_end_user_id'), table_name='conversation')
    for column in ('rated_at', 'rating_comment', 'rating', 'end_user_id'):
        op.drop_column('conversation', column)
    op.drop_table('end_user')
