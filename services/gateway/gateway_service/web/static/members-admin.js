// Managing members: the member list with its filters, adding one (the generated PIN shown
// once), editing, deactivating, resetting a PIN, and importing many from a CSV or JSON-lines
// file (POST /v1/members/import). The dialogs are shared with a member's own page.

import { el } from "./api.js";
import { api, upload } from "./dashboard-api.js";
import {
  clearErrors,
  confirmAction,
  describe,
  failure,
  field,
  formError,
  heading,
  modal,
  onSubmit,
  onceBox,
  pageView,
  saveCsv,
  select,
  showErrors,
} from "./dashboard-ui.js";

const ROWS_SHOWN = 100;
const IMPORT_ROWS_SHOWN = 200;
const IMPORT_HEADER = ["name", "badge", "pin", "home_gym", "unit", "external_id"];
const PIN_HINT =
  "4 to 8 digits, not easy to guess (no 0000, 1212, 1234 or 4321). Left empty, one is generated and shown once.";

export function gymName(gyms, id) {
  return gyms.find((g) => g.id === id)?.name || "Another gym";
}

export function memberStatus(member) {
  return member.active === false ? "Deactivated" : "Active";
}

// The gyms a member may call home, as options; a home gym the trainer does not work in
// stays listed so that the form shows where the member is.
function homeOptions(gyms, current) {
  const options = gyms.map((g) => [g.id, g.name]);
  if (current && !gyms.some((g) => g.id === current)) options.unshift([current, "Another gym (not one of yours)"]);
  return options;
}

function actionsRow(...buttons) {
  return el("div", { class: "actions" }, buttons);
}

// --- dialogs -------------------------------------------------------------------------------

function editMemberDialog(member, gyms, changed) {
  modal(`Edit ${member.name}`, (close) => {
    const name = el("input", { value: member.name, autocomplete: "off" });
    const badge = el("input", { value: member.badge, autocomplete: "off" });
    const home = select(homeOptions(gyms, member.home_gym_id), member.home_gym_id);
    const unit = select([["kg", "kg"], ["lb", "lb"]], member.unit);
    const external = el("input", { value: member.external_id || "", autocomplete: "off" });
    const form = el(
      "form",
      { class: "stack", novalidate: true, "aria-label": `Edit ${member.name}` },
      field("Name", name, { name: "name" }),
      field("Badge", badge, { name: "badge", hint: "Changing it makes the old badge stop working." }),
      field("Home gym", home, { name: "home_gym_id" }),
      field("Unit", unit, { name: "unit", hint: "The unit of their targets and history." }),
      field("External id (optional)", external, { name: "external_id", hint: "The chain's own id, as in its CRM." }),
      formError(),
      actionsRow(el("button", { type: "submit", class: "primary" }, "Save"), el("button", { type: "button", onclick: close }, "Cancel")),
    );
    onSubmit(form, async () => {
      // Only what changed is sent: an unchanged badge or home gym is not checked again.
      const body = {};
      if (name.value.trim() !== member.name) body.name = name.value.trim();
      if (badge.value.trim() !== member.badge) body.badge = badge.value.trim();
      if (home.value !== member.home_gym_id) body.home_gym_id = home.value;
      if (unit.value !== member.unit) body.unit = unit.value;
      if (external.value.trim() !== (member.external_id || "")) body.external_id = external.value.trim();
      if (Object.keys(body).length === 0) return close();
      changed(await api("PATCH", `/v1/members/${member.id}`, { json: body }));
      close();
    });
    return form;
  });
}

function resetPinDialog(member, changed) {
  modal(`New PIN for ${member.name}`, (close) => {
    const pin = el("input", { inputmode: "numeric", autocomplete: "off", maxlength: 8 });
    const done = el("button", { type: "button", class: "primary", onclick: close }, "Done");
    const form = el(
      "form",
      { class: "stack", novalidate: true, "aria-label": `New PIN for ${member.name}` },
      el("p", {}, "The old PIN stops working at once, and the badge no longer waits after wrong PINs."),
      field("PIN (optional)", pin, { name: "pin", hint: PIN_HINT }),
      formError(),
      actionsRow(el("button", { type: "submit", class: "primary" }, "Reset PIN"), el("button", { type: "button", onclick: close }, "Cancel")),
    );
    onSubmit(form, async () => {
      const answer = await api("POST", `/v1/members/${member.id}/pin`, { json: pin.value.trim() ? { pin: pin.value.trim() } : {} });
      changed(answer.member);
      const shown = answer.pin
        ? onceBox({
            label: "New PIN",
            value: answer.pin,
            note: `Write it down and give it to ${member.name} now: it is not shown again.`,
          })
        : el("p", { class: "ok", role: "status" }, "The PIN is set; the badge's wrong PINs are forgotten.");
      form.replaceWith(shown, actionsRow(done));
      done.focus();
    });
    return form;
  });
}

// Deactivating asks first (the badge stops at every kiosk at once); reactivating does not.
async function setActive(member, active, changed) {
  if (!active) {
    const sure = await confirmAction({
      title: `Deactivate ${member.name}?`,
      text: "Their badge stops working at once, at every kiosk. Their history stays, and they can be reactivated any time.",
      action: "Deactivate",
    });
    if (!sure) return;
  }
  changed(await api("PATCH", `/v1/members/${member.id}`, { json: { active } }));
}

// Edit, PIN and (de)activate buttons for one member. Each carries a focus key, so the
// focus comes back to it when the row it is on is drawn again.
export function memberActions(member, gyms, changed, problem) {
  const guard = (key, action) => async () => {
    problem.textContent = "";
    try {
      await action();
    } catch (error) {
      problem.textContent = describe(error);
    }
    // The row was drawn again: the focus goes to the same button on the new one.
    if (!document.activeElement || document.activeElement === document.body) {
      document.querySelector(`[data-focus-key="${key}"]`)?.focus();
    }
  };
  return actionsRow(
    el("button", {
      type: "button",
      "data-focus-key": `edit-${member.id}`,
      "aria-label": `Edit ${member.name}`,
      onclick: () => editMemberDialog(member, gyms, changed),
    }, "Edit"),
    el("button", {
      type: "button",
      "data-focus-key": `pin-${member.id}`,
      "aria-label": `Reset the PIN of ${member.name}`,
      onclick: () => resetPinDialog(member, changed),
    }, "Reset PIN"),
    el("button", {
      type: "button",
      "data-focus-key": `active-${member.id}`,
      "aria-label": `${member.active === false ? "Reactivate" : "Deactivate"} ${member.name}`,
      onclick: guard(`active-${member.id}`, () => setActive(member, member.active === false, changed)),
    }, member.active === false ? "Reactivate" : "Deactivate"),
  );
}

// --- adding one ----------------------------------------------------------------------------

function addMemberForm(gyms, added) {
  const name = el("input", { autocomplete: "off" });
  const badge = el("input", { autocomplete: "off" });
  const home = select(homeOptions(gyms), gyms[0]?.id);
  const unit = select([["", "The gym's unit"], ["kg", "kg"], ["lb", "lb"]], "");
  const pin = el("input", { inputmode: "numeric", autocomplete: "off", maxlength: 8 });
  const external = el("input", { autocomplete: "off" });
  const result = el("div", { id: "add-member-result" });
  const form = el(
    "form",
    { id: "add-member-form", class: "grid-form", novalidate: true, "aria-label": "Add a member" },
    field("Name", name, { name: "name" }),
    field("Badge", badge, { name: "badge", hint: "The number on their card or fob." }),
    field("Home gym", home, { name: "home_gym_id" }),
    field("Unit", unit, { name: "unit" }),
    field("PIN (optional)", pin, { name: "pin", hint: PIN_HINT }),
    field("External id (optional)", external, { name: "external_id", hint: "The chain's own id, as in its CRM." }),
    el("div", { class: "form-end" }, el("button", { type: "submit", class: "primary" }, "Add member"), formError()),
  );
  onSubmit(form, async () => {
    result.replaceChildren();
    const body = { name: name.value.trim(), badge: badge.value.trim(), home_gym_id: home.value };
    if (unit.value) body.unit = unit.value;
    if (pin.value.trim()) body.pin = pin.value.trim();
    if (external.value.trim()) body.external_id = external.value.trim();
    const member = await api("POST", "/v1/members", { json: body });
    added(member);
    for (const input of [name, badge, pin, external]) input.value = "";
    const shown = member.pin
      ? onceBox({
          label: `PIN of ${member.name}`,
          value: member.pin,
          note: `Write it down and give it to ${member.name} now: it is not shown again. Badge ${member.badge}.`,
        })
      : el("p", { class: "ok", role: "status", tabindex: "-1" }, `Added ${member.name} (badge ${member.badge}) with the PIN you chose.`);
    result.replaceChildren(shown);
    shown.focus();
  });
  return el("div", {}, form, result);
}

// --- importing many ------------------------------------------------------------------------

function importType(file) {
  const name = file.name.toLowerCase();
  if (/\.(jsonl|ndjson|json)$/.test(name)) return "application/x-ndjson";
  if (name.endsWith(".csv") || file.type === "text/csv") return "text/csv";
  return file.type || "text/csv";
}

function table(caption, headers, rows, attrs = {}) {
  return el(
    "table",
    attrs,
    el("caption", {}, caption),
    el("thead", {}, el("tr", {}, headers.map((h) => el("th", { scope: "col" }, h)))),
    el("tbody", {}, rows.map((cells) => el("tr", {}, cells.map((c) => el("td", {}, c))))),
  );
}

function importResult(answer) {
  const leftOut = new Set(answer.errors.map((e) => e.row)).size;
  const parts = [
    el(
      "p",
      { class: "import-summary", role: "status", tabindex: "-1" },
      `${answer.created} created · ${answer.updated} updated · ${answer.unchanged} unchanged · `,
      leftOut ? el("strong", { class: "error" }, `${leftOut} ${leftOut === 1 ? "row" : "rows"} left out`) : "no rows left out",
    ),
  ];
  if (answer.errors.length) {
    const shown = answer.errors.slice(0, IMPORT_ROWS_SHOWN);
    parts.push(
      el(
        "div",
        { class: "import-errors" },
        table(
          answer.errors.length > shown.length
            ? `Rows left out: the first ${shown.length} of ${answer.errors.length} errors`
            : "Rows left out, and why (fix them and import the file again: the other rows change nothing)",
          ["Row", "Field", "Message"],
          shown.map((e) => [e.row, e.field, e.message]),
          { id: "import-errors" },
        ),
        el("button", {
          type: "button",
          class: "secondary",
          onclick: () => saveCsv("member-import-errors.csv", [["row", "field", "message"], ...answer.errors.map((e) => [e.row, e.field, e.message])]),
        }, "Download the errors (CSV)"),
      ),
    );
  }
  if (answer.pins.length) {
    const shown = answer.pins.slice(0, IMPORT_ROWS_SHOWN);
    parts.push(
      el(
        "div",
        { class: "once", role: "group", "aria-label": "Generated PINs" },
        el("p", { class: "once-title" }, `Generated PINs (${answer.pins.length})`),
        el(
          "p",
          { class: "once-note" },
          "These PINs are shown this once: download them or write them down before you leave this page, and give each member theirs.",
        ),
        el("button", {
          type: "button",
          class: "primary",
          id: "download-pins",
          onclick: () => saveCsv("member-pins.csv", [["row", "badge", "pin"], ...answer.pins.map((p) => [p.row, p.badge, p.pin])]),
        }, "Download the PINs (CSV)"),
        table(
          answer.pins.length > shown.length ? `The first ${shown.length} of ${answer.pins.length} PINs (all of them are in the download)` : "PIN of each new member",
          ["Row", "Badge", "PIN"],
          shown.map((p) => [p.row, p.badge, p.pin]),
          { id: "import-pins" },
        ),
      ),
    );
  }
  return parts;
}

function importForm(gyms, imported) {
  const file = el("input", { type: "file", accept: ".csv,.jsonl,.ndjson,.json,text/csv,application/x-ndjson" });
  const go = el("button", { type: "submit", class: "primary" }, "Import");
  const result = el("div", { id: "import-result", "aria-live": "polite" });
  const template = el("button", {
    type: "button",
    class: "secondary",
    onclick: () => saveCsv("members-template.csv", [IMPORT_HEADER, ["Ada Lovelace", "1001", "", gyms[0]?.name || "Downtown", "kg", "crm-1"]]),
  }, "Download a CSV template");
  const form = el(
    "form",
    { id: "import-form", class: "stack", novalidate: true, "aria-label": "Import members" },
    el(
      "p",
      { class: "note" },
      "A CSV file with the header ",
      el("code", {}, IMPORT_HEADER.join(",")),
      ", or JSON lines with the same fields. ",
      "Only name, badge and home_gym (a gym's name) are needed; a PIN left empty is generated. ",
      "Rows match members by external id, then badge: importing the same file again changes nothing.",
    ),
    field("File", file, { name: "body" }),
    el("div", { class: "actions" }, go, template),
    formError(),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    const chosen = file.files[0];
    if (!chosen) {
      form.querySelector(".form-error").textContent = "Choose a CSV or JSON-lines file first.";
      file.focus();
      return;
    }
    go.disabled = true;
    result.replaceChildren(el("p", { class: "note" }, `Importing ${chosen.name}…`));
    try {
      const answer = await upload("/v1/members/import", chosen, importType(chosen));
      result.replaceChildren(...importResult(answer));
      result.querySelector(".import-summary").focus();
      await imported();
    } catch (error) {
      result.replaceChildren();
      showErrors(form, error);
    } finally {
      go.disabled = false;
    }
  });
  return el("div", {}, form, result);
}

// --- the member list -----------------------------------------------------------------------

export async function rosterPage(open) {
  const view = pageView();
  view(heading("Member list"), el("p", {}, "Loading…"));
  let members;
  let gyms;
  try {
    [members, gyms] = await Promise.all([api("GET", "/v1/members"), api("GET", "/v1/gyms")]);
  } catch (error) {
    return view(heading("Member list"), failure(error));
  }
  let shown = ROWS_SHOWN;
  const tbody = el("tbody");
  const count = el("p", { class: "note", id: "roster-count", role: "status" });
  const problem = el("p", { class: "error", role: "alert", id: "roster-error" });
  const search = el("input", { type: "search", autocomplete: "off", placeholder: "Name, badge or external id" });
  const gymFilter = select([["", "All gyms"], ...gyms.map((g) => [g.id, g.name])], "");
  const statusFilter = select([["", "Active and deactivated"], ["active", "Active"], ["inactive", "Deactivated"]], "");
  const more = el("button", { type: "button", class: "secondary", onclick: () => { shown += ROWS_SHOWN; draw(); } }, "Show more");

  // A member just changed stays in the list until the filters change, even if it no longer
  // matches them (renamed, deactivated), so the trainer sees what they did.
  const pinned = new Set();

  function matching() {
    const words = search.value.trim().toLowerCase();
    return members.filter(
      (m) =>
        pinned.has(m.id) ||
        (!gymFilter.value || m.home_gym_id === gymFilter.value) &&
        (!statusFilter.value || (statusFilter.value === "active") === (m.active !== false)) &&
        (!words || [m.name, m.badge, m.external_id || ""].some((text) => text.toLowerCase().includes(words))),
    );
  }

  function changed(updated) {
    const i = members.findIndex((m) => m.id === updated.id);
    if (i >= 0) members[i] = updated;
    else members.push(updated);
    members.sort((a, b) => a.name.localeCompare(b.name));
    pinned.add(updated.id);
    draw();
  }

  function row(member) {
    return el(
      "tr",
      { "data-member": member.id, class: member.active === false ? "inactive" : "" },
      el("th", { scope: "row" }, el("a", { href: `#/members/${member.id}` }, member.name)),
      el("td", {}, member.badge),
      el("td", {}, gymName(gyms, member.home_gym_id)),
      el("td", {}, member.unit),
      el("td", {}, member.external_id || "–"),
      el("td", { class: "status" }, memberStatus(member)),
      el("td", {}, memberActions(member, gyms, changed, problem)),
    );
  }

  function draw() {
    const found = matching();
    tbody.replaceChildren(...found.slice(0, shown).map(row));
    count.textContent =
      found.length > shown ? `Showing ${shown} of ${found.length} members.` : `${found.length} ${found.length === 1 ? "member" : "members"}.`;
    more.hidden = found.length <= shown;
  }

  for (const control of [search, gymFilter, statusFilter]) {
    control.addEventListener("input", () => {
      shown = ROWS_SHOWN;
      pinned.clear();
      draw();
    });
  }
  const reload = async () => {
    members = await api("GET", "/v1/members");
    draw();
  };
  const adding = el(
    "details",
    { class: "panel", id: "add-member", open: open === "add" },
    el("summary", {}, "Add a member"),
    gyms.length ? addMemberForm(gyms, changed) : el("p", { class: "note" }, "You work in no gym yet: a chain admin adds you to one."),
  );
  const importing = el(
    "details",
    { class: "panel", id: "import-members", open: open === "import" },
    el("summary", {}, "Import members from a file"),
    importForm(gyms, reload),
  );
  draw();
  view(
    el("div", { class: "page-head" }, heading("Member list"), el("a", { href: "#/members" }, "This week's overview")),
    adding,
    importing,
    el(
      "section",
      { class: "panel", "aria-labelledby": "roster-title" },
      el("h2", { id: "roster-title" }, "Members"),
      el(
        "div",
        { class: "filters", role: "search" },
        field("Find", search),
        field("Home gym", gymFilter),
        field("Status", statusFilter),
      ),
      count,
      problem,
      el(
        "table",
        { class: "roster" },
        el("thead", {}, el("tr", {}, ["Name", "Badge", "Home gym", "Unit", "External id", "Status", "Actions"].map((h) => el("th", { scope: "col" }, h)))),
        tbody,
      ),
      more,
    ),
  );
  if (open) document.querySelector(`#${open === "add" ? "add-member" : "import-members"} summary`)?.focus();
}
