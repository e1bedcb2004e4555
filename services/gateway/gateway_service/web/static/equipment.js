// The dashboard's gym equipment editor: a gym's inventory (GET/PUT /v1/gyms/{id}/inventory,
// docs/protocol.md §2) as a form. Each kind of equipment may stay on the defaults of the
// gym's unit; a kind on its defaults is left out of the PUT, which is how the API keeps it so.

import { ApiError, el, fmt } from "./api.js";

const KINDS = {
  barbell: "Barbell",
  dumbbells: "Dumbbells",
  kettlebells: "Kettlebells",
  machine: "Machines and cables",
  bodyweight_step: "Bodyweight exercises",
};

let ids = 0;
const uid = (name) => `eq-${name}-${++ids}`;

// A number field's value as sent: the server checks it, so what is not a number goes as
// typed and comes back as that field's error.
function number(text) {
  const trimmed = String(text).trim();
  if (trimmed === "") return null;
  const n = Number(trimmed);
  return Number.isFinite(n) ? n : trimmed;
}

function list(text) {
  return String(text).split(",").map((part) => part.trim()).filter(Boolean).map(number);
}

// A labelled input; `unitBox` shows the unit in the label and follows the unit picked.
function field(label, input, unitBox) {
  input.id ||= uid(input.dataset.field.replaceAll(".", "-"));
  const text = el("span", {}, label, unitBox ? [" (", unitBox, ")"] : null);
  return el("label", { class: "field", for: input.id }, text, input);
}

function numberInput(path, value, step = "any") {
  const shown = value === "" ? "" : fmt(value);
  return el("input", { type: "number", step, inputmode: "decimal", value: shown, "data-field": path });
}

function listInput(path, values) {
  const shown = values.map(fmt).join(", ");
  return el("input", { type: "text", inputmode: "decimal", class: "wide", value: shown, "data-field": path });
}

// The editor of one gym: `save(body)` PUTs it and answers the saved inventory.
export function equipmentEditor(inventory, save) {
  const editor = el("div", { class: "equipment" });
  const status = el("p", { class: "result", role: "status", id: "equipment-status" });
  const box = el("div");
  render(box, inventory, save, status);
  editor.append(box, status);
  return editor;
}

function render(box, inventory, save, status) {
  const units = [];
  const unitBox = () => {
    const span = el("span", { class: "u" }, inventory.unit);
    units.push(span);
    return span;
  };
  const onDefaults = new Set(inventory.defaults);
  const general = el("p", { class: "error", role: "alert", id: "equipment-error" });

  const unit = el(
    "select",
    { id: uid("unit"), "data-field": "unit" },
    ["kg", "lb"].map((u) => el("option", { value: u, selected: u === inventory.unit }, u)),
  );
  unit.addEventListener("change", () => {
    for (const span of units) span.textContent = unit.value;
  });

  // Plates: one row per weight, with its pairs.
  const plateRows = el("div", { class: "plate-rows", "data-field": "barbell.plates" });
  const plates = inventory.barbell.plates.map((p) => ({ weight: p.weight, pairs: p.pairs }));
  const drawPlates = () => {
    plateRows.replaceChildren(
      ...plates.map((plate, i) => {
        const weight = numberInput(`barbell.plates.${i}.weight`, plate.weight);
        const pairs = numberInput(`barbell.plates.${i}.pairs`, plate.pairs, "1");
        weight.addEventListener("input", () => { plate.weight = weight.value; });
        pairs.addEventListener("input", () => { plate.pairs = pairs.value; });
        return el(
          "div",
          { class: "plate-row", "data-plate": i },
          field(`Plate ${i + 1} weight`, weight, unitBox()),
          field("Pairs", pairs),
          el("button", {
            type: "button",
            "aria-label": `Remove plate ${i + 1}`,
            disabled: plates.length === 1,
            onclick: () => { plates.splice(i, 1); drawPlates(); },
          }, "✕"),
        );
      }),
    );
  };
  drawPlates();
  const addPlate = el("button", {
    type: "button",
    onclick: () => {
      plates.push({ weight: "", pairs: 1 });
      drawPlates();
      plateRows.querySelector(".plate-row:last-child input").focus();
    },
  }, "+ Plate");

  const bar = numberInput("barbell.bar", inventory.barbell.bar);
  const dumbbells = listInput("dumbbells", inventory.dumbbells);
  const kettlebells = listInput("kettlebells", inventory.kettlebells);
  const step = numberInput("machine.step", inventory.machine.step);
  const min = numberInput("machine.min", inventory.machine.min);
  const max = numberInput("machine.max", inventory.machine.max);
  const addOns = listInput("machine.add_ons", inventory.machine.add_ons);
  const bodyweight = numberInput("bodyweight_step", inventory.bodyweight_step);

  const useDefaults = {};
  const kind = (name, ...content) => {
    const check = el("input", {
      type: "checkbox",
      checked: onDefaults.has(name),
      "aria-label": `Use defaults for ${KINDS[name].toLowerCase()}`,
    });
    useDefaults[name] = check;
    const title = uid(`${name}-title`);
    // A disabled fieldset leaves the controls of its legend enabled: the checkbox stays usable.
    const set = el(
      "fieldset",
      { class: "kind", "data-kind": name, "data-field": name, "aria-labelledby": title, disabled: check.checked },
      el("legend", {}, el("span", { id: title }, KINDS[name]), el("label", { class: "defaults" }, check, "Use defaults")),
      content,
    );
    check.addEventListener("change", () => { set.disabled = check.checked; });
    return set;
  };

  const form = el(
    "form",
    { class: "equipment-form", "aria-label": "Gym equipment", novalidate: true },
    el("div", { class: "row" }, field("Unit", unit)),
    el("p", { class: "note" }, "A kind on its defaults takes those of the unit it is saved with."),
    el(
      "div",
      { class: "kinds" },
      kind(
        "barbell",
        el("div", { class: "row" }, field("Bar", bar, unitBox())),
        el("h3", {}, "Plates, in pairs"),
        plateRows,
        addPlate,
      ),
      el(
        "div",
        { class: "other-kinds" },
        kind("dumbbells", field("Weights, comma-separated", dumbbells, unitBox())),
        kind("kettlebells", field("Weights, comma-separated", kettlebells, unitBox())),
        kind(
          "machine",
          el(
            "div",
            { class: "row" },
            field("Step", step, unitBox()),
            field("From", min, unitBox()),
            field("To", max, unitBox()),
          ),
          field("Add-on weights, comma-separated", addOns, unitBox()),
        ),
        kind("bodyweight_step", field("Added-load step", bodyweight, unitBox())),
      ),
    ),
    el("p", {}, el("button", { class: "primary", type: "submit", id: "save-equipment" }, "Save equipment")),
    general,
  );

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form, general);
    status.textContent = "";
    const body = { unit: unit.value };
    if (!useDefaults.barbell.checked) {
      const pairs = plates.map((p) => ({ weight: number(p.weight), pairs: number(p.pairs) }));
      body.barbell = { bar: number(bar.value), plates: pairs };
    }
    if (!useDefaults.dumbbells.checked) body.dumbbells = list(dumbbells.value);
    if (!useDefaults.kettlebells.checked) body.kettlebells = list(kettlebells.value);
    if (!useDefaults.machine.checked) {
      body.machine = {
        step: number(step.value),
        min: number(min.value),
        max: number(max.value),
        add_ons: list(addOns.value),
      };
    }
    if (!useDefaults.bodyweight_step.checked) body.bodyweight_step = number(bodyweight.value);
    try {
      const answer = await save(body);
      render(box, answer, save, status);
      status.textContent = `Saved: version ${answer.version}.`;
    } catch (error) {
      if (error instanceof ApiError && error.status === 422 && (error.problem.errors || []).length) {
        showErrors(form, general, error.problem.errors);
      } else {
        general.textContent = error.message;
      }
    }
  });

  const summary = el(
    "p",
    { class: "version", id: "equipment-version" },
    `Version ${inventory.version} · `,
    inventory.defaults.length
      ? `on defaults: ${inventory.defaults.map((k) => KINDS[k] || k).join(", ")}`
      : "nothing on defaults",
  );
  box.replaceChildren(summary, form);
}

function clearErrors(form, general) {
  for (const node of form.querySelectorAll(".field-error")) node.remove();
  for (const node of form.querySelectorAll("[aria-invalid]")) {
    node.removeAttribute("aria-invalid");
    node.removeAttribute("aria-describedby");
  }
  general.textContent = "";
}

// Each error goes beside the input its field names, or the nearest part of the form that
// holds it (a kind, the plate rows); what names no part ("body") goes under the form.
function showErrors(form, general, errors) {
  const parts = [...form.querySelectorAll("[data-field]")];
  const loose = [];
  for (const { field, message } of errors) {
    const owner = parts
      .filter((p) => field === p.dataset.field || field.startsWith(`${p.dataset.field}.`))
      .sort((a, b) => b.dataset.field.length - a.dataset.field.length)[0];
    if (!owner) {
      loose.push(message);
      continue;
    }
    const rest = field.slice(owner.dataset.field.length + 1);
    const text = /^\d+$/.test(rest) ? `Weight ${Number(rest) + 1}: ${message}` : message;
    const note = el("p", { class: "field-error error", id: uid("error") }, text);
    if (owner.matches("input, select")) {
      owner.setAttribute("aria-invalid", "true");
      const described = [owner.getAttribute("aria-describedby"), note.id].filter(Boolean);
      owner.setAttribute("aria-describedby", described.join(" "));
      owner.closest("label").after(note);
    } else if (owner.matches("fieldset")) {
      owner.querySelector("legend").after(note);
    } else {
      owner.prepend(note);
    }
  }
  general.textContent = loose.length ? loose.join(" ") : "Not saved: see the fields marked.";
  form.querySelector("[aria-invalid]")?.focus();
}
