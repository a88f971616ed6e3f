// Queues: where conversations wait (a widget's data-subject, a CCAI menu). A queue with a virtual
// agent gets the secret that signs the calls to it, shown once.
import { useState } from "preact/hooks";
import { post } from "../api";
import type { AdminQueue } from "./types";
import { Alert, OnceSecret, Page, Status, useAction, useLoad } from "./ui";

export function QueuesPage() {
  const { data, error, reload } = useLoad<{ queues: AdminQueue[] }>("/api/admin/queues");
  return (
    <Page title="Queues">
      <Alert text={error} />
      {data && (
        <table class="adm-table">
          <caption>Queues</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Virtual agent URL</th>
              <th scope="col">Agents</th>
              <th scope="col">Waiting</th>
            </tr>
          </thead>
          <tbody>
            {data.queues.map((q) => (
              <tr key={q.id}>
                <th scope="row">{q.name}</th>
                <td class="adm-url">{q.virtualAgentUrl || "—"}</td>
                <td>{q.agents}</td>
                <td>{q.waiting}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <AddQueue reload={reload} />
    </Page>
  );
}

function AddQueue({ reload }: { reload: () => Promise<void> }) {
  const [name, setName] = useState("");
  const [url, setUrl] = useState("");
  const [secret, setSecret] = useState<AdminQueue | null>(null);
  const action = useAction();
  const submit = (event: Event) => {
    event.preventDefault();
    setSecret(null);
    void action.run(async () => {
      const body: { name: string; virtualAgentUrl?: string } = { name: name.trim() };
      if (url.trim()) body.virtualAgentUrl = url.trim();
      const made = await post<AdminQueue>("/api/admin/queues", body);
      setName("");
      setUrl("");
      await reload();
      if (made.secret) {
        setSecret(made);
        return null; // the secret panel says it
      }
      return `Queue ${made.name} created.`;
    });
  };
  return (
    <form class="adm-form" aria-labelledby="add-queue" onSubmit={submit}>
      <h2 id="add-queue">Add queue</h2>
      <label>
        <span>Name</span>
        <input required value={name} onInput={(e) => setName(e.currentTarget.value)} />
      </label>
      <label class="adm-wide">
        <span>Virtual agent URL</span>
        <input type="url" placeholder="https://bot.example.com/hook" value={url}
          onInput={(e) => setUrl(e.currentTarget.value)} />
      </label>
      <div class="adm-actions">
        <button type="submit" disabled={action.busy}>Create queue</button>
      </div>
      <Alert text={action.error} />
      <Status text={action.status} />
      {secret && (
        <OnceSecret
          title={`Queue ${secret.name} created. The secret that signs the calls to its virtual agent:`}
          values={[["Secret", secret.secret || ""]]}
          onDone={() => setSecret(null)}
        />
      )}
    </form>
  );
}
