"""The Socket.IO packet class of the app's server: python-socketio's own, made cheaper
for what every chat message costs.

python-socketio builds a packet for each emit and each ack, and asks first whether its
data holds binary parts, by a recursive walk that costs ~16 µs for a chat message; a
message is then emitted twice (the customers' namespace, the agents'), and its JSON
encoded each time. Here the walk is a loop over the same containers with the same
answer, a message emitted to several rooms is encoded once (encoded_once), and by
orjson (chatwidget.jsoncodec).
"""

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from socketio import packet

from chatwidget import jsoncodec

# (payloads, {(id(payload), event, options): text}) while encoded_once(*payloads) is in force.
_Texts = dict[tuple[int, Any, tuple[tuple[str, Any], ...]], str]
_once: ContextVar[tuple[tuple[object, ...], _Texts] | None] = ContextVar(
    "chatwidget_encoded_once", default=None
)


@contextmanager
def encoded_once(*payloads: object) -> Iterator[None]:
    """Within the block, packets carrying one of these payload objects share one JSON
    encoding per payload: for emitting one message to several rooms (the customers' copy
    and the agents' may be two objects). The payloads must not change meanwhile."""
    token = _once.set((payloads, {}))
    try:
        yield
    finally:
        _once.reset(token)


log = logging.getLogger(__name__)

# What a packet nested too deeply to decode carries instead: an event of that name, which
# the namespaces answer with an error ack (sockets.common.AckingNamespace). A connect
# packet's auth or an ack's arguments become [TOO_DEEP] too: nobody's token, no callback.
TOO_DEEP = "(packet nested too deeply)"


def _refused(what: str, text: str | bytes | None = None) -> list[str]:
    """One line in the log for a packet refused for its nesting; the data it becomes."""
    size = " (%d characters)" % len(text) if text is not None else ""
    log.warning("refused a Socket.IO packet nested too deeply to %s%s", what, size)
    return [TOO_DEEP]


def _loads(text: str | bytes) -> Any:
    """json.loads, but a text nested past the recursion limit (~1,000 brackets) is not an
    exception logged with its trace for every such packet: the packet becomes [TOO_DEEP]."""
    try:
        return json.loads(text)
    except RecursionError:
        return _refused("decode", text)


class _PacketJSON:
    """The json module for packets, with the encodings of encoded_once() remembered."""

    loads = staticmethod(_loads)

    @staticmethod
    def dumps(data: Any, **options: Any) -> str:
        once = _once.get()
        if once is None or type(data) is not list or len(data) != 2:
            return jsoncodec.dumps(data, **options)
        for payload in once[0]:
            if data[1] is payload:
                break
        else:
            return jsoncodec.dumps(data, **options)
        # id() names the payload for as long as the block holds it
        key = (id(payload), data[0], tuple(sorted(options.items())))
        text = once[1].get(key)
        if text is None:
            text = once[1][key] = jsoncodec.dumps(data, **options)
        return text


class Packet(packet.Packet):
    """python-socketio's Packet with a cheaper binary check and JSON encoding."""

    json = _PacketJSON

    @classmethod
    def reconstruct_binary(cls, data: Any, attachments: list[bytes]) -> Any:
        """As the stock method (a recursive walk), but data nested too deeply for it (it
        decoded, yet each level costs the walk more stack) becomes [TOO_DEEP]."""
        try:
            return super().reconstruct_binary(data, attachments)
        except RecursionError:
            return _refused("put its binary parts back")

    @classmethod
    def data_is_binary(cls, data: Any) -> bool:
        """Whether data holds bytes anywhere in its lists and dicts (as the stock check)."""
        pending = [data]
        while pending:
            item = pending.pop()
            kind = type(item)
            if kind is str or kind is int or item is None:
                continue
            if kind is dict or isinstance(item, dict):
                pending.extend(item.values())
            elif kind is list or isinstance(item, list):
                pending.extend(item)
            elif isinstance(item, bytes | bytearray):
                return True
        return False
