// The conversation view: the role="log" of stored messages (each a direct child with data-seq,
// in seq order, its text as text), the visitor's unacked messages below it, the waiting notice
// (role="status"), the typing line and the composer.
import type { Attachment, Msg, Pair, Pending } from "./conn";
import { h, icon, safeUrl } from "./dom";
import { fill, type Strings } from "./i18n";

const CLIP =
  "M16.5 6v11.5a4 4 0 0 1-8 0V5a2.5 2.5 0 0 1 5 0v10.5a1 1 0 0 1-2 0V6H10v9.5a2.5 2.5 0 0 0 5 0V5a4 4 0 0 0-8 0v12.5a5.5 5.5 0 0 0 11 0V6z";

export interface ChatActions {
  send(text: string): void;
  attach(file: File): Promise<unknown>;
  typing(): void;
  end(): Promise<unknown>;
}

export class ChatView {
  readonly el: HTMLElement;
  readonly log = h("div", { class: "log", role: "log", "aria-live": "polite", "aria-label": "" });
  private out = h("ol", { class: "ot" });
  private status = h("p", { class: "st", role: "status" });
  private typer = h("p", { class: "ty", "aria-hidden": "true" });
  private alert = h("p", { class: "er", role: "alert" });
  private foot: HTMLElement;
  private scroller: HTMLElement;
  readonly input: HTMLTextAreaElement;
  private typingTimer = 0;

  constructor(
    private t: Strings,
    private base: string,
    private pair: Pair,
    private act: ChatActions,
    private subtitle: (text: string) => void,
  ) {
    this.log.setAttribute("aria-label", t.messages);
    this.input = h("textarea", { rows: 1, "aria-label": t.message, maxlength: 5000 });
    const file = h("input", { type: "file", "aria-label": t.attach });
    const clip = h("label", { class: "at", title: t.attach }, file, icon(CLIP));
    const send = h("button", { class: "bt", type: "submit" }, t.send);
    const form = h("form", { class: "cm" }, clip, this.input, send);
    const end = h("button", { class: "bt s", type: "button" }, t.end);
    this.foot = h("div", {}, form, h("div", { class: "ft" }, end));
    this.scroller = h("div", { class: "sc" }, this.log, this.out, this.typer);
    this.el = h("div", { class: "bd" }, this.status, this.scroller, this.alert, this.foot);
    this.status.textContent = t.waiting;

    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const text = this.input.value.trim();
      if (!text) return;
      this.input.value = "";
      act.send(text);
    });
    this.input.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        form.requestSubmit();
      }
    });
    this.input.addEventListener("input", () => act.typing());
    file.addEventListener("change", () => this.upload(file));
    end.addEventListener("click", () => this.guarded(() => act.end()));
  }

  private async guarded(task: () => Promise<unknown>): Promise<void> {
    this.alert.textContent = "";
    try {
      await task();
    } catch (error) {
      this.alert.textContent = (error as Error).message || this.t.error;
    }
  }

  private async upload(file: HTMLInputElement): Promise<void> {
    const chosen = file.files?.[0];
    if (!chosen) return;
    file.disabled = true;
    await this.guarded(() => this.act.attach(chosen));
    file.value = "";
    file.disabled = false;
  }

  private mine(m: { from?: { id?: string } }): boolean {
    return m.from?.id === this.pair.participantId;
  }

  private attachments(list: Attachment[] | undefined): Node[] {
    return (list || []).map((a) => {
      const href = safeUrl(a.contentUrl, this.base);
      const thumb = safeUrl(a.thumbnailUrl, this.base);
      const name = a.name || "file";
      if (!href) return document.createTextNode(name);
      const link = h("a", { href, target: "_blank", rel: "noopener noreferrer" });
      const image = thumb || a.type?.startsWith("image/");
      if (image) link.append(h("img", { src: thumb || href, alt: name }));
      else link.textContent = name;
      return link;
    });
  }

  /** The element for a stored message; activities become short system lines (or stay hidden). */
  private render(m: Msg): HTMLElement {
    const el = h("div", { "data-seq": m.seq, class: "m" });
    if (m.type !== "ActivityMessage") {
      el.classList.add(this.mine(m) ? "me" : "them");
      if (!this.mine(m)) el.dataset.who = m.from?.name || this.t.agent;
      if (m.text) el.append(m.text);
      el.append(...this.attachments(m.attachments));
      return el;
    }
    el.classList.add("sy");
    const who = m.info?.participant;
    const staff = who && who.role !== "customer";
    const name = who?.name || this.t.agent;
    const kind = m.activityType;
    if (kind === "participantJoined" && staff) el.textContent = fill(this.t.joined, { name });
    else if (kind === "participantLeft" && staff) el.textContent = fill(this.t.left, { name });
    else if (kind === "endOfConversation") el.textContent = this.t.ended;
    else el.hidden = true; // greetings, handOff, queue notices: said elsewhere or not at all
    return el;
  }

  /** A stored message, put in its seq place (the conn hands each seq once). */
  add(m: Msg): void {
    const el = this.render(m);
    let next: Element | null = null;
    let c = this.log.lastElementChild as HTMLElement | null;
    for (; c && Number(c.dataset.seq) > m.seq; c = c.previousElementSibling as HTMLElement | null) {
      next = c;
    }
    this.log.insertBefore(el, next);
    if (!next) this.notice(m); // the newest says who is here; a late older one does not
    if (!this.mine(m) && m.type !== "ActivityMessage") this.typed(null);
    this.scroller.scrollTop = 1e9;
  }

  private notice(m: Msg): void {
    const who = m.info?.participant;
    if (m.activityType === "noAgentAvailable") {
      const n = m.info?.position;
      this.status.textContent = (n ? fill(this.t.position, { n }) + " " : "") + this.t.waiting;
    } else if (m.activityType === "participantJoined" && who && who.role !== "customer") {
      this.status.textContent = "";
      this.subtitle(fill(this.t.chatting, { name: who.name || this.t.agent }));
    } else if (m.activityType === "endOfConversation") this.status.textContent = "";
  }

  /** The visitor's messages still waiting for their ack. */
  pending(list: Pending[], online: boolean): void {
    this.out.replaceChildren(
      ...list.map((p) => {
        const trying = online && p.tries < 2 ? this.t.sending : this.t.retrying;
        const mark = p.failed ? `${this.t.failed}: ${p.failed}` : trying;
        return h("li", { "data-id": p.id }, p.text || "📎", h("small", {}, mark));
      }),
    );
    if (list.length) this.scroller.scrollTop = 1e9;
  }

  /** "Alice is typing…" for a few seconds (null clears it). */
  typed(name: string | null): void {
    clearTimeout(this.typingTimer);
    this.typer.textContent = name ? fill(this.t.typing, { name }) : "";
    if (name) this.typingTimer = window.setTimeout(() => this.typed(null), 4000);
  }

  /** The chat is over: the composer gives way to the rating and transcript box. */
  ended(box: HTMLElement): void {
    const active = (this.el.getRootNode() as ShadowRoot).activeElement;
    const focused = !!active && this.el.contains(active);
    this.foot.remove();
    this.typed(null);
    this.scroller.append(box);
    this.scroller.scrollTop = 1e9;
    // The End chat button is gone: keep the keyboard in the panel (Escape must still close it).
    if (focused) box.querySelector<HTMLElement>("input,button")!.focus();
  }
}
