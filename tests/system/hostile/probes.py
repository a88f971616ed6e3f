"""What the hostile probes share: pipelined emits, decoding links, raw HTTP, payload walks."""

import base64
import binascii
import re
import socket
import threading
import time
import zlib
from urllib.parse import unquote, urlsplit

from tests.system.clients import TIMEOUT, Customer, chat_message
from tests.system.servers import wait_until

WORDS = ("hello", "καλημέρα", "здравствуйте", "مرحبا بكم", "你好世界", "こんにちは", "안녕하세요")


def mixed_text(n, length):
    """length characters of Latin, Greek, Cyrillic, Arabic and CJK words, varied by n."""
    words, size = [], 0
    while size < length:
        word = WORDS[(n + len(words)) % len(WORDS)]
        words.append(word)
        size += len(word) + 1
    return " ".join(words)[:length]


def joined_customer(base_url, subject="general", email=None):
    """A customer who has called init, connected one socket and joined."""
    customer = Customer(base_url, subject, email).connect(base_url)
    customer.join()
    return customer


def send_when_allowed(customer, text, seconds=10):
    """Send text once the socket's rate limit lets it through; its ok ack."""
    message = chat_message(customer.conversation_id, text)
    acks = []

    def sent():
        acks.append(customer.client.call("sendMessage", message, timeout=TIMEOUT))
        return acks[-1].get("status") == "ok"

    wait_until(sent, seconds, "a send of %d characters to be allowed" % len(text))
    return acks[-1]


def pipelined(client, event, payloads, namespace="/", timeout=60):
    """Emit every payload without waiting for acks; returns (acks in send order, seconds
    from the first emit to the last ack)."""
    acks = [None] * len(payloads)
    done = threading.Condition()
    answered = []

    def store(index, *args):
        with done:
            acks[index] = args[0] if args else None
            answered.append(index)
            done.notify_all()

    started = time.monotonic()
    for index, payload in enumerate(payloads):
        client.emit(event, payload, namespace=namespace, callback=lambda *a, i=index: store(i, *a))
    with done:
        finished = done.wait_for(lambda: len(answered) == len(payloads), timeout)
    assert finished, "%d of %d acks after %ss" % (len(answered), len(payloads), timeout)
    return acks, time.monotonic() - started


def stored_chat(customer):
    """The ChatMessages conversationInfo afterSeq=0 replays to this customer."""
    return [m for m in customer.info(0)["messages"] if m.get("type") == "ChatMessage"]


def refused_naming(ack, field):
    """Assert ack is the contract's error ack and that its `errors` name field."""
    assert isinstance(ack, dict) and ack.get("status") == "error", ack
    assert isinstance(ack.get("message"), str) and ack["message"], ack
    assert field in (ack.get("errors") or {}), "%s not named in %r" % (field, ack)


def strings_in(payload):
    """Every string value anywhere in a JSON payload."""
    if isinstance(payload, str):
        yield payload
    elif isinstance(payload, dict):
        for value in payload.values():
            yield from strings_in(value)
    elif isinstance(payload, list | tuple):
        for value in payload:
            yield from strings_in(value)


def readable(url):
    """The URL as text, with every base64 piece of it (itsdangerous payloads are base64
    JSON, zlib-compressed when that is shorter) decoded too: what anyone holding it can read."""
    parts = [url]
    for piece in re.split(r"[/?&=.]", unquote(url)):
        try:
            raw = base64.urlsafe_b64decode(piece + "=" * (-len(piece) % 4))
        except (binascii.Error, ValueError):
            continue
        parts.append(raw.decode("utf-8", "replace"))
        try:
            parts.append(zlib.decompress(raw).decode("utf-8", "replace"))
        except zlib.error:
            pass
    return "\n".join(parts).lower()


def raw_post(base_url, path, body, chunked):
    """POST body (bytes) to path over a raw socket, chunked or with a Content-Length; the
    status line and headers of the answer, as text.

    A reader thread takes the answer while the body is still being written: a server that
    refuses a large body answers before reading it all and may reset the connection, which
    would discard an answer read only afterwards.
    """
    port = urlsplit(base_url).port
    sock = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
    received = []

    def read():
        try:
            while chunk := sock.recv(65536):
                received.append(chunk)
        except OSError:
            pass

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    framing = "Transfer-Encoding: chunked" if chunked else "Content-Length: %d" % len(body)
    head = "POST %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nContent-Type: application/json\r\n%s\r\n"
    try:
        sock.sendall((head % (path, port, framing) + "Connection: close\r\n\r\n").encode())
        step = 64 * 1024
        for start in range(0, len(body), step):
            piece = body[start : start + step]
            sock.sendall(b"%x\r\n%s\r\n" % (len(piece), piece) if chunked else piece)
        if chunked:
            sock.sendall(b"0\r\n\r\n")
    except OSError:
        pass  # refused mid-body: the answer is what counts
    reader.join(TIMEOUT)
    sock.close()
    return b"".join(received).split(b"\r\n\r\n", 1)[0].decode("latin-1")
