// The widget's strings. Accessible names are CONTRACT §6's, exactly: browser tests drive them.
import type { Lang } from "./types";

export const LAUNCHER = {
  en: { open: "Open chat", unread: "unread", title: "Chat with us" },
  it: { open: "Apri la chat", unread: "non letti", title: "Chatta con noi" },
};

const en = {
  close: "Close chat",
  name: "Name",
  email: "Email",
  start: "Start chat",
  message: "Message",
  messages: "Messages",
  send: "Send",
  attach: "Attach file",
  end: "End chat",
  rate: "Rate this chat",
  comment: "Comment",
  sendRating: "Send rating",
  download: "Download transcript",
  emailTranscript: "Email transcript",
  leave: "Leave a message",
  offlineIntro: "Nobody can answer right now. Leave a message and we will reply by e-mail.",
  offlineDone: "Thank you: we will reply by e-mail.",
  intro: "Tell us who you are and an agent will be with you shortly.",
  waiting: "An agent will be with you shortly.",
  position: "You are number {n} in the queue.",
  joined: "{name} joined the chat",
  left: "{name} left the chat",
  chatting: "You are chatting with {name}",
  typing: "{name} is typing…",
  ended: "The chat has ended.",
  reconnecting: "Reconnecting…",
  sending: "Sending…",
  retrying: "Not sent, retrying",
  failed: "Not sent",
  thanks: "Thank you for your rating.",
  mailed: "The transcript is on its way to your e-mail.",
  newChat: "New chat",
  error: "Something went wrong. Please try again.",
  history: "Your earlier conversations",
  agent: "Agent",
  newMessage: "New message",
};

export type Strings = typeof en;

const it: Strings = {
  close: "Chiudi la chat",
  name: "Nome",
  email: "Email",
  start: "Inizia la chat",
  message: "Messaggio",
  messages: "Messaggi",
  send: "Invia",
  attach: "Allega un file",
  end: "Termina la chat",
  rate: "Valuta questa chat",
  comment: "Commento",
  sendRating: "Invia la valutazione",
  download: "Scarica la trascrizione",
  emailTranscript: "Invia la trascrizione per email",
  leave: "Lascia un messaggio",
  offlineIntro: "Al momento nessuno può rispondere. Lascia un messaggio: ti risponderemo per email.",
  offlineDone: "Grazie: ti risponderemo per email.",
  intro: "Dicci chi sei e un operatore sarà subito da te.",
  waiting: "Un operatore sarà subito da te.",
  position: "Sei il numero {n} in coda.",
  joined: "{name} è entrato nella chat",
  left: "{name} ha lasciato la chat",
  chatting: "Stai parlando con {name}",
  typing: "{name} sta scrivendo…",
  ended: "La chat è terminata.",
  reconnecting: "Riconnessione…",
  sending: "Invio…",
  retrying: "Non inviato, nuovo tentativo",
  failed: "Non inviato",
  thanks: "Grazie per la valutazione.",
  mailed: "La trascrizione sta arrivando alla tua email.",
  newChat: "Nuova chat",
  error: "Qualcosa è andato storto. Riprova.",
  history: "Le tue conversazioni precedenti",
  agent: "Operatore",
  newMessage: "Nuovo messaggio",
};

export const STRINGS: Record<Lang, Strings> = { en, it };

/** A string with its {placeholders} filled in (values go into textContent only). */
export function fill(text: string, values: Record<string, string | number>): string {
  return text.replace(/\{(\w+)\}/g, (_, k) => String(values[k] ?? ""));
}
