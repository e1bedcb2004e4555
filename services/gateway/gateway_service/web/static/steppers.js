// The − / + controls of the kiosk (gloved hands: no typing), shared by the exercise cards
// and the set editor.

import { el } from "./api.js";

// Quick-step sizes per equipment, in the member's unit (docs/protocol.md §2's default steps),
// for loads beyond the makeable ones today's plan lists.
const STEPS = {
  kg: { barbell: 2.5, dumbbell: 2.5, kettlebell: 4, machine: 5, bodyweight: 1.25, assisted: 5 },
  lb: { barbell: 5, dumbbell: 5, kettlebell: 9, machine: 10, bodyweight: 2.5, assisted: 10 },
};

// Most members log no RPE; the first + lands mid-scale, where a working set usually is.
const FIRST_RPE = 7;

export function quickStep(unit, equipment) {
  return STEPS[unit][equipment] ?? STEPS[unit].barbell;
}

export function lowestLoad(equipment) {
  return equipment === "assisted" ? -200 : 0;
}

// The next load the gym's equipment makes in the direction of `delta` (loads_near of the
// card); the quick step only past the ends of that list or without one.
export function nextLoad(card, current, delta) {
  const near = (card.loads_near ?? []).map(Number);
  const found = delta > 0 ? near.find((l) => l > current + 0.001) : near.findLast((l) => l < current - 0.001);
  return Math.max(lowestLoad(card.equipment), found ?? Math.round((current + delta) * 100) / 100);
}

export function nextReps(current, delta) {
  return Math.min(100, Math.max(0, current + delta));
}

// RPE moves in half steps within 1–10 (docs/protocol.md §5); below 1 it is "none" again.
export function nextRpe(current, delta) {
  if (current === null || current === undefined) return delta > 0 ? FIRST_RPE : null;
  const next = Number(current) + delta / 2;
  return next < 1 ? null : Math.min(10, next);
}

// One − value + group. `noun` names the buttons ("Less load", "More reps").
export function stepper({ label, noun, field, shown, onStep }) {
  return el(
    "div",
    { class: "stepper", role: "group", "aria-label": label },
    el("button", { type: "button", "aria-label": `Less ${noun}`, onclick: () => onStep(-1) }, "−"),
    el("output", { "aria-live": "polite", "data-field": field }, shown),
    el("button", { type: "button", "aria-label": `More ${noun}`, onclick: () => onStep(1) }, "+"),
  );
}
