// The open conversations: merged from conversationAssigned, messageArrived and the
// catch-up (each message once, by seq and by id, in seq order), their unread counts (what
// has been read survives a reload) and what the agent's outbox still holds.
import { findConv, getState, load, save, setConv, update } from "./store";
import type { Conv, Info, Msg, Pending } from "./types";

const readKey = () => `read:${getState().me?.id ?? 0}`;
const outboxKey = () => `outbox:${getState().me?.id ?? 0}`;

/** How the server names this agent in a conversation (core/routing.join_agent). */
export const myPid = (conversationId: string): string =>
  `agent-${getState().me?.id ?? 0}-${conversationId}`;

function unread(c: Conv): number {
  const me = myPid(c.id);
  return c.messages.filter((m) => m.type === "ChatMessage" && m.seq > c.readSeq && m.from?.id !== me)
    .length;
}

/** A conversation given to me (routing, transfer, accept, or again after a reconnect):
 * whether it was not mine a moment ago, and its messages new to the console. */
export function assigned(info: Info): [boolean, Msg[]] {
  const id = info.conversation.conversationId;
  const known = findConv(id);
  const participants = info.participant || [];
  if (known) {
    setConv(id, () => ({ info: info.conversation, participants, mine: true }));
  } else {
    const conv: Conv = {
      id, info: info.conversation, participants, messages: [], lastSeq: 0, mine: true,
      readSeq: load<Record<string, number>>(readKey(), {})[id] ?? 0, unread: 0, typing: "",
      since: Date.now(),
    };
    update((s) => ({ convs: [...s.convs, conv], selected: s.selected ?? id }));
  }
  const fresh = merge(id, info.messages || []);
  return [!known?.mine, known ? fresh : []];
}

/** Adds what is new of msgs to the conversation; returns the new ones, in seq order. */
export function merge(id: string, msgs: Msg[]): Msg[] {
  const conv = findConv(id);
  if (!conv) return [];
  const bySeq = new Map(conv.messages.map((m) => [m.seq, m]));
  const ids = new Set(conv.messages.map((m) => m.id));
  const fresh: Msg[] = [];
  for (const m of msgs) {
    if (typeof m.seq !== "number" || bySeq.has(m.seq) || ids.has(m.id)) continue;
    bySeq.set(m.seq, m);
    ids.add(m.id);
    fresh.push(m);
  }
  if (!fresh.length) return fresh;
  fresh.sort((a, b) => a.seq - b.seq);
  const messages = [...bySeq.values()].sort((a, b) => a.seq - b.seq);
  setConv(id, (c) => {
    const next = { ...c, messages, lastSeq: messages[messages.length - 1].seq, ...outcome(c, fresh) };
    if (fresh.some((m) => m.type === "ChatMessage" && m.from?.name === c.typing)) next.typing = "";
    return { ...next, unread: unread(next) };
  });
  settle(ids);
  // Transferred or re-queued away from me: it leaves my list (an ended one stays, greyed).
  const now = findConv(id);
  if (now && !now.mine && now.info.state !== "ended" && fresh.some((m) => left(m, id))) remove(id);
  return fresh;
}

const left = (m: Msg, id: string) =>
  (m.activityType === "participantLeft" || m.activityType === "participantRemoved") &&
  m.info?.participant?.id === myPid(id);

/** Whether the new messages end the conversation or take it from me. */
function outcome(c: Conv, fresh: Msg[]): Partial<Conv> {
  const change: Partial<Conv> = {};
  for (const m of fresh) {
    if (m.activityType === "endOfConversation") {
      change.mine = false;
      change.info = { ...c.info, state: "ended", endedAt: m.timestamp ?? null };
    } else if (left(m, c.id)) change.mine = false;
    else if (m.activityType === "participantJoined" && m.info?.participant?.id === myPid(c.id)) {
      change.mine = true;
    }
  }
  return change;
}

/** The highest seq up to which every message is here: an agent sees every message of its
 * conversations (whispers and targeted ones too), so seqs run 1, 2, 3 … with no gaps. */
export function complete(c: Conv): number {
  let n = 0;
  for (const m of c.messages) {
    if (m.seq === n + 1) n = m.seq;
    else if (m.seq > n + 1) break;
  }
  return n;
}

export function markRead(id: string): void {
  const conv = findConv(id);
  if (!conv || (conv.readSeq >= conv.lastSeq && !conv.unread)) return;
  const map = load<Record<string, number>>(readKey(), {});
  map[id] = conv.lastSeq;
  const keys = Object.keys(map);
  for (const k of keys.slice(0, Math.max(0, keys.length - 300))) delete map[k]; // oldest first
  save(readKey(), map);
  setConv(id, () => ({ readSeq: conv.lastSeq, unread: 0 }));
}

export function remove(id: string): void {
  update((s) => {
    const convs = s.convs.filter((c) => c.id !== id);
    const selected = s.selected === id ? (convs[0]?.id ?? null) : s.selected;
    return { convs, selected };
  });
}

// The outbox: persisted so that a reload resends what was never acknowledged.
export function loadOutbox(): void {
  update({ pending: load<Pending[]>(outboxKey(), []) });
}

export function setPending(change: (list: Pending[]) => Pending[]): void {
  update((s) => ({ pending: change(s.pending) }));
  const kept = getState().pending;
  save(outboxKey(), kept.length ? kept : null);
}

/** Pending messages whose message has arrived are done. */
function settle(ids: Set<string>): void {
  if (getState().pending.some((p) => ids.has(p.id))) {
    setPending((list) => list.filter((p) => !ids.has(p.id)));
  }
}
