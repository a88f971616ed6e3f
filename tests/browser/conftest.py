"""Browser tests: Debian's Chromium through Playwright, a real server, host pages elsewhere.

One Chromium and one served process (migrated SQLite database, an agent, a queue nobody
answers) per session, host pages on another origin, and per test a `people` fixture
that opens each person's own context, collects console errors and page errors (asserted
empty at the end) and saves a screenshot of every page under tests/browser/output/.
"""

import os
import re
import shutil
import uuid

import pytest
import requests
from playwright.sync_api import expect, sync_playwright

from tests.browser.console import ConsoleAgent
from tests.browser.console_chat import Team
from tests.browser.hosts import HostSite, page, widget_tag
from tests.browser.widget import Visitor
from tests.system.clients import Agent
from tests.system.migrated import migrate
from tests.system.servers import Deployment

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]  # fmt: skip
OUTPUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "output")
SUBJECT = "sales"  # the agent's queue
NOBODY = "afterhours"  # a queue no agent serves: the offline form's
PASSWORD = "browser-test-pw"
# What a browser says when a connection drops: expected only where a test cuts one.
NETWORK_ERRORS = re.compile(r"net::ERR_|WebSocket connection to .* failed")


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium (Playwright cannot download browsers here); skipped, saying why."""
    if not os.access(CHROMIUM, os.X_OK):
        reason = "%s missing: `make test` installs it (apt-get install chromium, as root)"
        print(reason % CHROMIUM)
        pytest.skip(reason % CHROMIUM)
    expect.set_options(timeout=10_000)  # a loaded 2-core machine, a lazily loaded app
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


class ChatSite:
    """A migrated database, `python app.py`, an agent of SUBJECT, host pages on another port."""

    def __init__(self, tmp, **env):
        self.deployment = Deployment(tmp, "sqlite:///%s" % (tmp / "chatwidget.db"))
        self.deployment.env.update(env)
        migrate(self.deployment)
        self.email = "agent-%s@example.test" % uuid.uuid4().hex[:8]
        # The server starts while the commands run: each process spends seconds importing.
        [self.server] = self.deployment.launch("server")
        try:
            self.deployment.commands(
                Deployment.create_agent(self.email, "Ada", PASSWORD, SUBJECT)
                + ("--max-chats", "50"),
                ("create-queue", NOBODY),
            )
            self.deployment.wait_ready([self.server])
        except BaseException:
            self.deployment.close()
            raise
        self.host = HostSite()
        loader = requests.get(self.url + "/widget.js", timeout=10)
        if loader.status_code != 200:  # not built: say so once, not as twelve timeouts
            self.close()
            pytest.fail("GET /widget.js: %d %s" % (loader.status_code, loader.text[:300]))

    @property
    def url(self):
        return self.server.url

    def agent(self, server_url=None):
        """A new /agent socket of the agent, set available."""
        agent = Agent(self.email, PASSWORD).connect(server_url or self.url)
        agent.available()
        return agent

    def host_page(self, name, subject=SUBJECT, server_url=None, head="", **headers):
        """A page of the host origin holding only the widget's tag; returns its URL."""
        tag = widget_tag(server_url or self.url, subject)
        return self.host.add("/%s.html" % name, page("Host page " + name, tag, head), **headers)

    def close(self):
        self.host.close()
        self.deployment.close()


# One site and one agent for the whole session (each test opens conversations of its own):
# a site costs some 8 s to set up. A test that kills its server makes its own (ChatSite).
@pytest.fixture(scope="session")
def site(tmp_path_factory):
    made = ChatSite(tmp_path_factory.mktemp("site"))
    yield made
    made.close()


@pytest.fixture(scope="session")
def agent(site):
    """The session's agent, connected and available before any visitor opens the widget."""
    connected = site.agent()
    yield connected
    connected.disconnect()


def _where(message):
    """A console message's text and, when it names one, the URL it is about."""
    url = (message.location or {}).get("url")
    return "%s (%s)" % (message.text, url) if url else message.text


class People:
    """Each person gets their own browser context (cookies, storage), like their own machine."""

    def __init__(self, browser, folder):
        self.browser = browser
        self.folder = folder
        self.pages = {}
        self.errors = []
        self.allowed = []

    def page(self, name, **context_options):
        """A page in a new context of its own, watched for errors and screenshotted."""
        context = self.browser.new_context(**context_options)
        context.set_default_timeout(10_000)
        page = context.new_page()
        page.on("console", lambda m: m.type == "error" and self._error(name, _where(m)))
        page.on("pageerror", lambda exc: self._error(name, "pageerror: %s" % exc))
        self.pages[name] = page
        return page

    def visitor(self, name="visitor", **context_options):
        return Visitor(self.page(name, **context_options))

    def agent(self, name="agent", **context_options):
        """An agent at the console, in a browser of their own (tests/browser/console.py)."""
        return ConsoleAgent(self.page(name, **context_options))

    def allow(self, pattern):
        """Console errors matching pattern are expected (a test that cuts the network)."""
        self.allowed.append(pattern)

    def _error(self, name, text):
        if not any(p.search(text) for p in self.allowed):
            self.errors.append("%s: %s" % (name, text))

    def screenshots(self, step=""):
        """Every page as <name>.png (at the end), or <name>-<step>.png along the way."""
        os.makedirs(self.folder, exist_ok=True)
        for name, one in self.pages.items():
            file = "%s-%s.png" % (name, step) if step else name + ".png"
            try:
                one.screenshot(path=os.path.join(self.folder, file), full_page=True)
            except Exception as exc:  # a crashed page: say so, keep the other screenshots
                print("no screenshot of %s: %s" % (name, exc))

    def close(self):
        for one in self.pages.values():
            one.context.close()


@pytest.fixture
def people(browser, request):
    """Visitors' pages; screenshots at the end; no console error or page error allowed."""
    folder = os.path.join(OUTPUT, request.node.module.__name__.rsplit(".", 1)[-1],
                          re.sub(r"[^\w.-]+", "_", request.node.name))  # fmt: skip
    shutil.rmtree(folder, ignore_errors=True)
    made = People(browser, folder)
    yield made
    made.screenshots()
    made.close()
    assert not made.errors, "console or page errors:\n" + "\n".join(made.errors)


@pytest.fixture
def team(site):
    """team(*names) → a Team: a fresh queue and console agents serving it alone."""
    return lambda *names, **options: Team(site.deployment, *names, **options)
