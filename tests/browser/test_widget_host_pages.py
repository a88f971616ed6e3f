"""Hostile host pages: CSS that resets everything, a strict Content-Security-Policy; axe-core."""

import os

import pytest
from playwright.sync_api import expect

from tests.browser.widget import exchange, start_chat
from tests.system.servers import ROOT

pytestmark = pytest.mark.slow  # server processes and a browser

AXE = os.path.join(ROOT, "node_modules", "axe-core", "axe.min.js")
# The reset, and inherited properties a page commonly sets on its body (a reset
# alone sends only initial values down): none may reach into the widget.
HOSTILE = (
    "<style>* { all: unset !important }\n"
    "html, body { letter-spacing: 4px !important; word-spacing: 9px !important;"
    " text-transform: uppercase !important; text-indent: 40px !important;"
    " font: italic 30px/3 serif !important; color: red !important }</style>"
)
STYLES = ["width", "height", "font-size", "font-family", "font-style", "line-height", "color",
          "background-color", "letter-spacing", "word-spacing", "text-transform", "text-indent",
          "border-radius", "cursor", "position", "display", "z-index"]  # fmt: skip
LOOK = """(el, names) => {
  const style = getComputedStyle(el);
  return Object.fromEntries(names.map(name => [name, style.getPropertyValue(name)]));
}"""


def looks(visitor):
    """What a visitor sees of the widget: boxes and computed styles, closed then open."""
    closed = {
        "launcher box": visitor.launcher.bounding_box(),
        "launcher style": visitor.launcher.evaluate(LOOK, STYLES),
    }
    visitor.open()
    name = visitor.textbox("Name")
    return closed | {
        "dialog box": visitor.dialog.bounding_box(),
        "dialog style": visitor.dialog.evaluate(LOOK, STYLES),
        "name box": name.bounding_box(),
        "name style": name.evaluate(LOOK, STYLES),
        "start box": visitor.button("Start chat").bounding_box(),
    }


def test_a_page_that_unsets_all_css_does_not_change_the_widget(site, agent, people):
    # An agent is available (the agent fixture): both panels show the pre-chat form.
    plain = people.visitor("plain").goto(site.host_page("plain"))
    hostile = people.visitor("hostile").goto(site.host_page("hostile", head=HOSTILE))
    assert hostile.page.evaluate("getComputedStyle(document.body).display") == "inline"
    assert looks(hostile) == looks(plain)


def test_a_strict_content_security_policy_page_works(site, agent, people):
    ws = site.url.replace("http://", "ws://")
    policy = (
        "default-src 'none'; script-src %s; connect-src %s %s; img-src %s blob: data:; "
        "style-src 'self'" % (site.url, site.url, ws, site.url)
    )
    url = site.host_page("strict", Content_Security_Policy=policy)
    visitor = people.visitor()
    visitor.page.add_init_script(
        "window.__violations = [];"
        "document.addEventListener('securitypolicyviolation',"
        " e => __violations.push(e.violatedDirective + ' ' + e.blockedURI), true);"
    )
    visitor.goto(url)
    conversation_id = start_chat(visitor, agent)
    exchange(visitor, agent, conversation_id, "Hello from a strict page", "Hello back")
    assert visitor.page.evaluate("window.__violations") == []


def serious(visitor):
    """axe-core's serious and critical violations over the whole page, widget included."""
    result = visitor.page.evaluate("() => axe.run(document)")
    return [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]])
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_axe_finds_no_serious_violation_in_the_open_widget(site, agent, people):
    if not os.path.exists(AXE):
        pytest.skip("axe-core missing (npm ci installs it, pinned in package-lock.json)")
    visitor = people.visitor().goto(site.host_page("plain")).open()
    visitor.page.add_script_tag(path=AXE)
    assert serious(visitor) == []  # the pre-chat form
    visitor.button("Close chat").click()
    expect(visitor.dialog).to_be_hidden()
    conversation_id = start_chat(visitor, agent)
    exchange(visitor, agent, conversation_id, "A question", "An answer to read")
    assert serious(visitor) == []  # the chat with its log and composer
