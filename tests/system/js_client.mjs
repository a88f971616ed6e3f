// A customer driven by the official socket.io-client package (CONTRACT §4), for
// tests/system/test_js_client.py:
//
//   node tests/system/js_client.mjs BASE_URL TRANSPORT
//
// init (POST /api/customer/init) → connect with only TRANSPORT (websocket or polling) →
// joinConversation (ack) → sendMessage (emitWithAck) → wait for messageArrived of its own
// message and of an agent's reply. Prints one JSON line per step on stdout; the last one
// is {"step": "done", ...}. Any failure prints {"step": "error", ...} and exits 1.
import { io } from "socket.io-client";

const [baseUrl, transport] = process.argv.slice(2);
const TIMEOUT_MS = 15000;

function report(step, fields) {
  process.stdout.write(JSON.stringify({ step, ...fields }) + "\n");
}

function fail(error) {
  report("error", { message: String(error && error.stack ? error.stack : error) });
  process.exit(1);
}

const watchdog = setTimeout(() => fail(new Error("timed out")), 4 * TIMEOUT_MS);

// Resolves with the first messageArrived for which match(message) is true, seen or to come.
function arrivals(socket) {
  const seen = [];
  const waiting = [];
  socket.on("messageArrived", (message) => {
    seen.push(message);
    for (const w of waiting.slice()) {
      if (w.match(message)) {
        waiting.splice(waiting.indexOf(w), 1);
        w.resolve(message);
      }
    }
  });
  return {
    seen,
    waitFor(match, what) {
      const found = seen.find(match);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error("no messageArrived: " + what)), TIMEOUT_MS);
        waiting.push({
          match,
          resolve(message) {
            clearTimeout(timer);
            resolve(message);
          },
        });
      });
    },
  };
}

async function main() {
  const answer = await fetch(baseUrl + "/api/customer/init", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ channel: "web", email: "js@example.test", firstName: "Jo" }),
  });
  if (answer.status !== 200) throw new Error("init: " + answer.status + " " + (await answer.text()));
  const init = await answer.json();
  report("init", { init });

  const socket = io(baseUrl, { transports: [transport], reconnection: false });
  const messages = arrivals(socket);
  const infos = [];
  socket.on("conversationInfo", (info) => infos.push(info));
  await new Promise((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("connect_error", reject);
  });
  report("connected", { transport: socket.io.engine.transport.name });

  const conversationId = init.conversationId;
  const joined = await socket
    .timeout(TIMEOUT_MS)
    .emitWithAck("joinConversation", { conversationId, id: init.participant.id, name: "Jo" });
  report("joined", { ack: joined });
  if (joined.status !== "ok") throw new Error("join refused");

  const text = "hello from socket.io-client over " + transport;
  const sent = await socket
    .timeout(TIMEOUT_MS)
    .emitWithAck("sendMessage", { type: "ChatMessage", conversationId, text, to: [], attachments: [], tag: "" });
  report("sent", { ack: sent });
  if (sent.status !== "ok") throw new Error("send refused");

  const own = await messages.waitFor((m) => m.id === sent.id, "own message");
  const reply = await messages.waitFor(
    (m) => m.type === "ChatMessage" && m.from && m.from.role === "agent",
    "the agent's reply",
  );
  report("done", {
    transport: socket.io.engine.transport.name,
    conversationId,
    joined,
    sent,
    own,
    reply,
    greetings: messages.seen.filter((m) => m.activityType === "greetings").length,
    conversationInfo: infos.length,
  });
  clearTimeout(watchdog);
  socket.disconnect();
}

main().catch(fail);
