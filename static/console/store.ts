// The console's one state, changed only through update(): components re-render on every
// change (the tree is small), socket and REST handlers write here. Settings, the outbox and
// what has been read persist in localStorage (keys prefixed "console:").
import { useEffect, useState } from "preact/hooks";
import type { Canned, Conv, Me, Pending, Queue } from "./types";

export interface Settings {
  sound: boolean;
  notify: boolean;
}

export type Link = "connecting" | "down" | "catching" | "up";

export interface State {
  me: Me | null;
  status: string;
  /** Counts the agent's own status changes (asked and answered), and how many are still
   * on their way: a /me answer read before one was applied must not undo it. */
  statusChanges: number;
  statusInFlight: number;
  link: Link;
  queues: Queue[];
  convs: Conv[];
  selected: string | null;
  pending: Pending[];
  canned: Canned[];
  settings: Settings;
  route: string;
  whisper: boolean;
  notice: string; // the last failure worth telling the agent, "" none
}

export function load<T>(name: string, fallback: T): T {
  try {
    const raw = localStorage.getItem("console:" + name);
    return raw ? (JSON.parse(raw) as T) : fallback;
  } catch {
    return fallback;
  }
}

export function save(name: string, value: unknown): void {
  try {
    if (value === null) localStorage.removeItem("console:" + name);
    else localStorage.setItem("console:" + name, JSON.stringify(value));
  } catch {
    // storage refused: the in-memory state still drives this page view
  }
}

let state: State = {
  me: null,
  status: "offline",
  statusChanges: 0,
  statusInFlight: 0,
  link: "connecting",
  queues: [],
  convs: [],
  selected: null,
  pending: [],
  canned: [],
  settings: load<Settings>("settings", { sound: true, notify: true }),
  route: location.hash.replace(/^#\/?/, ""),
  whisper: false,
  notice: "",
};

const listeners = new Set<() => void>();

export const getState = (): State => state;

export function update(change: Partial<State> | ((s: State) => Partial<State>)): void {
  const part = typeof change === "function" ? change(state) : change;
  state = { ...state, ...part };
  for (const fn of listeners) fn();
}

export function subscribe(fn: () => void): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/** The state, re-rendering the component on every change. */
export function useStore(): State {
  const [, tick] = useState(0);
  useEffect(() => subscribe(() => tick((n) => n + 1)), []);
  return state;
}

/** Date.now(), refreshed every `ms` (waiting times, typing expiry). */
export function useNow(ms = 1000): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(timer);
  }, [ms]);
  return now;
}

export function setConv(id: string, change: (c: Conv) => Partial<Conv>): void {
  update((s) => ({ convs: s.convs.map((c) => (c.id === id ? { ...c, ...change(c) } : c)) }));
}

export const findConv = (id: string | null): Conv | undefined =>
  state.convs.find((c) => c.id === id);

export function tell(notice: string): void {
  update({ notice });
}

/** A random UUID v4 (a message's client id); crypto.randomUUID exists in secure contexts only. */
export function uuid(): string {
  if (crypto.randomUUID) return crypto.randomUUID(); // secure contexts only
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 15) | 64;
  b[8] = (b[8] & 63) | 128;
  const x = Array.from(b, (v) => v.toString(16).padStart(2, "0")).join("");
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}
