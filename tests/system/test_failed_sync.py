"""A WAL sync that fails ends the served process (checkpoint.give_up), and the message it
was syncing is neither acked "ok" nor refused: it was committed and may be on disk. Its
sender resends it by id to the next process and gets one stored message, acked."""

import uuid

from tests.system.clients import TIMEOUT, Customer, chat_message
from tests.system.servers import ROOT

FAILING = ROOT + "/tests/system/failing_sync.py"


def test_a_failed_wal_sync_stops_the_process_and_the_resend_is_stored_once(
    tmp_path, make_deployment
):
    marker = tmp_path / "fail-sync"
    database_url = "sqlite:///%s" % (tmp_path / "chatwidget.db")
    deployment = make_deployment(database_url, FAIL_SYNC_FILE=marker)
    [failing] = deployment.start("failing", script=FAILING)
    customer = Customer(failing.url).connect(failing.url)
    customer.client.on("disconnect", customer.recorder.handler("disconnect"))
    customer.join()
    before = customer.send("saved before")

    marker.touch()  # the disk goes bad
    message_id, acks = str(uuid.uuid4()), []
    message = chat_message(customer.conversation_id, "maybe saved", message_id)
    customer.client.emit("sendMessage", message, callback=lambda ack=None: acks.append(ack))
    assert failing.process.wait(TIMEOUT) == 74  # EX_IOERR
    customer.recorder.wait(lambda: customer.recorder.of("disconnect"), "the socket to close")
    assert acks == []  # neither "saved" nor "nothing changed"
    assert "syncing the WAL failed" in failing.log()

    marker.unlink()
    [second] = deployment.start("second")  # same database, WAL replayed as it is on disk
    customer.connect(second.url).join()
    again = customer.send("maybe saved", message_id)
    assert again["id"] == message_id and again["seq"] > before["seq"]
    stored = customer.info(0)["messages"]
    chats = [(m["id"], m["seq"], m["text"]) for m in stored if m["type"] == "ChatMessage"]
    assert chats == [
        (before["id"], before["seq"], "saved before"),
        (message_id, again["seq"], "maybe saved"),
    ]
    customer.disconnect()
