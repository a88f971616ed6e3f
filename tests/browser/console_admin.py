"""Helpers of the admin pages' browser tests: a captured call, a signed-in console, a
webhook endpoint that fails until told not to, and the page's own ways of saying things."""

import math
import os
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import requests
from playwright.sync_api import expect

from tests.browser.conftest import PASSWORD, ChatSite
from tests.system.servers import ROOT, Deployment

AXE = os.path.join(ROOT, "node_modules", "axe-core", "axe.min.js")
ADMIN_EMAIL = "boss@example.test"


def make_site(tmp):
    """A site whose webhook deliveries die at the first failure, with an admin agent and an
    API user that captures calls (`recorder`; made side by side: each command starts Python)."""
    made = ChatSite(tmp, WEBHOOK_MAX_ATTEMPTS="1", WEBHOOK_POLL_S="0.2")
    _, made.recorder = made.deployment.commands(
        Deployment.create_agent(ADMIN_EMAIL, "Bea Boss", PASSWORD, "sales") + ("--admin",),
        ("create-api-user", "recorder", "--role", "chat_capture"),
    )
    return made


def bearer_headers(site, api_user):
    """Authorization headers of an API user (client_id, client_secret) from POST /Token."""
    form = {"grant_type": "client_credentials", **api_user}
    answer = requests.post(site.url + "/Token", data=form, timeout=10)
    assert answer.status_code == 200, answer.text
    return {"Authorization": "Bearer " + answer.json()["access_token"]}


def capture(site, headers, text):
    """Capture a small chat whose customer wrote text; returns (sessionId, callId)."""
    session_id = "sess-" + uuid.uuid4().hex[:10]
    body = {
        "SessionId": session_id,
        "UtcStart": "2026-03-01T10:00:00Z",
        "UtcEnd": "2026-03-01T10:05:00Z",
        "Contacts": [
            {"Type": "Customer", "FirstName": "Jane", "Email": "jane@example.test",
             "Messages": [{"Content": text, "UtcTimestamp": "2026-03-01T10:01:00Z"}]},
            {"Type": "Agent", "FirstName": "John",
             "Messages": [{"Content": "On it.", "UtcTimestamp": "2026-03-01T10:02:00Z"}]},
        ],
    }  # fmt: skip
    answer = requests.post(site.url + "/chatCapture/v1", json=body, headers=headers, timeout=10)
    assert answer.status_code == 200, answer.text
    return session_id, answer.json()["callId"]


def signed_in(people, site, name, email, password=PASSWORD, route="", **context_options):
    """A new person (own context) signed in at /console, then at route (e.g. "admin/agents")."""
    # The console scrolls inside its own columns, so a full-page screenshot is the window:
    # a tall one shows an admin page whole.
    context_options.setdefault("viewport", {"width": 1280, "height": 1400})
    page = people.visitor(name, **context_options).page
    page.goto(site.url + "/console")
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("button", name="Sign out", exact=True)).to_be_visible()
    if route:  # once the app is up (its menu shows), a new hash is a move inside it
        expect(page.get_by_role("navigation", name="Console")).to_be_visible()
        page.goto("%s/console#/%s" % (site.url, route))
    return page


def heading(page, title):
    expect(page.get_by_role("heading", name=title, exact=True, level=1)).to_be_visible()


class Receiver:
    """A webhook endpoint on this machine that refuses (500) until told to accept."""

    def __init__(self):
        self.accept = False
        self.received = []  # (event id header, status answered)
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                status = 200 if receiver.accept else 500
                receiver.received.append(status)
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = "http://127.0.0.1:%d/hook" % self.server.server_port
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def duration(value):
    """The page's way of saying seconds (ui.tsx seconds()): JavaScript's Math.round, then units."""
    if value is None:
        return "—"
    s = math.floor(value + 0.5)
    if s < 60:
        return "%d s" % s
    if s < 3600:
        return "%d min %d s" % (s // 60, s % 60)
    return "%d h %d min" % (s // 3600, (s % 3600) // 60)


def serious(page):
    """axe-core's serious and critical violations in the page's admin content."""
    result = page.evaluate("() => axe.run(document.querySelector('.adm-page'))")
    return [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]])
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
