// API users: the integrations' client credentials. The secret is stored hashed, so it is shown
// once, when made; revoking one ends its tokens.
import { useState } from "preact/hooks";
import { del, post } from "../api";
import type { ApiUser, NewApiUser } from "./types";
import { Alert, OnceSecret, Page, Status, useAction, useLoad, when } from "./ui";

const ROLES = ["chat_capture", "purge", "async_metadata", "call_share", "apps_api", "connector", "admin"];

export function ApiUsersPage() {
  const { data, error, reload } = useLoad<{ apiUsers: ApiUser[] }>("/api/admin/api-users");
  const action = useAction();
  const revoke = (user: ApiUser) => {
    if (!confirm(`Revoke ${user.name} (${user.clientId})? Its integrations stop working.`)) return;
    void action.run(async () => {
      await del(`/api/admin/api-users/${user.id}`);
      await reload();
      return `${user.name} revoked.`;
    });
  };
  return (
    <Page title="API users">
      <Alert text={error || action.error} />
      <Status text={action.status} />
      {data && (
        <table class="adm-table">
          <caption>API users</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Client id</th>
              <th scope="col">Roles</th>
              <th scope="col">Created</th>
              <th scope="col">Revoked</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {data.apiUsers.map((user) => (
              <tr key={user.id} class={user.revokedAt ? "adm-inactive" : ""}>
                <th scope="row">{user.name}</th>
                <td><code>{user.clientId}</code></td>
                <td>{user.roles.join(", ")}</td>
                <td>{when(user.createdAt)}</td>
                <td>{user.revokedAt ? when(user.revokedAt) : "—"}</td>
                <td>
                  <div class="adm-actions">
                    {!user.revokedAt && (
                      <button type="button" class="adm-danger" disabled={action.busy}
                        onClick={() => revoke(user)} aria-label={`Revoke ${user.name}`}>
                        Revoke
                      </button>
                    )}
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <AddApiUser reload={reload} />
    </Page>
  );
}

function AddApiUser({ reload }: { reload: () => Promise<void> }) {
  const [name, setName] = useState("");
  const [roles, setRoles] = useState<string[]>([]);
  const [made, setMade] = useState<NewApiUser | null>(null);
  const action = useAction();
  const toggle = (role: string, on: boolean) =>
    setRoles(on ? [...roles, role] : roles.filter((r) => r !== role));
  const submit = (event: Event) => {
    event.preventDefault();
    setMade(null);
    void action.run(async () => {
      const user = await post<NewApiUser>("/api/admin/api-users", { name: name.trim(), roles });
      setName("");
      setRoles([]);
      setMade(user);
      await reload();
    });
  };
  return (
    <form class="adm-form" aria-labelledby="add-api-user" onSubmit={submit}>
      <h2 id="add-api-user">Add API user</h2>
      <label>
        <span>Name</span>
        <input required value={name} onInput={(e) => setName(e.currentTarget.value)} />
      </label>
      <fieldset>
        <legend>Roles</legend>
        {ROLES.map((role) => (
          <label key={role} class="adm-check">
            <input type="checkbox" checked={roles.includes(role)}
              onChange={(e) => toggle(role, e.currentTarget.checked)} />
            <span>{role}</span>
          </label>
        ))}
      </fieldset>
      <div class="adm-actions">
        <button type="submit" disabled={action.busy}>Create API user</button>
      </div>
      <Alert text={action.error} />
      {made && (
        <OnceSecret
          title={`API user ${made.name} created with roles ${made.roles.join(", ") || "none"}.`}
          values={[["Client id", made.clientId], ["Client secret", made.clientSecret]]}
          onDone={() => setMade(null)}
        />
      )}
    </form>
  );
}
