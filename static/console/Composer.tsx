// Writing to the customer: Enter sends, Shift+Enter is a new line, "/" at the start opens
// the canned responses (filtered by shortcut; arrows choose, Enter or Tab insert), files
// are uploaded first and sent as attachments, Whisper sends to agents only. A draft is
// kept per conversation while the agent switches between them.
import { useEffect, useRef, useState } from "preact/hooks";
import { ApiError, call } from "./api";
import { send, typing } from "./link";
import { tell, update, useStore } from "./store";
import type { Canned, Conv } from "./types";

interface Draft {
  text: string;
  files: { mediaId: string; name: string }[];
}

const drafts = new Map<string, Draft>();
const empty = (): Draft => ({ text: "", files: [] });

export function focusComposer(): void {
  document.querySelector<HTMLTextAreaElement>("textarea.compose")?.focus();
}

function matches(canned: Canned[], text: string): Canned[] {
  const m = /^\/([\w-]*)$/.exec(text);
  if (!m) return [];
  const q = m[1].toLowerCase();
  const hits = canned.filter((c) => c.shortcut.includes(q));
  return hits.sort((a, b) => Number(!a.shortcut.startsWith(q)) - Number(!b.shortcut.startsWith(q)));
}

export function Composer({ conv }: { conv: Conv }) {
  const s = useStore();
  const [draft, setDraftState] = useState<Draft>(drafts.get(conv.id) ?? empty());
  const [active, setActive] = useState(0);
  const [dismissed, setDismissed] = useState(false);
  const [uploading, setUploading] = useState(0);
  const area = useRef<HTMLTextAreaElement>(null);
  useEffect(() => setDraftState(drafts.get(conv.id) ?? empty()), [conv.id]);
  const setDraft = (d: Draft) => {
    drafts.set(conv.id, d);
    setDraftState(d);
  };
  const hits = dismissed ? [] : matches(s.canned, draft.text);
  const disabled = !conv.mine;

  const submit = () => {
    const text = draft.text.trim();
    if (disabled || uploading || (!text && !draft.files.length)) return;
    send(conv.id, text, draft.files);
    setDraft(empty());
  };
  const insert = (c: Canned) => {
    setDraft({ ...draft, text: c.text });
    setDismissed(true);
    area.current?.focus();
  };
  const onKeyDown = (e: KeyboardEvent) => {
    if (hits.length) {
      const n = hits.length;
      if (e.key === "ArrowDown" || e.key === "ArrowUp") {
        e.preventDefault();
        return setActive((active + (e.key === "ArrowDown" ? 1 : n - 1)) % n);
      }
      if (e.key === "Enter" || e.key === "Tab") {
        e.preventDefault();
        return insert(hits[Math.min(active, n - 1)]);
      }
      if (e.key === "Escape") {
        e.stopPropagation();
        return setDismissed(true);
      }
    }
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      submit();
    }
  };
  const onInput = (e: Event) => {
    const text = (e.currentTarget as HTMLTextAreaElement).value;
    setDraft({ ...draft, text });
    setDismissed(false);
    setActive(0);
    if (text) typing(conv.id);
  };
  const upload = async (input: HTMLInputElement) => {
    const files = Array.from(input.files || []);
    input.value = "";
    for (const file of files) {
      setUploading((n) => n + 1);
      const form = new FormData();
      form.append("conversationId", conv.id);
      form.append("file", file);
      try {
        const got = await call<{ mediaId: string; name?: string }>("POST", "/api/agent/attachments", form);
        const d = drafts.get(conv.id) ?? empty();
        setDraft({ ...d, files: [...d.files, { mediaId: got.mediaId, name: got.name || file.name }] });
      } catch (err) {
        tell(`Could not attach ${file.name}: ${err instanceof ApiError ? err.message : "failed"}`);
      } finally {
        setUploading((n) => n - 1);
      }
    }
  };

  const listId = `canned-${conv.id}`;
  return (
    <form class={`composer${s.whisper ? " whispering" : ""}`} onSubmit={(e) => { e.preventDefault(); submit(); }}>
      {hits.length > 0 && (
        <ul role="listbox" id={listId} aria-label="Canned responses" class="suggest">
          {hits.map((c, i) => (
            <li key={c.id} id={`${listId}-${c.id}`} role="option" aria-selected={i === active}
              onMouseDown={(e) => { e.preventDefault(); insert(c); }}>
              <strong>/{c.shortcut}</strong> <span>{c.text}</span>
            </li>
          ))}
        </ul>
      )}
      {draft.files.length > 0 && (
        <ul class="chips" aria-label="Attached files">
          {draft.files.map((f) => (
            <li key={f.mediaId}>
              <span>{f.name}</span>
              <button type="button" class="icon" aria-label={`Remove ${f.name}`}
                onClick={() => setDraft({ ...draft, files: draft.files.filter((x) => x !== f) })}>×</button>
            </li>
          ))}
        </ul>
      )}
      <textarea ref={area} class="compose" aria-label="Message" rows={3} value={draft.text}
        disabled={disabled} aria-autocomplete="list"
        aria-controls={hits.length ? listId : undefined}
        aria-activedescendant={hits.length ? `${listId}-${hits[Math.min(active, hits.length - 1)].id}` : undefined}
        placeholder={disabled ? (conv.info.state === "ended" ? "This conversation has ended."
          : "This conversation is no longer yours.") : s.whisper
          ? "Whisper to agents (the customer never sees it)…" : "Write a message… (/ for canned responses)"}
        onInput={onInput} onKeyDown={onKeyDown} />
      <div class="row">
        <label class="check">
          <input type="checkbox" checked={s.whisper} disabled={disabled} onChange={(e) => update({ whisper: e.currentTarget.checked })} />
          Whisper
        </label>
        <label class={disabled ? "btn ghost attach disabled" : "btn ghost attach"}>
          {uploading ? "Uploading…" : "Attach"}
          <input type="file" class="sr-only" aria-label="Attach file" multiple disabled={disabled}
            onChange={(e) => void upload(e.currentTarget)} />
        </label>
        <span class="spacer" />
        <button type="submit" class="primary" disabled={disabled || uploading > 0}>Send</button>
      </div>
    </form>
  );
}
