// A new message while the tab is hidden: a short beep (WebAudio, no audio file) and the page
// title alternating with "New message" until the visitor comes back.
let audio: AudioContext | null = null;
let flashing: ReturnType<typeof setInterval> | null = null;

function beep(): void {
  try {
    audio ||= new AudioContext();
    const osc = audio.createOscillator();
    const gain = audio.createGain();
    osc.frequency.value = 880;
    gain.gain.setValueAtTime(0.08, audio.currentTime);
    gain.gain.exponentialRampToValueAtTime(0.0001, audio.currentTime + 0.25);
    osc.connect(gain).connect(audio.destination);
    osc.start();
    osc.stop(audio.currentTime + 0.25);
  } catch {
    // no audio (autoplay policy, no device): the title flash still tells
  }
}

function flash(label: string): void {
  if (flashing) return;
  const title = document.title;
  let on = false;
  flashing = setInterval(() => {
    on = !on;
    document.title = on ? label : title;
  }, 1000);
  document.addEventListener(
    "visibilitychange",
    () => {
      if (flashing) clearInterval(flashing);
      flashing = null;
      document.title = title;
    },
    { once: true },
  );
}

/** Tell a visitor who is on another tab that a message arrived. */
export function notify(label: string): void {
  if (!document.hidden) return;
  beep();
  flash(label);
}
