// The /agent socket (CONTRACT §5). Never miss anything: after every (re)connect each open
// conversation is asked for what came after the highest seq seen (retried until answered)
// and the banner stays up until all have answered; messages go through a persisted outbox,
// in order, each with its client id, resent after a reconnect until acknowledged.
import { io, type Socket } from "socket.io-client";
import { alertAgent } from "./alerts";
import { customerName } from "./Lists";
import { get } from "./api";
import { assigned, complete, merge, myPid, setPending } from "./convs";
import { findConv, getState, setConv, tell, update, uuid } from "./store";
import type { Info, Me, Msg, Pending, Queue } from "./types";

export interface Ack {
  status: string;
  message?: string;
  errors?: Record<string, unknown>;
  [field: string]: unknown;
}

const ACK_MS = 10000;
const RETRY_MS = 3000;
const TYPING_MS = 2000;
const TYPING_SHOWN_MS = 4000;
const VERIFY_MS = 30000;

let socket: Socket;
let generation = 0; // which connect a catch-up belongs to
let flushing = false;
let seenWaiting: Set<string> | null = null;
let lastTyping = 0;
const typingTimers = new Map<string, ReturnType<typeof setTimeout>>();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Emit with an ack; while the socket is down, wait (up to ACK_MS) for it to come back. */
export async function emit(event: string, payload: object): Promise<Ack> {
  if (!socket?.connected && !(await connected(ACK_MS))) {
    return { status: "error", message: "not connected: try again once reconnected" };
  }
  return socket
    .timeout(ACK_MS)
    .emitWithAck(event, payload)
    .catch(() => ({ status: "error", message: "timeout" }));
}

function connected(ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const done = (up: boolean) => {
      clearTimeout(timer);
      socket?.off("connect", onUp);
      resolve(up);
    };
    const onUp = () => done(true);
    const timer = setTimeout(() => done(false), ms);
    socket?.on("connect", onUp);
  });
}

export function connect(): void {
  socket = io("/agent", {
    withCredentials: true,
    transports: ["websocket", "polling"],
    tryAllTransports: true,
  });
  socket.on("connect", () => void caughtUp(++generation));
  socket.on("disconnect", (reason) => {
    update({ link: "down" });
    if (reason === "io server disconnect") void refused(); // signed out or deactivated?
  });
  socket.on("connect_error", () => {
    update({ link: "down" });
    if (!socket.active) void refused();
  });
  socket.on("queueUpdated", onQueues);
  socket.on("conversationAssigned", onAssigned);
  socket.on("messageArrived", onMessage);
  // Signed out in another tab of this browser: this page's sign-in is over too.
  socket.on("signedOut", () => {
    socket.disconnect();
    location.assign("/console");
  });
  setInterval(() => void flush(), RETRY_MS);
  setInterval(verify, VERIFY_MS);
}

/** The server refused or dropped us: a 401 from /me signs out (api.ts), else try again. */
async function refused(): Promise<void> {
  try {
    await refreshMe();
  } catch {
    // unreachable: try the socket again below
  }
  await sleep(RETRY_MS);
  if (!socket.connected && !socket.active) socket.connect();
}

export async function refreshMe(): Promise<void> {
  const changes = getState().statusChanges;
  const me = await get<Me>("/api/console/me");
  // A status chosen, or applied, while /me was on its way is newer than the one it read.
  const s = getState();
  const current = s.statusChanges === changes && s.statusInFlight === 0;
  update(current ? { me, status: me.status } : { me });
}

async function caughtUp(gen: number): Promise<void> {
  update({ link: "catching" });
  void refreshMe().catch(() => undefined);
  const open = getState().convs.filter((c) => c.mine);
  await Promise.all(open.map((c) => catchUp(c.id, gen)));
  if (gen !== generation || !socket.connected) return; // dropped again: the next connect
  update({ link: "up" });
  forgetOrphans();
  void flush();
}

const ORPHAN_MS = 10 * 60 * 1000;

/** Outbox entries of conversations no longer here (ended or handed on while this tab was
 * closed) can never be shown or sent: forgotten once settled, or after ORPHAN_MS. */
function forgetOrphans(): void {
  const now = Date.now();
  const keep = (p: Pending) =>
    !!findConv(p.conversationId) || (!p.acked && !p.failed && now - (p.at || 0) < ORPHAN_MS);
  if (!getState().pending.every(keep)) setPending((list) => list.filter(keep));
}

async function catchUp(id: string, gen: number, once = false): Promise<void> {
  for (let tries = 0; gen === generation && socket.connected && !(once && tries); tries++) {
    const conv = findConv(id);
    const afterSeq = conv ? complete(conv) : 0;
    const ack = await emit("conversationInfo", { conversationId: id, afterSeq });
    if (ack.status === "ok") {
      const info = ack as unknown as Info;
      setConv(id, (c) => ({ info: { ...c.info, ...info.conversation } }));
      return notifyMessages(id, merge(id, info.messages || []));
    }
    if (ack.errors || /not yours|unknown|no conversation/i.test(ack.message || "")) {
      return setConv(id, () => ({ mine: false })); // it will never answer: not ours anymore
    }
    await sleep(RETRY_MS);
  }
}

function onQueues(payload: { queues?: Queue[] }): void {
  const changed = new Map((payload.queues || []).map((q) => [q.id, q]));
  update((s) => {
    const kept = s.queues.map((q) => changed.get(q.id) ?? q);
    const added = [...changed.values()].filter((q) => !s.queues.some((k) => k.id === q.id));
    return { queues: [...kept, ...added] };
  });
  const now = getState().queues.flatMap((q) => q.waiting.map((w) => [w.conversationId, q] as const));
  const fresh = seenWaiting ? now.filter(([id]) => !seenWaiting!.has(id)) : [];
  seenWaiting = new Set([...(seenWaiting || []), ...now.map(([id]) => id)]);
  if (fresh.length) {
    const names = [...new Set(fresh.map(([, q]) => q.name))].join(", ");
    alertAgent("waiting", "New conversation waiting", `In ${names}`);
  }
}

function onAssigned(info: Info): void {
  const id = info.conversation.conversationId;
  const [isNew, fresh] = assigned(info);
  if (!isNew) return notifyMessages(id, fresh);
  const conv = findConv(id);
  const name = conv ? customerName(conv) : "A customer";
  alertAgent("assigned", "New conversation", `${name} is yours`, () => select(id));
}

function onMessage(m: Msg): void {
  if (m.activityType === "typing") return showTyping(m);
  const id = m.conversationId;
  notifyMessages(id, merge(id, [m]));
  // A seq skipped (an event lost between servers?): ask for what is missing at once.
  const conv = findConv(id);
  if (conv && complete(conv) < conv.lastSeq && getState().link === "up") void catchUp(id, generation);
}

/** Every VERIFY_MS, each open conversation is asked for anything after what it holds: a
 * message lost without the socket dropping still shows up, late but once. */
function verify(): void {
  if (getState().link !== "up") return;
  for (const c of getState().convs) if (c.mine) void catchUp(c.id, generation, true);
}

function notifyMessages(id: string, fresh: Msg[]): void {
  const theirs = fresh.filter((m) => m.type === "ChatMessage" && m.from?.role === "customer");
  if (!theirs.length) return;
  const last = theirs[theirs.length - 1];
  const body = last.text || (last.attachments?.length ? "Sent a file" : "");
  alertAgent("message", last.from?.name || "Customer", body, () => select(id));
}

function showTyping(m: Msg): void {
  const id = m.conversationId;
  if (!findConv(id) || m.from?.id === myPid(id)) return;
  setConv(id, () => ({ typing: m.from?.name || "Someone" }));
  clearTimeout(typingTimers.get(id));
  typingTimers.set(id, setTimeout(() => setConv(id, () => ({ typing: "" })), TYPING_SHOWN_MS));
}

export function select(id: string): void {
  update({ selected: id, route: "" });
  if (location.hash && location.hash !== "#/") location.hash = "#/";
}

/** Queue a message and send what is queued, in order. */
export function send(conversationId: string, text: string, attachments: Pending["attachments"]) {
  const p: Pending = {
    id: uuid(), conversationId, text, attachments, tag: getState().whisper ? "whisper" : "",
    at: Date.now(),
  };
  setPending((list) => [...list, p]);
  void flush();
}

export async function flush(): Promise<void> {
  if (flushing || getState().link !== "up") return;
  flushing = true;
  try {
    for (const p of getState().pending) {
      if (p.failed || p.acked || !findConv(p.conversationId)) continue;
      if (!(await sendOne(p))) break; // keep the order: the rest waits for this one
    }
  } finally {
    flushing = false;
  }
}

async function sendOne(p: Pending): Promise<boolean> {
  const ack = await emit("sendMessage", {
    type: "ChatMessage", conversationId: p.conversationId, id: p.id, text: p.text,
    attachments: p.attachments.map((a) => ({ mediaId: a.mediaId })), to: [], tag: p.tag,
  });
  const edit = (change: Partial<Pending>) =>
    setPending((list) => list.map((q) => (q.id === p.id ? { ...q, ...change } : q)));
  if (ack.status === "ok") {
    // Its messageArrived (or the next catch-up) shows it and clears it from the outbox.
    if (findConv(p.conversationId)?.messages.some((m) => m.id === ack.id)) {
      setPending((list) => list.filter((q) => q.id !== p.id));
    } else edit({ acked: true });
    return true;
  }
  const later = !ack.errors || "rate" in ack.errors;
  if (later && !/ended|not in this|not yours|forbidden|unknown/i.test(ack.message || "")) {
    return false;
  }
  edit({ failed: ack.message || "refused" });
  return true;
}

/** "Someone is typing" for the customer: at most one activity per TYPING_MS. */
export function typing(conversationId: string): void {
  const now = Date.now();
  if (getState().link !== "up" || getState().whisper || now - lastTyping < TYPING_MS) return;
  lastTyping = now;
  socket.emit("sendMessage", { type: "ActivityMessage", activityType: "typing", conversationId });
}

/** An action answered by an ack; a refusal is told in the notice line. */
export async function act(event: string, payload: object): Promise<Ack> {
  const ack = await emit(event, payload);
  if (ack.status !== "ok") tell(`${event}: ${ack.message || "refused"}`);
  return ack;
}
