"""Acks of posted messages that may follow later: a socket reads its next event while
its message is stored by the group commit (chatwidget.core.posting)."""

from chatwidget.core import posting
from chatwidget.core.posting import Later


def post_acked(app, lookup, data, answer):
    """posting.post(), answered with answer((wire, stored?)): that answer, or a Later when
    the served process's group commit runs, so that the socket reads its next event while
    this one is stored (an agent typing in ten conversations is not held up by each
    commit in turn); the acks still follow the order the messages were sent in.

    Callable outside an app context: a message handed to the group commit needs none
    in the caller (the group's greenlet has its own); anything else is posted in one.
    """
    result = posting.submit_later(app, lookup, data)
    if result is None:
        with app.app_context():
            return answer(posting.post(lookup, data))
    return Later(result, answer)
