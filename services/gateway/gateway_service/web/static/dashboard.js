// The trainer dashboard: sign in, the gyms' members and their week, a member's charts and
// the history of their targets, each gym's equipment, a program builder with live
// conformance feedback, and assigning a program.

import { ApiError, el, fmt, newKey, request } from "./api.js";
import { equipmentEditor } from "./equipment.js";

const TOKEN_KEY = "myokine.dashboard.token";
const REFRESH_KEY = "myokine.dashboard.refresh";
const PATTERNS = ["squat", "hinge", "push", "pull"];
const WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const CHECK_DELAY_MS = 300;
const DECISIONS_SHOWN = 3;
// docs/protocol.md §2's rules, as short labels; the arrows are the kiosk's (↑ heavier,
// ↓ lighter, → same load).
const RULES = {
  calibrate: "Calibrate",
  start: "Start",
  up: "↑ Up",
  bridge: "→ Bridge",
  hold: "→ Hold",
  deload_miss: "↓ Deload, missed",
  deload_stall: "↓ Deload, stalled",
  gap_hold: "→ Hold after a break",
  gap_reduce: "↓ Lighter after a break",
  add_set: "+ Set",
  equipment_ceiling: "Heaviest load",
  roam: "⇄ Other gym",
};

const $ = (id) => document.getElementById(id);
let token = sessionStorage.getItem(TOKEN_KEY);
// Gym names as the members page last listed them, for the equipment page's heading.
const gymNames = new Map();

// --- plumbing --------------------------------------------------------------------------

function keep(answer) {
  token = answer.access_token;
  sessionStorage.setItem(TOKEN_KEY, token);
  sessionStorage.setItem(REFRESH_KEY, answer.refresh_token);
}

// Access tokens live minutes: on a 401 the dashboard trades its refresh token for a new
// pair once and asks again, so a trainer editing a program never loses it to an expiry.
// Several calls failing at once share one refresh (a refresh token works only once).
let refreshing = null;

async function refreshSession() {
  const refresh = sessionStorage.getItem(REFRESH_KEY);
  if (!refresh) return false;
  refreshing ||= request("POST", "/v1/auth/refresh", { json: { refresh_token: refresh } })
    .then((answer) => {
      keep(answer);
      return true;
    })
    .catch(() => false)
    .finally(() => {
      refreshing = null;
    });
  return refreshing;
}

async function api(method, path, options = {}) {
  try {
    return await request(method, path, { token, ...options });
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 401) throw error;
    if (await refreshSession()) return request(method, path, { token, ...options });
    signOut("Your session ended: sign in again.");
    throw error;
  }
}

function view(...children) {
  $("view").replaceChildren(...children.flat().filter((child) => child !== null && child !== undefined));
  const heading = $("view").querySelector("h1");
  if (heading) {
    heading.setAttribute("tabindex", "-1");
    heading.focus();
  }
}

function failure(error) {
  return el("p", { class: "error", role: "alert" }, error.fields || error.message);
}

function today() {
  const d = new Date();
  return new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 10);
}

// --- sign-in ---------------------------------------------------------------------------

function signOut(message = "") {
  token = null;
  sessionStorage.removeItem(TOKEN_KEY);
  sessionStorage.removeItem(REFRESH_KEY);
  $("signin").hidden = false;
  $("nav").hidden = true;
  $("sign-out").hidden = true;
  $("view").replaceChildren();
  $("signin-error").textContent = message;
  $("email").focus();
}

$("signin-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  $("signin-error").textContent = "";
  try {
    const answer = await request("POST", "/v1/auth/token", {
      form: { username: $("email").value, password: $("password").value },
    });
    keep(answer);
    $("password").value = "";
    route();
  } catch (error) {
    $("signin-error").textContent =
      error.status === 401 ? "Email or password is not right." : error.message;
  }
});

$("sign-out").addEventListener("click", () => signOut());

// --- routing ---------------------------------------------------------------------------

function route() {
  if (!token) return signOut();
  $("signin").hidden = true;
  $("nav").hidden = false;
  $("sign-out").hidden = false;
  const [, page, id] = (location.hash || "#/members").split("/");
  for (const link of document.querySelectorAll(".nav a")) {
    link.toggleAttribute("aria-current", link.getAttribute("href") === `#/${page}`);
    if (link.hasAttribute("aria-current")) link.setAttribute("aria-current", "page");
  }
  if (page === "builder") return builderPage();
  if (page === "gyms" && id) return equipmentPage(id);
  if (page === "members" && id) return memberPage(id);
  return membersPage();
}

window.addEventListener("hashchange", route);

// --- members ---------------------------------------------------------------------------

function patternCell(week, pattern) {
  const p = week && week.patterns && week.patterns[pattern];
  if (!p) return el("td", { class: "pattern status-unknown" }, "–");
  const label = `${pattern}: ${p.done ?? "–"} of ${p.min}–${p.max} (${String(p.status).replace("_", " ")})`;
  return el("td", { class: `pattern status-${p.status}`, title: label, "aria-label": label }, `${p.done ?? "–"}`);
}

function memberRow(member) {
  const week = member.week;
  const prs = member.prs || [];
  return el(
    "tr",
    { "data-member": member.id },
    el("th", { scope: "row" }, el("a", { href: `#/members/${member.id}` }, member.name)),
    el("td", {}, member.badge),
    PATTERNS.map((p) => patternCell(week, p)),
    el("td", {}, !member.available ? "unavailable" : week && week.on_protocol ? "✓ yes" : "no"),
    el("td", { class: member.stalled.length ? "stalled" : "" }, member.stalled.join(", ") || "–"),
    el("td", {}, prs.length ? prs.map((pr) => `${pr.exercise} (${pr.kind})`).join(", ") : "–"),
  );
}

async function membersPage() {
  view(el("h1", {}, "Members"), el("p", {}, "Loading…"));
  try {
    const overview = await api("GET", "/dashboard/api/overview");
    for (const gym of overview.gyms) gymNames.set(gym.id, gym.name);
    const attention = await Promise.all(
      overview.gyms.map((gym) => api("GET", `/v1/gyms/${gym.id}/attention`).catch(() => null)),
    );
    const gyms = overview.gyms.map((gym, i) =>
      el(
        "section",
        { class: "panel", "aria-labelledby": `gym-${gym.id}` },
        el(
          "div",
          { class: "gym-head" },
          el("h2", { id: `gym-${gym.id}` }, `${gym.name || "Gym"} · week ${gym.week}`),
          el("a", { href: `#/gyms/${gym.id}`, "aria-label": `Gym equipment of ${gym.name || "this gym"}` }, "Gym equipment"),
        ),
        attentionList(attention[i]),
        el(
          "table",
          {},
          el("caption", { class: "legend" }, "Sessions per pattern this week against the protocol's range: red below, green in range, yellow above."),
          el(
            "thead",
            {},
            el("tr", {}, ["Member", "Badge", ...PATTERNS, "On protocol", "Stalled", "PRs this week"].map((h) => el("th", { scope: "col" }, h))),
          ),
          el("tbody", {}, gym.members.map(memberRow)),
        ),
      ),
    );
    view(el("h1", {}, "Members"), gyms.length ? gyms : el("p", {}, "No members yet."));
  } catch (error) {
    view(el("h1", {}, "Members"), failure(error));
  }
}

// Members of this gym (home, or trained here last) who need a program, are stalled or are
// off protocol this week; those without a program first, as they cannot train to targets.
function attentionList(answer) {
  if (!answer) return el("p", { class: "note" }, "Who needs attention is not available right now.");
  if (answer.members.length === 0) return el("p", { class: "ok" }, "✓ Nobody here needs attention this week.");
  return el(
    "div",
    { class: "attention" },
    el("h3", {}, "Needs attention"),
    el(
      "ul",
      {},
      [...answer.members].sort((a, b) => Number(b.no_program) - Number(a.no_program)).map((m) => {
        const why = [];
        if (m.no_program) why.push("needs a program");
        if (m.stalled.length) why.push(`stalled on ${m.stalled.join(", ")}`);
        if (m.on_protocol === false) why.push("off protocol this week");
        return el("li", {}, el("a", { href: `#/members/${m.member_id}` }, m.name || "A member"), ` · ${why.join("; ")}`);
      }),
    ),
  );
}

// --- gym equipment -----------------------------------------------------------------------

// Straight to a gym's page (a reload, a link), its name comes from the overview; the editor
// works without it.
async function rememberGymNames() {
  try {
    const overview = await api("GET", "/dashboard/api/overview");
    for (const gym of overview.gyms) gymNames.set(gym.id, gym.name);
  } catch {
    // The heading then says "Gym".
  }
}

async function equipmentPage(gymId) {
  view(el("h1", {}, "Gym equipment"), el("p", {}, "Loading…"));
  try {
    const [inventory] = await Promise.all([
      api("GET", `/v1/gyms/${gymId}/inventory`),
      gymNames.has(gymId) ? null : rememberGymNames(),
    ]);
    view(
      el("p", {}, el("a", { href: "#/members" }, "← Members")),
      el("h1", {}, `Gym equipment · ${gymNames.get(gymId) || "Gym"}`),
      el("p", { class: "note" }, "Targets at this gym are made of the loads this equipment makes; members' targets follow a change within moments."),
      el(
        "section",
        { class: "panel", "aria-label": "Equipment" },
        equipmentEditor(inventory, (body) => api("PUT", `/v1/gyms/${gymId}/inventory`, { json: body, key: newKey() })),
      ),
    );
  } catch (error) {
    view(el("h1", {}, "Gym equipment"), failure(error));
  }
}

// --- a member ------------------------------------------------------------------------------

async function memberPage(id) {
  view(el("h1", {}, "Member"), el("p", {}, "Loading…"));
  try {
    const [member, charts, programs, progress] = await Promise.all([
      api("GET", `/v1/members/${id}`),
      api("GET", `/dashboard/api/members/${id}/charts`),
      api("GET", "/v1/programs"),
      api("GET", `/v1/members/${id}/progress`).catch(() => null),
    ]);
    const programNote = el("p", { id: "member-program", class: "program-note", "aria-live": "polite" });
    const milestones = (charts.milestones || []).map((m) =>
      el("li", { class: "tag" }, `${m.milestone.replaceAll("_", " ")} · ${m.reached_on}`),
    );
    const streaks = charts.streaks ? `Weeks on protocol: ${charts.streaks.current} now, ${charts.streaks.longest} at best.` : "";
    view(
      el("p", {}, el("a", { href: "#/members" }, "← Members")),
      el("h1", {}, member.name),
      el("p", { class: "note" }, `Badge ${member.badge} · loads in ${charts.unit}. ${streaks}`),
      programNote,
      milestones.length ? el("ul", { class: "milestones", "aria-label": "Milestones" }, milestones) : null,
      el("section", { class: "panel chart", "aria-label": "Weekly adherence" }, svg(charts.adherence)),
      charts.exercises.length ? null : el("p", { class: "note" }, "No lifts logged yet: charts appear after the first workout."),
      el(
        "section",
        { class: "charts", "aria-label": "e1RM per lift" },
        charts.exercises.map((c) =>
          el(
            "article",
            { class: "panel lift", "data-exercise": c.exercise },
            el(
              "figure",
              { class: "chart", "data-exercise": c.exercise },
              svg(c.svg),
              el("figcaption", {}, `${c.name}: best e1RM ${fmt(c.best_e1rm)} ${charts.unit}${c.stalled ? " · stalled" : ""}`),
            ),
            progress ? decisionsTable(c.name, progress.exercises[c.exercise]?.decisions || [], progress.unit) : null,
          ),
        ),
      ),
      el(
        "section",
        { class: "panel", "aria-labelledby": "assign-title" },
        el("h2", { id: "assign-title" }, "Assign a program"),
        assignForm({ programs, memberId: id, onAssigned: (program) => programNote.replaceChildren(...programLine(program)) }),
      ),
    );
  } catch (error) {
    view(el("h1", {}, "Member"), failure(error));
  }
}

// What each finished workout decided for one lift, newest first: a few, then all on demand.
function decisionsTable(name, decisions, unit) {
  const title = `Decisions for ${name}`;
  if (decisions.length === 0) {
    return el("p", { class: "note decisions-none" }, "No decisions yet: each finished workout adds one.");
  }
  const rows = [...decisions].reverse().map((d, i) =>
    el(
      "tr",
      { "data-rule": d.rule || "", hidden: i >= DECISIONS_SHOWN },
      el("td", { class: "date" }, d.date),
      el(
        "td",
        {},
        el("span", { class: "rule", "data-rule": d.rule || "" }, RULES[d.rule] || String(d.rule || "–").replaceAll("_", " ")),
        " · ",
        el("span", { class: "target" }, `${fmt(d.load)} ${unit} × ${d.reps ?? "–"}${d.sets ? `, ${d.sets} sets` : ""}`),
        d.why ? el("span", { class: "why" }, d.why) : null,
      ),
    ),
  );
  const more = rows.length > DECISIONS_SHOWN;
  const toggle = more
    ? el("button", {
        type: "button",
        class: "ghost more",
        "aria-expanded": "false",
        onclick: () => {
          const open = toggle.getAttribute("aria-expanded") !== "true";
          rows.forEach((row, i) => { row.hidden = !open && i >= DECISIONS_SHOWN; });
          toggle.setAttribute("aria-expanded", String(open));
          toggle.textContent = open ? "Show the latest only" : `Show all ${rows.length}`;
        },
      }, `Show all ${rows.length}`)
    : null;
  return el(
    "section",
    { class: "decisions", "aria-label": title },
    el(
      "table",
      {},
      el("caption", {}, "Decisions, newest first"),
      el("thead", {}, el("tr", {}, ["Date", "Target and why"].map((h) => el("th", { scope: "col" }, h)))),
      el("tbody", {}, rows),
    ),
    toggle,
  );
}

// A program's name, marked as the program picker marks one saved off protocol, with the
// trainer's reason.
function programLine(program) {
  const line = ["Program: ", el("strong", {}, program.name)];
  if (program.exception_reason) {
    line.push(" ", el("span", { class: "off-protocol" }, "(off protocol)"), ` · reason: ${program.exception_reason}`);
  }
  return line;
}

// The charts are drawn by the gateway (web/charts.py), which escapes every text in them.
function svg(markup) {
  const holder = el("div", { class: "svg" });
  holder.innerHTML = markup;
  return holder;
}

// --- assigning ---------------------------------------------------------------------------

function assignForm({ programs, members, memberId, programId, onAssigned }) {
  const result = el("p", { class: "result", role: "status" });
  const programSelect = el(
    "select",
    { id: "assign-program", name: "program_id", required: true },
    programs.map((p) =>
      el("option", { value: p.id, selected: p.id === programId }, p.exception_reason ? `${p.name} (off protocol)` : p.name),
    ),
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
      onAssigned?.(programs.find((p) => p.id === assignment.program_id) || { name: assignment.program_name });
    } catch (error) {
      result.classList.add("error");
      result.textContent = error.fields || error.message;
    }
  });
  return form;
}

// --- program builder ---------------------------------------------------------------------

async function builderPage() {
  view(el("h1", {}, "Program builder"), el("p", {}, "Loading…"));
  let catalog;
  let members;
  try {
    [catalog, members] = await Promise.all([api("GET", "/v1/exercises"), api("GET", "/v1/members")]);
  } catch (error) {
    return view(el("h1", {}, "Program builder"), failure(error));
  }
  const program = {
    name: "",
    sessions_per_week: 3,
    days: [{ name: "A", exercises: [{ exercise: "barbell-back-squat", sets: 3, rep_min: 6, rep_max: 12 }] }],
  };
  const daysBox = el("div", { id: "days" });
  const verdict = el("p", { id: "verdict", class: "verdict", role: "status" }, "Not checked yet.");
  const violations = el("ul", { id: "violations", class: "violations" });
  const saveResult = el("p", { id: "save-result", class: "result", role: "status" });
  const assignBox = el("div", { id: "assign-box" });
  const reason = el("input", { id: "exception-reason", name: "exception_reason" });
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
      violations.replaceChildren(el("li", {}, error.fields || error.message));
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

  const name = el("input", { id: "program-name", required: true, placeholder: "e.g. Strength A/B" });
  name.addEventListener("input", () => {
    program.name = name.value;
  });
  const perWeek = el("input", { id: "per-week", type: "number", min: 1, max: 7, value: 3, required: true });
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
    el("p", {}, el("button", { class: "primary", type: "submit", id: "save-program" }, "Save program")),
    saveResult,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    saveResult.textContent = "";
    saveResult.classList.remove("error");
    const body = { ...program };
    if (reason.value.trim()) body.exception_reason = reason.value.trim();
    try {
      const saved = await api("POST", "/v1/programs", { json: body, key: newKey() });
      saveResult.textContent = `Saved “${saved.name}”.`;
      const programs = await api("GET", "/v1/programs");
      assignBox.replaceChildren(el("h2", {}, "Assign it"), assignForm({ programs, members, programId: saved.id }));
    } catch (error) {
      saveResult.classList.add("error");
      const listed = (error.problem && error.problem.violations) || [];
      saveResult.textContent = listed.length ? `Not saved: ${listed.map((v) => v.detail).join(" ")}` : error.fields || error.message;
    }
  });

  renderDays();
  view(
    el("h1", {}, "Program builder"),
    el(
      "div",
      { class: "builder" },
      el("div", { class: "panel" }, form),
      el("aside", { class: "panel", "aria-label": "Protocol check" }, el("h2", {}, "Protocol check"), verdict, violations, assignBox),
    ),
  );
  check();
}

route();
