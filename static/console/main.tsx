// /console/app.js: the agent console (templates/console.html loads it). Who is signed in
// comes with the page (data-* on <body>) and then from /api/console/me; the socket starts
// once that is known; the admin pages come later, in their own chunk.
import { render } from "preact";
import { App } from "./App";
import type { Page } from "./admin/index";
import { keepTitle, unlockAudio } from "./alerts";
import { loadCanned } from "./Canned";
import { loadOutbox } from "./convs";
import { connect, refreshMe } from "./link";
import { update } from "./store";
import "./console.css";

const root = document.getElementById("app")!;
let pages: Record<string, Page> | null = null;
const draw = () => render(<App pages={pages} />, root);

function fromPage(): void {
  const d = document.body.dataset;
  if (!d.agentId) return;
  update({
    me: { id: Number(d.agentId), name: d.agentName || "", email: d.agentEmail || "",
      isAdmin: d.agentAdmin === "true", status: d.agentStatus || "offline", maxChats: 0, skills: [] },
    status: d.agentStatus || "offline",
  });
}

async function start(): Promise<void> {
  keepTitle();
  for (const ev of ["pointerdown", "keydown"]) document.addEventListener(ev, unlockAudio);
  window.addEventListener("hashchange", () => update({ route: location.hash.replace(/^#\/?/, "") }));
  fromPage(); // the page's data-* stand in until /api/console/me answers
  loadOutbox();
  connect(); // at once: a Status chosen in the first second waits for this socket
  draw();
  await refreshMe().catch(() => undefined);
  void loadCanned();
  try {
    pages = (await import("./admin/index")).pages;
  } catch {
    pages = {}; // the agent's day works without them
  }
  draw();
}

void start();
