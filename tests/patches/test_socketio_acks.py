"""The socketio_acks patch acks as python-socketio's own Server does, a Later once settled."""

import gevent
import socketio
from gevent.event import AsyncResult
from hypothesis import given, settings
from hypothesis import strategies as st

from chatwidget.core.errors import InvalidInput
from chatwidget.patches.socketio_acks import Server
from chatwidget.sockets.acks import Later

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=12,
)
ANSWERS = JSON | st.tuples(JSON, JSON) | st.just(())


UNHANDLED = object()  # the handler's answer: the server's not_handled
SERVERS = {}  # one of each class: building one costs more than the examples


def acks_of(server_class, answer, id=7):
    """The packets server_class sends for a handler returning answer (encoded)."""
    server = SERVERS.get(server_class) or SERVERS.setdefault(
        server_class, server_class(async_mode="threading")
    )
    sent = []
    server._trigger_event = lambda *args: server.not_handled if answer is UNHANDLED else answer
    server._send_packet = lambda eio_sid, pkt: sent.append((eio_sid, pkt.encode()))
    server._handle_event_internal(server, "sid", "eio", ["sendMessage", {}], "/agent", id)
    return sent


@settings(max_examples=200, deadline=None)
@given(ANSWERS, st.sampled_from([None, 0, 7]))
def test_an_answer_is_acked_as_python_socketio_acks_it(answer, id):
    assert acks_of(Server, answer, id) == acks_of(socketio.Server, answer, id)


def test_an_unhandled_event_is_not_acked_either_way():
    assert acks_of(Server, UNHANDLED) == []
    assert acks_of(socketio.Server, UNHANDLED) == []


def later(answer):
    return Later(AsyncResult(), answer)


def test_a_later_is_acked_once_settled_with_what_the_handler_would_have_returned():
    pending = later(lambda outcome: {"status": "ok", "id": outcome[0]["id"]})
    sent = acks_of(Server, pending)
    assert sent == []  # the socket goes on reading meanwhile
    pending.result.set(({"id": "m1"}, True))
    gevent.sleep(0)  # the hub runs the link
    assert sent == acks_of(socketio.Server, {"status": "ok", "id": "m1"})


def test_a_refused_later_is_acked_with_the_error():
    pending = later(lambda outcome: {"status": "ok"})
    sent = acks_of(Server, pending)
    pending.result.set_exception(InvalidInput("text is required"))
    gevent.sleep(0)
    assert sent == acks_of(socketio.Server, {"status": "error", "message": "text is required"})


def test_a_later_without_an_ack_id_sends_nothing():
    pending = later(lambda outcome: {"status": "ok"})
    sent = acks_of(Server, pending, id=None)
    pending.result.set(({"id": "m1"}, True))
    gevent.sleep(0)
    assert sent == []
