// The left column's live lists: who waits in my queues (with a ticking waiting time and
// Accept) and my conversations (customer name, unread count; ended ones greyed, removable).
import { useEffect, useState } from "preact/hooks";
import { get } from "./api";
import { remove } from "./convs";
import { act, select } from "./link";
import { getState, useNow, useStore } from "./store";
import type { Conv } from "./types";
import { duration } from "./ui";

const names = new Map<string, string>(); // waiting conversationId -> customer name

function useWaitingName(id: string): string {
  const [name, setName] = useState(names.get(id) ?? "");
  useEffect(() => {
    if (names.has(id)) return;
    names.set(id, "");
    get<{ name?: string }>(`/api/console/conversations/${encodeURIComponent(id)}/customer`)
      .then((c) => {
        names.set(id, c.name || "");
        setName(c.name || "");
      })
      .catch(() => undefined); // the queue's name and the waiting time still say enough
  }, [id]);
  return name;
}

/** The oldest conversation waiting in any of my queues (Alt+A takes it). */
export function oldestWaiting(): string | null {
  const all = getState().queues.flatMap((q) => q.waiting);
  all.sort((a, b) => Date.parse(a.since) - Date.parse(b.since));
  return all[0]?.conversationId ?? null;
}

export async function accept(conversationId: string): Promise<void> {
  const ack = await act("acceptConversation", { conversationId });
  if (ack.status === "ok") select(conversationId);
}

function WaitingItem(props: { id: string; queue: string; since: string; now: number }) {
  const name = useWaitingName(props.id);
  const waited = (props.now - Date.parse(props.since)) / 1000;
  return (
    <li class="witem">
      <div class="wmain">
        <span class="wname">{name || "Visitor"}</span>
        <span class="wmeta">
          {props.queue} · <span class={waited > 120 ? "late" : ""}>waiting {duration(waited)}</span>
        </span>
      </div>
      <button type="button" class="small primary" onClick={() => void accept(props.id)}>
        Accept
      </button>
    </li>
  );
}

export function WaitingList() {
  const s = useStore();
  const now = useNow();
  const items = s.queues.flatMap((q) => q.waiting.map((w) => ({ ...w, queue: q.name })));
  return (
    <section class="block">
      <h2>
        Waiting <span class="count">{items.length}</span>
      </h2>
      <ul aria-label="Waiting" class="list">
        {items.map((w) => (
          <WaitingItem key={w.conversationId} id={w.conversationId} queue={w.queue} since={w.since}
            now={now} />
        ))}
      </ul>
      {!items.length && <p class="empty">Nobody is waiting{s.queues.length ? "" : " (no queues)"}.</p>}
    </section>
  );
}

/** The customer's name: as a participant, else from the conversation's customer object
 * (the widget's init names it firstName/lastName). */
export function customerName(c: Conv): string {
  const cu = c.info.customer || {};
  const given = [cu.firstName, cu.lastName].filter(Boolean).join(" ");
  return c.participants.find((p) => p.role === "customer")?.name || cu.name || given || "Visitor";
}

export function MyConversations() {
  const s = useStore();
  return (
    <section class="block">
      <h2>
        My conversations <span class="count">{s.convs.filter((c) => c.mine).length}</span>
      </h2>
      <ul aria-label="My conversations" class="list">
        {s.convs.map((c) => {
          // No preview of the last text: a message's text appears once on the page, in its log.
          return (
            <li key={c.id} class={`citem${c.mine ? "" : " ended"}${c.id === s.selected ? " on" : ""}`}>
              <button type="button" class="open" aria-current={c.id === s.selected ? "true" : undefined}
                onClick={() => select(c.id)}>
                <span class="cname">{customerName(c)}</span>
                {c.unread > 0 && (
                  <span class="badge">
                    {c.unread}
                    <span class="sr-only"> unread</span>
                  </span>
                )}
                <span class="cmeta">
                  {c.mine ? (c.typing ? "typing…" : [c.info.queue?.name, c.info.channel].filter(Boolean).join(" · "))
                    : c.info.state === "ended" ? "Ended" : "Not yours anymore"}
                </span>
              </button>
              {!c.mine && (
                <button type="button" class="icon" aria-label={`Remove ${customerName(c)}`}
                  title="Remove from the list" onClick={() => remove(c.id)}>
                  ×
                </button>
              )}
            </li>
          );
        })}
      </ul>
      {!s.convs.length && <p class="empty">No conversations yet. Set your status to Available.</p>}
    </section>
  );
}
