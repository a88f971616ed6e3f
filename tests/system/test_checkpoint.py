"""A served process on SQLite copies its WAL into the database file itself, from a thread,
a fraction of a second after each commit: not only once 1,000 pages have gathered, inside
whichever commit filled them (which stopped every socket of the process meanwhile)."""

import sqlite3

import pytest

from tests.system.clients import Customer
from tests.system.servers import wait_until

COUNT = 5


def _in_database_file(path, conversation_id):
    """Chat messages of the conversation in the database file alone, the WAL ignored."""
    connection = sqlite3.connect("file:%s?immutable=1" % path, uri=True)
    try:
        return connection.execute(
            "SELECT count(*) FROM message JOIN conversation"
            " ON message.conversation_pk = conversation.id"
            " WHERE conversation.conversation_id = ? AND message.type = 'ChatMessage'",
            (conversation_id,),
        ).fetchone()[0]
    except sqlite3.DatabaseError:  # caught mid-copy, or the tables not copied yet
        return -1
    finally:
        connection.close()


@pytest.mark.parametrize("backend", ["sqlite"])
def test_committed_messages_reach_the_database_file_soon(database_url, make_deployment):
    deployment = make_deployment(database_url, SQLITE_CHECKPOINT_INTERVAL_S=0.1)
    path = database_url.removeprefix("sqlite:///")
    [server] = deployment.start("only")
    customer = Customer(server.url).connect(server.url)
    customer.join()
    for n in range(COUNT):
        customer.send("m%d" % n)
    wait_until(
        lambda: _in_database_file(path, customer.conversation_id) == COUNT,
        15,
        "the messages to be checkpointed into %s" % path,
    )
    customer.disconnect()
