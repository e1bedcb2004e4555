// The trainer dashboard: sign in, the gyms' members and their week, a member's charts,
// program and sets, the member list (add, edit, import), each gym's equipment, programs
// (list, versions, the builder) and, for chain admins, trainers, kiosks and webhooks.

import { el, fmt, newKey, request } from "./api.js";
import { kiosksPage, trainersPage } from "./chain-admin.js";
import { webhooksPage } from "./webhooks.js";
import { api, download, forget, isChainAdmin, keep, onSessionEnded, signedIn } from "./dashboard-api.js";
import { confirmAction, describe, failure, heading, pageView } from "./dashboard-ui.js";
import { equipmentEditor } from "./equipment.js";
import { programPanel, setsPanel } from "./member-history.js";
import { gymName, memberActions, memberStatus, rosterPage } from "./members-admin.js";
import { PATTERNS, builderPage, programsPage, versionsPage } from "./programs.js";

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
// Gym names as the members page last listed them, for the equipment page's heading.
const gymNames = new Map();

// --- sign-in ---------------------------------------------------------------------------

function signOut(message = "") {
  forget();
  $("signin").hidden = false;
  $("nav").hidden = true;
  $("sign-out").hidden = true;
  for (const link of document.querySelectorAll(".nav .admin")) link.hidden = true;
  $("view").replaceChildren();
  $("signin-error").textContent = message;
  $("email").focus();
}

onSessionEnded(signOut);

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
    $("signin-error").textContent = error.status === 401 ? "Email or password is not right." : describe(error);
  }
});

$("sign-out").addEventListener("click", () => signOut());

// --- routing ---------------------------------------------------------------------------

// The chain admin's links show once the API has said the trainer is one; a plain trainer
// going to those pages by address sees the API's refusal in words.
async function showAdminLinks() {
  const admin = await isChainAdmin();
  if (!signedIn()) return;
  for (const link of document.querySelectorAll(".nav .admin")) link.hidden = !admin;
}

const PAGES = {
  roster: (id) => rosterPage(id),
  programs: (id) => (id ? versionsPage(id) : programsPage()),
  builder: (id) => builderPage(id),
  trainers: () => trainersPage(),
  kiosks: () => kiosksPage(),
  webhooks: () => webhooksPage(),
  gyms: (id) => (id ? equipmentPage(id) : membersPage()),
  members: (id) => (id ? memberPage(id) : membersPage()),
};

function route() {
  if (!signedIn()) return signOut();
  $("signin").hidden = true;
  $("nav").hidden = false;
  $("sign-out").hidden = false;
  showAdminLinks();
  const [, page, id] = (location.hash || "#/members").split("/");
  const section = { gyms: "members", builder: id ? "programs" : "builder" }[page] || page;
  for (const link of document.querySelectorAll(".nav a")) {
    if (link.getAttribute("href") === `#/${section}`) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  return (PAGES[page] || PAGES.members)(id);
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

function membersHead() {
  return el(
    "div",
    { class: "page-head" },
    heading("Members"),
    el(
      "div",
      { class: "actions" },
      el("a", { class: "button", href: "#/roster/add" }, "Add a member"),
      el("a", { class: "button", href: "#/roster/import" }, "Import members"),
    ),
  );
}

async function membersPage() {
  const view = pageView();
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
    view(membersHead(), takeFlash(), gyms.length ? gyms : el("p", {}, "No members yet."));
  } catch (error) {
    view(el("h1", {}, "Members"), failure(error));
  }
}

// Members of this gym (home, or trained here lately) who need a trainer, most urgent first
// as the gateway sorts them, each with its reasons (docs/protocol.md §1, "Pace").
const REASONS = {
  no_program: () => "needs a program",
  stalled: (r) => `stalled on ${r.exercise}${r.since ? ` since ${r.since}` : ""}`,
  behind: (r) => `behind this week: ${r.patterns.join(", ")} can no longer reach ${r.patterns.length === 1 ? "its" : "their"} range`,
  missed: (r) => `missed ${r.sessions} session${r.sessions === 1 ? "" : "s"} in two weeks`,
  record: (r) => `new ${r.record} record on ${r.exercise} (${r.date}): congratulate`,
};

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
      answer.members.map((m) => {
        const why = (m.reasons || []).map((r) => (REASONS[r.kind] || (() => r.kind))(r));
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
  const view = pageView();
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

function profileLine(member, gyms, unit, streaks) {
  const parts = [`Badge ${member.badge}`, gymName(gyms, member.home_gym_id), `loads in ${unit || member.unit}`, memberStatus(member)];
  if (member.external_id) parts.push(`external id ${member.external_id}`);
  return `${parts.join(" · ")}. ${streaks}`;
}

// A message for the next page drawn (the member page is gone once its member is erased).
let flash = "";

function takeFlash() {
  const text = flash;
  flash = "";
  return text ? el("p", { class: "ok flash", role: "status" }, text) : null;
}

// A GDPR erasure cannot be undone: the admin types the member's name before it is offered.
async function erase(member) {
  const sure = await confirmAction({
    title: `Erase ${member.name}?`,
    text:
      `Everything the chain holds about ${member.name} is deleted in every service: profile, sets, programs, targets and records. ` +
      "They can no longer sign in. This cannot be undone: export their data first if they asked for it.",
    action: "Erase for good",
    typed: member.name,
  });
  if (!sure) return false;
  const answer = await api("DELETE", `/v1/members/${member.id}`);
  flash = `${member.name} is erased here; ${answer.detail || "the services erase their data within moments."}`;
  location.hash = "#/members";
  return true;
}

function profilePanel(member, gyms, admin, draw) {
  const problem = el("p", { class: "error", role: "alert", id: "profile-error" });
  const guard = (action) => async () => {
    problem.textContent = "";
    try {
      await action();
    } catch (error) {
      problem.textContent = describe(error);
    }
  };
  const exportButton = (format, label) =>
    el("button", {
      type: "button",
      class: "secondary",
      onclick: guard(() => download(`/v1/members/${member.id}/export?format=${format}`, `member-${member.id}.${format}`)),
    }, label);
  return el(
    "section",
    { class: "panel profile", "aria-label": "Profile" },
    el(
      "div",
      { class: "profile-actions" },
      memberActions(member, gyms, draw, problem),
      el(
        "div",
        { class: "actions", role: "group", "aria-label": "Export the member's data" },
        exportButton("json", "Export (JSON)"),
        exportButton("csv", "Export sets (CSV)"),
      ),
      admin ? el("button", { type: "button", class: "danger", onclick: guard(() => erase(member)) }, "Erase member") : null,
    ),
    problem,
  );
}

async function memberPage(id) {
  const view = pageView();
  view(heading("Member"), el("p", {}, "Loading…"));
  try {
    const [member, charts, programs, progress, gyms, catalog, admin] = await Promise.all([
      api("GET", `/v1/members/${id}`),
      api("GET", `/dashboard/api/members/${id}/charts`),
      api("GET", "/v1/programs"),
      api("GET", `/v1/members/${id}/progress`).catch(() => null),
      api("GET", "/v1/gyms"),
      api("GET", "/v1/exercises"),
      isChainAdmin(),
    ]);
    // A chain admin sees who changed a set by name; a trainer, by role.
    const trainers = new Map(admin ? (await api("GET", "/v1/trainers").catch(() => [])).map((t) => [t.id, t.name]) : []);
    const names = new Map(catalog.map((e) => [e.slug, e.name]));
    const milestones = (charts.milestones || []).map((m) =>
      el("li", { class: "tag" }, `${m.milestone.replaceAll("_", " ")} · ${m.reached_on}`),
    );
    const streaks = charts.streaks ? `Weeks on protocol: ${charts.streaks.current} now, ${charts.streaks.longest} at best.` : "";
    const title = heading(member.name);
    const line = el("p", { class: "note", id: "member-line" }, profileLine(member, gyms, charts.unit, streaks));
    const profile = el("div");
    const drawProfile = (changed) => {
      Object.assign(member, changed);
      title.textContent = member.name;
      line.textContent = profileLine(member, gyms, member.unit, streaks);
      profile.replaceChildren(profilePanel(member, gyms, admin, drawProfile));
    };
    drawProfile(member);
    view(
      el("p", {}, el("a", { href: "#/members" }, "← Members"), " · ", el("a", { href: "#/roster" }, "Member list")),
      title,
      line,
      milestones.length ? el("ul", { class: "milestones", "aria-label": "Milestones" }, milestones) : null,
      profile,
      programPanel(member, programs),
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
      setsPanel(member, names, trainers),
    );
  } catch (error) {
    view(el("p", {}, el("a", { href: "#/members" }, "← Members")), heading("Member"), failure(error));
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

// The charts are drawn by the gateway (web/charts.py), which escapes every text in them.
function svg(markup) {
  const holder = el("div", { class: "svg" });
  holder.innerHTML = markup;
  return holder;
}

route();
