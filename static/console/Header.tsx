// The top bar: who is signed in, the pages (nav "Console"), the agent's status as the
// server has it (setStatus; the select shows the server's answer), tools, and sign-out.
import { act } from "./link";
import type { Page } from "./admin/index";
import { getState, update, useStore } from "./store";
import { csrfToken } from "./ui";

const STATUSES = [
  ["available", "Available"],
  ["away", "Away"],
  ["offline", "Offline"],
] as const;

export type Dialog = "" | "help" | "settings" | "canned" | "transfer";

interface Props {
  pages: Record<string, Page> | null;
  openDialog: (d: Dialog) => void;
}

/** Shown at once; the server's answer has the last word (a refusal puts back its status). */
async function setStatus(status: string): Promise<void> {
  const before = getState().status;
  update((s) => ({ status, statusChanges: s.statusChanges + 1, statusInFlight: s.statusInFlight + 1 }));
  const ack = await act("setStatus", { status });
  update((s) => ({ statusChanges: s.statusChanges + 1, statusInFlight: s.statusInFlight - 1 }));
  if (ack.status === "ok" && typeof ack.agentStatus === "string") update({ status: ack.agentStatus });
  else if (getState().status === status) update({ status: before });
}

export function Header({ pages, openDialog }: Props) {
  const s = useStore();
  const route = s.route.split("?")[0];
  const links = Object.entries(pages || {}).filter(([, p]) => !p.admin || s.me?.isAdmin);
  return (
    <div class="top">
      <div class="brand">
        <span class="logo" aria-hidden="true" />
        <div>
          <h1>Console</h1>
          <span class="who">{s.me?.name ?? ""}</span>
        </div>
      </div>
      <nav aria-label="Console" class="nav">
        <a href="#/" aria-current={route === "" ? "page" : undefined}>
          Conversations
        </a>
        {links.map(([key, p]) => (
          <a key={key} href={`#/${key}`} aria-current={route === key ? "page" : undefined}>
            {p.title}
          </a>
        ))}
      </nav>
      <div class="tools">
        <label class="status">
          <span>Status</span>
          <select
            class={`st-${s.status}`}
            value={s.status}
            onChange={(e) => void setStatus(e.currentTarget.value)}
          >
            {STATUSES.map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </label>
        <button type="button" class="ghost" onClick={() => openDialog("canned")}>
          Canned responses
        </button>
        <button type="button" class="ghost" onClick={() => openDialog("settings")}>
          Settings
        </button>
        <button type="button" class="ghost" aria-label="Keyboard shortcuts" title="Keyboard shortcuts (?)"
          onClick={() => openDialog("help")}>
          ?
        </button>
        <form method="post" action="/console/sign-out" class="signout">
          <input type="hidden" name="csrf_token" value={csrfToken()} />
          <button type="submit" class="ghost">Sign out</button>
        </form>
      </div>
    </div>
  );
}
