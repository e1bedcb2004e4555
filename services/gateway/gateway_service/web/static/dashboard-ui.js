// The dashboard's building blocks: a page's view, errors in words and beside their fields,
// modal dialogs, and the secrets the API answers only once (PINs, passwords, kiosk tokens).

import { ApiError, NetworkError, el } from "./api.js";
import { saveBlob } from "./dashboard-api.js";

let ids = 0;
export const uid = (name) => `d-${name}-${++ids}`;

let generation = 0;

// The view of the page being opened. Pages draw after their reads answer; by then the
// trainer may have gone to another page, and the late one must not replace it.
export function pageView() {
  const mine = ++generation;
  return (...children) => {
    if (mine === generation) show(...children);
  };
}

function show(...children) {
  const box = document.getElementById("view");
  box.replaceChildren(...children.flat().filter((child) => child !== null && child !== undefined));
  const heading = box.querySelector("h1");
  if (heading) {
    heading.setAttribute("tabindex", "-1");
    heading.focus();
  }
}

// An error as a sentence for the trainer: the server's own detail, never a bare code.
export function describe(error) {
  if (error instanceof NetworkError) return "The gateway did not answer: check the connection and try again.";
  if (error instanceof ApiError) return error.fields || error.message;
  return String(error.message || error);
}

export function failure(error) {
  return el("p", { class: "error", role: "alert" }, describe(error));
}

export function heading(text, level = 1) {
  return el(`h${level}`, {}, text);
}

// A labelled control. `field` is the name the API gives it in problem+json `errors`, so
// an error about it is shown beside it; `hint` is read with it.
export function field(label, control, { name, hint, wide } = {}) {
  control.id ||= uid(name || "field");
  if (name) control.dataset.field = name;
  const parts = [el("label", { for: control.id }, label), control];
  if (hint) {
    const note = el("span", { class: "hint", id: uid("hint") }, hint);
    control.setAttribute("aria-describedby", note.id);
    parts.push(note);
  }
  return el("div", { class: wide ? "field wide" : "field" }, parts);
}

export function select(options, chosen, attrs = {}) {
  return el(
    "select",
    attrs,
    options.map(([value, label]) => el("option", { value, selected: String(value) === String(chosen) }, label)),
  );
}

export function clearErrors(form) {
  for (const note of form.querySelectorAll(".field-error")) {
    const owner = form.querySelector(`[aria-describedby~="${note.id}"]`);
    if (owner) {
      const rest = owner.getAttribute("aria-describedby").split(" ").filter((id) => id !== note.id);
      if (rest.length) owner.setAttribute("aria-describedby", rest.join(" "));
      else owner.removeAttribute("aria-describedby");
      owner.removeAttribute("aria-invalid");
    }
    note.remove();
  }
  for (const general of form.querySelectorAll(".form-error")) general.textContent = "";
}

// problem+json `errors[]` beside the controls they name (a control's `data-field`, or the
// nearest one whose name the field starts with: `gym_ids.0` goes to `gym_ids`); the rest,
// and errors without fields, in the form's general line. The first marked control gets
// the focus.
export function showErrors(form, error) {
  clearErrors(form);
  const general = form.querySelector(".form-error");
  const listed = error instanceof ApiError ? error.problem.errors || [] : [];
  const parts = [...form.querySelectorAll("[data-field]")];
  const loose = [];
  for (const { field: name, message } of listed) {
    const owner = parts
      .filter((p) => name === p.dataset.field || name.startsWith(`${p.dataset.field}.`))
      .sort((a, b) => b.dataset.field.length - a.dataset.field.length)[0];
    if (!owner) {
      loose.push(`${name}: ${message}`);
      continue;
    }
    const note = el("p", { class: "field-error error", id: uid("error") }, message);
    owner.setAttribute("aria-invalid", "true");
    owner.setAttribute("aria-describedby", [owner.getAttribute("aria-describedby"), note.id].filter(Boolean).join(" "));
    (owner.closest(".field") || owner).append(note);
  }
  const placed = listed.length > loose.length;
  general.textContent = loose.length ? loose.join("; ") : placed ? "Not saved: see the fields marked." : describe(error);
  (form.querySelector("[aria-invalid]") || general).focus?.();
}

// Every form of the dashboard: a submit clears the last errors, and what the API refuses
// is shown at the fields it names. `send` does the rest; it may return early.
export function onSubmit(form, send) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    try {
      await send();
    } catch (error) {
      showErrors(form, error);
    }
  });
}

export function formError() {
  return el("p", { class: "error form-error", role: "alert", tabindex: "-1" });
}

// A modal dialog (native <dialog>: focus kept inside, Escape closes it). `build(close)`
// answers its content; closing gives the focus back to what had it or, when what had it
// was drawn again meanwhile (a changed row), to its new copy, found by `data-focus-key`.
export function modal(title, build, { wide } = {}) {
  const opener = document.activeElement;
  const titleId = uid("dialog-title");
  const dialog = el("dialog", { class: wide ? "modal wide" : "modal", "aria-labelledby": titleId });
  const close = () => dialog.close();
  dialog.append(el("h2", { id: titleId }, title), ...[build(close)].flat());
  dialog.addEventListener("close", () => {
    dialog.remove();
    const key = opener?.dataset?.focusKey;
    const target = opener?.isConnected ? opener : key && document.querySelector(`[data-focus-key="${key}"]`);
    target?.focus();
  });
  document.body.append(dialog);
  dialog.showModal();
  return dialog;
}

// A yes or no about something that cannot be undone (or not easily). With `typed`, the
// trainer types that word before the action is offered.
export function confirmAction({ title, text, action, typed }) {
  return new Promise((resolve) => {
    let answer = false;
    const dialog = modal(title, (close) => {
      const go = el("button", { type: "submit", class: "danger", disabled: Boolean(typed) }, action);
      const parts = [el("p", {}, text)];
      if (typed) {
        const input = el("input", { autocomplete: "off", spellcheck: "false" });
        input.addEventListener("input", () => { go.disabled = input.value.trim() !== typed; });
        parts.push(field(`Type ${typed} to confirm`, input));
      }
      const form = el(
        "form",
        { class: "stack" },
        parts,
        // Without a word to type, the focus starts on the harmless choice.
        el("div", { class: "actions" }, go, el("button", { type: "button", autofocus: !typed, onclick: close }, "Cancel")),
      );
      form.addEventListener("submit", (event) => {
        event.preventDefault();
        answer = true;
        close();
      });
      return form;
    });
    dialog.addEventListener("close", () => resolve(answer));
  });
}

// A secret the API answers this once, with what to do with it: it cannot be shown again.
export function onceBox({ label, value, note, extra }) {
  const output = el("input", {
    class: "secret-value",
    readonly: true,
    value,
    size: Math.min(Math.max(value.length + 2, 8), 60),
    "aria-label": label,
    spellcheck: "false",
  });
  const copied = el("span", { class: "note", role: "status" });
  const copy = el("button", {
    type: "button",
    class: "secondary",
    onclick: async () => {
      output.select();
      try {
        await navigator.clipboard.writeText(value);
        copied.textContent = "Copied.";
      } catch {
        copied.textContent = "Selected: press Ctrl+C to copy.";
      }
    },
  }, "Copy");
  copy.setAttribute("aria-label", `Copy: ${label}`);
  return el(
    "div",
    { class: "once", role: "group", "aria-label": label, tabindex: "-1" },
    el("p", { class: "once-title" }, label),
    el("div", { class: "once-row" }, output, copy, copied),
    extra || null,
    el("p", { class: "once-note" }, note),
  );
}

// Cells as CSV: quoted when needed, and a cell a spreadsheet would read as a formula made
// plain text.
export function csv(rows) {
  const cell = (value) => {
    let text = value === null || value === undefined ? "" : String(value);
    if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
    return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
  };
  return `${rows.map((row) => row.map(cell).join(",")).join("\r\n")}\r\n`;
}

export function saveCsv(name, rows) {
  saveBlob(name, new Blob([csv(rows)], { type: "text/csv;charset=utf-8" }));
}

export function when(iso) {
  if (!iso) return "–";
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? String(iso) : d.toLocaleString([], { dateStyle: "medium", timeStyle: "short" });
}
