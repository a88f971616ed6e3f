// The dialogs: transfer (to a queue or an agent), keyboard shortcuts, alert settings.
import { useEffect, useState } from "preact/hooks";
import { askPermission, beep, setSettings, unlockAudio } from "./alerts";
import { ApiError, get } from "./api";
import { remove } from "./convs";
import { act } from "./link";
import { useStore } from "./store";
import { Modal } from "./ui";

interface Target {
  id: number;
  name: string;
  status?: string;
  activeChats?: number;
  maxChats?: number;
  skills?: string[];
}

export function TransferDialog({ open, conversationId, onClose }: {
  open: boolean;
  conversationId: string | null;
  onClose: () => void;
}) {
  const [queues, setQueues] = useState<Target[] | null>(null);
  const [agents, setAgents] = useState<Target[] | null>(null);
  const [error, setError] = useState("");
  useEffect(() => {
    if (!open) return;
    setError("");
    const failed = (e: unknown) => setError(e instanceof ApiError ? e.message : "unavailable");
    get<{ queues: Target[] }>("/api/console/queues").then((d) => setQueues(d.queues)).catch(failed);
    get<{ agents: Target[] }>("/api/console/agents").then((d) => setAgents(d.agents)).catch(failed);
  }, [open]);
  const go = async (payload: { queueId: number } | { agentId: number }) => {
    if (!conversationId) return;
    const ack = await act("transferConversation", { conversationId, ...payload });
    if (ack.status !== "ok") return setError(ack.message || "refused");
    remove(conversationId); // it is someone else's now
    onClose();
  };
  return (
    <Modal open={open} title="Transfer conversation" onClose={onClose}>
      {error && <p class="err" role="alert">{error}</p>}
      <h3>To an agent</h3>
      {agents === null ? <p class="empty">Loading…</p> : !agents.length ? <p class="empty">No other agent.</p> : (
        <ul class="targets">
          {agents.map((a) => (
            <li key={a.id}>
              <button type="button" onClick={() => void go({ agentId: a.id })}>{a.name}</button>
              <span class={`dot st-${a.status}`} aria-hidden="true" />
              <span class="tmeta">
                {a.status} · {a.activeChats ?? 0}/{a.maxChats ?? "?"} chats
                {a.skills?.length ? ` · ${a.skills.join(", ")}` : ""}
              </span>
            </li>
          ))}
        </ul>
      )}
      <h3>Back to a queue</h3>
      {queues === null ? <p class="empty">Loading…</p> : (
        <ul class="targets">
          {queues.map((q) => (
            <li key={q.id}>
              <button type="button" onClick={() => void go({ queueId: q.id })}>{q.name}</button>
              <span class="tmeta">first in line for its agents</span>
            </li>
          ))}
        </ul>
      )}
    </Modal>
  );
}

export const SHORTCUTS: [string, string][] = [
  ["Alt + ↑ / Alt + ↓", "Previous / next conversation"],
  ["Alt + A", "Accept the customer waiting longest"],
  ["Alt + W", "Whisper on / off"],
  ["Alt + M", "Write in the message box"],
  ["Alt + T", "Transfer the open conversation"],
  ["/ at the start of a message", "Canned responses (↑ ↓ to choose, Enter or Tab to insert)"],
  ["Enter / Shift + Enter", "Send / new line"],
  ["Escape", "Close a dialog or the suggestions"],
  ["?", "This help"],
];

export function HelpDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  return (
    <Modal open={open} title="Keyboard shortcuts" onClose={onClose}>
      <table class="keys">
        <tbody>
          {SHORTCUTS.map(([keys, what]) => (
            <tr key={keys}>
              <th scope="row"><kbd>{keys}</kbd></th>
              <td>{what}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Modal>
  );
}

export function SettingsDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const { settings } = useStore();
  const permission = "Notification" in window ? Notification.permission : "unsupported";
  return (
    <Modal open={open} title="Settings" onClose={onClose}>
      <p class="hint">Alerts for a new conversation, a customer waiting and a new message, whether or not this tab is in front.</p>
      <label class="check">
        <input type="checkbox" checked={settings.sound} onChange={(e) => setSettings({ sound: e.currentTarget.checked })} />
        Sound
      </label>
      <button type="button" class="small test" onClick={() => { unlockAudio(); setTimeout(() => beep("assigned"), 50); }}>
        Play a test sound
      </button>
      <label class="check">
        <input type="checkbox" checked={settings.notify} onChange={(e) => setSettings({ notify: e.currentTarget.checked })} />
        Browser notifications
      </label>
      <p class="hint">
        Browser permission: <strong>{permission}</strong>{" "}
        {permission === "default" && (
          <button type="button" class="small" onClick={() => void askPermission()}>Allow notifications</button>
        )}
        {permission === "denied" && " — allow them in the browser's site settings."}
      </p>
    </Modal>
  );
}
