"""A message's row: its conversation's next seq taken and the message inserted with it.

The statements every message runs, built and compiled once (chatwidget.patches.prepared):
a message costs no statement building and no ORM objects (loaded, expired at commit,
reloaded). The seq is taken by updating the conversation's row: the update serialises
concurrent senders, and a rollback frees the seq, so seqs run 1, 2, 3 … with no gap.

On PostgreSQL both are one statement (WITH next_seq AS (UPDATE …) INSERT … SELECT), and
write_all() sends a batch's statements in one pipeline: the group commit then waits for
one round trip a batch rather than two a message, each behind a busy loop
(docs/performance.md, "PostgreSQL and two processes"). SQLite has no UPDATE in a WITH and
no round trip to save: two statements a message.
"""

from collections.abc import Sequence
from itertools import groupby
from typing import Any, NamedTuple

from sqlalchemy import Boolean, bindparam, case, func, insert, select, update
from sqlalchemy.sql.elements import BindParameter

from chatwidget.core.errors import NotFound
from chatwidget.models import Conversation, Message
from chatwidget.patches.prepared import Prepared, dialect_name

_conversation = Conversation.__table__
_message = Message.__table__
_SEQ = (
    update(_conversation)
    .where(_conversation.c.id == bindparam("pk"))
    .values(last_seq=_conversation.c.last_seq + 1, last_message_at=bindparam("at"))
    .returning(_conversation.c.last_seq)
)
_FIRST_RESPONSE = func.coalesce(
    _conversation.c.first_response_at,
    bindparam("at", type_=_conversation.c.first_response_at.type),
)
# The same for an agent's ChatMessage (not a whisper): it also sets first_response_at the
# first time, in the very statement that takes the seq, so it costs no query of its own.
_NEXT_SEQ = Prepared(_SEQ)
_NEXT_SEQ_REPLY = Prepared(_SEQ.values(first_response_at=_FIRST_RESPONSE))
# On PostgreSQL, whether it is a reply is a bound value, so that a batch's messages,
# customers' and agents', share one statement (and one pipeline).
_SEQ_EITHER = _SEQ.values(
    first_response_at=case(
        (bindparam("reply", type_=Boolean), _FIRST_RESPONSE),
        else_=_conversation.c.first_response_at,
    )
)
_inserts: dict[tuple[str, ...], Prepared] = {}
_seq_inserts: dict[tuple[str, ...], Prepared] = {}


class Row(NamedTuple):
    """A message to write: its columns but id and seq, and whether it is an agent's reply
    to the customer (which also notes the conversation's first response)."""

    values: dict[str, Any]
    reply: bool


def _insert(values: dict[str, Any]) -> int:
    """INSERT … RETURNING id for exactly these columns (as the ORM omits unset ones)."""
    key = tuple(sorted(values))
    statement = _inserts.get(key)
    if statement is None:
        columns: dict[str, BindParameter[Any]] = {name: bindparam(name) for name in key}
        statement = _inserts[key] = Prepared(
            insert(_message).values(columns).returning(_message.c.id)
        )
    message_pk: int = statement.scalar(**values)
    return message_pk


def _seq_insert(key: tuple[str, ...]) -> Prepared:
    """WITH next_seq AS (the seq's UPDATE … RETURNING last_seq) INSERT … SELECT these
    columns and last_seq FROM next_seq RETURNING id, seq (PostgreSQL)."""
    statement = _seq_inserts.get(key)
    if statement is None:
        seq = _SEQ_EITHER.cte("next_seq")
        columns = [bindparam(name, type_=_message.c[name].type) for name in key]
        statement = _seq_inserts[key] = Prepared(
            insert(_message)
            .from_select([*key, "seq"], select(*columns, seq.c.last_seq))
            .add_cte(seq)
            .returning(_message.c.id, _message.c.seq)
        )
    return statement


def _two_statements(row: Row) -> tuple[int, int]:
    at, pk = row.values["created_at"], row.values["conversation_pk"]
    seq: int = (_NEXT_SEQ_REPLY if row.reply else _NEXT_SEQ).scalar(pk=pk, at=at)
    return _insert({**row.values, "seq": seq}), seq


def _key(row: Row) -> tuple[str, ...]:
    return tuple(sorted(row.values))


def _pipelined(key: tuple[str, ...], rows: list[Row]) -> list[tuple[int, int]]:
    """rows, all with these columns, as one pipeline of _seq_insert(key) (PostgreSQL)."""
    written = _seq_insert(key).many(
        [
            {
                **r.values,
                "pk": r.values["conversation_pk"],
                "at": r.values["created_at"],
                "reply": r.reply,
            }
            for r in rows
        ]
    )
    if any(w is None for w in written):  # a conversation deleted since it was read
        raise NotFound("no such conversation")
    return [(int(w[0]), int(w[1])) for w in written if w is not None]


def write_all(rows: Sequence[Row]) -> list[tuple[int, int]]:
    """Write rows in the caller's transaction, in their order: each one's (id, seq).
    On PostgreSQL each run of rows with the same columns (a batch of chat messages is
    one) is one pipeline: one round trip."""
    if dialect_name() != "postgresql":
        return [_two_statements(row) for row in rows]
    return [w for key, run in groupby(rows, _key) for w in _pipelined(key, list(run))]
