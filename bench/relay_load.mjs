// Load generator for bench/relay.py: C conversations, each a customer socket and an agent
// socket (official socket.io-client, websocket transport), messages both ways.
//
//   node bench/relay_load.mjs SETUP_JSON
//
// SETUP_JSON: {"url", "agentUrl", "mode": "app" | "bare", "conversations",
//              "agents": [{"email", "password"}]}
//   customers talk to url, agents to agentUrl (url when absent): with two server processes
//   each message crosses from one to the other.
//   app:  each agent gets a token (POST /api/agent/token), connects to /agent with it and sets
//         itself available; each customer does POST /api/customer/init, connects to / and
//         joins; the server routes every conversation to an agent (conversationAssigned).
//   bare: the same sockets, but nothing is asked over HTTP: the customer joins
//         "bare-<i>" and the generator tells agent i % A to join it too (bench/bare_relay.py).
//
// Then it reads one JSON command a line on stdin:
//   {"cmd": "run", "rate", "seconds", "warmup", "drain"}: R messages/s in total, alternately
//       customer → agent and agent → customer per conversation, each text stamped with its
//       key and send time. Warm-up first (not counted), then the window; sending goes on at
//       the same rate until every message of the window reached the other side or `drain`
//       seconds passed. Prints {"event": "window-start"}, {"event": "window-end"}, then
//       {"event": "result", ...}.
//   {"cmd": "quit"}
//
// Only the other side's messageArrived counts: the sender's own copy is ignored. A message
// is lost when its ack said ok and the other side had not received it when the drain ended.
import { io } from "socket.io-client";
import { monitorEventLoopDelay, performance } from "node:perf_hooks";
import { createInterface } from "node:readline";

const setup = JSON.parse(process.argv[2]);
const { url, mode } = setup;
const agentUrl = setup.agentUrl || url;
const C = setup.conversations;
const ACK_TIMEOUT_MS = 30000;
const SETUP_TIMEOUT_MS = 120000;

function say(event, fields) {
  process.stdout.write(JSON.stringify({ event, ...fields }) + "\n");
}

function fail(error) {
  say("error", { message: String(error && error.stack ? error.stack : error) });
  process.exit(1);
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function connect(base, path, auth) {
  const socket = io(base + path, {
    transports: ["websocket"],
    reconnection: false,
    forceNew: true,
    auth,
    timeout: SETUP_TIMEOUT_MS,
  });
  return new Promise((resolve, reject) => {
    socket.once("connect", () => resolve(socket));
    socket.once("connect_error", reject);
  });
}

async function post(base, path, body) {
  const answer = await fetch(base + path, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  if (answer.status !== 200) throw new Error(path + ": " + answer.status + " " + (await answer.text()));
  return answer.json();
}

async function ack(socket, event, data) {
  const answer = await socket.timeout(SETUP_TIMEOUT_MS).emitWithAck(event, data);
  if (!answer || answer.status !== "ok") throw new Error(event + ": " + JSON.stringify(answer));
  return answer;
}

// Run fn(i) for i in [0, n) with at most `width` at once.
async function pool(n, width, fn) {
  let next = 0;
  const workers = Array.from({ length: Math.min(width, n) }, async () => {
    while (next < n) await fn(next++);
  });
  await Promise.all(workers);
}

// --- the conversations ---------------------------------------------------------------------

const conversations = []; // {id, customer, agent}: the two sockets of each conversation
const agentSockets = [];
const byConversationId = new Map();

// The measurement state of the current step, reset by each run.
let step = null;

function onArrived(side) {
  // side: who received it ("customer" or "agent"); only the other side's messages count.
  const other = side === "customer" ? "agent" : "customer";
  return (message) => {
    if (!step || !message || message.type !== "ChatMessage") return;
    if (!message.from || message.from.role !== other) return;
    const text = message.text;
    if (typeof text !== "string" || !text.startsWith("b:")) return;
    const now = performance.now();
    const [, key, sent] = text.split(":", 3);
    step.arrivedTotal++;
    if (step.inWindow) step.arrivedInWindow++;
    const pending = step.pending.get(key);
    if (pending === undefined) return; // warm-up, tail, or a previous step
    step.pending.delete(key);
    step.latencies.push(now - Number(sent));
  };
}

async function setupApp() {
  const assigned = new Map(); // conversationId → agent socket
  let wanted = null;
  let allAssigned;
  const done = new Promise((resolve) => (allAssigned = resolve));
  await pool(setup.agents.length, 8, async (i) => {
    const { token } = await post(agentUrl, "/api/agent/token", setup.agents[i]);
    const socket = await connect(agentUrl, "/agent", { token });
    socket.on("messageArrived", onArrived("agent"));
    socket.on("conversationAssigned", (payload) => {
      assigned.set(payload.conversation.conversationId, socket);
      if (wanted !== null && assigned.size >= wanted) allAssigned();
    });
    await ack(socket, "setStatus", { status: "available" });
    agentSockets.push(socket);
  });
  await pool(C, 16, async (i) => {
    const init = await post(url, "/api/customer/init", {
      channel: "web",
      email: "bench-" + i + "@example.test",
      firstName: "Bench" + i,
    });
    const socket = await connect(url, "/", undefined);
    socket.on("messageArrived", onArrived("customer"));
    const conversationId = init.conversationId;
    await ack(socket, "joinConversation", { conversationId, id: init.participant.id, name: "Bench" + i });
    conversations.push({ id: conversationId, customer: socket, agent: null });
  });
  wanted = C;
  if (assigned.size >= wanted) allAssigned();
  const timer = setTimeout(() => fail(new Error("only " + assigned.size + " of " + C + " assigned")), SETUP_TIMEOUT_MS);
  await done;
  clearTimeout(timer);
  for (const conversation of conversations) conversation.agent = assigned.get(conversation.id);
}

async function setupBare() {
  await pool(setup.agents.length, 8, async () => {
    const socket = await connect(agentUrl, "/agent", { token: "bare" });
    socket.on("messageArrived", onArrived("agent"));
    agentSockets.push(socket);
  });
  await pool(C, 16, async (i) => {
    const conversationId = "bare-" + i;
    const socket = await connect(url, "/", undefined);
    socket.on("messageArrived", onArrived("customer"));
    await ack(socket, "joinConversation", { conversationId, id: "customer-" + i, name: "Bench" + i });
    const agent = agentSockets[i % agentSockets.length];
    await ack(agent, "joinConversation", { conversationId });
    conversations.push({ id: conversationId, customer: socket, agent });
  });
}

// --- one step ----------------------------------------------------------------------------

function percentile(sorted, q) {
  if (!sorted.length) return null;
  return sorted[Math.min(sorted.length - 1, Math.round((q / 100) * (sorted.length - 1)))];
}

let counter = 0;

function sendOne(n) {
  // Message n of the step: conversation n % C; direction alternates on each pass.
  const conversation = conversations[n % C];
  const fromCustomer = Math.floor(n / C) % 2 === 0;
  const socket = fromCustomer ? conversation.customer : conversation.agent;
  const key = (counter++).toString(36);
  const now = performance.now();
  const message = {
    type: "ChatMessage",
    conversationId: conversation.id,
    text: "b:" + key + ":" + now.toFixed(3) + ": the customer's order number is 48213-AB",
    to: [],
    attachments: [],
    tag: "",
  };
  const tracked = step.inWindow;
  if (tracked) {
    step.pending.set(key, now);
    step.sentInWindow++;
    step.unacked.add(key);
  }
  step.outstanding++;
  socket.timeout(ACK_TIMEOUT_MS).emit("sendMessage", message, (err, answer) => {
    step.outstanding--;
    if (!err && answer && answer.status === "ok") step.ackedTotal++;
    if (!tracked) return;
    step.unacked.delete(key);
    if (err) {
      step.ackTimeouts++;
      step.pending.delete(key); // not acked: counted as unacked, not as lost
      return;
    }
    if (!answer || answer.status !== "ok") {
      step.ackErrors++;
      if (step.errorSamples.length < 3) step.errorSamples.push(answer);
      step.pending.delete(key);
      return;
    }
    step.acked++;
    step.ackLatencies.push(performance.now() - now);
  });
}

async function run(command) {
  const { rate, seconds, warmup, drain } = command;
  step = {
    inWindow: false,
    pending: new Map(), // key → send time: window messages not yet at the other side
    unacked: new Set(),
    latencies: [],
    ackLatencies: [],
    sentInWindow: 0,
    acked: 0,
    ackErrors: 0,
    ackTimeouts: 0,
    errorSamples: [],
    arrivedTotal: 0,
    arrivedInWindow: 0,
    outstanding: 0,
    ackedTotal: 0,
  };
  const loopDelay = monitorEventLoopDelay({ resolution: 5 });
  const t0 = performance.now();
  const windowStart = t0 + warmup * 1000;
  const windowEnd = windowStart + seconds * 1000;
  const drainEnd = windowEnd + drain * 1000;
  let sent = 0;
  let windowFirst = null;
  let windowSent = null;
  let phase = "warmup";
  while (true) {
    const now = performance.now();
    if (phase === "warmup" && now >= windowStart) {
      phase = "window";
      step.inWindow = true;
      windowFirst = sent;
      loopDelay.enable();
      say("window-start", {});
    } else if (phase === "window" && now >= windowEnd) {
      phase = "tail";
      step.inWindow = false;
      windowSent = sent - windowFirst;
      loopDelay.disable();
      say("window-end", {});
    }
    if (phase === "tail" && ((step.pending.size === 0 && step.unacked.size === 0) || now >= drainEnd)) break;
    const due = Math.floor(((now - t0) / 1000) * rate);
    while (sent < due) sendOne(sent++);
    await sleep(1);
  }
  const drainedIn = performance.now() - windowEnd;
  // Wait (bounded) for the answers still on their way, so the next step starts clean.
  const quietEnd = performance.now() + ACK_TIMEOUT_MS;
  while (step.outstanding > 0 && performance.now() < quietEnd) await sleep(20);
  const latencies = step.latencies.sort((a, b) => a - b);
  const ackLatencies = step.ackLatencies.sort((a, b) => a - b);
  let lost = 0;
  for (const key of step.pending.keys()) if (!step.unacked.has(key)) lost++;
  const result = {
    rate,
    seconds,
    sentRate: windowSent / seconds,
    sent: windowSent,
    acked: step.acked,
    ackedTotal: step.ackedTotal,
    delivered: latencies.length,
    deliveredRate: step.arrivedInWindow / seconds,
    lost,
    unacked: step.unacked.size + step.ackTimeouts,
    ackErrors: step.ackErrors,
    errorSamples: step.errorSamples,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    max: latencies.length ? latencies[latencies.length - 1] : null,
    ackP50: percentile(ackLatencies, 50),
    ackP99: percentile(ackLatencies, 99),
    drainedMs: drainedIn,
    loopDelayP99: loopDelay.percentile(99) / 1e6,
  };
  step = null;
  say("result", result);
}

async function main() {
  const started = performance.now();
  if (mode === "app") await setupApp();
  else await setupBare();
  say("ready", {
    conversations: conversations.length,
    agents: agentSockets.length,
    setupSeconds: (performance.now() - started) / 1000,
  });
  const lines = createInterface({ input: process.stdin });
  for await (const line of lines) {
    if (!line.trim()) continue;
    const command = JSON.parse(line);
    if (command.cmd === "run") await run(command);
    else if (command.cmd === "quit") break;
  }
  for (const conversation of conversations) conversation.customer.disconnect();
  for (const socket of agentSockets) socket.disconnect();
  process.exit(0);
}

main().catch(fail);
