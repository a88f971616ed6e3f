"""participant public id: customers are named by it, their participant_id stays a secret

Every participant gets a public_id: a new random one for customers, the participant_id
itself for the others (an agent's id grants nothing). Stored messages that named a
customer by its secret (from, to, info.participant) are rewritten to its public id, so
that agents reading an older conversation do not see the secret either.

Revision ID: 175d7019ea5c
Revises: 89a45f55744b
Create Date: 2026-12-06 02:39:21.237361

"""
import secrets

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '175d7019ea5c'
down_revision = '89a45f55744b'
branch_labels = None
depends_on = None

# The two tables as this revision sees them (the models may change later).
participant = sa.table(
    'participant',
    *(sa.column(name, sa.Integer) for name in ('id', 'conversation_pk')),
    *(sa.column(name, sa.String) for name in ('participant_id', 'public_id', 'role')),
)
message = sa.table(
    'message',
    *(sa.column(name, sa.Integer) for name in ('id', 'conversation_pk')),
    *(sa.column(name, sa.JSON) for name in ('sender', 'to', 'info')),
)


def _swap(entry, ids):
    """entry with its id swapped when ids maps it (entries naming someone else stay)."""
    if isinstance(entry, dict) and entry.get('id') in ids:
        return dict(entry, id=ids[entry['id']])
    return entry


def _rename(conn, renamed):
    """Rewrite from, to and info.participant of the messages of these conversations."""
    for conversation_pk, ids in renamed.items():
        rows = conn.execute(
            sa.select(message.c.id, message.c.sender, message.c.to, message.c.info).where(
                message.c.conversation_pk == conversation_pk
            )
        ).all()
        for row in rows:
            info = row.info
            if isinstance(info, dict) and 'participant' in info:
                info = dict(info, participant=_swap(info['participant'], ids))
            values = {
                'sender': _swap(row.sender, ids),
                'to': [_swap(t, ids) for t in row.to or []],
                'info': info,
            }
            if values != {'sender': row.sender, 'to': row.to or [], 'info': row.info}:
                conn.execute(message.update().where(message.c.id == row.id).values(**values))


def _backfill(conn):
    """Give every participant a public id; returns {conversation_pk: {secret: public}}."""
    renamed = {}
    rows = conn.execute(
        sa.select(
            participant.c.id,
            participant.c.participant_id,
            participant.c.conversation_pk,
            participant.c.role,
        )
    ).all()
    for row in rows:
        old, new = row.participant_id, row.participant_id
        if row.role == 'customer':
            new = 'cus_' + secrets.token_urlsafe(12)
            renamed.setdefault(row.conversation_pk, {})[old] = new
        conn.execute(participant.update().where(participant.c.id == row.id).values(public_id=new))
    return renamed


def upgrade():
    with op.batch_alter_table('participant', schema=None) as batch_op:
        batch_op.add_column(sa.Column('public_id', sa.String(length=64), nullable=True))
    conn = op.get_bind()
    _rename(conn, _backfill(conn))
    with op.batch_alter_table('participant', schema=None) as batch_op:
        batch_op.alter_column('public_id', existing_type=sa.String(length=64), nullable=False)
        batch_op.create_unique_constraint('uq_participant_public_id', ['public_id'])


def downgrade():
    conn = op.get_bind()
    rows = conn.execute(
        sa.select(participant.c.conversation_pk, participant.c.participant_id, participant.c.public_id)
        .where(participant.c.role == 'customer')
    ).all()
    renamed = {}
    for row in rows:
        renamed.setdefault(row.conversation_pk, {})[row.public_id] = row.participant_id
    _rename(conn, renamed)
    with op.batch_alter_table('participant', schema=None) as batch_op:
        batch_op.drop_constraint('uq_participant_public_id', type_='unique')
        batch_op.drop_column('public_id')
