// Correct or void one set of today (PATCH / DELETE /v1/kiosk/sets/{id}): the same steppers
// as the card, an optional reason that logging keeps in the set's audit trail.

import { ApiError, NetworkError, fmt, newKey } from "./api.js";
import { nextLoad, nextReps, nextRpe, quickStep, stepper } from "./steppers.js";

const $ = (id) => document.getElementById(id);
const dialog = $("edit-set");
let current = null;

const rpeOf = (set) => (set.rpe === null || set.rpe === undefined ? null : Number(set.rpe));

// `save(patch, key)` and `remove(reason, key)` call the API; the editor keeps one
// Idempotency-Key per action until the server has answered it, so a retry after a lost
// answer changes the set once.
export function openSetEditor({ set, card, unit, title, save, remove }) {
  current = {
    set,
    card,
    unit,
    save,
    remove,
    value: { load: Number(set.load ?? 0), reps: set.reps, rpe: rpeOf(set) },
    keys: { save: newKey(), remove: newKey() },
  };
  $("edit-title").textContent = title;
  $("edit-reason").value = "";
  $("edit-error").textContent = "";
  draw();
  dialog.showModal();
  $("edit-steppers").querySelector("button").focus();
}

function draw() {
  const { value, card, unit } = current;
  const step = quickStep(unit, card.equipment);
  const again = document.activeElement?.getAttribute("aria-label");
  $("edit-steppers").replaceChildren(
    stepper({
      label: "Load",
      noun: "load",
      field: "load",
      shown: `${fmt(value.load)} ${unit}`,
      onStep: (d) => change("load", nextLoad(card, value.load, d * step)),
    }),
    stepper({ label: "Reps", noun: "reps", field: "reps", shown: `${value.reps} reps`, onStep: (d) => change("reps", nextReps(value.reps, d)) }),
    stepper({
      label: "RPE",
      noun: "RPE",
      field: "rpe",
      shown: value.rpe === null ? "no RPE" : `RPE ${fmt(value.rpe)}`,
      onStep: (d) => change("rpe", nextRpe(value.rpe, d)),
    }),
  );
  if (again) [...$("edit-steppers").querySelectorAll("button")].find((b) => b.getAttribute("aria-label") === again)?.focus();
}

function change(field, next) {
  current.value[field] = next;
  draw();
}

function reason() {
  return $("edit-reason").value.trim() || undefined;
}

function failed(error, action) {
  // A refusal is final for this request; a lost answer is retried with the same key.
  if (error instanceof ApiError) current.keys[action] = newKey();
  $("edit-error").textContent =
    error instanceof NetworkError
      ? "Offline: changing a set needs the network. Try again in a moment."
      : error.fields || error.message;
}

$("edit-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const { set, value, unit } = current;
  const patch = {};
  if (Math.abs(value.load - Number(set.load ?? 0)) > 0.001) Object.assign(patch, { load: value.load, unit });
  if (value.reps !== set.reps) patch.reps = value.reps;
  if (value.rpe !== rpeOf(set)) patch.rpe = value.rpe;
  if (Object.keys(patch).length === 0) {
    $("edit-error").textContent = "Nothing changed yet: use − and + first.";
    return;
  }
  if (reason()) patch.reason = reason();
  try {
    await current.save(patch, current.keys.save);
    dialog.close();
  } catch (error) {
    failed(error, "save");
  }
});

$("edit-void").addEventListener("click", async () => {
  try {
    await current.remove(reason(), current.keys.remove);
    dialog.close();
  } catch (error) {
    failed(error, "remove");
  }
});

$("edit-cancel").addEventListener("click", () => dialog.close());

document.querySelector("#edit-set .quick-reasons").addEventListener("click", (event) => {
  const chosen = event.target.closest("button")?.dataset.reason;
  if (chosen) $("edit-reason").value = chosen;
});
