"""Transcript PDFs render in child processes, a bounded number at once, kept once rendered.

The renderer is tests/transcripts/renderer.py here: the real one, which can also count
its renders, hold until the test lets go, or fail.
"""

import logging
import os
import socket
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from chatwidget.core import transcript_pdfs
from tests.conftest import bearer_for, make_app
from tests.sockets.helpers import wait_for
from tests.transcripts.conftest import CHINESE, chat
from tests.transcripts.pdf_text import contains, pdf_text
from tests.transcripts.test_email import email_url, parsed, pdf_of

RENDERER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "renderer.py")
WAIT_S = 60  # generous: renders start a Python process each, on a busy 2-core machine


def pdf_url(conversation_id, participant_id):
    return "/api/customer/transcript/%s/pdf?participantId=%s" % (conversation_id, participant_id)


def use_renderer(monkeypatch, *options):
    monkeypatch.setattr(transcript_pdfs, "RENDERER", (sys.executable, RENDERER, *options))


def kept(app):
    """The files under instance/transcripts/, renders under way (.incoming/) included."""
    folder = os.path.join(app.instance_path, "transcripts")
    found = []
    for here, _, names in os.walk(folder):
        found += [os.path.relpath(os.path.join(here, name), folder) for name in names]
    return sorted(found)


def renders(log):
    return len(log.read_text().splitlines()) if log.exists() else 0


class Holder:
    """A socket that held renderers connect to; they go on once it lets them go."""

    def __init__(self):
        self.server = socket.create_server(("127.0.0.1", 0))
        self.server.settimeout(WAIT_S)
        self.port = self.server.getsockname()[1]
        self.held = []  # (connection, renderer pid)

    def wait_started(self, count):
        """Return once count renderers are running (each has connected)."""
        while len(self.held) < count:
            conn, _ = self.server.accept()
            conn.settimeout(WAIT_S)
            self.held.append((conn, int(conn.makefile().readline())))
        return [pid for _, pid in self.held]

    def release(self):
        for conn, _ in self.held:
            conn.close()
        self.held = []

    def close(self):
        self.release()
        self.server.close()


@pytest.fixture
def holder():
    held = Holder()
    yield held
    held.close()


def test_the_pdf_is_rendered_once_and_then_served_from_the_kept_copy(
    app, client, smtp, monkeypatch, tmp_path
):
    log = tmp_path / "renders.log"
    use_renderer(monkeypatch, "--log", str(log))
    conversation_id, participant_id, _ = chat(app)
    first = client.get(pdf_url(conversation_id, participant_id))
    assert first.status_code == 200 and first.mimetype == "application/pdf"
    assert contains(pdf_text(first.data), CHINESE)
    assert kept(app) == ["%s.pdf" % conversation_id]
    again = client.get(pdf_url(conversation_id, participant_id))
    assert again.status_code == 200 and again.data == first.data
    assert again.headers["X-Transcript-Url"]
    # The e-mail attaches the same kept PDF.
    assert client.get(email_url(conversation_id, participant_id)).status_code == 200
    assert pdf_of(parsed(smtp[1].envelopes[-1]))[1] == first.data
    assert renders(log) == 1


@pytest.mark.parametrize("purge", ["session", "customer"])
def test_a_purge_removes_the_kept_copy_and_only_its_own(app, client, purge):
    gone_id, gone_participant, _ = chat(app, email="gone@example.com")
    kept_id, kept_participant, _ = chat(app, email="kept@example.com")
    assert client.get(pdf_url(gone_id, gone_participant)).status_code == 200
    assert client.get(pdf_url(kept_id, kept_participant)).status_code == 200
    assert kept(app) == sorted(["%s.pdf" % gone_id, "%s.pdf" % kept_id])
    headers = bearer_for(app, client, "purge")
    if purge == "session":
        response = client.post("/purge/v1/calls/sessions", json={"ids": [gone_id]}, headers=headers)
    else:
        body = {"email": "gone@example.com"}
        response = client.post("/purge/v1/calls/customer", json=body, headers=headers)
    assert [i["status"] for i in response.get_json()["items"]] == ["Purging"]
    assert kept(app) == ["%s.pdf" % kept_id]
    assert client.get(pdf_url(gone_id, gone_participant)).status_code == 404
    assert client.get(pdf_url(kept_id, kept_participant)).status_code == 200


def test_with_every_worker_busy_one_more_request_is_503_with_retry_after(
    tmp_path, monkeypatch, holder
):
    app = make_app(tmp_path, TRANSCRIPT_WORKERS=3)
    chats = [chat(app) for _ in range(4)]
    fourth_id, fourth_participant, _ = chats[3]
    use_renderer(monkeypatch, "--hold", str(holder.port))
    with ThreadPoolExecutor(3) as pool:
        busy = [pool.submit(app.test_client().get, pdf_url(cid, pid)) for cid, pid, _ in chats[:3]]
        try:
            holder.wait_started(3)  # three renders running: every worker is taken
            refused = app.test_client().get(pdf_url(fourth_id, fourth_participant))
        finally:
            holder.release()
        assert refused.status_code == 503
        # Flask-Limiter's headers keep our Retry-After, or round it down by a second.
        assert 4 <= int(refused.headers["Retry-After"]) <= 5
        assert "TRANSCRIPT_WORKERS=3" in refused.get_json()["message"]
        for future in busy:
            response = future.result(WAIT_S)
            assert response.status_code == 200 and response.data.startswith(b"%PDF")
    assert "%s.pdf" % fourth_id not in kept(app)
    use_renderer(monkeypatch)
    assert app.test_client().get(pdf_url(fourth_id, fourth_participant)).status_code == 200


def test_the_same_transcript_asked_for_while_it_renders_waits_for_that_render(
    tmp_path, monkeypatch, holder, caplog
):
    app = make_app(tmp_path, TRANSCRIPT_WORKERS=1)
    log = tmp_path / "renders.log"
    conversation_id, participant_id, _ = chat(app)
    url = pdf_url(conversation_id, participant_id)
    use_renderer(monkeypatch, "--hold", str(holder.port), "--log", str(log))
    with (
        ThreadPoolExecutor(2) as pool,
        caplog.at_level(logging.INFO, logger="chatwidget.core.transcript_pdfs"),
    ):
        first = pool.submit(app.test_client().get, url)
        try:
            holder.wait_started(1)
            second = pool.submit(app.test_client().get, url)
            assert wait_for(lambda: "asked for again while it renders" in caplog.text, WAIT_S)
        finally:
            holder.release()
        answers = [first.result(WAIT_S), second.result(WAIT_S)]
    assert [a.status_code for a in answers] == [200, 200]  # the second took no worker
    assert answers[0].data == answers[1].data
    assert renders(log) == 1


def test_a_render_past_the_timeout_is_killed_and_answered_503(
    tmp_path, monkeypatch, holder, caplog
):
    app = make_app(tmp_path, TRANSCRIPT_RENDER_TIMEOUT_S=1)
    conversation_id, participant_id, _ = chat(app)
    use_renderer(monkeypatch, "--hold", str(holder.port))  # held and never let go
    with caplog.at_level(logging.ERROR, logger="chatwidget.core.transcript_pdfs"):
        response = app.test_client().get(pdf_url(conversation_id, participant_id))
    assert response.status_code == 503
    assert response.headers["Retry-After"]
    assert "took too long" in response.get_json()["message"]
    [pid] = holder.wait_started(1)
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)  # killed and reaped
    assert "not rendered in 1s" in caplog.text
    assert kept(app) == []  # no PDF, no temporary file


def test_a_failed_render_is_503_logged_and_nothing_is_kept(app, client, monkeypatch, caplog):
    conversation_id, participant_id, _ = chat(app)
    use_renderer(monkeypatch, "--fail")
    with caplog.at_level(logging.ERROR, logger="chatwidget.core.transcript_pdfs"):
        response = client.get(pdf_url(conversation_id, participant_id))
    assert response.status_code == 503 and response.headers["Retry-After"]
    assert "could not be rendered" in response.get_json()["message"]
    assert "fails on purpose" in caplog.text
    assert kept(app) == []
    use_renderer(monkeypatch)
    assert client.get(pdf_url(conversation_id, participant_id)).status_code == 200


def test_what_a_killed_server_left_half_rendered_is_swept_by_a_later_render(app, client):
    incoming = os.path.join(app.instance_path, "transcripts", ".incoming")
    os.makedirs(incoming)
    for name in ("stale.pdf", "fresh.pdf"):
        with open(os.path.join(incoming, name), "wb") as fh:
            fh.write(b"%PDF-1.4 cut short")
    long_ago = time.time() - 2 * app.config["TRANSCRIPT_RENDER_TIMEOUT_S"] - 60
    os.utime(os.path.join(incoming, "stale.pdf"), (long_ago, long_ago))
    conversation_id, participant_id, _ = chat(app)
    assert client.get(pdf_url(conversation_id, participant_id)).status_code == 200
    # fresh.pdf may be another process's render under way: it stays.
    assert kept(app) == sorted([".incoming/fresh.pdf", "%s.pdf" % conversation_id])
