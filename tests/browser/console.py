"""Drive the agent console as an agent or a screen reader does: by role and accessible
name exactly as CONTRACT §6 gives them, so the tests hold for any implementation.

Set-ups and checks shared by the console tests are in tests/browser/console_chat.py.
"""

import re

from playwright.sync_api import expect

from tests.browser.widget import poll

PASSWORD = "console-test-pw"
CONNECTING = re.compile(r"^\s*(re)?connecting", re.I)
SESSION_TABLE = "SELECT count(*) FROM agent_session WHERE agent_id = :a"


class ConsoleAgent:
    """One agent at one browser tab of /console."""

    def __init__(self, page):
        self.page = page

    # -- the page's parts, by role and name (CONTRACT §6) --------------------------------

    def button(self, name):
        return self.page.get_by_role("button", name=name, exact=True)

    def textbox(self, name):
        return self.page.get_by_role("textbox", name=name, exact=True)

    @property
    def alert(self):
        return self.page.get_by_role("alert")

    @property
    def status_box(self):
        return self.page.get_by_role("combobox", name="Status", exact=True)

    @property
    def waiting(self):
        return self.page.get_by_role("list", name="Waiting", exact=True)

    @property
    def mine(self):
        return self.page.get_by_role("list", name="My conversations", exact=True)

    @property
    def offline_messages(self):
        return self.page.get_by_role("list", name="Offline messages", exact=True)

    @property
    def log(self):
        return self.page.get_by_role("log", name="Messages", exact=True)

    @property
    def whisper_box(self):
        return self.page.get_by_role("checkbox", name="Whisper", exact=True)

    @property
    def customer(self):
        return self.page.get_by_role("region", name="Customer", exact=True)

    def children(self):
        """The log's direct children (the messages)."""
        return self.log.locator(":scope > *")

    # -- what an agent does ---------------------------------------------------------------

    def sign_in_form(self, url):
        """Open /console signed out: the sign-in form."""
        self.page.goto(url + "/console")
        expect(self.button("Sign in")).to_be_visible()
        return self

    def fill_sign_in(self, email, password):
        self.textbox("Email").fill(email)
        self.textbox("Password").fill(password)
        self.button("Sign in").click()

    def sign_in(self, url, email, password=PASSWORD):
        """Sign in at url/console; the agent's day appears (its Status combobox)."""
        self.sign_in_form(url).fill_sign_in(email, password)
        expect(self.status_box).to_be_visible()
        expect(self.button("Sign out")).to_be_visible()
        self.wait_connected()
        return self

    def wait_connected(self, timeout=15_000):
        """Wait while the page says it is (re)connecting: what an agent waits on before
        choosing a status (choices made while the socket is down cannot reach the server)."""
        connecting = self.page.get_by_text(CONNECTING).filter(visible=True)
        expect(connecting).to_have_count(0, timeout=timeout)

    def sign_out(self):
        self.button("Sign out").click()
        expect(self.button("Sign in")).to_be_visible()

    def status(self):
        """The Status combobox's shown value ("Available", "Away", "Offline")."""
        return self.status_box.evaluate(
            "el => (el.tagName === 'SELECT' ? el.selectedOptions[0].textContent"
            " : (el.value || el.textContent)).trim()"
        )

    def set_status(self, label):
        """Choose label in the Status combobox (a <select>, or an ARIA combobox's options)."""
        box = self.status_box
        if box.evaluate("el => el.tagName") == "SELECT":
            box.select_option(label=label)
        else:
            box.click()
            self.page.get_by_role("option", name=label, exact=True).click()
        poll(lambda: self.status() == label, 10, "the Status combobox to show " + label)
        return self

    def waiting_item(self, text):
        """The Waiting list's item(s) showing text (a queue's name) with an Accept button."""
        accept = self.page.get_by_role("button", name="Accept", exact=True)
        return self.waiting.get_by_role("listitem").filter(has_text=text).filter(has=accept)

    def accept(self, text):
        """Press Accept on the Waiting item showing text."""
        self.waiting_item(text).first.get_by_role("button", name="Accept", exact=True).click()

    def conversation_item(self, name):
        """My conversations' item of the customer called name."""
        return self.mine.get_by_role("listitem").filter(has_text=name)

    def open_conversation(self, name):
        """Choose the customer's conversation in My conversations; its log appears."""
        item = self.conversation_item(name)
        expect(item).to_have_count(1, timeout=15_000)
        # The item, or the button or link in it named by the customer (not, say, a
        # "Remove Vera" beside it).
        named = re.compile("^" + re.escape(name))
        inner = item.get_by_role("button", name=named).or_(item.get_by_role("link", name=named))
        (inner.first if inner.count() else item).click()
        expect(self.log).to_be_visible()
        expect(self.customer).to_contain_text(name)
        return self

    def send(self, text):
        """Type text in Message and press Send (Whisper unticked: to the customer)."""
        if self.whisper_box.is_checked():
            self.whisper_box.uncheck()
        self.textbox("Message").fill(text)
        self.button("Send").click()

    def whisper(self, text):
        """Tick Whisper and send text: to agents only."""
        self.whisper_box.check()
        self.textbox("Message").fill(text)
        self.button("Send").click()

    def shown(self, text):
        """The log's children holding text."""
        return self.children().filter(has_text=text)

    def sees(self, text, timeout=15_000):
        """Wait until text is in exactly one message of the log, under its seq."""
        expect(self.shown(text)).to_have_count(1, timeout=timeout)
        expect(self.shown(text)).to_have_attribute("data-seq", re.compile(r"^\d+$"))

    def messages(self):
        """The log's direct children: [(data-seq as int or None, text, data-tag)]."""
        items = self.log.evaluate(
            "log => [...log.children].map(c =>"
            " [c.getAttribute('data-seq'), c.textContent, c.getAttribute('data-tag') || ''])"
        )
        return [(int(s) if s and s.isdigit() else None, t, tag) for s, t, tag in items]

    def transfer_to(self, target):
        """Press Transfer, then choose target (a queue's or an agent's name).

        §6 names the Transfer button only; the picker it opens is the UI's: a control
        named by target (option, menu item, radio or button) and, if asked, a confirming
        Transfer button inside a dialog.
        """
        self.button("Transfer").click()
        page = self.page
        choice = (
            page.get_by_role("option", name=target, exact=True)
            .or_(page.get_by_role("menuitem", name=target, exact=True))
            .or_(page.get_by_role("radio", name=target, exact=True))
            .or_(page.get_by_role("button", name=target, exact=True))
        )
        expect(choice.first).to_be_visible()
        choice.first.click()
        confirm = page.get_by_role("dialog").get_by_role("button", name=re.compile("^Transfer"))
        if confirm.count():
            confirm.first.click()

    def end(self):
        """Press End conversation (and confirm, when a dialog asks)."""
        self.button("End conversation").click()
        confirm = self.page.get_by_role("dialog").get_by_role(
            "button", name=re.compile("^End", re.I)
        )
        if confirm.count():
            confirm.first.click()


def me(page, url):
    """GET url/api/console/me with the page's own cookies → (HTTP status, JSON or None)."""
    answer = page.request.get(url + "/api/console/me")
    json_body = answer.headers.get("content-type", "").startswith("application/json")
    return answer.status, (answer.json() if json_body else None)


def wait_status(page, url, label):
    """Wait until the server has the agent's status as label (its /api/console/me)."""
    poll(lambda: me(page, url)[1]["status"] == label.lower(), 10, "the server to say " + label)
