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
import { STRINGS, type Strings } from "./i18n";
import { notify } from "./notify";
import { load, save, uuid } from "./store";
import type { Controller, Ctx, Identity } from "./types";

interface Opened {
  conversationId: string;
  participant: { id: string };
}

class Widget implements Controller {
  private t: Strings;
  private base: string;
  private closer = h("button", { class: "x", type: "button" }, "×");
  private sub = h("p", { class: "sub" });
  private down = h("p", { class: "rc", "aria-live": "polite", hidden: true });
  private body = h("div", { class: "bd" });
  private panel = h("section", { class: "p", role: "dialog", "aria-labelledby": "cw-t" });
  private chat: Chat | null = null;
  private view: ChatView | null = null;
  private identity: Identity = {};
  private synced = false; // past the first join's catch-up: no sound or events for history
  private unread = 0;
  private pending: Pending[] = [];
  private read = load<number>("read", 0); // the last seq the visitor has seen
  private choosing = 0;

  constructor(private ctx: Ctx) {
    this.t = STRINGS[ctx.cfg.lang];
    this.base = ctx.cfg.base;
    ctx.sheet(CSS);
    this.closer.setAttribute("aria-label", this.t.close);
    this.down.textContent = this.t.reconnecting;
    const title = h("h2", { id: "cw-t" }, ctx.cfg.title);
    const head = h("div", { class: "hd" }, h("div", {}, title, this.sub), this.closer);
    this.panel.hidden = true;
    this.panel.append(head, this.down, this.body);
    ctx.frame.append(this.panel);
    this.closer.addEventListener("click", () => this.close());
    this.panel.addEventListener("keydown", (e) => e.key === "Escape" && this.close());
    // Read means seen: a message that came while the tab was hidden counts once it is shown.
    document.addEventListener("visibilitychange", () => this.isOpen() && this.seenAll());
    const stored = load<Pair | null>("conversation", null);
    if (stored?.conversationId && stored.participantId) this.begin(stored);
    else this.choose();
  }

  open(): void {
    if (this.isOpen()) return this.focusIn();
    this.panel.hidden = false;
    this.ctx.launcher.setAttribute("aria-expanded", "true");
    this.setUnread(0);
    this.seenAll();
    this.focusIn();
    this.ctx.emit("open");
  }

  close(): void {
    if (!this.isOpen()) return;
    this.panel.hidden = true;
    this.ctx.launcher.setAttribute("aria-expanded", "false");
    this.ctx.launcher.focus();
    this.ctx.emit("close");
  }

  identify(proof: Identity): void {
    this.identity = proof && typeof proof === "object" ? proof : {};
    if (!this.view) this.choose(); // the pre-chat form shows the identified visitor's list
  }

  private isOpen(): boolean {
    return !this.panel.hidden;
  }

  private show(el: HTMLElement): void {
    this.body.replaceChildren(el);
  }

  /** Focus into the panel: the composer, else the end box's or the form's first field. */
  private focusIn(): void {
    const input = this.view?.input;
    const scope = this.body.querySelector(".ed") || this.body;
    const first = scope.querySelector<HTMLElement>("input:not([type=radio]),textarea,button");
    (input?.isConnected ? input : first || this.closer).focus();
  }

  private setUnread(n: number): void {
    if (n === this.unread) return;
    this.unread = n;
    this.ctx.setUnread(n);
    this.ctx.emit("unread", n);
  }

  private seen(seq: number): void {
    if (seq > this.read) save("read", (this.read = seq));
  }

  private seenAll(): void {
    const last = this.view?.log.lastElementChild as HTMLElement | null;
    if (last && !document.hidden) this.seen(Number(last.dataset.seq));
  }

  /** Each stored message, once: into the log, then unread count, sound and events. */
  private arrived(m: Msg, pair: Pair): void {
    this.view!.add(m);
    if (m.activityType === "endOfConversation") return this.finish(pair);
    const theirs = m.type === "ChatMessage" && m.from?.id !== pair.participantId;
    if (this.synced) {
      this.ctx.emit("message", { seq: m.seq, text: m.text || "", from: m.from, mine: !theirs });
    }
    if (!theirs || m.seq <= this.read) return;
    if (!this.isOpen()) this.setUnread(this.unread + 1);
    else if (!document.hidden) this.seen(m.seq);
    if (this.synced) notify(this.t.newMessage);
  }

  /** Connect to a conversation (new, resumed or stored) and show it. */
  private begin(pair: Pair): void {
    this.synced = false;
    this.sub.textContent = "";
    const chat = new Chat(this.base, pair, {
      message: (m) => this.arrived(m, pair),
      typing: (m) => {
        if (m.from?.id !== pair.participantId) this.view!.typed(m.from?.name || this.t.agent);
      },
      // "Sending…" until the socket is known to be down, then "Not sent, retrying".
      pending: (list) => this.view!.pending((this.pending = list), this.down.hidden),
      online: (up) => {
        this.synced ||= up;
        this.down.hidden = up;
        this.view!.pending(this.pending, up);
      },
      refused: () => {
        this.forget();
        this.choose();
      },
    });
    const actions = {
      send: (text: string) => chat.send(text),
      attach: (file: File) => this.attach(chat, file),
      typing: () => chat.typing(),
      end: () => chat.end(),
    };
    this.chat = chat;
    this.view = new ChatView(this.t, this.base, pair, actions, (s) => (this.sub.textContent = s));
    this.show(this.view.el);
  }

  /** Upload through the attachment route, then send the message naming it. */
  private async attach(chat: Chat, file: File): Promise<void> {
    const form = new FormData();
    form.append("conversationId", chat.pair.conversationId);
    form.append("participantId", chat.pair.participantId);
    form.append("file", file);
    const media = await call<{ mediaId: string }>(this.base, "/api/customer/attachments", form);
    chat.send("", [{ mediaId: media.mediaId }]);
  }

  private forget(): void {
    this.chat?.close();
    this.chat = this.view = null;
    this.down.hidden = true;
    save("conversation", null);
    save("outbox", null);
    save("read", (this.read = 0));
  }

  /** The conversation ended: rating, transcript and "New chat" under the log. */
  private finish(pair: Pair): void {
    const { conversationId: id, participantId: pid } = pair;
    const path = `/api/customer/transcript/${enc(id)}`;
    const rating = `/api/customer/conversations/${enc(id)}/rating`;
    const box = ended(this.t, {
      pdf: `${this.base}${path}/pdf?participantId=${enc(pid)}&download=1`,
      rate: (value, comment) =>
        call(this.base, rating, { participantId: pid, rating: value, comment }),
      mail: () => call(this.base, `${path}/email?participantId=${enc(pid)}`),
      again: () => {
        this.view = null;
        this.choose();
        this.focusIn();
      },
    });
    const view = this.view!;
    this.forget();
    this.view = view; // stays on screen until "New chat"
    view.ended(box);
    this.ctx.emit("end", { conversationId: id });
  }

  /** The pre-chat form's Start chat: init, keep the pair, join. */
  private async init(name: string, email: string): Promise<void> {
    const visitor = load<string>("visitor", "") || uuid();
    save("visitor", visitor);
    const { token, identifier, hash } = this.identity;
    const body = {
      channel: "web",
      refId: visitor,
      email: email || null,
      firstName: name || null,
      subject: this.ctx.cfg.subject || null,
      language: this.ctx.cfg.lang,
      url: location.href.slice(0, 2000),
      timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone,
      ...(token ? { identityToken: token } : {}),
      ...(identifier ? { identifier, identifierHash: hash } : {}),
    };
    const r = await call<Opened>(this.base, "/api/customer/init", body);
    this.resume({ conversationId: r.conversationId, participantId: r.participant.id, name });
  }

  private resume(pair: Pair): void {
    save("conversation", pair);
    this.begin(pair);
    this.focusIn();
  }

  /** The pre-chat form, or the offline form when nobody can answer. */
  private async choose(): Promise<void> {
    const mine = ++this.choosing;
    const { subject } = this.ctx.cfg;
    let available = true;
    try {
      const path = `/api/customer/availability?subject=${enc(subject)}`;
      available = (await call<{ available: boolean }>(this.base, path)).available !== false;
    } catch {
      // unknown: offer the chat, the queue tells the rest
    }
    if (mine !== this.choosing || this.view) return;
    const { token } = this.identity;
    const list = token ? history(this.base, this.t, token, (p) => this.resume(p)) : null;
    const leave = (name: string, email: string, text: string) =>
      call(this.base, "/api/customer/offline", { name, email, text, subject });
    const start = (name: string, email: string) => this.init(name, email);
    this.show(available ? prechat(this.t, start, list) : offline(this.t, leave));
    if (this.isOpen()) this.focusIn();
  }
}

/** Mount the panel (closed) and resume a stored conversation; the loader calls this once. */
export function start(ctx: Ctx): Controller {
  return new Widget(ctx);
}
