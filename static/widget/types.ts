// What the loader hands the app (static/widget/app.ts start()): the app defines no global.

export type Lang = "en" | "it";

export interface Config {
  base: string; // the server: the loader script's own origin
  subject: string;
  lang: Lang;
  title: string;
  position: "left" | "right";
}

export interface Controller {
  open(): void;
  close(): void;
  identify(proof: Identity): void;
}

export interface Identity {
  token?: string;
  identifier?: string;
  hash?: string;
}

export interface Ctx {
  cfg: Config;
  root: ShadowRoot;
  frame: HTMLElement; // the container inside the root holding launcher and panel
  launcher: HTMLButtonElement;
  emit(event: string, detail?: unknown): void;
  setUnread(count: number): void;
  sheet(css: string): void; // adds a stylesheet to the shadow root (CSP-safe)
}

export const KEY = "chatwidget:";
