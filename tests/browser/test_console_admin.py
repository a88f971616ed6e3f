"""The console's admin pages, driven in Chromium as an admin does (calls: test_console_calls).

A site of this module's own (console_admin.make_site): an event that a failing endpoint
refuses is dead after one attempt, and an admin agent is made by `create-agent --admin`.
"""

import os
import re
import uuid

import pytest
import requests
from playwright.sync_api import expect

from tests.browser.console_admin import (
    ADMIN_EMAIL,
    AXE,
    Receiver,
    bearer_headers,
    capture,
    duration,
    heading,
    make_site,
    serious,
    signed_in,
)

pytestmark = pytest.mark.slow  # server processes and a browser


@pytest.fixture(scope="module")
def admin_site(tmp_path_factory):
    """One site for the module: its webhook settings are not the session site's."""
    made = make_site(tmp_path_factory.mktemp("admin-site"))
    yield made
    made.close()


@pytest.fixture(scope="module")
def capture_headers(admin_site):
    """The call recorder's bearer headers, for POST /chatCapture/v1."""
    return bearer_headers(admin_site, admin_site.recorder)


def test_admin_creates_an_agent_who_can_sign_in(admin_site, people):
    page = signed_in(people, admin_site, "admin", ADMIN_EMAIL, route="admin/agents")
    heading(page, "Agents")
    form = page.get_by_role("form", name="Add agent")
    email = "new-%s@example.test" % uuid.uuid4().hex[:6]
    form.get_by_label("Name", exact=True).fill("Nora New")
    form.get_by_label("Email", exact=True).fill(email)
    form.get_by_label("Password", exact=True).fill("nora-secret-pw")
    form.get_by_label("Skills (comma separated)").fill("sales, billing")
    form.get_by_label("Max chats", exact=True).fill("4")
    form.get_by_role("button", name="Create agent").click()
    expect(form.get_by_role("status")).to_contain_text(email)
    row = page.get_by_role("table", name="Agents").get_by_role("row").filter(has_text=email)
    expect(row).to_contain_text("billing, sales")
    expect(row).to_contain_text("0 / 4")

    nora = signed_in(people, admin_site, "new-agent", email, "nora-secret-pw")
    expect(nora.get_by_role("combobox", name="Status", exact=True)).to_be_visible()
    # an agent who is not an admin is refused the admin API
    answer = nora.request.get(admin_site.url + "/api/admin/agents")
    assert answer.status == 403, answer.text()

    # capacity and password edited: the new password signs in
    row.get_by_role("button", name="Edit Nora New").click()
    page.get_by_label("Max chats of Nora New").fill("6")
    page.get_by_label("New password of Nora New").fill("nora-second-pw")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(row).to_contain_text("0 / 6")
    login = {"email": email, "password": "nora-second-pw"}
    assert requests.post(admin_site.url + "/api/agent/token", json=login, timeout=10).ok

    # deactivated: her sessions end
    people.allow(re.compile(r"status of 401"))  # her console's next call, once she is out
    page.once("dialog", lambda dialog: dialog.accept())
    row.get_by_role("button", name="Deactivate Nora New").click()
    expect(page.get_by_role("status").filter(has_text="Nora New deactivated")).to_be_visible()
    expect(row.get_by_role("button", name="Reactivate Nora New")).to_be_visible()
    assert nora.request.get(admin_site.url + "/api/console/me").status == 401
    # her open console is told at once (its socket is cut) and goes back to the sign-in form
    expect(nora.get_by_role("button", name="Sign in", exact=True)).to_be_visible()


def test_api_user_secret_shown_once_then_revoked(admin_site, people):
    page = signed_in(people, admin_site, "admin", ADMIN_EMAIL, route="admin/api-users")
    heading(page, "API users")
    form = page.get_by_role("form", name="Add API user")
    form.get_by_label("Name", exact=True).fill("crm-sync")
    roles = form.get_by_role("group", name="Roles")
    roles.get_by_role("checkbox", name="chat_capture", exact=True).check()
    roles.get_by_role("checkbox", name="call_share", exact=True).check()
    form.get_by_role("button", name="Create API user").click()
    panel = form.get_by_role("status")
    expect(panel).to_contain_text("it will not be shown again")
    client_id = panel.locator("dd").nth(0).inner_text()
    secret = panel.locator("dd").nth(1).inner_text()
    form_data = {"client_id": client_id, "client_secret": secret}
    token = requests.post(admin_site.url + "/Token", data=form_data, timeout=10)
    assert token.status_code == 200, token.text
    row = page.get_by_role("table", name="API users").get_by_role("row").filter(has_text=client_id)
    expect(row).to_contain_text("call_share, chat_capture")
    expect(row).not_to_contain_text(secret)
    panel.get_by_role("button", name="Done").click()
    expect(page.get_by_text(secret)).to_have_count(0)
    page.reload()
    expect(row).to_be_visible()
    expect(page.get_by_text(secret)).to_have_count(0)

    page.once("dialog", lambda dialog: dialog.accept())
    row.get_by_role("button", name="Revoke crm-sync").click()
    expect(page.get_by_role("status")).to_contain_text("crm-sync revoked")
    expect(row.get_by_role("button", name="Revoke crm-sync")).to_have_count(0)
    assert requests.post(admin_site.url + "/Token", data=form_data, timeout=10).status_code == 401


@pytest.fixture
def receiver():
    made = Receiver()
    yield made
    made.close()


def test_queue_created_and_listed(admin_site, people):
    page = signed_in(people, admin_site, "admin", ADMIN_EMAIL, route="admin/queues")
    heading(page, "Queues")
    table = page.get_by_role("table", name="Queues")
    expect(table.get_by_role("row").filter(has_text="sales")).to_contain_text("2")  # agents
    form = page.get_by_role("form", name="Add queue")
    form.get_by_label("Name", exact=True).fill("vip")
    form.get_by_label("Virtual agent URL", exact=True).fill("https://bot.example.test/hook")
    form.get_by_role("button", name="Create queue").click()
    expect(form.get_by_role("status")).to_contain_text("vip")
    row = table.get_by_role("row").filter(has_text="vip")
    expect(row).to_contain_text("https://bot.example.test/hook")
    form.get_by_label("Name", exact=True).fill("vip")  # taken: refused, nothing added
    people.allow(re.compile(r"status of 409"))  # Chromium logs the refused request
    form.get_by_role("button", name="Create queue").click()
    expect(form.get_by_role("alert")).to_be_visible()
    expect(form.get_by_role("status")).to_have_count(0)
    expect(table.get_by_role("row").filter(has_text="vip")).to_have_count(1)


def test_dead_webhook_event_redelivered_from_the_delivery_log(
    admin_site, capture_headers, receiver, people
):
    page = signed_in(people, admin_site, "admin", ADMIN_EMAIL, route="admin/webhooks")
    heading(page, "Webhooks")
    form = page.get_by_role("form", name="Add webhook")
    form.get_by_label("URL", exact=True).fill(receiver.url)
    expect(form.get_by_role("checkbox", name="call.summary")).to_be_checked()
    form.get_by_role("button", name="Add webhook").click()
    secret = form.get_by_role("status")
    expect(secret).to_contain_text("it will not be shown again")
    expect(secret.get_by_role("button", name="Copy")).to_be_visible()

    capture(admin_site, capture_headers, "Where is my parcel?")
    page.get_by_role("button", name="Delivery log of " + receiver.url).click()
    log = page.get_by_role("region", name="Delivery log of " + receiver.url)
    row = log.get_by_role("row").filter(has_text="call.summary")
    expect(row).to_have_attribute("data-status", "dead", timeout=20_000)
    row.get_by_text("1 attempt", exact=True).click()
    attempts = row.get_by_role("table", name="Attempts of call.summary", exact=False)
    expect(attempts).to_contain_text("500")
    assert receiver.received == [500]

    receiver.accept = True
    row.get_by_role("button", name="Redeliver", exact=False).click()
    expect(log.get_by_role("status")).to_contain_text("queued for delivery again")
    expect(row).to_have_attribute("data-status", "delivered", timeout=20_000)
    assert receiver.received == [500, 200]
    hooks = (
        page.get_by_role("table", name="Webhooks").get_by_role("row").filter(has_text=receiver.url)
    )
    # cells after the URL (a row header): Events, Pending, Delivered, Dead
    expect(hooks.get_by_role("cell").nth(2)).to_have_text("1")

    page.once("dialog", lambda dialog: dialog.accept())
    hooks.get_by_role("button", name="Remove " + receiver.url).click()
    expect(page.get_by_role("status").filter(has_text="was removed")).to_be_visible()
    expect(page.get_by_role("button", name="Remove " + receiver.url)).to_have_count(0)
    expect(log).to_have_count(0)


def test_dashboard_drawn_with_seeded_data(admin_site, people):
    admin_site.deployment.flask("seed-demo")
    page = signed_in(people, admin_site, "admin", ADMIN_EMAIL, route="admin/dashboard")
    heading(page, "Dashboard")
    numbers = page.request.get(admin_site.url + "/api/admin/dashboard?days=7").json()
    assert numbers["totals"]["conversations"] > 0, numbers
    hours = page.get_by_role("img", name=re.compile("^Bar chart of conversations per hour"))
    ratings = page.get_by_role("img", name=re.compile(r"^Bar chart of \d+ ratings"))
    expect(hours.locator("canvas")).to_have_count(1)
    expect(ratings.locator("canvas")).to_have_count(1)

    cards = page.get_by_role("list", name="Figures of the last 7 days")
    expected = {
        "Conversations": str(numbers["totals"]["conversations"]),
        "Median first response": duration(numbers["firstResponse"]["medianS"]),
        "p90 first response": duration(numbers["firstResponse"]["p90S"]),
        "Median wait in queue": duration(numbers["queueWait"]["medianS"]),
    }
    average = numbers["ratings"]["average"]
    expected["Average rating"] = "—" if average is None else "%.1f / 5" % average
    for label, value in expected.items():
        card = cards.get_by_role("listitem").filter(has=page.get_by_text(label, exact=True))
        expect(card.locator("strong")).to_have_text(value)
    total = sum(h["conversations"] for h in numbers["hours"])
    expect(hours).to_have_attribute("aria-label", re.compile(": %d in all" % total))
    stars = numbers["ratings"]["distribution"]
    for n in "12345":
        said = "%s star%s: %d" % (n, "" if n == "1" else "s", stars.get(n, 0))
        expect(ratings).to_have_attribute("aria-label", re.compile(said))

    # another period asks the server again
    page.get_by_label("Period").select_option("30")
    month = page.request.get(admin_site.url + "/api/admin/dashboard?days=30").json()
    cards = page.get_by_role("list", name="Figures of the last 30 days")
    card = cards.get_by_role("listitem").filter(has=page.get_by_text("Conversations", exact=True))
    expect(card.locator("strong")).to_have_text(str(month["totals"]["conversations"]))


CHARTS_FETCHED = """() => performance.getEntriesByType("resource")
    .some((entry) => entry.name.includes("/console/chunks/charts-"))"""


def test_admin_pages_pass_axe_and_only_the_dashboard_loads_uplot(
    admin_site, capture_headers, people
):
    if not os.path.exists(AXE):
        pytest.skip("axe-core missing (npm ci installs it, pinned in package-lock.json)")
    capture(admin_site, capture_headers, "A call to list")
    # axe comes in as an inline script, which the console's Content-Security-Policy refuses
    page = signed_in(people, admin_site, "admin", ADMIN_EMAIL, bypass_csp=True)
    for route, title in [("calls", "Calls"), ("admin/agents", "Agents"), ("admin/queues", "Queues"),
                         ("admin/api-users", "API users"), ("admin/webhooks", "Webhooks"),
                         ("admin/dashboard", "Dashboard")]:  # fmt: skip
        page.get_by_role("navigation", name="Console").get_by_role("link", name=title).click()
        heading(page, title)
        if route == "calls":
            expect(page.get_by_role("table", name=re.compile("calls? found"))).to_be_visible()
        if route == "admin/dashboard":
            expect(page.get_by_role("img").first.locator("canvas")).to_have_count(1)
        # one document throughout (hash routes): uPlot's chunk comes with the dashboard alone
        assert page.evaluate(CHARTS_FETCHED) == (route == "admin/dashboard"), route
        if not page.evaluate("typeof axe !== 'undefined'"):
            page.add_script_tag(path=AXE)
        assert serious(page) == [], route
