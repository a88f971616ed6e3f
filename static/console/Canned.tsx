// Canned responses, shared by the team (/api/console/canned): listed, added, edited and
// deleted here; inserted in the composer by typing "/" and their shortcut.
import { useState } from "preact/hooks";
import { ApiError, del, get, patch, post } from "./api";
import { update, useStore } from "./store";
import type { Canned } from "./types";
import { Modal } from "./ui";

export async function loadCanned(): Promise<void> {
  try {
    const d = await get<{ canned: Canned[] }>("/api/console/canned");
    update({ canned: d.canned.sort((a, b) => a.shortcut.localeCompare(b.shortcut)) });
  } catch {
    // none for now: the composer works without them; the manager says why on opening
  }
}

export function CannedDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const { canned } = useStore();
  const [editing, setEditing] = useState<Canned | null>(null);
  const [shortcut, setShortcut] = useState("");
  const [text, setText] = useState("");
  const [error, setError] = useState("");
  const edit = (c: Canned | null) => {
    setEditing(c);
    setShortcut(c?.shortcut ?? "");
    setText(c?.text ?? "");
    setError("");
  };
  const run = async (job: () => Promise<unknown>) => {
    try {
      await job();
      edit(null);
      await loadCanned();
    } catch (e) {
      setError(e instanceof ApiError ? e.message : "Failed");
    }
  };
  const save = (e: Event) => {
    e.preventDefault();
    const body = { shortcut: shortcut.trim().replace(/^\//, ""), text };
    void run(() => (editing ? patch(`/api/console/canned/${editing.id}`, body) : post("/api/console/canned", body)));
  };
  return (
    <Modal open={open} title="Canned responses" onClose={onClose} wide>
      <ul class="canned-list" aria-label="Saved responses">
        {canned.map((c) => (
          <li key={c.id}>
            <code>/{c.shortcut}</code>
            <span class="ctext">{c.text}</span>
            <button type="button" class="small" onClick={() => edit(c)}>Edit</button>
            <button type="button" class="small danger"
              onClick={() => void run(() => del(`/api/console/canned/${c.id}`))}
              aria-label={`Delete /${c.shortcut}`}>Delete</button>
          </li>
        ))}
        {!canned.length && <li class="empty">None yet: add the answers you give every day.</li>}
      </ul>
      <form class="canned-form" onSubmit={save}>
        <h3>{editing ? `Edit /${editing.shortcut}` : "Add a response"}</h3>
        <label>
          Shortcut
          <input value={shortcut} required maxLength={40} pattern="/?[A-Za-z0-9_\-]+" placeholder="e.g. hello"
            onInput={(e) => setShortcut(e.currentTarget.value)} />
        </label>
        <label>
          Text
          <textarea rows={3} value={text} required onInput={(e) => setText(e.currentTarget.value)} />
        </label>
        {error && <p class="err" role="alert">{error}</p>}
        <div class="row">
          <button type="submit" class="primary">{editing ? "Save" : "Add"}</button>
          {editing && <button type="button" onClick={() => edit(null)}>Cancel</button>}
        </div>
      </form>
    </Modal>
  );
}
