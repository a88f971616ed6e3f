// Captured calls: search by text, session id, e-mail, phone and dates, paginated by the server.
// The search lives in the hash ("#/calls?q=refund&page=2"), so Back and a shared link give it again.
import { useEffect, useState } from "preact/hooks";
import type { CallItem, Paged } from "./types";
import { Alert, Page, useLoad, when } from "./ui";

const FIELDS = ["q", "sessionId", "email", "phone", "from", "to"] as const;
type Field = (typeof FIELDS)[number];
type Search = Record<Field, string> & { page: number };
const PER_PAGE = 25;

function fromHash(): Search {
  const query = location.hash.split("?")[1] || "";
  const params = new URLSearchParams(query);
  const search = { page: Math.max(1, Number(params.get("page")) || 1) } as Search;
  for (const f of FIELDS) search[f] = params.get(f) || "";
  return search;
}

function toQuery(search: Search): string {
  const params = new URLSearchParams();
  for (const f of FIELDS) if (search[f].trim()) params.set(f, search[f].trim());
  if (search.page > 1) params.set("page", String(search.page));
  return params.toString();
}

/** The API's query; dates are the reader's local days, sent as the UTC instants that bound them. */
function apiPath(search: Search): string {
  const params = new URLSearchParams();
  for (const f of FIELDS) {
    const value = search[f].trim();
    if (!value) continue;
    params.set(f, f === "from" ? startOfDay(value) : f === "to" ? endOfDay(value) : value);
  }
  params.set("page", String(search.page));
  params.set("perPage", String(PER_PAGE));
  return `/api/console/calls?${params}`;
}

/** 2026-12-06 (a local day) → the UTC instant it ends, so calls of that day are found. */
function endOfDay(day: string): string {
  const end = new Date(`${day}T23:59:59.999`);
  return isNaN(end.getTime()) ? day : end.toISOString();
}

/** Likewise "from" starts at the local midnight, not UTC's. */
function startOfDay(day: string): string {
  const start = new Date(`${day}T00:00:00`);
  return isNaN(start.getTime()) ? day : start.toISOString();
}

function go(search: Search) {
  const query = toQuery(search);
  location.hash = query ? `#/calls?${query}` : "#/calls";
}

export function CallsPage() {
  const [search, setSearch] = useState<Search>(fromHash);
  const [draft, setDraft] = useState<Search>(search);
  useEffect(() => {
    const sync = () => {
      if (!location.hash.startsWith("#/calls")) return;
      const next = fromHash();
      setSearch(next);
      setDraft(next);
    };
    addEventListener("hashchange", sync);
    return () => removeEventListener("hashchange", sync);
  }, []);
  const { data, error, reload } = useLoad<Paged<CallItem>>(apiPath(search));
  const submit = (event: Event) => {
    event.preventDefault();
    const next = { ...draft, page: 1 };
    // the same search again changes no hash: ask again for what came in since
    if (toQuery(next) === toQuery(search)) void reload();
    else go(next);
  };
  return (
    <Page title="Calls">
      <SearchForm draft={draft} setDraft={setDraft} onSubmit={submit} />
      <Alert text={error} />
      {data && <Results data={data} onPage={(page) => go({ ...search, page })} />}
    </Page>
  );
}

const LABELS: Record<Field, [string, "search" | "text" | "email" | "tel" | "date"]> = {
  q: ["Text", "search"],
  sessionId: ["Session id", "text"],
  email: ["Customer email", "email"],
  phone: ["Customer phone", "tel"],
  from: ["From", "date"],
  to: ["To", "date"],
};

function SearchForm(props: {
  draft: Search;
  setDraft: (s: Search) => void;
  onSubmit: (e: Event) => void;
}) {
  const { draft, setDraft } = props;
  return (
    <form class="adm-form adm-search" role="search" aria-label="Search calls" onSubmit={props.onSubmit}>
      {FIELDS.map((f) => (
        <label key={f}>
          <span>{LABELS[f][0]}</span>
          <input
            // Preact types each input type's attributes apart; all of these take a text value
            type={LABELS[f][1] as "text"}
            name={f}
            value={draft[f]}
            onInput={(e) => setDraft({ ...draft, [f]: e.currentTarget.value })}
          />
        </label>
      ))}
      <div class="adm-actions">
        <button type="submit">Search</button>
        <button type="button" onClick={() => go({ ...draft, ...clear(), page: 1 })}>Clear</button>
      </div>
    </form>
  );
}

const clear = () => Object.fromEntries(FIELDS.map((f) => [f, ""])) as Record<Field, string>;

function Results(props: { data: Paged<CallItem>; onPage: (page: number) => void }) {
  const { items, page, perPage, total } = props.data;
  const pages = Math.max(1, Math.ceil(total / perPage));
  return (
    <>
      <table class="adm-table">
        <caption>
          {total === 1 ? "1 call found" : `${total} calls found`}
        </caption>
        <thead>
          <tr>
            <th scope="col">Started</th>
            <th scope="col">Call</th>
            <th scope="col">Customer</th>
            <th scope="col">Channel</th>
            <th scope="col">Messages</th>
            <th scope="col">Preview</th>
            <th scope="col">Transcript</th>
          </tr>
        </thead>
        <tbody>
          {items.map((call) => <CallRow key={call.callId} call={call} />)}
        </tbody>
      </table>
      <nav class="adm-pager" aria-label="Pages of calls">
        <button type="button" disabled={page <= 1} onClick={() => props.onPage(page - 1)}>
          Previous
        </button>
        <span>{`Page ${page} of ${pages}`}</span>
        <button type="button" disabled={page >= pages} onClick={() => props.onPage(page + 1)}>
          Next
        </button>
      </nav>
    </>
  );
}

function CallRow({ call }: { call: CallItem }) {
  const id = encodeURIComponent(call.callId);
  const who = [call.customer, call.email, call.phone].filter(Boolean).join(" · ");
  return (
    <tr>
      <td>{when(call.startedAt)}</td>
      <td>
        <a href={`/calls/${id}`} target="_blank" rel="noopener">{call.callId}</a>
        {call.sessionId && <div class="adm-muted">{`Session ${call.sessionId}`}</div>}
      </td>
      <td>{who || "—"}</td>
      <td>{call.channel || "—"}</td>
      <td>{call.messages}</td>
      <td class="adm-preview">{call.preview || ""}</td>
      <td>
        <a href={`/calls/${id}/transcript.pdf`} download="">
          PDF<span class="adm-sr">{` transcript of ${call.callId}`}</span>
        </a>
      </td>
    </tr>
  );
}
