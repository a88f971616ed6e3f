"""The official JavaScript client (npm socket.io-client, pinned in package-lock.json).

tests/system/js_client.mjs plays the customer: init → connect → joinConversation →
sendMessage → messageArrived of its own message and of the agent's reply; the agent is
python-socketio. Once with websocket only, once with long-polling only. `make test`
installs the package with `npm ci`; without node on the machine the test is skipped.
"""

import json
import os
import shutil
import subprocess

import pytest

from tests.system.clients import Agent
from tests.system.migrated import migrate
from tests.system.servers import ROOT, Deployment

pytestmark = pytest.mark.slow

SCRIPT = os.path.join(ROOT, "tests", "system", "js_client.mjs")
PACKAGE = os.path.join(ROOT, "node_modules", "socket.io-client", "package.json")
PASSWORD = "correct horse battery"


def node_or_skip():
    """node, with socket.io-client installed; skipped (saying why) without node or npm."""
    node = shutil.which("node")
    reason = None
    if node is None:
        reason = "node is not installed: the socket.io-client compatibility test needs it"
    elif not os.path.exists(PACKAGE) and shutil.which("npm") is None:
        reason = "npm is not installed, so neither is socket.io-client: test skipped"
    if reason:
        print(reason)
        pytest.skip(reason)
    assert os.path.exists(PACKAGE), (
        "socket.io-client is not installed: run `npm ci` (make test does)"
    )
    return node


@pytest.fixture(scope="module")
def js_server(tmp_path_factory):
    """One server on SQLite with one agent, shared by both transports."""
    node_or_skip()  # before starting anything
    tmp = tmp_path_factory.mktemp("js")
    deployment = Deployment(tmp, "sqlite:///%s" % (tmp / "chatwidget.db"))
    try:
        migrate(deployment)
        [server] = deployment.launch("server")
        deployment.commands(deployment.create_agent("jay@example.test", "Jay", PASSWORD, "general"))
        deployment.wait_ready([server])
        yield server
    finally:
        deployment.close()


def is_customer_chat(message):
    return message.get("type") == "ChatMessage" and message["from"]["role"] == "customer"


@pytest.mark.parametrize("transport", ["websocket", "polling"])
def test_official_js_client_chats_with_an_agent(transport, js_server):
    node = node_or_skip()
    agent = Agent("jay@example.test", PASSWORD).connect(js_server.url)
    agent.available()
    process = subprocess.Popen(
        [node, SCRIPT, js_server.url, transport],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        asked = agent.recorder.wait_message(is_customer_chat, "the JS customer's message", 30)
        conversation = asked["conversationId"]
        reply = agent.send(conversation, "hello Jo, Jay here")
        out, err = process.communicate(timeout=30)
    except BaseException:
        process.kill()
        out, err = process.communicate()
        print("----- node stdout -----\n%s\n----- node stderr -----\n%s" % (out, err))
        raise
    finally:
        agent.disconnect()
    steps = [json.loads(line) for line in out.splitlines() if line.strip()]
    assert process.returncode == 0, (out, err)
    done = steps[-1]
    assert done["step"] == "done", steps
    assert done["transport"] == transport  # no upgrade, no fallback: only the one asked for
    assert done["conversationId"] == conversation
    assert done["joined"]["status"] == "ok"
    sent = done["sent"]
    assert sent["status"] == "ok" and sent["id"] == asked["id"] and sent["seq"] == asked["seq"]
    assert done["own"]["id"] == sent["id"] and done["own"]["text"] == asked["text"]
    assert done["own"]["from"]["role"] == "customer"
    assert done["reply"]["id"] == reply["id"] and done["reply"]["seq"] == reply["seq"]
    assert done["reply"]["text"] == "hello Jo, Jay here"
    assert reply["seq"] > sent["seq"]
    assert done["greetings"] == 1 and done["conversationInfo"] == 1

    agent.connect(js_server.url)  # leave the agent free for the next transport
    agent.call("endConversation", {"conversationId": conversation})
    agent.disconnect()
