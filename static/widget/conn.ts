// The conversation's socket: join, catch-up by afterSeq, and the outbox. Every message the
// visitor sends gets a UUID and waits in localStorage until its ack; after any (re)connect
// the widget rejoins, asks for what it missed and resends the unacked with the same id (the
// server stores an id once). Each stored message is handed to the view once (by seq).
import { io, type Socket } from "socket.io-client";
import { load, save, uuid } from "./store";

export interface Pair {
  conversationId: string;
  participantId: string;
  name: string;
}

export interface Party {
  id?: string;
  name?: string;
  role?: string;
}

export interface Attachment {
  type?: string;
  name?: string;
  contentUrl?: string;
  thumbnailUrl?: string;
  mediaId?: string;
}

export interface Msg {
  id: string;
  seq: number;
  type: string;
  activityType?: string;
  text?: string;
  from?: Party;
  attachments?: Attachment[];
  info?: { participant?: Party; position?: number; reason?: string };
  timestamp?: string;
}

export interface Pending {
  id: string;
  conversationId: string;
  text: string;
  attachments: { mediaId: string }[];
  tries: number;
  failed?: string;
}

export interface Events {
  message(m: Msg): void;
  typing(m: Msg): void;
  pending(list: Pending[]): void;
  online(up: boolean): void;
  refused(): void;
}

interface Ack {
  status: string;
  message?: string;
  errors?: unknown;
  messages?: Msg[];
}

const ACK_MS = 10000;
const RETRY_MS = 4000;
const TYPING_MS = 2000;

export class Chat {
  private socket: Socket;
  private seen = new Set<number>();
  private lastSeq = 0;
  private joined = false;
  private lastTyping = 0;
  private timer: ReturnType<typeof setInterval>;
  private outbox: Pending[];
  private failed: Pending[] = [];

  constructor(
    base: string,
    readonly pair: Pair,
    private ev: Events,
  ) {
    this.outbox = this.stored().filter((p) => p.conversationId === pair.conversationId);
    // WebSocket first; long polling where a proxy refuses WebSockets.
    this.socket = io(base, { transports: ["websocket", "polling"], tryAllTransports: true });
    this.socket.on("connect", () => this.join());
    const down = () => {
      this.joined = false;
      ev.online(false);
    };
    this.socket.on("disconnect", down);
    this.socket.on("connect_error", down); // the server cannot be reached at all
    this.socket.on("messageArrived", (m: Msg) => this.take(m));
    this.socket.on("conversationInfo", (info: Ack) => this.takeAll(info.messages));
    this.timer = setInterval(() => this.flush(), RETRY_MS);
  }

  private emit(event: string, payload: object): Promise<Ack> {
    return this.socket
      .timeout(ACK_MS)
      .emitWithAck(event, payload)
      .catch(() => ({ status: "error", message: "timeout" }));
  }

  private async join(): Promise<void> {
    const { conversationId, participantId, name } = this.pair;
    const after = this.lastSeq;
    const join = { conversationId, id: participantId, ...(name ? { name } : {}) };
    const ack = await this.emit("joinConversation", join);
    if (ack.status !== "ok") {
      // Only a wrong pair forgets the conversation; a timeout or a busy server tries again.
      if (ack.errors || /unknown conversation/.test(ack.message || "")) this.ev.refused();
      else setTimeout(() => this.socket.connected && !this.joined && this.join(), RETRY_MS);
      return;
    }
    this.joined = true;
    // What arrived while this socket was away; asked again until answered (no silent gap).
    for (let info: Ack; this.socket.connected; ) {
      info = await this.emit("conversationInfo", { conversationId, afterSeq: after });
      if (info.status === "ok") {
        this.takeAll(info.messages);
        break;
      }
      await new Promise((r) => setTimeout(r, RETRY_MS));
    }
    this.ev.online(true);
    this.flush();
  }

  private takeAll(messages: Msg[] | undefined): void {
    for (const m of (messages || []).slice().sort((a, b) => a.seq - b.seq)) this.take(m);
  }

  private take(m: Msg): void {
    if (m.activityType === "typing") return this.ev.typing(m);
    if (typeof m.seq !== "number" || this.seen.has(m.seq)) return;
    this.seen.add(m.seq);
    this.lastSeq = Math.max(this.lastSeq, m.seq);
    if (this.drop(m.id)) this.changed();
    this.ev.message(m);
  }

  // The outbox is shared by every tab of the site: each change re-reads localStorage, so a
  // tab never overwrites another's entries, and a tab resends what a closed one left.
  private stored(): Pending[] {
    return load<Pending[]>("outbox", []);
  }

  private drop(id: string): boolean {
    const before = this.outbox.length;
    this.outbox = this.outbox.filter((p) => p.id !== id);
    const rest = this.stored().filter((p) => p.id !== id);
    save("outbox", rest.length ? rest : null);
    return before !== this.outbox.length;
  }

  private changed(): void {
    this.ev.pending(this.outbox.concat(this.failed));
  }

  /** Queue a message (text and/or uploaded attachments) and try to send it now. */
  send(text: string, attachments: { mediaId: string }[] = []): void {
    const p: Pending = {
      id: uuid(),
      conversationId: this.pair.conversationId,
      text,
      attachments,
      tries: 0,
    };
    this.outbox.push(p);
    save("outbox", this.stored().concat(p));
    this.changed();
    this.sendOne(p);
  }

  private flush(): void {
    const mine = new Set(this.outbox.map((p) => p.id));
    for (const p of this.stored()) {
      if (p.conversationId === this.pair.conversationId && !mine.has(p.id)) this.outbox.push(p);
    }
    this.changed();
    for (const p of this.outbox) this.sendOne(p);
  }

  private async sendOne(p: Pending): Promise<void> {
    if (!this.joined) return;
    p.tries++;
    const ack = await this.emit("sendMessage", {
      type: "ChatMessage",
      conversationId: p.conversationId,
      id: p.id,
      text: p.text,
      attachments: p.attachments,
      to: [],
      tag: "",
    });
    if (ack.status === "ok") {
      this.drop(p.id); // its messageArrived (or the catch-up) shows it in the log
    } else if (ack.errors) {
      p.failed = ack.message || "error"; // refused as invalid: resending cannot help
      this.drop(p.id);
      this.failed.push(p);
    }
    this.changed();
  }

  /** Tell the agent the visitor is typing: at most one activity per TYPING_MS. */
  typing(): void {
    const now = Date.now();
    if (!this.joined || now - this.lastTyping < TYPING_MS) return;
    this.lastTyping = now;
    this.socket.emit("sendMessage", {
      type: "ActivityMessage",
      activityType: "typing",
      conversationId: this.pair.conversationId,
    });
  }

  end(): Promise<Ack> {
    return this.emit("endConversation", { conversationId: this.pair.conversationId });
  }

  close(): void {
    clearInterval(this.timer);
    this.socket.close();
  }
}
