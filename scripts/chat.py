"""A terminal chat client: talk as a customer or as an agent to a running server.

    .venv/bin/python scripts/chat.py customer --email jane@example.com --name Jane
    .venv/bin/python scripts/chat.py agent --email ann@example.com --password secret123

Type a line to send it. Agents: `/whisper TEXT` writes to agents only, `/end` ends the
current conversation, `/use N` switches conversation. Customers: `/end` ends the chat.
`--url` names the server (default http://127.0.0.1:5000). A customer's client first prints
its conversation id and participant id as `export` lines for the transcript calls.
Each message shows its `seq` in brackets; a customer's have gaps where whispers and messages
for others sit, which it is not shown.
"""

import argparse
import sys
import threading

import requests
import socketio


def show(message):
    """Print one messageArrived on a line."""
    who = (message.get("from") or {}).get("name", "?")
    if message.get("type") == "ActivityMessage":
        if message.get("activityType") != "typing":  # typing is not stored: it has no seq
            activity = (message.get("seq"), message.get("activityType"), who)
            print("[%s] · %s %s %s" % (*activity, message.get("info") or ""))
        return
    tag = " (whisper)" if message.get("tag") == "whisper" else ""
    print("[%s] %s%s: %s" % (message.get("seq"), who, tag, message.get("text")))


def customer(args):
    """Open a conversation and chat in it."""
    body = {"channel": "web", "email": args.email, "firstName": args.name, "subject": args.subject}
    reply = requests.post(args.url + "/api/customer/init", json=body, timeout=10)
    if reply.status_code != 200:
        sys.exit("init failed: %s" % reply.json().get("message"))
    init = reply.json()
    conversation = init["conversationId"]
    # For the transcript and attachment calls of the README, pasted into another shell.
    print("export CONVERSATION_ID=%s" % conversation)
    print(
        "export PARTICIPANT_ID=%s   # the customer's secret: whoever holds it may join; "
        "keep it private" % init["participant"]["id"]
    )
    client = socketio.Client()
    client.on("messageArrived", show)
    client.connect(args.url)
    pair = {"conversationId": conversation, "id": init["participant"]["id"], "name": args.name}
    print("joined:", client.call("joinConversation", pair)["status"], conversation)
    for line in sys.stdin:
        text = line.rstrip("\n")
        if text == "/end":
            client.call("endConversation", {"conversationId": conversation})
            break
        if text:
            message = {"type": "ChatMessage", "conversationId": conversation, "text": text}
            ack = client.call("sendMessage", message)
            if ack.get("status") != "ok":
                print("!", ack.get("message"))
    client.disconnect()


def agent(args):
    """Sign in, become available, answer whatever is assigned."""
    login = {"email": args.email, "password": args.password}
    reply = requests.post(args.url + "/api/agent/token", json=login, timeout=10)
    if reply.status_code != 200:
        sys.exit("sign-in failed: %s" % reply.json().get("message"))
    ns = "/agent"
    current = []  # assigned conversation ids; the last one is where lines go
    lock = threading.Lock()
    client = socketio.Client()
    client.on("messageArrived", show, namespace=ns)

    def assigned(payload):
        with lock:
            current.append(payload["conversation"]["conversationId"])
            print("* conversation %d assigned: %s" % (len(current), current[-1]))

    client.on("conversationAssigned", assigned, namespace=ns)
    client.connect(args.url, namespaces=[ns], auth={"token": reply.json()["token"]})
    print("status:", client.call("setStatus", {"status": "available"}, namespace=ns))
    for line in sys.stdin:
        text = line.rstrip("\n")
        with lock:
            target = current[-1] if current else None
        if text.startswith("/use "):
            with lock:  # move conversation N (1-based, in order of assignment) to the end
                current.append(current.pop(int(text.split()[1]) - 1))
            continue
        if not text:
            continue
        if not target:
            print("! no conversation assigned yet")
            continue
        if text == "/end":
            print(client.call("endConversation", {"conversationId": target}, namespace=ns))
            continue
        tag = "whisper" if text.startswith("/whisper ") else ""
        body = text[len("/whisper ") :] if tag else text
        message = {"type": "ChatMessage", "conversationId": target, "text": body, "tag": tag}
        ack = client.call("sendMessage", message, namespace=ns)
        if ack.get("status") != "ok":
            print("!", ack.get("message"))
    client.disconnect()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("role", choices=["customer", "agent"])
    parser.add_argument("--url", default="http://127.0.0.1:5000", help="the server's address")
    parser.add_argument("--email", required=True)
    parser.add_argument("--name", default="Customer")
    parser.add_argument("--password")
    parser.add_argument("--subject", default="general")
    args = parser.parse_args()
    (customer if args.role == "customer" else agent)(args)


if __name__ == "__main__":
    main()
