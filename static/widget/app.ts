// /widget/app.js: the panel, loaded by the loader (static/widget/loader.ts) when the visitor
// reaches for the launcher or has a chat to resume. It defines no global: start() gets what
// the loader hands it and returns the controller behind window.ChatWidget.
import { call, enc } from "./api";
import { ChatView } from "./chat";
import { Chat, type Msg, type Pair, type Pending } from "./conn";
import { CSS } from "./css";
import { h } from "./dom";
import { ended, offline, prechat } from "./forms";
import { history } from "./history";
import { STRINGS } from "./i18n";
import { notify } from "./notify";
import { load, save, uuid } from "./store";
import type { Controller, Ctx, Identity } from "./types";

/** Mount the panel (closed) and resume a stored conversation; the loader calls this once. */
export function start(ctx: Ctx): Controller {
  const { cfg, launcher } = ctx;
  const t = STRINGS[cfg.lang];
  const base = cfg.base;
  ctx.sheet(CSS);
  const close = h("button", { class: "x", type: "button", "aria-label": t.close }, "×");
  const sub = h("p", { class: "sub" });
  const title = h("h2", { id: "cw-t" }, cfg.title);
  const down = h("p", { class: "rc", "aria-live": "polite", hidden: true }, t.reconnecting);
  const body = h("div", { class: "bd" });
  const panel = h("section", { class: "p", role: "dialog", "aria-labelledby": "cw-t", hidden: true });
  panel.append(h("div", { class: "hd" }, h("div", {}, title, sub), close), down, body);
  ctx.frame.append(panel);

  let chat: Chat | null = null;
  let view: ChatView | null = null;
  let identity: Identity = {};
  let synced = false;
  let unread = 0;
  let pending: Pending[] = [];
  let read = load<number>("read", 0);

  const show = (el: HTMLElement) => body.replaceChildren(el);
  const setSub = (text: string) => (sub.textContent = text);
  const isOpen = () => !panel.hidden;

  function setUnread(n: number): void {
    if (n === unread) return;
    unread = n;
    ctx.setUnread(n);
    ctx.emit("unread", n);
  }

  function seen(seq: number): void {
    if (seq > read) save("read", (read = seq));
  }

  function seenAll(): void {
    const last = view?.log.lastElementChild as HTMLElement | null;
    if (last) seen(Number(last.dataset.seq));
  }

  function arrived(m: Msg, pair: Pair): void {
    view!.add(m);
    if (m.activityType === "endOfConversation") return finish(pair);
    const theirs = m.type === "ChatMessage" && m.from?.id !== pair.participantId;
    if (synced) ctx.emit("message", { seq: m.seq, text: m.text || "", from: m.from, mine: !theirs });
    if (!theirs || m.seq <= read) return;
    if (isOpen() && !document.hidden) seen(m.seq);
    else if (!isOpen()) setUnread(unread + 1);
    if (synced) notify(t.newMessage);
  }

  function begin(pair: Pair): void {
    synced = false;
    setSub("");
    chat = new Chat(base, pair, {
      message: (m) => arrived(m, pair),
      typing: (m) => m.from?.id !== pair.participantId && view!.typed(m.from?.name || t.agent),
      // "Sending…" until the socket is known to be down, then "Not sent, retrying".
      pending: (list) => view!.pending((pending = list), down.hidden),
      online: (up) => {
        synced ||= up; // the first join's catch-up is history: no sound, no "message" events
        down.hidden = up;
        view!.pending(pending, up);
      },
      refused: () => {
        forget();
        choose();
      },
    });
    view = new ChatView(t, base, pair, {
      send: (text) => chat!.send(text),
      attach: (file) => attach(pair, file),
      typing: () => chat!.typing(),
      end: () => chat!.end(),
    }, setSub);
    show(view.el);
  }

  async function attach(pair: Pair, file: File): Promise<void> {
    const form = new FormData();
    form.append("conversationId", pair.conversationId);
    form.append("participantId", pair.participantId);
    form.append("file", file);
    const media = await call<{ mediaId: string }>(base, "/api/customer/attachments", form);
    chat!.send("", [{ mediaId: media.mediaId }]);
  }

  function forget(): void {
    chat?.close();
    chat = view = null;
    down.hidden = true;
    save("conversation", null);
    save("outbox", null);
    save("read", (read = 0));
  }

  function finish(pair: Pair): void {
    const { conversationId: id, participantId: pid } = pair;
    const path = `/api/customer/transcript/${enc(id)}`;
    const box = ended(t, {
      pdf: `${base}${path}/pdf?participantId=${enc(pid)}&download=1`,
      rate: (rating, comment) =>
        call(base, `/api/customer/conversations/${enc(id)}/rating`, { participantId: pid, rating, comment }),
      mail: () => call(base, `${path}/email?participantId=${enc(pid)}`),
      again: () => {
        view = null;
        choose();
        focusIn();
      },
    });
    const v = view!;
    forget();
    view = v; // stays on screen until "New chat"
    v.ended(box);
    ctx.emit("end", { conversationId: id });
  }

  async function init(name: string, email: string): Promise<void> {
    const visitor = load<string>("visitor", "") || uuid();
    save("visitor", visitor);
    const body: Record<string, unknown> = {
      channel: "web",
      refId: visitor,
      email: email || null,
      firstName: name || null,
      subject: cfg.subject || null,
      language: cfg.lang,
      url: location.href.slice(0, 2000),
      timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone,
    };
    if (identity.token) body.identityToken = identity.token;
    if (identity.identifier) Object.assign(body, { identifier: identity.identifier, identifierHash: identity.hash });
    const r = await call<{ conversationId: string; participant: { id: string } }>(base, "/api/customer/init", body);
    const pair = { conversationId: r.conversationId, participantId: r.participant.id, name };
    save("conversation", pair);
    begin(pair);
    view!.input.focus();
  }

  function resume(pair: Pair): void {
    save("conversation", pair);
    begin(pair);
    focusIn();
  }

  function leave(name: string, email: string, text: string) {
    return call(base, "/api/customer/offline", { name, email, text, subject: cfg.subject });
  }

  let choosing = 0;
  async function choose(): Promise<void> {
    const mine = ++choosing;
    let available = true;
    try {
      const a = await call<{ available: boolean }>(base, `/api/customer/availability?subject=${enc(cfg.subject)}`);
      available = a.available !== false;
    } catch {
      // unknown: offer the chat, the queue tells the rest
    }
    if (mine !== choosing || chat) return;
    const hist = identity.token ? history(base, t, identity.token, resume) : null;
    show(available ? prechat(t, init, hist) : offline(t, leave));
    if (isOpen()) focusIn();
  }

  function focusIn(): void {
    const first = body.querySelector<HTMLElement>("input:not([type=radio]),textarea,button,a[href]");
    (first || close).focus();
  }

  function open(): void {
    if (isOpen()) return focusIn();
    panel.hidden = false;
    launcher.setAttribute("aria-expanded", "true");
    setUnread(0);
    seenAll();
    focusIn();
    ctx.emit("open");
  }

  function shut(): void {
    if (!isOpen()) return;
    panel.hidden = true;
    launcher.setAttribute("aria-expanded", "false");
    launcher.focus();
    ctx.emit("close");
  }

  // Read means seen: a message that came while the tab was hidden counts once it is shown.
  document.addEventListener("visibilitychange", () => isOpen() && !document.hidden && seenAll());
  close.addEventListener("click", shut);
  panel.addEventListener("keydown", (event) => {
    if (event.key === "Escape") shut();
  });
  const stored = load<Pair | null>("conversation", null);
  if (stored?.conversationId && stored.participantId) begin(stored);
  else choose();
  return {
    open,
    close: shut,
    identify(proof) {
      identity = proof && typeof proof === "object" ? proof : {};
      if (!chat) choose();
    },
  };
}
