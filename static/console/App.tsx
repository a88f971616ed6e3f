// The page: top bar, the connection banner, then either the agent's day (three columns:
// lists | conversation | customer) or a page of the lazily loaded admin module. Global
// keyboard shortcuts live here (see Dialogs.tsx SHORTCUTS).
import { useEffect, useState } from "preact/hooks";
import type { Page } from "./admin/index";
import { askPermission } from "./alerts";
import { CannedDialog } from "./Canned";
import { focusComposer } from "./Composer";
import { ConversationPane } from "./Conversation";
import { CustomerPanel } from "./Customer";
import { HelpDialog, SettingsDialog, TransferDialog } from "./Dialogs";
import { Header, type Dialog } from "./Header";
import { accept, MyConversations, oldestWaiting, WaitingList } from "./Lists";
import { select } from "./link";
import { OfflineList } from "./Offline";
import { getState, load, save, tell, update, useStore } from "./store";

function Banner() {
  const { link, notice } = useStore();
  return (
    <>
      <div role="status" class={`banner${link === "up" ? " hidden" : ""}`}>
        {link === "connecting" ? "Connecting…" : link === "up" ? "" : "Reconnecting… messages will catch up"}
      </div>
      {notice && (
        <div role="alert" class="notice">
          <span>{notice}</span>
          <button type="button" class="icon" aria-label="Dismiss" onClick={() => tell("")}>×</button>
        </div>
      )}
    </>
  );
}

/** Until the browser allows notifications, one line offers to (a click is needed to ask). */
function NotifyOffer() {
  const { settings } = useStore();
  const [hidden, setHidden] = useState(() => load("offerDismissed", false));
  if (hidden || !settings.notify || !("Notification" in window) || Notification.permission !== "default") {
    return null;
  }
  const later = () => {
    save("offerDismissed", true);
    setHidden(true);
  };
  return (
    <div class="offer">
      <span>Get a browser notification for every new chat and message, even with this tab hidden.</span>
      <button type="button" class="small primary" onClick={() => void askPermission().then(() => setHidden(true))}>
        Allow notifications
      </button>
      <button type="button" class="small" onClick={later}>Not now</button>
    </div>
  );
}

function typingInField(e: KeyboardEvent): boolean {
  const t = e.target as HTMLElement | null;
  return !!t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName));
}

function step(delta: number): void {
  const { convs, selected } = getState();
  if (!convs.length) return;
  const at = convs.findIndex((c) => c.id === selected);
  select(convs[(at + delta + convs.length) % convs.length].id);
}

function useShortcuts(open: (d: Dialog) => void): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.altKey && !e.ctrlKey && !e.metaKey) {
        const act: Record<string, () => void> = {
          ArrowUp: () => step(-1),
          ArrowDown: () => step(1),
          KeyA: () => { const id = oldestWaiting(); if (id) void accept(id); },
          KeyW: () => update((s) => ({ whisper: !s.whisper })),
          KeyM: focusComposer,
          KeyT: () => getState().selected && open("transfer"),
        };
        const run = act[e.code] ?? act[e.key];
        if (run) {
          e.preventDefault();
          run();
        }
      } else if (e.key === "?" && !typingInField(e) && !document.querySelector("dialog[open]")) {
        e.preventDefault();
        open("help");
      }
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, []);
}

export function App({ pages }: { pages: Record<string, Page> | null }) {
  const s = useStore();
  const [dialog, setDialog] = useState<Dialog>("");
  useShortcuts(setDialog);
  const close = () => setDialog("");
  const route = s.route.split("?")[0];
  const page = route ? pages?.[route] : undefined;
  const Component = page && (!page.admin || s.me?.isAdmin) ? page.component : null;
  return (
    <div class="shell">
      {/* Dialogs first: their choices come before anything else of the same name. */}
      <TransferDialog open={dialog === "transfer"} conversationId={s.selected} onClose={close} />
      <HelpDialog open={dialog === "help"} onClose={close} />
      <SettingsDialog open={dialog === "settings"} onClose={close} />
      <CannedDialog open={dialog === "canned"} onClose={close} />
      <header>
        <Header pages={pages} openDialog={setDialog} />
        <Banner />
        <NotifyOffer />
      </header>
      {route === "" ? (
        <main class="day">
          <aside class="lists" aria-label="Queues and conversations">
            <WaitingList />
            <MyConversations />
            <OfflineList />
          </aside>
          <ConversationPane onTransfer={() => setDialog("transfer")} />
          <CustomerPanel />
        </main>
      ) : (
        <main class="page">
          {Component ? <Component /> : <p class="empty">{pages ? "No such page." : "Loading…"}</p>}
        </main>
      )}
    </div>
  );
}
