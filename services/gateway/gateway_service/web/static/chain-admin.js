// A chain admin's pages: trainers (add, their gyms and role, deactivate) and kiosks (add,
// rotate, revoke). A plain trainer never sees the links; the API refuses them (403) anyway.

import { el } from "./api.js";
import { api } from "./dashboard-api.js";
import {
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
  select,
  uid,
  when,
} from "./dashboard-ui.js";

const ROLES = [["trainer", "Trainer"], ["chain_admin", "Chain admin"]];
const roleName = (role) => Object.fromEntries(ROLES)[role] || role;

// The gyms as a group of checkboxes: the accessible multi-select.
function gymChoice(gyms, chosen, legend = "Gyms they work in") {
  const boxes = gyms.map((g) => el("input", { type: "checkbox", value: g.id, checked: chosen.includes(g.id) }));
  const set = el(
    "fieldset",
    { class: "gym-choice", "data-field": "gym_ids" },
    el("legend", {}, legend),
    gyms.length
      ? gyms.map((g, i) => el("label", {}, boxes[i], g.name))
      : el("p", { class: "note" }, "The chain has no gym yet."),
  );
  return { set, chosen: () => boxes.filter((b) => b.checked).map((b) => b.value) };
}

function gymList(gyms, trainer) {
  if (trainer.role === "chain_admin") return "Every gym (chain admin)";
  const names = trainer.gym_ids.map((id) => gyms.find((g) => g.id === id)?.name || "A gym");
  return names.length ? names.join(", ") : "None yet";
}

function guarded(problem, key, action) {
  return async () => {
    problem.textContent = "";
    try {
      await action();
    } catch (error) {
      problem.textContent = describe(error);
    }
    if (!document.activeElement || document.activeElement === document.body) {
      document.querySelector(`[data-focus-key="${key}"]`)?.focus();
    }
  };
}

// --- trainers ------------------------------------------------------------------------------

function editTrainerDialog(trainer, gyms, changed) {
  modal(`Edit ${trainer.name}`, (close) => {
    const name = el("input", { value: trainer.name, autocomplete: "off" });
    const role = select(ROLES, trainer.role);
    const choice = gymChoice(gyms, trainer.gym_ids);
    const form = el(
      "form",
      { class: "stack", novalidate: true, "aria-label": `Edit ${trainer.name}` },
      field("Name", name, { name: "name" }),
      field("Role", role, { name: "role", hint: "A chain admin manages every gym, trainer and kiosk of the chain." }),
      choice.set,
      formError(),
      el("div", { class: "actions" }, el("button", { type: "submit", class: "primary" }, "Save"), el("button", { type: "button", onclick: close }, "Cancel")),
    );
    onSubmit(form, async () => {
      const body = { gym_ids: choice.chosen() };
      if (name.value.trim() !== trainer.name) body.name = name.value.trim();
      if (role.value !== trainer.role) body.role = role.value;
      changed(await api("PATCH", `/v1/trainers/${trainer.id}`, { json: body }));
      close();
    });
    return form;
  });
}

function addTrainerForm(gyms, added) {
  const email = el("input", { type: "email", autocomplete: "off" });
  const name = el("input", { autocomplete: "off" });
  const role = select(ROLES, "trainer");
  const password = el("input", { type: "text", autocomplete: "new-password", spellcheck: "false" });
  const choice = gymChoice(gyms, []);
  const result = el("div", { id: "add-trainer-result" });
  const form = el(
    "form",
    { id: "add-trainer-form", class: "grid-form", novalidate: true, "aria-label": "Add a trainer" },
    field("Email", email, { name: "email", hint: "They sign in with it." }),
    field("Name", name, { name: "name" }),
    field("Role", role, { name: "role" }),
    field("Password (optional)", password, { name: "password", hint: "Left empty, one is generated and shown once." }),
    el("div", { class: "span-all" }, choice.set),
    el("div", { class: "form-end" }, el("button", { type: "submit", class: "primary" }, "Add trainer"), formError()),
  );
  onSubmit(form, async () => {
    result.replaceChildren();
    const body = { email: email.value.trim(), name: name.value.trim(), role: role.value, gym_ids: choice.chosen() };
    if (password.value) body.password = password.value;
    const trainer = await api("POST", "/v1/trainers", { json: body });
    added(trainer);
    form.reset();
    const shown = trainer.password
      ? onceBox({
          label: `Password of ${trainer.name}`,
          value: trainer.password,
          note: `Give it to ${trainer.name} (${trainer.email}) now, in person or by a safe channel: it is not shown again.`,
        })
      : el("p", { class: "ok", role: "status", tabindex: "-1" }, `Added ${trainer.name}: they sign in with the password you chose.`);
    result.replaceChildren(shown);
    shown.focus();
  });
  return el("div", {}, form, result);
}

export async function trainersPage() {
  const view = pageView();
  view(heading("Trainers"), el("p", {}, "Loading…"));
  let trainers;
  let gyms;
  try {
    [trainers, gyms] = await Promise.all([api("GET", "/v1/trainers"), api("GET", "/v1/gyms")]);
  } catch (error) {
    return view(heading("Trainers"), failure(error));
  }
  const tbody = el("tbody");
  const problem = el("p", { class: "error", role: "alert", id: "trainers-error" });

  function changed(updated) {
    const i = trainers.findIndex((t) => t.id === updated.id);
    if (i >= 0) trainers[i] = updated;
    else trainers.push(updated);
    trainers.sort((a, b) => a.name.localeCompare(b.name));
    draw();
  }

  function setActive(trainer, active) {
    return async () => {
      if (!active) {
        const sure = await confirmAction({
          title: `Deactivate ${trainer.name}?`,
          text: "They are signed out at once and cannot sign in again until reactivated. Their programs and the changes they made stay.",
          action: "Deactivate",
        });
        if (!sure) return;
      }
      changed(await api("PATCH", `/v1/trainers/${trainer.id}`, { json: { active } }));
    };
  }

  function row(trainer) {
    const inactive = trainer.active === false;
    return el(
      "tr",
      { "data-trainer": trainer.id, class: inactive ? "inactive" : "" },
      el("th", { scope: "row" }, trainer.name),
      el("td", {}, trainer.email),
      el("td", {}, roleName(trainer.role)),
      el("td", {}, gymList(gyms, trainer)),
      el("td", { class: "status" }, inactive ? "Deactivated" : "Active"),
      el(
        "td",
        {},
        el(
          "div",
          { class: "actions" },
          el("button", {
            type: "button",
            "data-focus-key": `edit-${trainer.id}`,
            "aria-label": `Edit ${trainer.name}`,
            onclick: () => editTrainerDialog(trainer, gyms, changed),
          }, "Edit"),
          el("button", {
            type: "button",
            "data-focus-key": `active-${trainer.id}`,
            "aria-label": `${inactive ? "Reactivate" : "Deactivate"} ${trainer.name}`,
            onclick: guarded(problem, `active-${trainer.id}`, setActive(trainer, inactive)),
          }, inactive ? "Reactivate" : "Deactivate"),
        ),
      ),
    );
  }

  function draw() {
    tbody.replaceChildren(...trainers.map(row));
  }

  draw();
  view(
    heading("Trainers"),
    el("details", { class: "panel", id: "add-trainer" }, el("summary", {}, "Add a trainer"), addTrainerForm(gyms, changed)),
    el(
      "section",
      { class: "panel", "aria-labelledby": "trainers-title" },
      el("h2", { id: "trainers-title" }, "Trainers and chain admins"),
      problem,
      el(
        "table",
        { class: "trainers" },
        el("thead", {}, el("tr", {}, ["Name", "Email", "Role", "Gyms", "Status", "Actions"].map((h) => el("th", { scope: "col" }, h)))),
        tbody,
      ),
    ),
  );
}

// --- kiosks --------------------------------------------------------------------------------

function kioskUrl(token) {
  return `${location.origin}/kiosk#kiosk_token=${encodeURIComponent(token)}`;
}

function tokenBox(kiosk) {
  return onceBox({
    label: `Kiosk URL of ${kiosk.name}`,
    value: kioskUrl(kiosk.token),
    note:
      "Open this address on the kiosk's screen now: the page keeps the token and drops it from the address. " +
      "It holds the kiosk's token and is not shown again; a new one is made by New token.",
  });
}

function gymKiosks(gym, kiosks, refresh) {
  const titleId = uid("gym-kiosks");
  const result = el("div", { class: "kiosk-result" });
  const problem = el("p", { class: "error", role: "alert" });

  const rotate = (kiosk) => async () => {
    const revoked = Boolean(kiosk.revoked_at);
    const sure = await confirmAction({
      title: revoked ? `Bring ${kiosk.name} back?` : `New token for ${kiosk.name}?`,
      text: revoked
        ? "The kiosk gets a new token; set it up again with the new address."
        : "Its current token stops working at once: the kiosk shows the sign-in screen until it is set up with the new address.",
      action: revoked ? "Bring back" : "Make a new token",
    });
    if (!sure) return;
    const made = await api("POST", `/v1/kiosks/${kiosk.id}/rotate`);
    await refresh();
    showToken(made);
  };

  const revoke = (kiosk) => async () => {
    const sure = await confirmAction({
      title: `Revoke ${kiosk.name}?`,
      text: "Its token, and every member signed in on it, stop working at once. New token brings it back later.",
      action: "Revoke",
    });
    if (!sure) return;
    await api("DELETE", `/v1/kiosks/${kiosk.id}`);
    await refresh();
  };

  // A redrawn section lives elsewhere in the page: the box goes in its new copy.
  function showToken(made) {
    const box = document.querySelector(`[data-gym="${gym.id}"] .kiosk-result`);
    const shown = tokenBox(made);
    box.replaceChildren(shown);
    shown.focus();
  }

  const name = el("input", { autocomplete: "off", placeholder: "e.g. Rack 2" });
  const form = el(
    "form",
    { class: "inline-form", novalidate: true, "aria-label": `Add a kiosk to ${gym.name}` },
    field("New kiosk's name", name, { name: "name" }),
    el("button", { type: "submit", class: "primary" }, "Add kiosk"),
    formError(),
  );
  onSubmit(form, async () => {
    const made = await api("POST", "/v1/kiosks", { json: { gym_id: gym.id, name: name.value.trim() } });
    await refresh();
    showToken(made);
  });

  const rows = kiosks.map((kiosk) => {
    const revoked = Boolean(kiosk.revoked_at);
    return el(
      "tr",
      { "data-kiosk": kiosk.id, class: revoked ? "inactive" : "" },
      el("th", { scope: "row" }, kiosk.name),
      el("td", {}, when(kiosk.created_at)),
      el("td", { class: "status" }, revoked ? `Revoked ${when(kiosk.revoked_at)}` : "Active"),
      el(
        "td",
        {},
        el(
          "div",
          { class: "actions" },
          el("button", {
            type: "button",
            "data-focus-key": `rotate-${kiosk.id}`,
            "aria-label": `${revoked ? "Bring back" : "New token for"} ${kiosk.name}`,
            onclick: guarded(problem, `rotate-${kiosk.id}`, rotate(kiosk)),
          }, revoked ? "Bring back" : "New token"),
          revoked
            ? null
            : el("button", {
                type: "button",
                class: "danger-ghost",
                "data-focus-key": `revoke-${kiosk.id}`,
                "aria-label": `Revoke ${kiosk.name}`,
                onclick: guarded(problem, `rotate-${kiosk.id}`, revoke(kiosk)),
              }, "Revoke"),
        ),
      ),
    );
  });
  return el(
    "section",
    { class: "panel", "aria-labelledby": titleId, "data-gym": gym.id },
    el("h2", { id: titleId }, gym.name),
    rows.length
      ? el(
          "table",
          { class: "kiosks" },
          el("caption", { class: "visually-hidden" }, `Kiosks of ${gym.name}`),
          el("thead", {}, el("tr", {}, ["Kiosk", "Added", "Status", "Actions"].map((h) => el("th", { scope: "col" }, h)))),
          el("tbody", {}, rows),
        )
      : el("p", { class: "note" }, "No kiosk here yet."),
    problem,
    result,
    form,
  );
}

export async function kiosksPage() {
  const view = pageView();
  view(heading("Kiosks"), el("p", {}, "Loading…"));
  let gyms;
  let kiosks;
  try {
    [gyms, kiosks] = await Promise.all([api("GET", "/v1/gyms"), api("GET", "/v1/kiosks")]);
  } catch (error) {
    return view(heading("Kiosks"), failure(error));
  }
  const box = el("div", { id: "kiosk-gyms" });
  const draw = () => {
    box.replaceChildren(
      ...gyms.map((gym) =>
        gymKiosks(
          gym,
          kiosks.filter((k) => k.gym_id === gym.id).sort((a, b) => a.name.localeCompare(b.name)),
          refresh,
        ),
      ),
    );
  };
  async function refresh() {
    kiosks = await api("GET", "/v1/kiosks");
    draw();
  }
  draw();
  view(
    heading("Kiosks"),
    el("p", { class: "note" }, "Each kiosk signs in with a token of its own, shown once when it is made or renewed. Revoking one ends its token and its members' sessions at once."),
    gyms.length ? box : el("p", { class: "note" }, "The chain has no gym yet."),
  );
}
