"""Transcript PDFs: rendered off the event loop in child processes, kept once rendered.

xhtml2pdf holds a CPU for seconds on a long chat. Run in the server's process it froze
every socket and request for that long (in gevent's thread pool too, the GIL being
held); each render runs in a child process instead (chatwidget.pdfrender), which the
request's greenlet waits for without blocking the loop. At most TRANSCRIPT_WORKERS
render at once in a process; one more is answered 503 with Retry-After at once, and a
render that fails or outlasts TRANSCRIPT_RENDER_TIMEOUT_S is killed and answered 503.

An ended conversation never changes, so its PDF is rendered once and kept under the
instance folder, `instance/transcripts/<conversationId>.pdf`: the child writes and syncs
a temporary file, renamed into place only when whole. Files, not a table: the PDF (up
to some MB) is streamed from disk without passing through the database on the event
loop, and the instance folder is already shared by a deployment's processes (media,
secrets). A purge of the conversation's call deletes the file once the purge commits.
"""

import contextlib
import hashlib
import logging
import os
import re
import shutil
import subprocess  # gevent's once monkey-patched: the waiting greenlet yields
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from typing import Any

from flask import current_app
from sqlalchemy import select

from chatwidget import pdfrender
from chatwidget.core.errors import NotFound, Unavailable
from chatwidget.core.events import publish, subscribe
from chatwidget.core.purge import on_purge
from chatwidget.extensions import db
from chatwidget.models import Call, Conversation

log = logging.getLogger(__name__)
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# The child's command; the output file's path is appended. Tests swap in one they control.
# Niced from its start (imports included): when renders fill every core, the server's
# sockets and requests still run first (/healthz's worst case under three renders of 400
# long messages: 175 ms niced, 285 ms not).
_NICE = ("nice", "-n", "10") if shutil.which("nice") else ()
RENDERER = (*_NICE, sys.executable, "-m", "chatwidget.pdfrender")
# A long transcript renders in seconds: when every worker is busy, ask to come back then.
RETRY_AFTER_S = 5
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{0,63}")
_SLOTS = "chatwidget_transcript_slots"
_rendering: dict[
    str, threading.Event
] = {}  # path → Event set when this process's render of it is over


def path_of(conversation_id: str) -> str:
    """Where the conversation's PDF is kept (a hash for an id that is no plain name)."""
    name = conversation_id
    if not _NAME.fullmatch(name):
        name = hashlib.sha256(conversation_id.encode()).hexdigest()
    return os.path.join(current_app.instance_path, "transcripts", name + ".pdf")


def pdf_file(
    conversation_id: str,
    html: Callable[[], str],
    still_there: Callable[[], bool] | None = None,
) -> str:
    """The path of the conversation's PDF: the kept one, else rendered from html().

    html() is called only for a render, once a worker is free. The same conversation
    asked for again while it renders waits for that render instead of starting one.
    still_there(): whether what was rendered still exists once the render is done
    (default: the conversation); a captured call's transcript passes its own.
    """
    path = path_of(conversation_id)
    if os.path.exists(path):
        return path
    under_way = _rendering.get(path)
    if under_way is not None:
        log.info("transcript of %s asked for again while it renders: waiting", conversation_id)
        under_way.wait(current_app.config["TRANSCRIPT_RENDER_TIMEOUT_S"])
        if os.path.exists(path):
            return path
        raise _unavailable("the transcript could not be rendered; try again later")
    slots = _slots()
    if not slots.acquire(blocking=False):
        raise _unavailable(
            "every transcript worker is busy (TRANSCRIPT_WORKERS=%d); try again in %d s"
            % (current_app.config["TRANSCRIPT_WORKERS"], RETRY_AFTER_S)
        )
    _rendering[path] = done = threading.Event()
    try:
        source = html()
        db.session.rollback()  # the render takes seconds: hold no connection meanwhile
        _render(conversation_id, source, path, still_there)
        return path
    finally:
        del _rendering[path]
        done.set()
        slots.release()


def _slots() -> threading.BoundedSemaphore:
    """This process's TRANSCRIPT_WORKERS render slots."""
    slots = current_app.extensions.get(_SLOTS)
    if not isinstance(slots, threading.BoundedSemaphore):
        slots = current_app.extensions[_SLOTS] = threading.BoundedSemaphore(
            current_app.config["TRANSCRIPT_WORKERS"]
        )
    return slots


def _unavailable(message: str) -> Unavailable:
    """A 503 with Retry-After (api.errors.handle_core answers an error's retry_after)."""
    return Unavailable(message, retry_after=RETRY_AFTER_S)


def _conversation_exists(conversation_id: str) -> bool:
    still_there = select(Conversation.id).filter_by(conversation_id=conversation_id)
    return db.session.scalar(still_there) is not None


def _render(
    conversation_id: str,
    source: str,
    path: str,
    still_there: Callable[[], bool] | None = None,
) -> None:
    """Render source into a temporary file, renamed to path if the conversation is
    still there (a purge during the render leaves no copy behind)."""
    incoming = os.path.join(os.path.dirname(path), ".incoming")
    os.makedirs(incoming, exist_ok=True)
    _sweep(incoming)
    fd, partial = tempfile.mkstemp(dir=incoming, suffix=".pdf")
    os.close(fd)
    try:
        _run_child(conversation_id, source.encode("utf-8"), partial)
        exists = still_there() if still_there else _conversation_exists(conversation_id)
        if not exists:
            raise NotFound("no ended conversation %s" % conversation_id)
        os.replace(partial, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(partial)


def _sweep(incoming: str) -> None:
    """Remove what renders cut short by a killed server left behind: any file older than
    twice the render timeout (a render under way in another process is younger)."""
    too_old = time.time() - 2 * current_app.config["TRANSCRIPT_RENDER_TIMEOUT_S"]
    for entry in os.scandir(incoming):
        with contextlib.suppress(FileNotFoundError):
            if entry.stat().st_mtime < too_old:
                os.unlink(entry.path)


def _run_child(conversation_id: str, source: bytes, out: str) -> None:
    """Run the renderer on source into the file out; Unavailable if it fails or is late."""
    timeout = current_app.config["TRANSCRIPT_RENDER_TIMEOUT_S"]
    started = time.monotonic()
    child = subprocess.Popen(  # noqa: S603 (our own fixed command, no shell)
        [*RENDERER, out],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=dict(os.environ, **{pdfrender.PARENT_ENV: str(os.getpid())}),
    )
    try:
        _, err = child.communicate(source, timeout=timeout)
    except OSError as exc:  # its stdin closed early: it died, and says why on stderr
        err = str(exc).encode()
    except subprocess.TimeoutExpired:
        log.error("transcript of %s not rendered in %ss: killed", conversation_id, timeout)
        raise _unavailable("rendering the transcript took too long; try again later") from None
    finally:
        if child.poll() is None:  # late, or this greenlet was killed: no orphan renders on
            child.kill()
            child.communicate()
    if child.returncode != 0:
        log.error(
            "transcript of %s not rendered (renderer exit status %s): %s",
            conversation_id,
            child.returncode,
            err.decode("utf-8", "replace")[-2000:],
        )
        raise _unavailable("the transcript could not be rendered; try again later")
    if err.strip():  # a render that worked may still have warned (missing fonts)
        log.warning("transcript renderer: %s", err.decode("utf-8", "replace")[-2000:])
    log.info("transcript of %s rendered in %.1f s", conversation_id, time.monotonic() - started)


def read(path: str) -> bytes:
    """The bytes of a kept PDF (for the e-mail's attachment)."""
    with open(path, "rb") as fh:
        return fh.read()


@on_purge
def _purge_copies(call_pks: list[int]) -> None:
    """Purged calls lose their conversations' PDFs, once the purge commits."""
    sessions = list(db.session.scalars(select(Call.session_id).where(Call.id.in_(call_pks))))
    if sessions:
        publish(db.session, "transcripts.deleted", {"conversationIds": sessions})


@subscribe
def _delete_copies(name: str, payload: Any) -> None:
    if name != "transcripts.deleted":
        return
    for conversation_id in payload["conversationIds"]:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path_of(conversation_id))
