// Telling the agent something happened, whatever the focus: a short WebAudio beep (no
// sound file), a browser Notification (settings in localStorage), the unread total in the
// tab title. Browsers only start audio after a gesture: the first click or key unlocks it.
import { getState, save, subscribe, update, type Settings } from "./store";

export type Kind = "assigned" | "waiting" | "message";

let audio: AudioContext | null = null;

export function unlockAudio(): void {
  try {
    audio ??= new AudioContext();
    if (audio.state === "suspended") void audio.resume();
  } catch {
    audio = null; // no WebAudio: notifications and the title still tell
  }
}

const TONES: Record<Kind, number[]> = { assigned: [660, 880], waiting: [520, 520], message: [880] };

export function beep(kind: Kind): void {
  if (!audio || audio.state !== "running") return;
  let t = audio.currentTime;
  for (const hz of TONES[kind]) {
    const osc = audio.createOscillator();
    const gain = audio.createGain();
    osc.frequency.value = hz;
    gain.gain.setValueAtTime(0.0001, t);
    gain.gain.exponentialRampToValueAtTime(0.25, t + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, t + 0.18);
    osc.connect(gain).connect(audio.destination);
    osc.start(t);
    osc.stop(t + 0.2);
    t += 0.22;
  }
}

/** Sound and notification for one event; `open` runs when the notification is clicked. */
export function alertAgent(kind: Kind, title: string, body: string, open?: () => void): void {
  const { sound, notify } = getState().settings;
  const root = document.documentElement;
  root.dataset.alerts = String(Number(root.dataset.alerts || 0) + 1); // for tests and tools
  root.dataset.lastAlert = kind;
  if (sound) beep(kind);
  if (!notify || !("Notification" in window) || Notification.permission !== "granted") return;
  try {
    const n = new Notification(title, { body: body.slice(0, 180), tag: kind + title });
    n.onclick = () => {
      window.focus();
      open?.();
      n.close();
    };
  } catch {
    // some browsers allow notifications only from a service worker: the sound still tells
  }
}

export function setSettings(change: Partial<Settings>): void {
  const settings = { ...getState().settings, ...change };
  save("settings", settings);
  update({ settings });
}

export async function askPermission(): Promise<void> {
  if (!("Notification" in window)) return;
  await Notification.requestPermission();
  update({}); // re-render: the permission shows in the settings
}

/** "(3) Console" while 3 customer messages are unread. */
export function keepTitle(): void {
  const set = () => {
    const total = getState().convs.reduce((n, c) => n + c.unread, 0);
    const title = total ? `(${total}) Console` : "Console";
    if (document.title !== title) document.title = title;
  };
  subscribe(set);
  set();
}
