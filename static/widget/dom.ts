// A tiny element builder: properties and attributes only, text through textContent.
// No innerHTML, no inline handlers, no style attributes (a strict CSP allows all of it).

type Attrs = Record<string, string | boolean | number | undefined | null>;
type Child = Node | string | null | undefined | false;

/** An element with attributes (false/null/undefined left out) and children (strings as text). */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === false || value === null || value === undefined) continue;
    el.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children) if (child) el.append(child);
  return el;
}

/** A decorative icon (built as nodes: no HTML strings, so Trusted Types pages allow it). */
export function icon(path: string): SVGSVGElement {
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  const shape = document.createElementNS(ns, "path");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("aria-hidden", "true");
  shape.setAttribute("d", path);
  svg.append(shape);
  return svg;
}

/** A labelled field: <label>Text <input></label>, so the input's accessible name is Text. */
export function field(
  text: string,
  input: HTMLInputElement | HTMLTextAreaElement,
): HTMLLabelElement {
  return h("label", { class: "f" }, h("span", {}, text), input);
}

/** Only http(s) URLs become links or images; anything else (javascript:, data:) is dropped. */
export function safeUrl(url: unknown, base: string): string | null {
  if (typeof url !== "string") return null;
  try {
    const parsed = new URL(url, base);
    return parsed.protocol === "https:" || parsed.protocol === "http:" ? parsed.href : null;
  } catch {
    return null;
  }
}
