"""Socket.IO clients for the system tests: python-socketio's real Client, events recorded.

Handlers run on the client's own threads and append to a Recorder; tests wait on the
Recorder's condition with a timeout, never on a sleep.
"""

import threading
import uuid

import requests
import socketio

TIMEOUT = 10


class Recorder:
    """Events as they arrive, and a condition to wait for one."""

    def __init__(self):
        self.cond = threading.Condition()
        self.events = []  # (name, payload) in arrival order

    def handler(self, name):
        def record(payload=None):
            with self.cond:
                self.events.append((name, payload))
                self.cond.notify_all()

        return record

    def of(self, name):
        with self.cond:
            return [payload for event, payload in self.events if event == name]

    def wait(self, predicate, what, timeout=TIMEOUT):
        """Wait until predicate() holds (checked under the lock); fail naming what."""
        with self.cond:
            if not self.cond.wait_for(predicate, timeout):
                raise AssertionError("gave up after %ss waiting for %s" % (timeout, what))

    def wait_message(self, match, what, timeout=TIMEOUT):
        """The first messageArrived for which match(message) is true."""
        found = []

        def check():
            found[:] = [m for m in self._messages() if match(m)]
            return bool(found)

        self.wait(check, what, timeout)
        return found[0]

    def _messages(self):
        return [payload for event, payload in self.events if event == "messageArrived"]

    def messages(self):
        with self.cond:
            return self._messages()


def chat_message(conversation_id, text, message_id=None):
    message = {"type": "ChatMessage", "conversationId": conversation_id, "text": text}
    if message_id:
        message["id"] = message_id
    return message


def check_ok(ack, what):
    assert isinstance(ack, dict) and ack.get("status") == "ok", "%s: %r" % (what, ack)
    return ack


class Customer:
    """A customer: init over HTTP once, then any number of sockets joining that pair."""

    def __init__(self, base_url, subject="general", email=None):
        body = {
            "channel": "web",
            "email": email or "c-%s@example.test" % uuid.uuid4().hex[:8],
            "firstName": "Carla",
            "subject": subject,
        }
        answer = requests.post(base_url + "/api/customer/init", json=body, timeout=TIMEOUT)
        assert answer.status_code == 200, answer.text
        self.init = answer.json()
        self.conversation_id = self.init["conversationId"]
        self.participant_id = self.init["participant"]["id"]
        self.client = None
        self.recorder = None

    def connect(self, base_url, transports=("websocket",)):
        """A new socket (the old one, if any, is gone); events recorded afresh."""
        self.recorder = Recorder()
        self.client = socketio.Client(reconnection=False)
        for name in ("messageArrived", "conversationInfo", "endOfConversation"):
            self.client.on(name, self.recorder.handler(name))
        self.client.connect(base_url, transports=list(transports), wait_timeout=TIMEOUT)
        return self

    def join(self):
        pair = {"conversationId": self.conversation_id, "id": self.participant_id, "name": "Carla"}
        return check_ok(self.client.call("joinConversation", pair, timeout=TIMEOUT), "join")

    def send(self, text, message_id=None):
        message = chat_message(self.conversation_id, text, message_id)
        return check_ok(self.client.call("sendMessage", message, timeout=TIMEOUT), "send")

    def info(self, after_seq):
        request = {"conversationId": self.conversation_id, "afterSeq": after_seq}
        return check_ok(self.client.call("conversationInfo", request, timeout=TIMEOUT), "info")

    def disconnect(self):
        if self.client is not None:
            self.client.disconnect()


class Agent:
    """An agent signed in with a token on namespace /agent."""

    NS = "/agent"

    def __init__(self, email, password):
        self.email, self.password = email, password
        self.client = None
        self.recorder = None

    def connect(self, base_url):
        login = {"email": self.email, "password": self.password}
        answer = requests.post(base_url + "/api/agent/token", json=login, timeout=TIMEOUT)
        assert answer.status_code == 200, answer.text
        self.recorder = Recorder()
        self.client = socketio.Client(reconnection=False)
        for name in ("messageArrived", "conversationAssigned", "queueUpdated"):
            self.client.on(name, self.recorder.handler(name), namespace=self.NS)
        self.client.connect(
            base_url,
            namespaces=[self.NS],
            auth={"token": answer.json()["token"]},
            transports=["websocket"],
            wait_timeout=TIMEOUT,
        )
        return self

    def call(self, event, data):
        return check_ok(self.client.call(event, data, namespace=self.NS, timeout=TIMEOUT), event)

    def available(self):
        return self.call("setStatus", {"status": "available"})

    def wait_assigned(self, conversation_id, timeout=TIMEOUT):
        """The conversationAssigned payload for this conversation."""
        found = []

        def check():
            found[:] = [
                p
                for name, p in self.recorder.events
                if name == "conversationAssigned"
                and p["conversation"]["conversationId"] == conversation_id
            ]
            return bool(found)

        self.recorder.wait(check, "conversationAssigned of %s" % conversation_id, timeout)
        return found[0]

    def send(self, conversation_id, text):
        return self.call("sendMessage", chat_message(conversation_id, text))

    def info(self, conversation_id, after_seq=0):
        return self.call(
            "conversationInfo", {"conversationId": conversation_id, "afterSeq": after_seq}
        )

    def disconnect(self):
        if self.client is not None:
            self.client.disconnect()
