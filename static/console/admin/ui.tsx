// Pieces every admin page shares: the page frame, alert and status lines, loading a resource,
// running a change with its outcome, the once-shown secret panel, and how times read.
import type { ComponentChildren } from "preact";
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { ApiError, get } from "../api";

/** The server's message, then each field it names ("email: already taken"). */
export function errorText(error: unknown): string {
  if (!(error instanceof ApiError)) return error instanceof Error ? error.message : String(error);
  const details: string[] = [];
  const walk = (value: unknown, key: string) => {
    if (typeof value === "string") details.push(key ? `${key}: ${value}` : value);
    else if (Array.isArray(value)) value.forEach((v) => walk(v, key));
    else if (value && typeof value === "object") {
      // flask-smorest nests by location ("json", "query"); the field name is what people read
      for (const [k, v] of Object.entries(value)) walk(v, k === "json" || k === "query" ? key : k);
    }
  };
  walk(error.errors, "");
  return details.length ? `${error.message} (${details.join("; ")})` : error.message;
}

export function Page(props: { title: string; children: ComponentChildren }) {
  return (
    <section class="adm-page">
      <h1>{props.title}</h1>
      {props.children}
    </section>
  );
}

/** An error line, read out at once; nothing rendered when there is none. */
export function Alert(props: { text: string | null }) {
  return props.text ? <p role="alert" class="adm-alert">{props.text}</p> : null;
}

/** A success line, read out politely; nothing rendered when there is none. */
export function Status(props: { text: string | null }) {
  return props.text ? <p role="status" class="adm-ok">{props.text}</p> : null;
}

export interface Loaded<T> {
  data: T | null;
  error: string | null;
  reload: () => Promise<void>;
  /** Replace what is shown (with what a change answered) until the next load. */
  set: (data: T) => void;
}

/** GET path now and whenever path changes; a late answer for an older path is dropped. */
export function useLoad<T>(path: string | null): Loaded<T> {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const latest = useRef<string | null>(path);
  latest.current = path;
  const reload = useCallback(async () => {
    if (path === null) return;
    try {
      const answer = await get<T>(path);
      if (latest.current !== path) return;
      setData(answer);
      setError(null);
    } catch (e) {
      if (latest.current === path) setError(errorText(e));
    }
  }, [path]);
  useEffect(() => {
    void reload();
  }, [reload]);
  return { data, error, reload, set: setData };
}

export interface Action {
  busy: boolean;
  error: string | null;
  status: string | null;
  /** Runs work; its string result becomes the status line, a throw the alert line. */
  run: (work: () => Promise<string | null | void>) => Promise<boolean>;
  clear: () => void;
}

export function useAction(): Action {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const run = useCallback(async (work: () => Promise<string | null | void>) => {
    setBusy(true);
    setError(null);
    setStatus(null);
    try {
      setStatus((await work()) || null);
      return true;
    } catch (e) {
      setError(errorText(e));
      return false;
    } finally {
      setBusy(false);
    }
  }, []);
  const clear = useCallback(() => {
    setError(null);
    setStatus(null);
  }, []);
  return { busy, error, status, run, clear };
}

/** A secret the server shows once: each value, a copy button, and the warning. */
export function OnceSecret(props: { title: string; values: [string, string][]; onDone: () => void }) {
  const [copied, setCopied] = useState<string | null>(null);
  const copy = async () => {
    const text = props.values.map(([k, v]) => `${k}: ${v}`).join("\n");
    try {
      await navigator.clipboard.writeText(text);
      setCopied("Copied to the clipboard.");
    } catch {
      setCopied("The browser refused the clipboard: select the values and copy them.");
    }
  };
  return (
    <div role="status" class="adm-secret">
      <p class="adm-secret-title">{props.title}</p>
      <p>
        <strong>Copy it now: it will not be shown again.</strong>
      </p>
      <dl>
        {props.values.map(([k, v]) => [<dt key={`t${k}`}>{k}</dt>, <dd key={`d${k}`}><code>{v}</code></dd>])}
      </dl>
      <div class="adm-actions">
        <button type="button" onClick={copy}>Copy</button>
        <button type="button" onClick={props.onDone}>Done</button>
      </div>
      {copied && <p>{copied}</p>}
    </div>
  );
}

/** A server time (ISO, UTC) in the reader's own zone and format. */
export function when(iso: string | null | undefined): string {
  if (!iso) return "—";
  const date = new Date(iso);
  return isNaN(date.getTime()) ? iso : date.toLocaleString();
}

/** A duration in seconds as people say it: "42 s", "3 min 5 s", "2 h 10 min"; "—" for none. */
export function seconds(value: number | null | undefined): string {
  if (value === null || value === undefined) return "—";
  const s = Math.round(value);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

/** "a, b" from "a, b,,  " : the comma separated lists of the forms. */
export function splitList(text: string): string[] {
  return text.split(",").map((s) => s.trim()).filter(Boolean);
}
