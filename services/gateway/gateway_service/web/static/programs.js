// Programs: the chain's list, a program's versions, the builder (a new program, or an edit
// saved as the program's next version) with live conformance feedback, and assigning one.

import { el, newKey } from "./api.js";
import { api } from "./dashboard-api.js";
import { describe, failure, heading, pageView, when } from "./dashboard-ui.js";

export const PATTERNS = ["squat", "hinge", "push", "pull"];
const WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const CHECK_DELAY_MS = 300;

export function today() {
  const d = new Date();
  return new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 10);
}

export function weekdayNames(weekdays) {
  return weekdays.map((d) => WEEKDAYS[d - 1] || d).join(", ");
}

function programLabel(program) {
  return program.exception_reason ? `${program.name} (off protocol)` : program.name;
}

const dose = (slot) => `${slot.sets}×${slot.rep_min}–${slot.rep_max}`;

function slotText(slot) {
  return `${slot.name || slot.exercise} ${dose(slot)}`;
}

// One day's exercises against the same day before, place by place.
function dayChanges(day, was, now) {
  const found = [];
  for (let i = 0; i < Math.max(was.length, now.length); i++) {
    const [a, b] = [was[i], now[i]];
    if (!a) found.push(`Day ${day}: ${slotText(b)} added.`);
    else if (!b) found.push(`Day ${day}: ${slotText(a)} removed.`);
    else if (a.exercise !== b.exercise) found.push(`Day ${day}: ${slotText(a)} replaced by ${slotText(b)}.`);
    else if (dose(a) !== dose(b)) found.push(`Day ${day}: ${b.name || b.exercise} ${dose(a)} → ${dose(b)}.`);
  }
  return found;
}

function daysText(program) {
  return program.days.map((d) => `${d.name}: ${d.exercises.length} ${d.exercises.length === 1 ? "exercise" : "exercises"}`).join(" · ");
}

function protocolCell(program) {
  if (program.exception_reason) {
    return el("td", {}, el("span", { class: "off-protocol" }, "Off protocol"), el("span", { class: "why" }, `Reason: ${program.exception_reason}`));
  }
  return el("td", { class: program.conforms === false ? "off-protocol" : "ok-text" }, program.conforms === false ? "Does not conform" : "✓ Conforms");
}

// --- the list ------------------------------------------------------------------------------

export async function programsPage() {
  const view = pageView();
  view(heading("Programs"), el("p", {}, "Loading…"));
  let programs;
  try {
    programs = await api("GET", "/v1/programs");
  } catch (error) {
    return view(heading("Programs"), failure(error));
  }
  programs.sort((a, b) => a.name.localeCompare(b.name));
  view(
    el("div", { class: "page-head" }, heading("Programs"), el("a", { class: "button primary", href: "#/builder" }, "New program")),
    el(
      "section",
      { class: "panel", "aria-label": "The chain's programs" },
      programs.length
        ? el(
            "table",
            { class: "programs" },
            el("thead", {}, el("tr", {}, ["Program", "Version", "Sessions a week", "Days", "Protocol", "Saved", "Actions"].map((h) => el("th", { scope: "col" }, h)))),
            el(
              "tbody",
              {},
              programs.map((p) =>
                el(
                  "tr",
                  { "data-program": p.id },
                  el("th", { scope: "row" }, el("a", { href: `#/programs/${p.id}` }, p.name), p.ready_made ? el("span", { class: "tag" }, "ready-made") : null),
                  el("td", {}, String(p.current_version ?? p.version)),
                  el("td", {}, String(p.sessions_per_week)),
                  el("td", {}, daysText(p)),
                  protocolCell(p),
                  el("td", {}, when(p.updated_at || p.created_at)),
                  el(
                    "td",
                    {},
                    el(
                      "div",
                      { class: "actions" },
                      el("a", { class: "button", href: `#/builder/${p.id}`, "aria-label": `Edit ${p.name}` }, "Edit"),
                      el("a", { class: "button", href: `#/programs/${p.id}`, "aria-label": `Versions of ${p.name}` }, "Versions"),
                    ),
                  ),
                ),
              ),
            ),
          )
        : el("p", { class: "note" }, "No programs yet."),
    ),
  );
}

// --- a program's versions ------------------------------------------------------------------

// What one version changed from the one before it, day by day, in words.
function changes(version, previous) {
  if (!previous) return ["First version."];
  const found = [];
  if (version.name !== previous.name) found.push(`Renamed from “${previous.name}”.`);
  if (version.sessions_per_week !== previous.sessions_per_week) {
    found.push(`Sessions a week: ${previous.sessions_per_week} → ${version.sessions_per_week}.`);
  }
  const before = new Map(previous.days.map((d) => [d.name, d]));
  for (const day of version.days) {
    const old = before.get(day.name);
    before.delete(day.name);
    if (!old) {
      found.push(`Day ${day.name} added.`);
      continue;
    }
    found.push(...dayChanges(day.name, old.exercises, day.exercises));
  }
  for (const name of before.keys()) found.push(`Day ${name} removed.`);
  return found.length ? found : ["No change to the days."];
}

export async function versionsPage(programId) {
  const view = pageView();
  view(heading("Program versions"), el("p", {}, "Loading…"));
  let versions;
  try {
    versions = await api("GET", `/v1/programs/${programId}/versions`);
  } catch (error) {
    return view(el("p", {}, el("a", { href: "#/programs" }, "← Programs")), heading("Program versions"), failure(error));
  }
  const newest = versions[0];
  const current = newest?.current_version ?? newest?.version;
  view(
    el("p", {}, el("a", { href: "#/programs" }, "← Programs")),
    el(
      "div",
      { class: "page-head" },
      heading(`${newest ? newest.name : "Program"}: versions`),
      el("a", { class: "button primary", href: `#/builder/${programId}` }, "Edit (saves a new version)"),
    ),
    el("p", { class: "note" }, "Members keep the version they were assigned until moved to a newer one from their page."),
    versions.map((v, i) =>
      el(
        "article",
        { class: "panel version", "data-version": v.version, "aria-labelledby": `version-${v.version}` },
        el(
          "h2",
          { id: `version-${v.version}` },
          `Version ${v.version}`,
          v.version === current ? el("span", { class: "tag" }, "current") : null,
        ),
        el("p", { class: "note" }, `Saved ${when(v.created_at)} · ${v.sessions_per_week} sessions a week · `, v.exception_reason ? `off protocol (reason: ${v.exception_reason})` : v.conforms === false ? "does not conform" : "conforms"),
        el("ul", { class: "changes", "aria-label": `What version ${v.version} changed` }, changes(v, versions[i + 1]).map((c) => el("li", {}, c))),
        el(
          "table",
          { class: "days" },
          el("caption", { class: "visually-hidden" }, `Days of version ${v.version}`),
          el("thead", {}, el("tr", {}, ["Day", "Exercises"].map((h) => el("th", { scope: "col" }, h)))),
          el("tbody", {}, v.days.map((d) => el("tr", {}, el("th", { scope: "row" }, d.name), el("td", {}, d.exercises.map(slotText).join(" · "))))),
        ),
      ),
    ),
  );
}

// --- assigning -----------------------------------------------------------------------------

export function assignForm({ programs, members, memberId, programId, onAssigned }) {
  const result = el("p", { class: "result", role: "status" });
  const programSelect = el(
    "select",
    { id: "assign-program", name: "program_id", required: true, "data-focus-key": "assign-program" },
    programs.map((p) => el("option", { value: p.id, selected: p.id === programId }, programLabel(p))),
  );
  const memberSelect = members
    ? el("select", { id: "assign-member", name: "member_id", required: true }, members.map((m) => el("option", { value: m.id }, `${m.name} (${m.badge})`)))
    : null;
  const start = el("input", { id: "assign-start", type: "date", value: today(), required: true });
  const days = WEEKDAYS.map((name, i) =>
    el("label", {}, el("input", { type: "checkbox", value: i + 1, checked: [1, 3, 5].includes(i + 1) }), name),
  );
  const form = el(
    "form",
    { class: "stack", "aria-label": "Assign a program" },
    el("label", { for: "assign-program" }, "Program"),
    programSelect,
    memberSelect ? [el("label", { for: "assign-member" }, "Member"), memberSelect] : null,
    el("label", { for: "assign-start" }, "Start date"),
    start,
    el("fieldset", {}, el("legend", {}, "Training days"), el("div", { class: "weekdays" }, days)),
    el("button", { class: "primary", type: "submit" }, "Assign"),
    result,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    result.textContent = "";
    result.classList.remove("error");
    const weekdays = days.map((d) => d.querySelector("input")).filter((c) => c.checked).map((c) => Number(c.value));
    const target = memberSelect ? memberSelect.value : memberId;
    try {
      const assignment = await api("POST", `/v1/members/${target}/assignments`, {
        json: { program_id: programSelect.value, start_date: start.value, weekdays },
        key: newKey(),
      });
      const who = memberSelect ? memberSelect.selectedOptions[0].textContent : "the member";
      result.textContent = `Assigned ${assignment.program_name || programSelect.selectedOptions[0].textContent} to ${who} from ${assignment.start_date}.`;
      onAssigned?.(assignment, programs.find((p) => p.id === assignment.program_id) || { name: assignment.program_name });
    } catch (error) {
      result.classList.add("error");
      result.textContent = describe(error);
    }
  });
  return form;
}

// --- the builder ---------------------------------------------------------------------------

// A saved program as the builder edits it: what ProgramIn takes, each exercise's rest and
// notes kept although the builder does not show them, so an edit does not drop them.
function editable(saved) {
  return {
    name: saved.name,
    sessions_per_week: saved.sessions_per_week,
    days: saved.days.map((d) => ({
      name: d.name,
      exercises: d.exercises.map((s) => {
        const slot = { exercise: s.exercise, sets: s.sets, rep_min: s.rep_min, rep_max: s.rep_max };
        if (s.rest_seconds !== undefined && s.rest_seconds !== null) slot.rest_seconds = s.rest_seconds;
        if (s.notes) slot.notes = s.notes;
        return slot;
      }),
    })),
  };
}

export async function builderPage(programId) {
  const view = pageView();
  const title = programId ? "Edit program" : "Program builder";
  view(heading(title), el("p", {}, "Loading…"));
  let catalog;
  let members;
  let saved = null;
  try {
    [catalog, members, saved] = await Promise.all([
      api("GET", "/v1/exercises"),
      api("GET", "/v1/members"),
      programId ? api("GET", `/v1/programs/${programId}`) : null,
    ]);
  } catch (error) {
    return view(heading(title), failure(error));
  }
  const program = saved
    ? editable(saved)
    : {
        name: "",
        sessions_per_week: 3,
        days: [{ name: "A", exercises: [{ exercise: "barbell-back-squat", sets: 3, rep_min: 6, rep_max: 12 }] }],
      };
  let version = saved ? saved.current_version ?? saved.version : null;
  const daysBox = el("div", { id: "days" });
  const verdict = el("p", { id: "verdict", class: "verdict", role: "status" }, "Not checked yet.");
  const violations = el("ul", { id: "violations", class: "violations" });
  const saveResult = el("p", { id: "save-result", class: "result", role: "status" });
  const assignBox = el("div", { id: "assign-box" });
  const reason = el("input", { id: "exception-reason", name: "exception_reason", value: saved?.exception_reason || "" });
  const saveButton = el("button", { class: "primary", type: "submit", id: "save-program" });
  const editNote = programId ? el("p", { class: "note", id: "edit-note" }) : null;
  const saveLabel = () => {
    saveButton.textContent = version ? `Save as version ${version + 1}` : "Save program";
    editNote?.replaceChildren(`Now at version ${version}. Saving makes a new version; members keep theirs until moved.`);
  };
  saveLabel();
  let timer = null;
  let checks = 0;

  const byPattern = PATTERNS.map((pattern) =>
    el("optgroup", { label: pattern }, catalog.filter((e) => e.pattern === pattern).map((e) => el("option", { value: e.slug }, e.name))),
  );
  const exerciseOptions = (chosen) => {
    const select = el("select", { required: true }, byPattern.map((g) => g.cloneNode(true)));
    select.value = chosen;
    return select;
  };

  const changed = () => {
    clearTimeout(timer);
    timer = setTimeout(check, CHECK_DELAY_MS);
  };

  async function check() {
    const mine = ++checks;
    verdict.textContent = "Checking…";
    verdict.className = "verdict";
    try {
      const answer = await api("POST", "/v1/programs/check", { json: { ...program, name: program.name || "Draft" } });
      if (mine !== checks) return;
      verdict.textContent = answer.conforms ? "✓ Conforms to the protocol" : "✗ Does not conform yet";
      verdict.className = `verdict ${answer.conforms ? "good" : "bad"}`;
      violations.replaceChildren(...answer.violations.map((v) => el("li", {}, v.detail)));
    } catch (error) {
      if (mine !== checks) return;
      verdict.textContent = "Incomplete";
      verdict.className = "verdict bad";
      violations.replaceChildren(el("li", {}, describe(error)));
    }
  }

  function numberField(label, value, min, max, set) {
    const input = el("input", { type: "number", min, max, value, required: true });
    input.addEventListener("input", () => {
      set(Number(input.value));
      changed();
    });
    return el("label", {}, label, input);
  }

  function renderDays() {
    daysBox.replaceChildren(
      ...program.days.map((day, d) => {
        const nameInput = el("input", { value: day.name, size: 8, "aria-label": `Name of day ${d + 1}` });
        nameInput.addEventListener("input", () => {
          day.name = nameInput.value;
          changed();
        });
        return el(
          "section",
          { class: "day", "data-day": d, "aria-label": `Day ${day.name}` },
          el(
            "h3",
            {},
            "Day ",
            nameInput,
            program.days.length > 1
              ? el("button", { type: "button", onclick: () => { program.days.splice(d, 1); renderDays(); changed(); } }, "Remove day")
              : null,
          ),
          day.exercises.map((item, i) => {
            const select = exerciseOptions(item.exercise);
            select.setAttribute("aria-label", `Exercise ${i + 1} of day ${day.name}`);
            select.addEventListener("change", () => {
              item.exercise = select.value;
              changed();
            });
            return el(
              "div",
              { class: "ex-row" },
              el("label", {}, "Exercise", select),
              numberField("Sets", item.sets, 1, 10, (v) => { item.sets = v; }),
              numberField("Reps from", item.rep_min, 1, 100, (v) => { item.rep_min = v; }),
              numberField("to", item.rep_max, 1, 100, (v) => { item.rep_max = v; }),
              el("button", { type: "button", "aria-label": `Remove exercise ${i + 1} of day ${day.name}`, onclick: () => { day.exercises.splice(i, 1); renderDays(); changed(); } }, "✕"),
            );
          }),
          el("button", {
            type: "button",
            class: "add-exercise",
            onclick: () => {
              day.exercises.push({ exercise: catalog[0].slug, sets: 3, rep_min: 6, rep_max: 12 });
              renderDays();
              changed();
            },
          }, "+ Exercise"),
        );
      }),
    );
  }

  const name = el("input", { id: "program-name", required: true, placeholder: "e.g. Strength A/B", value: program.name });
  name.addEventListener("input", () => {
    program.name = name.value;
  });
  const perWeek = el("input", { id: "per-week", type: "number", min: 1, max: 7, value: program.sessions_per_week, required: true });
  perWeek.addEventListener("input", () => {
    program.sessions_per_week = Number(perWeek.value);
    changed();
  });
  const addDay = el("button", {
    type: "button",
    id: "add-day",
    onclick: () => {
      const letter = String.fromCharCode(65 + program.days.length);
      program.days.push({ name: letter, exercises: [] });
      renderDays();
      changed();
    },
  }, "+ Day");

  const form = el(
    "form",
    { id: "program-form", "aria-label": "Program" },
    el("div", { class: "row" }, el("label", { for: "program-name" }, "Name", name), el("label", { for: "per-week" }, "Sessions per week", perWeek)),
    daysBox,
    addDay,
    el("div", { class: "row" }, el("label", { for: "exception-reason" }, "Reason to save a program that does not conform (optional)", reason)),
    el("p", {}, saveButton),
    saveResult,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    saveResult.textContent = "";
    saveResult.classList.remove("error");
    const body = { ...program };
    if (reason.value.trim()) body.exception_reason = reason.value.trim();
    try {
      if (programId) {
        const answer = await api("PUT", `/v1/programs/${programId}`, { json: body, key: newKey() });
        const before = version;
        version = answer.current_version ?? answer.version;
        saveLabel();
        saveResult.replaceChildren(
          version === before
            ? `Nothing changed: “${answer.name}” stays at version ${version}. `
            : `Saved “${answer.name}” as version ${version}. Members on an older version keep it until moved from their page. `,
          el("a", { href: `#/programs/${programId}` }, "See the versions"),
        );
        return;
      }
      const answer = await api("POST", "/v1/programs", { json: body, key: newKey() });
      saveResult.textContent = `Saved “${answer.name}”.`;
      const programs = await api("GET", "/v1/programs");
      assignBox.replaceChildren(el("h2", {}, "Assign it"), assignForm({ programs, members, programId: answer.id }));
    } catch (error) {
      saveResult.classList.add("error");
      const listed = (error.problem && error.problem.violations) || [];
      saveResult.textContent = listed.length ? `Not saved: ${listed.map((v) => v.detail).join(" ")}` : describe(error);
    }
  });

  renderDays();
  view(
    programId ? el("p", {}, el("a", { href: `#/programs/${programId}` }, "← Versions of this program")) : null,
    heading(programId ? `Edit “${saved.name}”` : title),
    editNote,
    el(
      "div",
      { class: "builder" },
      el("div", { class: "panel" }, form),
      el("aside", { class: "panel", "aria-label": "Protocol check" }, el("h2", {}, "Protocol check"), verdict, violations, assignBox),
    ),
  );
  check();
}
