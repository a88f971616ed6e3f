"""What both namespaces share: acks, error translation, per-socket state."""

import logging
from collections.abc import Callable, Mapping
from contextvars import ContextVar
from functools import wraps
from typing import Any, cast

from flask import Flask, current_app, has_app_context, request
from flask_socketio import Namespace
from marshmallow import Schema, ValidationError

from chatwidget.core.client_messages import Sent
from chatwidget.core.errors import CoreError, InvalidInput
from chatwidget.extensions import db
from chatwidget.schemas.sockets import Reasons, describe
from chatwidget.sockets.acks import Later
from chatwidget.sockets.packet import TOO_DEEP

log = logging.getLogger(__name__)
# A socket event's answer: {"status": "ok", …} or {"status": "error", "message": …}.
Ack = dict[str, Any]
Handler = Callable[[Any, dict[str, Any]], Any]

# Per-socket state of this process's own sockets. Nothing here is needed by another
# process: a socket lives in one process, and everything shared is in the database.
_state: dict[tuple[str, str], dict[str, Any]] = {}
# (namespace, sid) → the result of the socket's last message handed to the group commit
# without waiting (a Later, sockets.acks), until another event of that socket waits for it.
_storing: dict[tuple[str, Any], Any] = {}
# ((namespace, sid), app) while a light event runs (see AckingNamespace.light_events).
_light_event: ContextVar[tuple[tuple[str, str], Flask] | None] = ContextVar(
    "chatwidget_light_event", default=None
)


def state() -> dict[str, Any]:
    """The current socket's state dict."""
    light = _light_event.get()
    key = light[0] if light else _key()
    return _state.setdefault(key, {})


def app() -> Flask:
    """The Flask app of the current event (a light event runs outside its app context)."""
    light = _light_event.get()
    return light[1] if light else current_app._get_current_object()  # type: ignore[attr-defined]


def sid() -> str:
    """The current socket's id, which Flask-SocketIO sets on the request of its events."""
    return str(request.sid)  # type: ignore[attr-defined]


def _key() -> tuple[str, str]:
    return str(request.namespace), sid()  # type: ignore[attr-defined]


def forget() -> None:
    """Drop the current socket's state (on disconnect)."""
    _state.pop(_key(), None)
    _storing.pop(_key(), None)


def ok(**fields: Any) -> Ack:
    """A success ack."""
    return {"status": "ok", **fields}


def error(message: str, **fields: Any) -> Ack:
    """An error ack."""
    return {"status": "error", "message": message, **fields}


def refused(exc: CoreError) -> Ack:
    """The error ack of a CoreError, with the fields it names."""
    return error(exc.message, **({"errors": exc.errors} if exc.errors else {}))


class AckingNamespace(Namespace):
    """A namespace that answers every client event, an unknown one with an error ack.

    Events named in `light_events` run without the request context Flask-SocketIO
    builds for every event (a Request, the session cookie, URL matching, teardown: more
    than the whole rest of a chat message on the hot path), and without an app context
    (its push and teardown cost as much as a chat message's statements): their handlers
    may use state(), app() and acks.post_acked(app(), …), and enter
    `app().app_context()` for anything else (the database, socketio.emit(…, to=room));
    never flask.request, the Flask session or the context-bound emit() and join_room().
    """

    light_events: frozenset[str] = frozenset()

    def trigger_event(self, event: str, *args: Any) -> Any:
        if event == TOO_DEEP:  # a packet our Packet could not decode (packet.py)
            return error("the packet is nested too deeply")
        if not hasattr(self, "on_" + (event or "")):
            return error("unknown event %s" % str(event)[:64])
        key = (self.namespace, args[0] if args else None)
        if event in self.light_events:
            answer = self._trigger_light(event, *args)
            if isinstance(answer, Later):
                _storing[key] = answer.result
            return answer
        # Any other event of this socket waits for its messages still being stored, so
        # that a socket's events take effect in the order it sent them.
        storing = _storing.pop(key, None)
        if storing is not None:
            storing.wait()
        return super().trigger_event(event, *args)

    def _trigger_light(self, event: str, sid: str, *args: Any) -> Any:
        environ = self.socketio.server.get_environ(sid, namespace=self.namespace)
        if not environ:  # as Flask-SocketIO: a client this process has no record of
            return "", 400
        token = _light_event.set(((self.namespace, sid), environ["flask.app"]))
        try:
            return getattr(self, "on_" + event)(*args)
        finally:
            _light_event.reset(token)


def acked(sent: Sent) -> Ack:
    """The ack of a sent message (a core.sending.Sent): its id and seq."""
    return ok(id=sent.message_id, seq=sent.seq)


def settle(later: Later) -> Ack:
    """The ack of a Later (sockets.acks) once its message is committed, as handler() would
    have answered had it waited."""
    try:
        outcome = later.result.get()
    except CoreError as exc:
        outcome = exc
    except Exception:
        log.exception("posting a message failed")
        return error("internal error")
    if isinstance(outcome, CoreError):
        return refused(outcome)
    return later.answer(outcome)


def load(schema: Schema, data: Any, **options: Any) -> dict[str, Any]:
    """An event's payload as its schema (chatwidget.schemas.sockets) loads it (options:
    Schema.load's); an InvalidInput naming each bad field otherwise."""
    try:
        return schema.load(_object(data), **options)
    except ValidationError as exc:
        raise InvalidInput(*describe(cast(Mapping[object, Reasons], exc.messages))) from None


def _rollback() -> None:
    """Roll back what a failed handler left in its session (a light event has none)."""
    if has_app_context():
        db.session.rollback()


def handler(func: Handler | None = None, *, schema: Schema | None = None) -> Any:
    """Wrap an event handler: dict payload required (loaded by schema if given, see
    load()), errors become error acks. `@handler` or `@handler(schema=…)`."""
    if func is None:
        return lambda func: handler(func, schema=schema)

    @wraps(func)
    def wrapper(self: Any, data: Any = None, *args: Any) -> Any:
        try:
            return func(self, load(schema, data) if schema else _object(data))
        except CoreError as exc:
            _rollback()
            return refused(exc)
        except Exception:  # answer the client; the trace goes to the log only
            _rollback()
            log.exception("socket handler %s failed", func.__name__)
            return error("internal error")

    return wrapper


def _object(data: Any) -> dict[str, Any]:
    """data, if a JSON object (a handler that loads its payload itself)."""
    if not isinstance(data, dict):
        raise InvalidInput(
            "the payload must be a JSON object", errors={"payload": ["Not a JSON object."]}
        )
    return data
