// A member's program and sets on their page: the current assignment (end it, or move it to
// the program's newest version), the assignment history, and the member's sets newest first
// with their audit trails, each correctable or voidable with a reason.

import { el, fmt, newKey } from "./api.js";
import { api } from "./dashboard-api.js";
import {
  confirmAction,
  describe,
  field,
  formError,
  modal,
  onSubmit,
  select,
  when,
} from "./dashboard-ui.js";
import { assignForm, today, weekdayNames } from "./programs.js";

const SETS_PAGE = 20;
const SETS_MOST = 200;
const AUDITED = ["exercise", "load", "unit", "reps", "rpe", "warmup"];

// The line the member page has always shown: the program's name, marked when it was saved
// off protocol, with the trainer's reason.
function programLine(program) {
  const line = ["Program: ", el("strong", {}, program.name)];
  if (program.exception_reason) {
    line.push(" ", el("span", { class: "off-protocol" }, "(off protocol)"), ` · reason: ${program.exception_reason}`);
  }
  return line;
}

// --- program and assignments ---------------------------------------------------------------

export function programPanel(member, programs) {
  const panel = el("section", { class: "panel", id: "program-panel", "aria-labelledby": "program-title" });
  const note = el("p", { id: "member-program", class: "program-note", "aria-live": "polite" });
  const current = el("div", { id: "current-assignment" });
  const history = el("div", { id: "assignment-history" });
  const problem = el("p", { class: "error", role: "alert" });
  const byId = new Map(programs.map((p) => [p.id, p]));

  async function load(focusKey) {
    problem.textContent = "";
    let assignments;
    try {
      assignments = await api("GET", `/v1/members/${member.id}/assignments`);
    } catch (error) {
      current.replaceChildren(el("p", { class: "error" }, `The assignments cannot be read now: ${describe(error)}`));
      return;
    }
    const active = assignments.find((a) => a.active);
    drawCurrent(active);
    drawHistory(assignments);
    if (focusKey) document.querySelector(`[data-focus-key="${focusKey}"]`)?.focus();
  }

  const act = (key, action) => async () => {
    problem.textContent = "";
    try {
      if ((await action()) !== false) await load(key);
    } catch (error) {
      problem.textContent = describe(error);
    }
  };

  function drawCurrent(active) {
    if (!active) {
      note.replaceChildren();
      current.replaceChildren(el("p", { class: "note" }, `${member.name} has no program: assign one below.`));
      return;
    }
    const program = byId.get(active.program_id);
    note.replaceChildren(...programLine(program || { name: active.program_name }));
    const newest = program ? program.current_version ?? program.version : active.program_version;
    const behind = newest > active.program_version;
    current.replaceChildren(
      el(
        "p",
        { id: "assignment-detail" },
        `Version ${active.program_version} from ${active.start_date} on ${weekdayNames(active.weekdays)}.`,
        behind ? el("strong", { class: "behind" }, ` Version ${newest} is out.`) : null,
      ),
      el(
        "div",
        { class: "actions" },
        behind
          ? el("button", {
              type: "button",
              class: "primary",
              "data-focus-key": "move-assignment",
              onclick: act("end-assignment", async () => {
                await api("POST", `/v1/members/${member.id}/assignments`, {
                  json: { program_id: active.program_id, program_version: newest, start_date: today(), weekdays: active.weekdays },
                  key: newKey(),
                });
              }),
            }, `Move to version ${newest}`)
          : null,
        el("button", {
          type: "button",
          class: "danger-ghost",
          "data-focus-key": "end-assignment",
          onclick: act("assign-program", async () => {
            const sure = await confirmAction({
              title: `End ${member.name}'s program?`,
              text: `${active.program_name} ends today: the kiosk shows ${member.name} no planned workout until a program is assigned. Their history and targets stay.`,
              action: "End program",
            });
            if (!sure) return false;
            await api("DELETE", `/v1/members/${member.id}/assignments/current`, { key: newKey() });
            return true;
          }),
        }, "End program"),
      ),
    );
  }

  function drawHistory(assignments) {
    if (!assignments.length) {
      history.replaceChildren();
      return;
    }
    history.replaceChildren(
      el(
        "table",
        { class: "assignments" },
        el("caption", {}, "Assignments, newest first"),
        el("thead", {}, el("tr", {}, ["Program", "Version", "From", "Days", "Status"].map((h) => el("th", { scope: "col" }, h)))),
        el(
          "tbody",
          {},
          assignments.map((a) =>
            el(
              "tr",
              { "data-assignment": a.id, class: a.active ? "" : "inactive" },
              el("td", {}, a.program_name),
              el("td", {}, String(a.program_version)),
              el("td", {}, a.start_date),
              el("td", {}, weekdayNames(a.weekdays)),
              el("td", {}, a.active ? "Current" : a.ended_at ? `Ended ${when(a.ended_at)}` : "Ended"),
            ),
          ),
        ),
      ),
    );
  }

  panel.append(
    el("h2", { id: "program-title" }, "Training program"),
    note,
    current,
    problem,
    el(
      "div",
      { class: "program-columns" },
      history,
      el(
        "section",
        { "aria-labelledby": "assign-title" },
        el("h3", { id: "assign-title" }, "Assign a program"),
        assignForm({ programs, memberId: member.id, onAssigned: () => load() }),
      ),
    ),
  );
  load();
  return panel;
}

// --- sets ----------------------------------------------------------------------------------

function loadText(set) {
  return `${fmt(set.load)} ${set.unit} × ${set.reps}${set.rpe !== null && set.rpe !== undefined ? ` @ RPE ${fmt(set.rpe)}` : ""}`;
}

function whoChanged(change, trainers) {
  if (change.changed_by_role === "member") return "the member";
  const name = trainers.get(change.changed_by);
  if (name) return name;
  return change.changed_by_role === "chain_admin" ? "a chain admin" : change.changed_by_role === "system" ? "the system" : "a trainer";
}

function changeText(change, trainers) {
  const what = AUDITED.filter((k) => String(change.before?.[k] ?? "") !== String(change.after?.[k] ?? "")).map(
    (k) => `${k} ${change.before?.[k] ?? "–"} → ${change.after?.[k] ?? "–"}`,
  );
  const verb = change.action === "voided" ? "Voided" : change.action === "corrected" ? "Corrected" : change.action;
  return [
    el("strong", {}, verb),
    ` by ${whoChanged(change, trainers)}, ${when(change.changed_at)}`,
    what.length && change.action !== "voided" ? `: ${what.join(", ")}` : "",
    change.reason ? el("span", { class: "why" }, `Reason: ${change.reason}`) : null,
  ];
}

function correctDialog(member, set, names, done) {
  modal(`Correct a set of ${names.get(set.exercise) || set.exercise}`, (close) => {
    const load = el("input", { type: "number", step: "any", min: 0, value: fmt(set.load), inputmode: "decimal" });
    const unit = select([["kg", "kg"], ["lb", "lb"]], set.unit);
    const reps = el("input", { type: "number", min: 0, max: 100, step: 1, value: set.reps });
    const rpe = el("input", { type: "number", min: 1, max: 10, step: 0.5, value: set.rpe ?? "" });
    const reason = el("input", { autocomplete: "off" });
    const form = el(
      "form",
      { class: "stack", novalidate: true, "aria-label": "Correct the set" },
      el("p", { class: "note" }, `Logged ${when(set.performed_at)}: ${loadText(set)}.`),
      el("div", { class: "row" }, field("Load", load, { name: "load" }), field("Unit", unit, { name: "unit" }), field("Reps", reps, { name: "reps" }), field("RPE (optional)", rpe, { name: "rpe" })),
      field("Reason", reason, { name: "reason", hint: "Kept in the set's audit trail, with your name and the time." }),
      formError(),
      el("div", { class: "actions" }, el("button", { type: "submit", class: "primary" }, "Save correction"), el("button", { type: "button", onclick: close }, "Cancel")),
    );
    onSubmit(form, async () => {
      const body = { reason: reason.value.trim() };
      // The numbers go as typed: the API names a field it cannot read.
      if (load.value !== fmt(set.load) || unit.value !== set.unit) {
        body.load = load.value === "" ? null : Number(load.value);
        body.unit = unit.value;
      }
      if (Number(reps.value) !== set.reps) body.reps = reps.value === "" ? null : Number(reps.value);
      if (rpe.value !== String(set.rpe ?? "")) body.rpe = rpe.value === "" ? null : Number(rpe.value);
      await api("PATCH", `/v1/members/${member.id}/sets/${set.id}`, { json: body, key: newKey() });
      close();
      done();
    });
    return form;
  });
}

function voidDialog(member, set, names, done) {
  modal(`Void a set of ${names.get(set.exercise) || set.exercise}?`, (close) => {
    const reason = el("input", { autocomplete: "off" });
    const form = el(
      "form",
      { class: "stack", novalidate: true, "aria-label": "Void the set" },
      el("p", {}, `${loadText(set)}, logged ${when(set.performed_at)}, will count for nothing: not for targets, records or the week. It stays in the history, marked void.`),
      field("Reason", reason, { name: "reason", hint: "Kept in the set's audit trail." }),
      formError(),
      el("div", { class: "actions" }, el("button", { type: "submit", class: "danger" }, "Void set"), el("button", { type: "button", onclick: close }, "Cancel")),
    );
    onSubmit(form, async () => {
      const why = encodeURIComponent(reason.value.trim());
      await api("DELETE", `/v1/members/${member.id}/sets/${set.id}?reason=${why}`, { key: newKey() });
      close();
      done();
    });
    return form;
  });
}

// `names`: exercise names by slug; `trainers`: trainer names by id (a chain admin's), so
// the trail says who changed a set.
export function setsPanel(member, names, trainers) {
  const tbody = el("tbody");
  const status = el("p", { class: "note", role: "status", id: "sets-status" });
  const older = el("button", { type: "button", class: "secondary", id: "older-sets", hidden: true }, "Older sets");
  const table = el(
    "table",
    { class: "sets", hidden: true },
    el("thead", {}, el("tr", {}, ["When", "Exercise", "Set", "Status", "Audit trail", "Actions"].map((h) => el("th", { scope: "col" }, h)))),
    tbody,
  );
  let items = [];
  let cursor = null;

  async function fetchPage(limit, from) {
    const query = new URLSearchParams({ limit: String(limit) });
    if (from) query.set("cursor", from);
    return api("GET", `/v1/members/${member.id}/sets?${query}`);
  }

  // After a change the sets shown so far are read again, so the row shows its new trail.
  async function reload(focusKey) {
    try {
      const page = await fetchPage(Math.min(Math.max(items.length, SETS_PAGE), SETS_MOST));
      items = page.items;
      cursor = page.next_cursor;
      draw();
      if (focusKey) document.querySelector(`[data-focus-key="${focusKey}"]`)?.focus();
    } catch (error) {
      status.textContent = `The sets cannot be read now: ${describe(error)}`;
    }
  }

  older.addEventListener("click", async () => {
    older.disabled = true;
    try {
      const page = await fetchPage(SETS_PAGE, cursor);
      const first = tbody.children.length;
      items = items.concat(page.items);
      cursor = page.next_cursor;
      draw();
      tbody.children[first]?.querySelector("button, th")?.focus();
    } catch (error) {
      status.textContent = `The older sets cannot be read now: ${describe(error)}`;
    } finally {
      older.disabled = false;
    }
  });

  function row(set) {
    const voided = Boolean(set.voided_at);
    const name = names.get(set.exercise) || set.exercise;
    const changes = set.changes || [];
    return el(
      "tr",
      { "data-set": set.id, class: voided ? "voided" : "" },
      el("td", { class: "date" }, when(set.performed_at)),
      el("th", { scope: "row" }, name, set.warmup ? el("span", { class: "tag" }, "warm-up") : null),
      el("td", { class: "set-load" }, voided ? el("s", {}, loadText(set)) : loadText(set)),
      el("td", {}, voided ? el("span", { class: "off-protocol" }, "Void") : changes.length ? "Corrected" : "As logged"),
      el("td", { class: "trail" }, changes.length ? el("ul", {}, changes.map((c) => el("li", {}, changeText(c, trainers)))) : "–"),
      el(
        "td",
        {},
        voided
          ? null
          : el(
              "div",
              { class: "actions" },
              el("button", {
                type: "button",
                "data-focus-key": `correct-${set.id}`,
                "aria-label": `Correct ${name}, ${loadText(set)}, ${when(set.performed_at)}`,
                onclick: () => correctDialog(member, set, names, () => reload(`correct-${set.id}`)),
              }, "Correct"),
              el("button", {
                type: "button",
                class: "danger-ghost",
                "data-focus-key": `void-${set.id}`,
                "aria-label": `Void ${name}, ${loadText(set)}, ${when(set.performed_at)}`,
                onclick: () => voidDialog(member, set, names, () => reload(`void-${set.id}`)),
              }, "Void"),
            ),
      ),
    );
  }

  function draw() {
    tbody.replaceChildren(...items.map(row));
    table.hidden = items.length === 0;
    status.textContent = items.length ? `${items.length} sets shown, newest first.` : "No sets logged yet.";
    older.hidden = !cursor;
  }

  fetchPage(SETS_PAGE)
    .then((page) => {
      items = page.items;
      cursor = page.next_cursor;
      draw();
    })
    .catch((error) => {
      status.textContent = `The sets cannot be read now: ${describe(error)}`;
    });

  return el(
    "section",
    { class: "panel", id: "sets-panel", "aria-labelledby": "sets-title" },
    el("h2", { id: "sets-title" }, "Sets"),
    el("p", { class: "note" }, "Every set the member logged, voided ones too, with who changed it, when and why."),
    status,
    table,
    older,
  );
}
