// /widget.js: the only script every page view pays for. It reads its tag, draws the launcher
// in an open shadow root and defines window.ChatWidget; the app (/widget/app.js) is imported
// only when the visitor reaches for the launcher, calls open(), or has a chat to resume.
import { icon } from "./dom";
import { LAUNCHER } from "./i18n";
import { KEY, type Config, type Controller, type Ctx, type Lang } from "./types";

declare const APP_VERSION: string; // the app's content hash, set by scripts/build_static.mjs

const STYLE = `:host{all:initial!important}
.w{--a:#2557d6;font:15px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d1d1f}
.l{position:fixed;bottom:20px;right:20px;z-index:2147483000;width:56px;height:56px;border:0;
border-radius:50%;background:var(--a);color:#fff;cursor:pointer;box-shadow:0 4px 14px #0004;
display:flex;align-items:center;justify-content:center;padding:0}
.left .l{right:auto;left:20px}
.l:focus-visible{outline:3px solid #1d1d1f;outline-offset:3px}
.l svg{width:28px;height:28px;fill:currentColor}
.b{position:absolute;top:-4px;right:-4px;min-width:20px;height:20px;border-radius:10px;
background:#c4001a;color:#fff;font:bold 12px/20px system-ui,sans-serif;text-align:center;padding:0 5px;
box-sizing:border-box}
.b[hidden],.l[hidden]{display:none}`;

const BUBBLE = "M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z";

type Call = [keyof Controller, unknown];

function script(): HTMLScriptElement | null {
  return (
    (document.currentScript as HTMLScriptElement | null) ||
    document.querySelector<HTMLScriptElement>('script[src*="/widget.js"]')
  );
}

function language(tag: string | undefined): Lang {
  const lang = (tag || navigator.language || "en").slice(0, 2).toLowerCase();
  return lang === "it" ? "it" : "en";
}

/** The accent colour, only if the browser parses it as a colour (nothing else enters CSS). */
function accent(color: string | undefined): string {
  return color && CSS.supports("color", color) ? `.w{--a:${color}}` : "";
}

function config(tag: HTMLScriptElement): Config {
  const d = tag.dataset;
  const lang = language(d.lang);
  return {
    base: new URL(tag.src, location.href).origin,
    subject: d.subject || "",
    lang,
    title: d.title || LAUNCHER[lang].title,
    position: d.position === "left" ? "left" : "right",
  };
}

function addSheet(root: ShadowRoot, css: string): void {
  try {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(css);
    root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
  } catch {
    // Browsers without constructable stylesheets (a strict CSP may then block this one).
    const style = document.createElement("style");
    style.textContent = css;
    root.append(style);
  }
}

function hasChat(): boolean {
  try {
    return !!localStorage.getItem(KEY + "conversation");
  } catch {
    return false; // storage refused (privacy mode): nothing to resume
  }
}

function mount(tag: HTMLScriptElement): void {
  const cfg = config(tag);
  const words = LAUNCHER[cfg.lang];
  const host = document.createElement("chat-widget");
  const root = host.attachShadow({ mode: "open" });
  addSheet(root, STYLE + accent(tag.dataset.color));
  const frame = document.createElement("div");
  frame.className = "w" + (cfg.position === "left" ? " left" : "");
  const launcher = document.createElement("button");
  launcher.className = "l";
  launcher.type = "button";
  launcher.setAttribute("aria-label", words.open);
  launcher.setAttribute("aria-haspopup", "dialog");
  launcher.setAttribute("aria-expanded", "false");
  launcher.append(icon(BUBBLE));
  const badge = document.createElement("span");
  badge.className = "b";
  badge.hidden = true;
  badge.setAttribute("aria-hidden", "true");
  launcher.append(badge);
  frame.append(launcher);
  root.append(frame);
  document.body.append(host);

  const listeners: Record<string, ((detail: unknown) => void)[]> = {};
  const queue: Call[] = [];
  let app: Controller | null = null;
  let loading: Promise<void> | null = null;
  const ctx: Ctx = {
    cfg,
    root,
    frame,
    launcher,
    emit(event, detail) {
      for (const fn of listeners[event] || []) {
        try {
          fn(detail);
        } catch (error) {
          console.error(error); // one integrator's listener must not stop the widget
        }
      }
    },
    setUnread(count) {
      badge.hidden = count < 1;
      badge.textContent = String(count);
      const name = count ? `${words.open}, ${count} ${words.unread}` : words.open;
      launcher.setAttribute("aria-label", name);
    },
    sheet: (css) => addSheet(root, css),
  };

  function load(): Promise<void> {
    loading ||= import(`${cfg.base}/widget/app.js?v=${APP_VERSION}`).then(
      (module: { start(ctx: Ctx): Controller }) => {
        app = module.start(ctx);
        ctx.emit("ready");
        for (const [name, arg] of queue.splice(0)) (app[name] as (a: unknown) => void)(arg);
      },
      (error) => {
        loading = null; // let the next reach try again
        console.error("chatwidget: could not load the app", error);
      },
    );
    return loading;
  }

  // Before the app is there calls wait in order; only open() is worth loading it for
  // (identify() on every page view of a signed-in visitor must not cost the app).
  function call(name: keyof Controller, arg?: unknown): void {
    if (app) (app[name] as (a: unknown) => void)(arg);
    else {
      queue.push([name, arg]);
      if (name === "open") load();
    }
  }

  launcher.addEventListener("pointerenter", load, { once: true });
  launcher.addEventListener("focus", load, { once: true });
  launcher.addEventListener("click", () => call("open"));
  (window as unknown as { ChatWidget: unknown }).ChatWidget = {
    open: () => call("open"),
    close: () => call("close"),
    identify: (proof: unknown) => call("identify", proof),
    on(event: string, fn: (detail: unknown) => void) {
      (listeners[event] ||= []).push(fn);
    },
  };
  if (hasChat()) load();
}

const tag = script();
if (tag && !(window as unknown as { ChatWidget?: unknown }).ChatWidget) {
  if (document.body) mount(tag);
  else document.addEventListener("DOMContentLoaded", () => mount(tag));
}
