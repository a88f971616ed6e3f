// The panel's forms: pre-chat, offline message, and the end of a chat (rating, transcript).
import { field, h } from "./dom";
import type { Strings } from "./i18n";

type Task = () => Promise<unknown>;

/** Submit runs the task once the form is valid; a failure is said in the form's alert. */
function guard(form: HTMLFormElement, t: Strings, task: Task, done?: () => void): void {
  const alert = h("p", { class: "er", role: "alert" });
  form.append(alert);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = form.querySelector("button[type=submit]") as HTMLButtonElement;
    if (button.disabled) return;
    button.disabled = true;
    alert.textContent = "";
    try {
      await task();
      done?.();
    } catch (error) {
      alert.textContent = (error as Error).message || t.error;
    } finally {
      button.disabled = false;
    }
  });
}

/** Put a confirmation in a form's place, keeping the keyboard focus in the panel. */
function swap(form: HTMLFormElement, text: string): void {
  const done = h("p", { class: "pad", role: "status", tabindex: "-1" }, text);
  form.replaceWith(done);
  done.focus();
}

const submit = (text: string) => h("button", { class: "bt", type: "submit" }, text);
const input = (attrs: Record<string, string | boolean>) => h("input", attrs);
const area = (attrs: Record<string, string | boolean>) => h("textarea", { rows: 3, ...attrs });

/** Name and Email, then Start chat. */
export function prechat(
  t: Strings,
  start: (name: string, email: string) => Promise<unknown>,
  history: Node | null,
): HTMLElement {
  const name = input({ autocomplete: "name", maxlength: "100" });
  const email = input({ type: "email", autocomplete: "email", maxlength: "254" });
  const form = h("form", { class: "pad" }, h("p", {}, t.intro), field(t.name, name));
  form.append(field(t.email, email), submit(t.start));
  guard(form, t, () => start(name.value.trim(), email.value.trim()));
  return h("div", {}, form, history);
}

/** Nobody can answer: Email and Message, then a role=status thank-you in the form's place. */
export function offline(
  t: Strings,
  leave: (name: string, email: string, text: string) => Promise<unknown>,
): HTMLElement {
  const name = input({ autocomplete: "name", maxlength: "100" });
  const email = input({ type: "email", autocomplete: "email", required: true, maxlength: "254" });
  const text = area({ required: true, maxlength: "5000" });
  const form = h("form", { class: "pad" }, h("p", {}, t.offlineIntro), field(t.name, name));
  form.append(field(t.email, email), field(t.message, text), submit(t.leave));
  guard(
    form,
    t,
    () => leave(name.value.trim(), email.value.trim(), text.value.trim()),
    () => swap(form, t.offlineDone),
  );
  return form;
}

export interface EndActions {
  pdf: string;
  rate(rating: number, comment: string): Promise<unknown>;
  mail(): Promise<unknown>;
  again(): void;
}

function rating(t: Strings, rate: EndActions["rate"]): HTMLFormElement {
  const group = h("div", { class: "rg", role: "radiogroup", "aria-labelledby": "cw-rt" });
  for (let n = 1; n <= 5; n++) {
    const radio = input({ type: "radio", name: "cw-rating", value: String(n), required: true });
    group.append(h("label", {}, radio, String(n)));
  }
  const comment = area({ maxlength: "2000", rows: "2" });
  const form = h("form", { class: "pad" }, h("p", { id: "cw-rt", class: "f" }, t.rate), group);
  form.append(field(t.comment, comment), submit(t.sendRating));
  const choice = () => form.querySelector<HTMLInputElement>("input[type=radio]:checked");
  guard(
    form,
    t,
    () => rate(Number(choice()?.value), comment.value.trim()),
    () => swap(form, t.thanks),
  );
  return form;
}

/** After the end: rate 1–5 with a comment, download or e-mail the transcript, chat again. */
export function ended(t: Strings, act: EndActions): HTMLElement {
  const said = h("p", { role: "status" });
  const mail = h("button", { class: "bt s", type: "button" }, t.emailTranscript);
  mail.addEventListener("click", async () => {
    mail.disabled = true;
    try {
      await act.mail();
      said.textContent = t.mailed;
    } catch (error) {
      said.textContent = (error as Error).message || t.error;
    } finally {
      mail.disabled = false;
    }
  });
  const again = h("button", { class: "bt s", type: "button" }, t.newChat);
  again.addEventListener("click", act.again);
  const link = h("a", { class: "lk", href: act.pdf, download: "" }, t.download);
  const links = h("div", { class: "pad" }, h("div", { class: "row" }, link, mail), said, again);
  return h("div", { class: "ed" }, rating(t, act.rate), links);
}
