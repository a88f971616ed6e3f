// An identified visitor's earlier conversations (GET /api/customer/conversations), newest first:
// an open one resumes on a click, an ended one links to its transcript.
import { call, enc } from "./api";
import type { Pair } from "./conn";
import { h } from "./dom";
import type { Strings } from "./i18n";

interface Summary {
  conversationId: string;
  participantId?: string;
  state?: string;
  createdAt?: string;
  lastMessage?: { text?: string } | string | null;
}

function line(c: Summary): string {
  const date = c.createdAt ? new Date(c.createdAt).toLocaleString() : c.conversationId;
  const last = typeof c.lastMessage === "string" ? c.lastMessage : c.lastMessage?.text;
  return last ? `${date}: ${last}` : date;
}

function item(base: string, t: Strings, c: Summary, resume: (pair: Pair) => void): HTMLElement {
  const pid = c.participantId;
  if (!pid || c.state === "offline") return h("li", {}, line(c));
  if (c.state === "ended") {
    const id = enc(c.conversationId);
    const pdf = `${base}/api/customer/transcript/${id}/pdf?participantId=${enc(pid)}&download=1`;
    return h("li", {}, h("a", { class: "lk", href: pdf, download: "" }, line(c)));
  }
  const button = h("button", { class: "bt s", type: "button" }, line(c));
  button.addEventListener("click", () =>
    resume({ conversationId: c.conversationId, participantId: pid, name: "" }),
  );
  return h("li", {}, button);
}

/** A list filled in when the server answers (left out when it cannot). */
export function history(
  base: string,
  t: Strings,
  token: string,
  resume: (pair: Pair) => void,
): HTMLElement {
  const list = h("ul", { class: "hs" });
  const box = h("section", { class: "pad", "aria-label": t.history, hidden: true });
  box.append(h("p", { class: "f" }, t.history), list);
  call<{ conversations?: Summary[] }>(base, "/api/customer/conversations", undefined, {
    Authorization: `Bearer ${token}`,
  }).then(
    (r) => {
      const items = r.conversations || [];
      list.replaceChildren(...items.map((c) => item(base, t, c, resume)));
      box.hidden = !items.length;
    },
    () => undefined, // no list: the chat works the same
  );
  return box;
}
