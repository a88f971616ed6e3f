// The open conversation's messages: role="log" named "Messages", one direct child per
// stored message (data-seq, seq order), whispers marked, activities as system lines. Text
// is only ever text (JSX text nodes), never HTML.
import { useLayoutEffect, useRef } from "preact/hooks";
import { myPid } from "./convs";
import type { Attachment, Conv, Msg, Pending } from "./types";
import { clock, safeUrl, size } from "./ui";

const REASONS: Record<string, string> = {
  customer: "by the customer", agent: "by an agent", timeout: "after a silence",
  api: "through the API", connector: "by the channel",
};

function queueName(q: unknown): string {
  if (q && typeof q === "object" && "name" in q) return String((q as { name: unknown }).name);
  return q ? String(q) : "";
}

export function activityText(m: Msg): string {
  const who = m.info?.participant?.name || "Someone";
  switch (m.activityType) {
    case "participantJoined": return `${who} joined`;
    case "participantLeft": return `${who} left`;
    case "participantAdded": return `${who} was added`;
    case "participantRemoved": return `${who} was removed`;
    case "endOfConversation": return `Conversation ended ${REASONS[m.info?.reason || ""] || ""}`.trim();
    case "handOff": return `Queued in ${queueName(m.info?.queue) || "a queue"}`;
    case "noAgentAvailable": return `No agent available yet (position ${m.info?.position ?? "?"})`;
    case "greetings": return "Conversation started";
    default: return m.activityType || "Activity";
  }
}

function Files({ items }: { items: Attachment[] }) {
  return (
    <div class="files">
      {items.map((a, i) => {
        const href = safeUrl(a.contentUrl);
        const thumb = safeUrl(a.thumbnailUrl) ?? (a.type?.startsWith("image/") ? href : undefined);
        return (
          <a key={a.mediaId || i} class={thumb ? "file image" : "file"} href={href} target="_blank"
            rel="noopener noreferrer">
            {thumb && <img src={thumb} alt={a.name || "image"} loading="lazy" />}
            <span class="fname">{a.name || "attachment"}</span>
            {a.size ? <span class="fsize">{size(a.size)}</span> : null}
          </a>
        );
      })}
    </div>
  );
}

function Message({ m, mine }: { m: Msg; mine: boolean }) {
  if (m.type !== "ChatMessage") {
    return (
      <div class="sys" data-seq={m.seq} data-activity={m.activityType}>
        <span>{activityText(m)}</span> <time>{clock(m.timestamp)}</time>
      </div>
    );
  }
  const whisper = m.tag === "whisper";
  const role = m.from?.role || "customer";
  const cls = `msg ${mine ? "me" : role === "customer" ? "them" : "agent"}${whisper ? " whisper" : ""}`;
  return (
    <div class={cls} data-seq={m.seq} data-tag={whisper ? "whisper" : undefined} data-id={m.id}>
      <div class="meta">
        <span class="from">{mine ? "You" : m.from?.name || role}</span>
        {whisper && <span class="tag">Whisper</span>}
        <time dateTime={m.timestamp}>{clock(m.timestamp)}</time>
      </div>
      {m.text ? <p class="text">{m.text}</p> : null}
      {m.attachments?.length ? <Files items={m.attachments} /> : null}
    </div>
  );
}

export function Log({ conv, pending, onRetry, onDiscard }: {
  conv: Conv;
  pending: Pending[];
  onRetry: (id: string) => void;
  onDiscard: (id: string) => void;
}) {
  const box = useRef<HTMLDivElement>(null);
  const stick = useRef(true);
  const me = myPid(conv.id);
  // Follow new messages when the agent is at the bottom; a fresh conversation starts there.
  useLayoutEffect(() => {
    stick.current = true;
  }, [conv.id]);
  useLayoutEffect(() => {
    const el = box.current;
    if (el && stick.current) el.scrollTop = el.scrollHeight;
  }, [conv.id, conv.messages.length, pending.length, conv.typing]);
  const onScroll = () => {
    const el = box.current;
    if (el) stick.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
  };
  return (
    <div class="scroll" ref={box} onScroll={onScroll}>
      <div role="log" aria-label="Messages" class="log">
        {conv.messages.map((m) => <Message key={m.id} m={m} mine={m.from?.id === me} />)}
      </div>
      {pending.length > 0 && (
        <ul class="pending" aria-label="Not yet sent">
          {pending.map((p) => (
            <li key={p.id} class={`msg me${p.tag ? " whisper" : ""}${p.failed ? " failed" : ""}`}>
              <div class="meta">
                <span class="from">You</span>
                {p.tag && <span class="tag">Whisper</span>}
                <span class="state">{p.failed ? `Not sent: ${p.failed}` : p.acked ? "sent" : "sending…"}</span>
              </div>
              {p.text ? <p class="text">{p.text}</p> : null}
              {p.attachments.length ? <p class="fname">{p.attachments.map((a) => a.name).join(", ")}</p> : null}
              {p.failed && (
                <div class="row">
                  <button type="button" class="small" onClick={() => onRetry(p.id)}>Retry</button>
                  <button type="button" class="small" onClick={() => onDiscard(p.id)}>Discard</button>
                </div>
              )}
            </li>
          ))}
        </ul>
      )}
      {conv.typing && <p class="typing" aria-live="polite">{conv.typing} is typing…</p>}
    </div>
  );
}
