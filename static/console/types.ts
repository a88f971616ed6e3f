// The shapes the console receives: CONTRACT §4/§5 (Socket.IO) and the console API.

export interface Party {
  id?: string;
  name?: string;
  role?: string;
}

export interface Attachment {
  mediaId?: string;
  type?: string;
  name?: string;
  size?: number;
  contentUrl?: string;
  thumbnailUrl?: string;
}

export interface Msg {
  id: string;
  seq: number;
  type: string;
  conversationId: string;
  activityType?: string;
  text?: string;
  tag?: string;
  from?: Party;
  to?: Party[];
  attachments?: Attachment[];
  info?: { participant?: Party; position?: number; reason?: string; queue?: unknown };
  timestamp?: string;
}

export interface ConversationObj {
  conversationId: string;
  chatId?: number;
  channel?: string;
  state: string;
  queue?: { id: number; name: string } | null;
  customer?: {
    name?: string; firstName?: string; lastName?: string; email?: string; phone?: string; refId?: string;
  };
  createdAt?: string;
  endedAt?: string | null;
}

export interface Info {
  conversation: ConversationObj;
  messages?: Msg[];
  participant?: Party[];
}

export interface Me {
  id: number;
  email: string;
  name: string;
  isAdmin: boolean;
  status: string;
  maxChats: number;
  skills: { id: number; name: string }[];
}

export interface Waiting {
  conversationId: string;
  since: string;
  position: number;
}

export interface Queue {
  id: number;
  name: string;
  waiting: Waiting[];
}

export interface Pending {
  id: string; // the client id: a resend with it is stored once
  conversationId: string;
  text: string;
  tag: string;
  attachments: { mediaId: string; name?: string }[];
  at: number; // when written (ms): an orphan is forgotten after a while
  acked?: boolean; // stored: shown until its messageArrived
  failed?: string; // refused for good: shown with the reason
}

export interface Canned {
  id: number;
  shortcut: string;
  text: string;
}

/** An open conversation as the console keeps it. */
export interface Conv {
  id: string;
  info: ConversationObj;
  participants: Party[];
  messages: Msg[]; // by seq, each once
  lastSeq: number;
  mine: boolean; // still mine: false once ended, transferred or re-queued
  readSeq: number;
  unread: number;
  typing: string; // who is typing now ("" nobody)
  since: number; // when it became mine (ms)
}
