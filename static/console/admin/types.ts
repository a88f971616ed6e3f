// The JSON shapes of the calls search and the admin API (console spec), as the server sends them.

export interface CallItem {
  callId: string;
  masterCallId: string | null;
  sessionId: string | null;
  startedAt: string;
  channel: string | null;
  customer: string | null;
  email: string | null;
  phone: string | null;
  messages: number;
  preview: string | null;
}

export interface Paged<T> {
  items: T[];
  page: number;
  perPage: number;
  total: number;
}

export interface AdminAgent {
  id: number;
  email: string;
  name: string;
  isAdmin: boolean;
  active: boolean;
  status: string;
  maxChats: number;
  activeChats: number;
  skills: string[];
  createdAt: string;
}

export interface AdminQueue {
  id: number;
  name: string;
  virtualAgentUrl: string | null;
  agents: number;
  waiting: number;
  secret?: string;
}

export interface ApiUser {
  id: number;
  name: string;
  clientId: string;
  roles: string[];
  createdAt: string;
  revokedAt: string | null;
}

export interface NewApiUser {
  id: number;
  name: string;
  clientId: string;
  clientSecret: string;
  roles: string[];
}

export interface Webhook {
  id: number;
  url: string;
  events: string[];
  active: boolean;
  createdAt: string;
  basicUser: string | null;
  counts: { pending: number; delivered: number; dead: number };
  secret?: string;
}

export interface Attempt {
  attempt: number;
  at: string;
  statusCode: number | null;
  error: string | null;
  durationMs: number | null;
}

export interface WebhookEvent {
  id: number;
  eventId: string;
  event: string;
  status: "pending" | "delivered" | "dead";
  attempts: number;
  createdAt: string;
  deliveredAt: string | null;
  lastError: string | null;
  log: Attempt[];
}

export interface Dashboard {
  from: string;
  to: string;
  hours: { hour: string; conversations: number }[];
  firstResponse: { count: number; medianS: number | null; p90S: number | null };
  queueWait: { count: number; medianS: number | null };
  ratings: { count: number; average: number | null; distribution: Record<string, number> };
  totals: { conversations: number; ended: number; offline: number };
}
