// Messages left through the widget's offline form (GET /api/console/offline), answered by
// e-mail from here (…/reply) or marked done; refreshed every half minute and on focus.
import { useEffect, useState } from "preact/hooks";
import { ApiError, get, post } from "./api";
import { day } from "./ui";

interface Offline {
  conversationId: string;
  name?: string;
  email?: string;
  text?: string;
  queue?: string | { name: string } | null;
  createdAt?: string;
  doneAt?: string | null;
  replies?: { text: string; at: string; agent?: string }[];
}

const REFRESH_MS = 30000;

function Item({ item, onDone }: { item: Offline; onDone: () => void }) {
  const [reply, setReply] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState("");
  const base = `/api/console/offline/${encodeURIComponent(item.conversationId)}`;
  const run = async (path: string, body: object) => {
    setBusy(true);
    setError("");
    try {
      await post(base + path, body);
      onDone();
    } catch (e) {
      setError(e instanceof ApiError ? e.message : "Failed");
    } finally {
      setBusy(false);
    }
  };
  const who = item.name || item.email || "Visitor";
  return (
    <li class="oitem">
      <div class="ohead">
        <span class="wname">{who}</span>
        <span class="wmeta">{day(item.createdAt)}</span>
      </div>
      {item.email && <a class="oemail" href={`mailto:${item.email}`}>{item.email}</a>}
      <p class="otext">{item.text}</p>
      <textarea aria-label={`Reply to ${who}`} rows={2} value={reply} placeholder="Your answer by e-mail…"
        onInput={(e) => setReply(e.currentTarget.value)} />
      {error && <p class="err" role="alert">{error}</p>}
      <div class="row">
        <button type="button" class="small primary" disabled={busy || !reply.trim()}
          onClick={() => void run("/reply", { text: reply.trim() })}>
          Reply by e-mail
        </button>
        <button type="button" class="small" disabled={busy} onClick={() => void run("/done", {})}>
          Mark done
        </button>
      </div>
    </li>
  );
}

export function OfflineList() {
  const [items, setItems] = useState<Offline[]>([]);
  const [error, setError] = useState("");
  const refresh = () =>
    get<{ offline: Offline[] }>("/api/console/offline")
      .then((d) => (setItems(d.offline || []), setError("")))
      .catch((e) => setError(e instanceof ApiError ? e.message : "unavailable"));
  useEffect(() => {
    void refresh();
    const timer = setInterval(refresh, REFRESH_MS);
    window.addEventListener("focus", refresh);
    return () => {
      clearInterval(timer);
      window.removeEventListener("focus", refresh);
    };
  }, []);
  return (
    <section class="block">
      <h2>
        Offline messages <span class="count">{items.length}</span>
        <button type="button" class="link" onClick={() => void refresh()}>Refresh</button>
      </h2>
      <ul aria-label="Offline messages" class="list">
        {items.map((item) => <Item key={item.conversationId} item={item} onDone={() => void refresh()} />)}
      </ul>
      {!items.length && <p class="empty">{error ? `Unavailable: ${error}` : "No open messages."}</p>}
    </section>
  );
}
