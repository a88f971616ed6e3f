// The middle column: the open conversation's header (Transfer, End conversation), its log
// and the composer. Opening it (and seeing it: tab visible) marks its messages read.
import { useEffect } from "preact/hooks";
import { Composer } from "./Composer";
import { markRead, setPending } from "./convs";
import { customerName } from "./Lists";
import { act, flush } from "./link";
import { Log } from "./Log";
import { findConv, useStore } from "./store";

export async function endConversation(id: string): Promise<void> {
  await act("endConversation", { conversationId: id });
}

export function ConversationPane({ onTransfer }: { onTransfer: () => void }) {
  const s = useStore();
  const conv = findConv(s.selected);
  useEffect(() => {
    const seen = () => conv && document.visibilityState === "visible" && markRead(conv.id);
    seen();
    document.addEventListener("visibilitychange", seen);
    window.addEventListener("focus", seen);
    return () => {
      document.removeEventListener("visibilitychange", seen);
      window.removeEventListener("focus", seen);
    };
  }, [conv?.id, conv?.lastSeq]);
  if (!conv) {
    return (
      <section class="pane empty-pane" aria-label="Conversation">
        <div class="placeholder">
          <h2>No conversation open</h2>
          <p>Accept a waiting customer, or choose one of your conversations.</p>
          <p class="hint">Press <kbd>?</kbd> for keyboard shortcuts.</p>
        </div>
      </section>
    );
  }
  const pending = s.pending.filter((p) => p.conversationId === conv.id);
  const retry = (id: string) => {
    setPending((list) => list.map((p) => (p.id === id ? { ...p, failed: undefined } : p)));
    void flush();
  };
  const discard = (id: string) => setPending((list) => list.filter((p) => p.id !== id));
  const state = conv.mine ? "Active" : conv.info.state === "ended" ? "Ended" : "Transferred";
  return (
    <section class="pane" aria-label="Conversation">
      <header class="pane-head">
        <div>
          <h2>{customerName(conv)}</h2>
          <p class="sub">
            <span class={`pill ${state.toLowerCase()}`}>{state}</span>
            {[conv.info.queue?.name, conv.info.channel, conv.info.chatId ? `chat ${conv.info.chatId}` : ""]
              .filter(Boolean).join(" · ")}
          </p>
        </div>
        <div class="row">
          <button type="button" disabled={!conv.mine} onClick={onTransfer}>Transfer</button>
          <button type="button" class="danger" disabled={!conv.mine}
            onClick={() => void endConversation(conv.id)}>
            End conversation
          </button>
        </div>
      </header>
      <Log conv={conv} pending={pending} onRetry={retry} onDiscard={discard} />
      <Composer conv={conv} />
    </section>
  );
}
