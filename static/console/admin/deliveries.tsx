// One webhook's delivery log: its events newest first, each with its attempts (status code,
// error, duration), and Redeliver for a dead or delivered one. While any shown event is pending
// the log asks again every few seconds, so a redelivery is seen landing without a reload.
import { useEffect, useState } from "preact/hooks";
import { post } from "../api";
import type { Paged, Webhook, WebhookEvent } from "./types";
import { Alert, Status, useAction, useLoad, when } from "./ui";

const POLL_MS = 2000;
const STATUSES = [["", "All"], ["pending", "Pending"], ["delivered", "Delivered"], ["dead", "Dead"]];

export function DeliveryLog(props: { webhook: Webhook; onChange: () => Promise<void> }) {
  const { webhook } = props;
  const [status, setStatus] = useState("");
  const [page, setPage] = useState(1);
  const query = new URLSearchParams({ page: String(page) });
  if (status) query.set("status", status);
  const log = useLoad<Paged<WebhookEvent>>(`/api/admin/webhooks/${webhook.id}/events?${query}`);
  const action = useAction();
  const pending = log.data?.items.some((e) => e.status === "pending") ?? false;
  useEffect(() => {
    if (!pending) return;
    const timer = setTimeout(() => void log.reload().then(props.onChange), POLL_MS);
    return () => clearTimeout(timer);
  }, [pending, log.data]);
  const redeliver = (event: WebhookEvent) =>
    void action.run(async () => {
      const fresh = await post<WebhookEvent>(`/api/admin/webhooks/events/${event.id}/redeliver`);
      if (log.data) {
        log.set({ ...log.data, items: log.data.items.map((e) => (e.id === fresh.id ? fresh : e)) });
      }
      void props.onChange();
      return `${event.event} ${event.eventId} is queued for delivery again.`;
    });
  const pages = log.data ? Math.max(1, Math.ceil(log.data.total / log.data.perPage)) : 1;
  return (
    <section class="adm-log" aria-labelledby={`log-${webhook.id}`}>
      <h2 id={`log-${webhook.id}`}>{`Delivery log of ${webhook.url}`}</h2>
      <div class="adm-form adm-inline">
        <label>
          <span>Show</span>
          <select value={status} onChange={(e) => { setStatus(e.currentTarget.value); setPage(1); }}>
            {STATUSES.map(([value, text]) => <option key={value} value={value}>{text}</option>)}
          </select>
        </label>
        <button type="button" onClick={() => void log.reload().then(props.onChange)}>Refresh</button>
      </div>
      <Alert text={log.error || action.error} />
      <Status text={action.status} />
      {log.data && <EventTable items={log.data.items} busy={action.busy} onRedeliver={redeliver} />}
      {log.data && log.data.total > log.data.perPage && (
        <nav class="adm-pager" aria-label="Pages of deliveries">
          <button type="button" disabled={page <= 1} onClick={() => setPage(page - 1)}>Previous</button>
          <span>{`Page ${page} of ${pages}`}</span>
          <button type="button" disabled={page >= pages} onClick={() => setPage(page + 1)}>Next</button>
        </nav>
      )}
    </section>
  );
}

function EventTable(props: {
  items: WebhookEvent[];
  busy: boolean;
  onRedeliver: (e: WebhookEvent) => void;
}) {
  return (
    <table class="adm-table">
      <caption>{props.items.length ? "Events" : "No events yet"}</caption>
      <thead>
        <tr>
          <th scope="col">Event</th>
          <th scope="col">Status</th>
          <th scope="col">Attempts</th>
          <th scope="col">Created</th>
          <th scope="col">Delivered</th>
          <th scope="col">Last error</th>
          <th scope="col">Actions</th>
        </tr>
      </thead>
      <tbody>
        {props.items.map((event) => (
          <tr key={event.id} data-status={event.status}>
            <th scope="row">
              {event.event}
              <div class="adm-muted"><code>{event.eventId}</code></div>
            </th>
            <td><span class={`adm-badge adm-${event.status}`}>{event.status}</span></td>
            <td><Attempts event={event} /></td>
            <td>{when(event.createdAt)}</td>
            <td>{when(event.deliveredAt)}</td>
            <td class="adm-error">{event.lastError || "—"}</td>
            <td>
              <div class="adm-actions">
                {event.status !== "pending" && (
                  <button type="button" disabled={props.busy} onClick={() => props.onRedeliver(event)}
                    aria-label={`Redeliver ${event.event} ${event.eventId}`}>
                    Redeliver
                  </button>
                )}
              </div>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Attempts({ event }: { event: WebhookEvent }) {
  if (!event.log.length) return <>{event.attempts}</>;
  return (
    <details>
      <summary>{event.attempts === 1 ? "1 attempt" : `${event.attempts} attempts`}</summary>
      <table class="adm-table adm-attempts" aria-label={`Attempts of ${event.event} ${event.eventId}`}>
        <thead>
          <tr>
            <th scope="col">#</th>
            <th scope="col">At</th>
            <th scope="col">Status code</th>
            <th scope="col">Error</th>
            <th scope="col">Duration</th>
          </tr>
        </thead>
        <tbody>
          {event.log.map((a) => (
            <tr key={a.attempt}>
              <td>{a.attempt}</td>
              <td>{when(a.at)}</td>
              <td>{a.statusCode ?? "—"}</td>
              <td class="adm-error">{a.error || "—"}</td>
              <td>{a.durationMs === null ? "—" : `${a.durationMs} ms`}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </details>
  );
}
