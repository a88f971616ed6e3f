// Webhook endpoints: add one (its signing secret shown once), remove one, and open the delivery
// log of each (deliveries.tsx), where a dead event can be sent again.
import { useState } from "preact/hooks";
import { del, post } from "../api";
import { DeliveryLog } from "./deliveries";
import type { Webhook } from "./types";
import { Alert, OnceSecret, Page, Status, useAction, useLoad } from "./ui";

const EVENTS = ["call.summary", "chat.created", "chat.message", "chat.ended"];

export function WebhooksPage() {
  const { data, error, reload } = useLoad<{ webhooks: Webhook[] }>("/api/admin/webhooks");
  const [open, setOpen] = useState<number | null>(null);
  const action = useAction();
  const remove = (hook: Webhook) => {
    if (!confirm(`Remove the webhook to ${hook.url}? Nothing more is sent to it.`)) return;
    void action.run(async () => {
      await del(`/api/admin/webhooks/${hook.id}`);
      if (open === hook.id) setOpen(null);
      await reload();
      return `The webhook to ${hook.url} was removed.`;
    });
  };
  const shown = data?.webhooks.find((w) => w.id === open);
  return (
    <Page title="Webhooks">
      <Alert text={error || action.error} />
      <Status text={action.status} />
      {data && (
        <WebhookTable webhooks={data.webhooks} open={open} busy={action.busy}
          onLog={(id) => setOpen(open === id ? null : id)} onRemove={remove} />
      )}
      {shown && <DeliveryLog key={shown.id} webhook={shown} onChange={reload} />}
      <AddWebhook reload={reload} />
    </Page>
  );
}

function WebhookTable(props: {
  webhooks: Webhook[];
  open: number | null;
  busy: boolean;
  onLog: (id: number) => void;
  onRemove: (hook: Webhook) => void;
}) {
  return (
    <table class="adm-table">
      <caption>Webhooks</caption>
      <thead>
        <tr>
          <th scope="col">URL</th>
          <th scope="col">Events</th>
          <th scope="col">Pending</th>
          <th scope="col">Delivered</th>
          <th scope="col">Dead</th>
          <th scope="col">Actions</th>
        </tr>
      </thead>
      <tbody>
        {props.webhooks.map((hook) => (
          <tr key={hook.id} class={hook.active ? "" : "adm-inactive"}>
            <th scope="row" class="adm-url">
              {hook.url}
              {!hook.active && <span class="adm-muted"> (removed)</span>}
              {hook.basicUser && <div class="adm-muted">{`Basic user ${hook.basicUser}`}</div>}
            </th>
            <td>{hook.events.join(", ")}</td>
            <td>{hook.counts.pending}</td>
            <td>{hook.counts.delivered}</td>
            <td>{hook.counts.dead}</td>
            <td>
              <div class="adm-actions">
                <button type="button" aria-expanded={props.open === hook.id}
                  aria-label={`Delivery log of ${hook.url}`} onClick={() => props.onLog(hook.id)}>
                  Delivery log
                </button>
                {hook.active && (
                  <button type="button" class="adm-danger" disabled={props.busy}
                    aria-label={`Remove ${hook.url}`} onClick={() => props.onRemove(hook)}>
                    Remove
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

const EMPTY = { url: "", events: ["call.summary"], basicUser: "", basicPassword: "" };

function AddWebhook({ reload }: { reload: () => Promise<void> }) {
  const [form, setForm] = useState(EMPTY);
  const [made, setMade] = useState<Webhook | null>(null);
  const action = useAction();
  const toggle = (event: string, on: boolean) =>
    setForm({ ...form, events: on ? [...form.events, event] : form.events.filter((e) => e !== event) });
  const submit = (event: Event) => {
    event.preventDefault();
    setMade(null);
    void action.run(async () => {
      const body: Record<string, unknown> = { url: form.url.trim(), events: form.events };
      if (form.basicUser) Object.assign(body, { basicUser: form.basicUser, basicPassword: form.basicPassword });
      const hook = await post<Webhook>("/api/admin/webhooks", body);
      setForm(EMPTY);
      setMade(hook);
      await reload();
    });
  };
  return (
    <form class="adm-form" aria-labelledby="add-webhook" onSubmit={submit}>
      <h2 id="add-webhook">Add webhook</h2>
      <label class="adm-wide">
        <span>URL</span>
        <input type="url" required value={form.url} placeholder="https://example.com/hooks/chat"
          onInput={(e) => setForm({ ...form, url: e.currentTarget.value })} />
      </label>
      <fieldset>
        <legend>Events</legend>
        {EVENTS.map((name) => (
          <label key={name} class="adm-check">
            <input type="checkbox" checked={form.events.includes(name)}
              onChange={(e) => toggle(name, e.currentTarget.checked)} />
            <span>{name}</span>
          </label>
        ))}
      </fieldset>
      <label>
        <span>Basic user</span>
        <input value={form.basicUser} autocomplete="off"
          onInput={(e) => setForm({ ...form, basicUser: e.currentTarget.value })} />
      </label>
      <label>
        <span>Basic password</span>
        <input type="password" value={form.basicPassword} autocomplete="new-password"
          onInput={(e) => setForm({ ...form, basicPassword: e.currentTarget.value })} />
      </label>
      <div class="adm-actions">
        <button type="submit" disabled={action.busy}>Add webhook</button>
      </div>
      <Alert text={action.error} />
      {made && (
        <OnceSecret
          title={`Webhook to ${made.url} added. The secret that signs its deliveries:`}
          values={[["Secret", made.secret || ""]]}
          onDone={() => setMade(null)}
        />
      )}
    </form>
  );
}
