// Agents: who answers, with which skills and how many chats at once; add one, edit its skills
// and capacity, deactivate it (its sessions end and its chats go back to the queue).
import { useState } from "preact/hooks";
import { patch, post } from "../api";
import type { AdminAgent } from "./types";
import { Alert, Page, Status, splitList, useAction, useLoad, type Action } from "./ui";

interface AgentList {
  agents: AdminAgent[];
}

export function AgentsPage() {
  const { data, error, reload } = useLoad<AgentList>("/api/admin/agents");
  const action = useAction();
  return (
    <Page title="Agents">
      <Alert text={error || action.error} />
      <Status text={action.status} />
      {data && <AgentTable agents={data.agents} action={action} reload={reload} />}
      <AddAgent reload={reload} />
    </Page>
  );
}

function AgentTable(props: { agents: AdminAgent[]; action: Action; reload: () => Promise<void> }) {
  const [editing, setEditing] = useState<number | null>(null);
  return (
    <table class="adm-table">
      <caption>Agents</caption>
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col">Email</th>
          <th scope="col">Skills</th>
          <th scope="col">Capacity</th>
          <th scope="col">Status</th>
          <th scope="col">Admin</th>
          <th scope="col">Active</th>
          <th scope="col">Actions</th>
        </tr>
      </thead>
      <tbody>
        {props.agents.map((agent) =>
          editing === agent.id ? (
            <EditRow key={agent.id} agent={agent} action={props.action}
              done={() => setEditing(null)} reload={props.reload} />
          ) : (
            <AgentRow key={agent.id} agent={agent} action={props.action}
              edit={() => setEditing(agent.id)} reload={props.reload} />
          ),
        )}
      </tbody>
    </table>
  );
}

interface RowProps {
  agent: AdminAgent;
  action: Action;
  reload: () => Promise<void>;
}

function AgentRow({ agent, action, reload, edit }: RowProps & { edit: () => void }) {
  const setActive = (active: boolean) => {
    const verb = active ? "Reactivate" : "Deactivate";
    const why = active ? "" : " Their sign-ins end and their chats go back to the queue.";
    if (!confirm(`${verb} ${agent.name} (${agent.email})?${why}`)) return;
    void action.run(async () => {
      await patch(`/api/admin/agents/${agent.id}`, { active });
      await reload();
      return `${agent.name} ${active ? "reactivated" : "deactivated"}.`;
    });
  };
  return (
    <tr class={agent.active ? "" : "adm-inactive"}>
      <th scope="row">{agent.name}</th>
      <td>{agent.email}</td>
      <td>{agent.skills.join(", ") || "—"}</td>
      <td>{`${agent.activeChats} / ${agent.maxChats}`}</td>
      <td>{agent.status}</td>
      <td>{agent.isAdmin ? "Yes" : "No"}</td>
      <td>{agent.active ? "Yes" : "No"}</td>
      <td>
        <div class="adm-actions">
          <button type="button" onClick={edit} aria-label={`Edit ${agent.name}`}>Edit</button>
          {agent.active ? (
            <button type="button" class="adm-danger" disabled={action.busy}
              onClick={() => setActive(false)} aria-label={`Deactivate ${agent.name}`}>
              Deactivate
            </button>
          ) : (
            <button type="button" disabled={action.busy} onClick={() => setActive(true)}
              aria-label={`Reactivate ${agent.name}`}>
              Reactivate
            </button>
          )}
        </div>
      </td>
    </tr>
  );
}

interface Edit {
  skills: string;
  maxChats: string;
  password: string;
  isAdmin: boolean;
}

/** The PATCH body: skills and capacity always, the flag when changed, a password when typed. */
function changes(agent: AdminAgent, edit: Edit): Record<string, unknown> {
  const body: Record<string, unknown> = { skills: splitList(edit.skills), maxChats: Number(edit.maxChats) };
  if (edit.isAdmin !== agent.isAdmin) body.isAdmin = edit.isAdmin;
  if (edit.password) body.password = edit.password;
  return body;
}

function EditRow({ agent, action, reload, done }: RowProps & { done: () => void }) {
  const [edit, setEdit] = useState<Edit>({
    skills: agent.skills.join(", "), maxChats: String(agent.maxChats), password: "", isAdmin: agent.isAdmin,
  });
  const set = (key: keyof Edit) => (e: Event) => {
    const input = e.currentTarget as HTMLInputElement;
    setEdit({ ...edit, [key]: input.type === "checkbox" ? input.checked : input.value });
  };
  const save = (event: Event) => {
    event.preventDefault();
    void action.run(async () => {
      await patch(`/api/admin/agents/${agent.id}`, changes(agent, edit));
      await reload();
      done();
      return `${agent.name} saved.`;
    });
  };
  const form = `edit-agent-${agent.id}`;
  return (
    <tr class="adm-editing">
      <th scope="row">{agent.name}</th>
      <td>
        {agent.email}
        <input form={form} type="password" autocomplete="new-password" value={edit.password}
          placeholder="New password (optional)" aria-label={`New password of ${agent.name}`}
          onInput={set("password")} />
      </td>
      <td>
        <form id={form} onSubmit={save} />
        <input form={form} value={edit.skills} aria-label={`Skills of ${agent.name} (comma separated)`}
          onInput={set("skills")} />
      </td>
      <td>
        <input form={form} type="number" min={1} max={100} required value={edit.maxChats}
          aria-label={`Max chats of ${agent.name}`} onInput={set("maxChats")} />
      </td>
      <td>{agent.status}</td>
      <td>
        <input form={form} type="checkbox" checked={edit.isAdmin} aria-label={`Admin: ${agent.name}`}
          onChange={set("isAdmin")} />
      </td>
      <td>{agent.active ? "Yes" : "No"}</td>
      <td>
        <div class="adm-actions">
          <button type="submit" form={form} disabled={action.busy}>Save</button>
          <button type="button" onClick={done}>Cancel</button>
        </div>
      </td>
    </tr>
  );
}

const EMPTY = { name: "", email: "", password: "", skills: "", maxChats: "3", isAdmin: false };

function AddAgent({ reload }: { reload: () => Promise<void> }) {
  const [form, setForm] = useState(EMPTY);
  const action = useAction();
  const set = (key: keyof typeof EMPTY) => (e: Event) => {
    const input = e.currentTarget as HTMLInputElement;
    setForm({ ...form, [key]: input.type === "checkbox" ? input.checked : input.value });
  };
  const submit = (event: Event) => {
    event.preventDefault();
    void action.run(async () => {
      const made = await post<AdminAgent>("/api/admin/agents", {
        name: form.name.trim(),
        email: form.email.trim(),
        password: form.password,
        skills: splitList(form.skills),
        maxChats: Number(form.maxChats),
        isAdmin: form.isAdmin,
      });
      setForm(EMPTY);
      await reload();
      return `Agent ${made.name} (${made.email}) created: they can sign in now.`;
    });
  };
  return (
    <form class="adm-form" aria-labelledby="add-agent" onSubmit={submit}>
      <h2 id="add-agent">Add agent</h2>
      <label><span>Name</span><input required value={form.name} onInput={set("name")} /></label>
      <label>
        <span>Email</span>
        <input type="email" required autocomplete="off" value={form.email} onInput={set("email")} />
      </label>
      <label>
        <span>Password</span>
        <input type="password" required autocomplete="new-password" value={form.password}
          onInput={set("password")} />
      </label>
      <label>
        <span>Skills (comma separated)</span>
        <input value={form.skills} placeholder="sales, billing" onInput={set("skills")} />
      </label>
      <label>
        <span>Max chats</span>
        <input type="number" min={1} max={100} required value={form.maxChats} onInput={set("maxChats")} />
      </label>
      <label class="adm-check">
        <input type="checkbox" checked={form.isAdmin} onChange={set("isAdmin")} />
        <span>Admin</span>
      </label>
      <div class="adm-actions">
        <button type="submit" disabled={action.busy}>Create agent</button>
      </div>
      <Alert text={action.error} />
      <Status text={action.status} />
    </form>
  );
}
