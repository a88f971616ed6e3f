// An identified visitor's earlier conversations (GET /api/customer/conversations), newest first.
import { call } from "./api";
import { h } from "./dom";
import type { Strings } from "./i18n";

interface Summary {
  conversationId: string;
  state?: string;
  createdAt?: string;
  timestamp?: string;
  startedAt?: string;
  lastMessage?: { text?: string } | string;
}

function line(c: Summary): string {
  const when = c.createdAt || c.startedAt || c.timestamp;
  const date = when ? new Date(when).toLocaleString() : c.conversationId;
  const last = typeof c.lastMessage === "string" ? c.lastMessage : c.lastMessage?.text;
  return last ? `${date}: ${last}` : date;
}

/** A list filled in when the server answers (left out when it cannot). */
export function history(base: string, t: Strings, token: string): HTMLElement {
  const list = h("ul", { class: "hs" });
  const box = h("section", { class: "pad", "aria-label": t.history, hidden: true }, h("p", { class: "f" }, t.history), list);
  call<Summary[] | { conversations?: Summary[] }>(base, "/api/customer/conversations", undefined, {
    Authorization: `Bearer ${token}`,
  }).then(
    (r) => {
      const items = Array.isArray(r) ? r : r.conversations || [];
      list.replaceChildren(...items.map((c) => h("li", {}, line(c))));
      box.hidden = !items.length;
    },
    () => undefined, // no list: the chat works the same
  );
  return box;
}
