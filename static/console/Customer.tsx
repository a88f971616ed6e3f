// The right column: who the customer is (GET /api/console/conversations/<id>/customer),
// fetched when the conversation opens, after each new message or activity (the end, a
// rating that follows it), on focus, and every few seconds while an ended one is unrated.
import type { ComponentChildren } from "preact";
import { useEffect, useState } from "preact/hooks";
import { ApiError, get } from "./api";
import { customerName } from "./Lists";
import { findConv, useStore } from "./store";
import type { Conv } from "./types";
import { day, safeUrl } from "./ui";

interface Earlier {
  conversationId: string;
  chatId?: number;
  state: string;
  createdAt?: string;
  endedAt?: string | null;
  rating?: number | null;
  preview?: string;
}

interface CustomField {
  name: string;
  label?: string | null;
  value: string | number | boolean;
}

type Flags = Record<"verified_customer" | "bad_actor" | "repeat_customer", boolean>;

interface Details {
  conversationId: string;
  chatId?: number;
  state: string;
  channel?: string;
  queue?: string | { name: string } | null;
  name?: string;
  email?: string | null;
  phone?: string | null;
  refId?: string | null;
  url?: string | null;
  createdAt?: string;
  endedAt?: string | null;
  rating?: number | null;
  ratingComment?: string | null;
  endUser?: { identifier: string | null; name?: string; email?: string } | null;
  earlier?: Earlier[];
  customData?: CustomField[];
  customerFlags?: Flags;
  chatContext?: Record<string, unknown> | null;
  deflectionChannel?: string | null;
}

const FLAG_NAMES: [keyof Flags, string][] = [
  ["verified_customer", "Verified customer"],
  ["bad_actor", "Bad actor"],
  ["repeat_customer", "Repeat customer"],
];
const CONTEXT_CHARS = 300;

const POLL_MS = 5000;
const POLL_FOR_MS = 15 * 60 * 1000; // a rating comes soon after the end, or never

function fallback(c: Conv): Details {
  const cu = c.info.customer || {};
  return { conversationId: c.id, state: c.info.state, channel: c.info.channel, name: customerName(c),
    email: cu.email, phone: cu.phone, refId: cu.refId, createdAt: c.info.createdAt };
}

function useDetails(conv: Conv | undefined): [Details | null, string] {
  const [data, setData] = useState<Details | null>(null);
  const [error, setError] = useState("");
  const id = conv?.id;
  useEffect(() => {
    if (!id) return;
    let live = true;
    const fetchIt = () =>
      get<Details>(`/api/console/conversations/${encodeURIComponent(id)}/customer`)
        .then((d) => live && (setData(d), setError("")))
        .catch((e) => live && setError(e instanceof ApiError ? e.message : "unavailable"));
    const soon = setTimeout(fetchIt, 150); // a burst of messages asks once
    const timer = setInterval(() => {
      const c = findConv(id);
      const endedAt = Date.parse(c?.info.endedAt || "");
      if (c?.info.state === "ended" && Date.now() - endedAt < POLL_FOR_MS) void fetchIt();
    }, POLL_MS);
    window.addEventListener("focus", fetchIt);
    return () => {
      live = false;
      clearTimeout(soon);
      clearInterval(timer);
      window.removeEventListener("focus", fetchIt);
    };
  }, [id, conv?.lastSeq, conv?.info.state]);
  useEffect(() => setData(null), [id]);
  return [data && data.conversationId === id ? data : null, error];
}

function Row({ label, children }: { label: string; children: ComponentChildren }) {
  if (children === null || children === undefined || children === "") return null;
  return (
    <>
      <dt>{label}</dt>
      <dd>{children}</dd>
    </>
  );
}

// What the chats API told about the customer: set flags, then custom data as label: value.
// All of it is the integrator's text, shown as text.
function ChatsApi({ d }: { d: Details }) {
  const flags = FLAG_NAMES.filter(([key]) => d.customerFlags?.[key]).map(([, name]) => name);
  const context = d.chatContext ? JSON.stringify(d.chatContext) : "";
  return (
    <>
      {flags.length ? (
        <p class="flags">
          {flags.map((f) => <span key={f} class={f === "Bad actor" ? "pill warn" : "pill"}>{f}</span>)}
        </p>
      ) : null}
      {d.customData?.length || context || d.deflectionChannel ? (
        <dl class="facts custom-data">
          {d.customData?.map((f) => (
            <Row key={f.name} label={f.label || f.name}>{String(f.value)}</Row>
          ))}
          <Row label="Context">{context ? <code>{context.length > CONTEXT_CHARS ? context.slice(0, CONTEXT_CHARS) + "…" : context}</code> : null}</Row>
          <Row label="Deflected to">{d.deflectionChannel?.replace(/_/g, " ") || null}</Row>
        </dl>
      ) : null}
    </>
  );
}

function Stars({ rating }: { rating: number }) {
  return (
    <span class="stars" aria-label={`${rating} out of 5`}>
      <span aria-hidden="true">{"★".repeat(rating)}{"☆".repeat(Math.max(0, 5 - rating))}</span> {rating}/5
    </span>
  );
}

export function CustomerPanel() {
  const s = useStore();
  const conv = findConv(s.selected);
  const [got, error] = useDetails(conv);
  const d = got ?? (conv ? fallback(conv) : null);
  const url = safeUrl(d?.url);
  const queue = typeof d?.queue === "object" ? d?.queue?.name : d?.queue;
  return (
    <section class="customer" aria-label="Customer">
      <h2>Customer</h2>
      {!d && <p class="empty">Open a conversation to see who you are talking to.</p>}
      {d && (
        <>
          <p class="cust-name">{d.name || d.endUser?.name || "Visitor"}</p>
          <dl class="facts">
            <Row label="E-mail">{d.email ? <a href={`mailto:${d.email}`}>{d.email}</a> : null}</Row>
            <Row label="Phone">{d.phone || null}</Row>
            <Row label="Channel">{d.channel || null}</Row>
            <Row label="Queue">{queue || null}</Row>
            <Row label="Page">{url ? <a href={url} target="_blank" rel="noopener noreferrer">{d.url}</a> : d.url || null}</Row>
            <Row label="Reference">{d.refId || null}</Row>
            <Row label="Identified as">{d.endUser?.identifier ? `${d.endUser.identifier}${d.endUser.email ? ` (${d.endUser.email})` : ""}` : null}</Row>
            <Row label="Started">{day(d.createdAt) || null}</Row>
            <Row label="Ended">{day(d.endedAt) || null}</Row>
            <Row label="Rating">
              {d.rating ? <Stars rating={d.rating} /> : d.state === "ended" ? "Not rated yet" : null}
            </Row>
            <Row label="Comment">{d.ratingComment || null}</Row>
          </dl>
          <ChatsApi d={d} />
          {error && !got && <p class="empty">Details unavailable: {error}</p>}
          <h3>Earlier conversations</h3>
          {d.earlier?.length ? (
            <ul class="earlier">
              {d.earlier.map((e) => (
                <li key={e.conversationId}>
                  <div class="emeta">
                    <span>{day(e.createdAt)}</span>
                    <span class="pill">{e.state}</span>
                    {e.rating ? <span>{"★".repeat(e.rating)}</span> : null}
                  </div>
                  {e.preview ? <p class="preview">{e.preview}</p> : null}
                </li>
              ))}
            </ul>
          ) : (
            <p class="empty">None.</p>
          )}
        </>
      )}
    </section>
  );
}
