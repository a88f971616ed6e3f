"""The end of a console chat: a transfer to another agent, the end on both sides, and the
visitor's rating in the customer panel."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.console_chat import available_at, start_chat, stored
from tests.browser.widget import poll

pytestmark = pytest.mark.slow  # server processes and a browser

ENDED = re.compile(r"\bended\b", re.I)


def conversation_row(site, conversation_id):
    """(state, agent's name or None, rating, comment) as the database has them."""
    [row] = site.deployment.rows(
        "SELECT c.state, a.name, c.rating, c.rating_comment FROM conversation c"
        " LEFT JOIN agent a ON a.id = c.agent_id WHERE c.conversation_id = :c",
        c=conversation_id,
    )
    return tuple(row)


def test_transfer_to_a_second_agent_in_another_browser(site, team, people):
    first, second = team("Tess"), team("Theo")  # Theo serves another queue: routing is Tess's
    tess = available_at(people, site.url, first.emails["Tess"], "tess")
    theo = available_at(people, site.url, second.emails["Theo"], "theo")
    url = site.host_page("transfer-" + first.queue, subject=first.queue)
    visitor, conversation_id = start_chat(people, tess, url, "Tomas Transfer")
    visitor.send("V1 I need the billing team")
    tess.sees("V1 I need the billing team")
    tess.whisper("W1 for Theo: he was double charged")
    tess.sees("W1 for Theo: he was double charged")
    expect(theo.conversation_item("Tomas Transfer")).to_have_count(0)

    tess.transfer_to("Theo")
    expect(theo.conversation_item("Tomas Transfer")).to_have_count(1, timeout=15_000)
    expect(tess.conversation_item("Tomas Transfer")).to_have_count(0, timeout=15_000)
    assert conversation_row(site, conversation_id)[:2] == ("assigned", "Theo")
    theo.open_conversation("Tomas Transfer")
    # The history comes along, the whisper meant for the next agent included.
    theo.sees("V1 I need the billing team")
    theo.sees("W1 for Theo: he was double charged")
    expect(theo.shown("W1 for Theo")).to_have_attribute("data-tag", "whisper")
    theo.send("A1 Theo from billing here")
    visitor.sees("A1 Theo from billing here")
    visitor.send("V2 thanks Theo")
    theo.sees("V2 thanks Theo")
    assert "double charged" not in visitor.shadow_html()

    # Back to Tess's queue: she is its only agent, and Available, so routing gives it her.
    theo.transfer_to(first.queue)
    expect(tess.conversation_item("Tomas Transfer")).to_have_count(1, timeout=15_000)
    tess.open_conversation("Tomas Transfer")
    tess.sees("V2 thanks Theo")
    tess.send("A2 Tess again, all sorted")
    visitor.sees("A2 Tess again, all sorted")
    assert conversation_row(site, conversation_id)[:2] == ("assigned", "Tess")


def test_end_on_both_sides_then_the_rating_in_the_customer_panel(site, team, people):
    crew = team("Edda")
    edda = available_at(people, site.url, crew.emails["Edda"])
    url = site.host_page("end-" + crew.queue, subject=crew.queue)
    visitor, conversation_id = start_chat(people, edda, url, "Ruth Rater", "ruth@example.test")
    visitor.send("V1 that is all, thanks")
    edda.sees("V1 that is all, thanks")
    edda.send("A1 glad to help, bye")
    visitor.sees("A1 glad to help, bye")

    edda.end()
    # The visitor sees it ended (the rating form replaces the composer) ...
    rating = visitor.page.get_by_role("radiogroup", name="Rate this chat")
    expect(rating).to_be_visible()
    expect(visitor.textbox("Message")).to_have_count(0)
    # ... and so does the agent: nothing left to press or write, the pane says it ended.
    live = {"exact": True, "disabled": False}
    expect(edda.page.get_by_role("button", name="End conversation", **live)).to_have_count(0)
    expect(edda.page.get_by_role("textbox", name="Message", **live)).to_have_count(0)
    expect(edda.page.get_by_text(ENDED).first).to_be_visible()
    assert conversation_row(site, conversation_id)[0] == "ended"

    rating.get_by_role("radio", name="4", exact=True).check()
    visitor.textbox("Comment").fill("Quick and kind")
    visitor.button("Send rating").click()
    poll(
        lambda: conversation_row(site, conversation_id)[2:] == (4, "Quick and kind"),
        10,
        "the rating stored",
    )
    # The agent looks at the conversation again: its customer panel shows the rating.
    edda.open_conversation("Ruth Rater")
    expect(edda.customer).to_contain_text("Quick and kind", timeout=15_000)
    expect(edda.customer).to_contain_text(re.compile(r"\b4\b"))
    expect(edda.customer).to_contain_text("ruth@example.test")
    assert [t for _, t, _ in stored(site.deployment, conversation_id)] == [
        "V1 that is all, thanks",
        "A1 glad to help, bye",
    ]
