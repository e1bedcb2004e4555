// The kiosk page: members identify with badge + PIN, log today's sets, rest between them,
// fix a set, swap an exercise, finish and see what moves next. Several members may be
// signed in at once (one rack, taking turns): each keeps a session of their own, and one
// tap switches between them. Every set goes through the browser outbox (outbox.js), so a
// network blip only delays it.

import { ApiError, NetworkError, el, fmt, newKey, request } from "./api.js";
import { Outbox } from "./outbox.js";
import { DEFAULT_REST_SECONDS, Rest, beep, clock, duration, unlockSound } from "./rest-timer.js";
import { openSetEditor } from "./set-editor.js";
import { nextLoad, nextReps, quickStep, stepper } from "./steppers.js";
import { renderTimeline } from "./timeline.js";

const RETRY_EVERY_MS = 4_000;
const TICK_MS = 250;
const NEXT_TARGETS_WAIT_MS = 20_000;
const PR_LOOKS_MS = [2_000, 5_000, 10_000];
const EXTEND_SECONDS = 30;
const KG_PER_LB = 0.45359237;
const TOKEN_KEY = "myokine.kiosk.token";
// Until an identify answer brings the gateway's own session settings.
const SESSION_DEFAULTS = { idle_seconds: 600, warning_seconds: 20, open_members: 3 };
const PR_KINDS = { e1rm: "estimated 1RM", load: "heaviest load", reps: "most reps" };
const PATTERNS = ["squat", "hinge", "push", "pull"];
const MEMBER_SCREENS = ["workout", "progress", "finished"];
// docs/protocol.md §2's rules, by what they do to the next workout.
const MOVES = [
  { kind: "up", title: "↑ Up: more weight or work next time", rules: ["up", "add_set"] },
  { kind: "bridge", title: "↗ Bridge: more reps before the next weight", rules: ["bridge"] },
  {
    kind: "hold",
    title: "→ Hold: same weight, aim for more reps",
    rules: ["hold", "gap_hold", "equipment_ceiling", "roam", "start", "calibrate"],
  },
  { kind: "deload", title: "↓ Deload: lighter, to build back up", rules: ["deload_miss", "deload_stall", "gap_reduce"] },
];

const $ = (id) => document.getElementById(id);
const outbox = new Outbox();
const state = {
  kioskToken: localStorage.getItem(TOKEN_KEY),
  sessions: new Map(), // member id -> session, in the order they signed in
  current: null, // the session shown, or last shown while another member identifies
  view: "identify",
  limits: { ...SESSION_DEFAULTS },
  focused: "badge",
};

function newSession(answer) {
  return {
    member: answer.member,
    token: answer.member_token,
    today: null,
    picks: {}, // slug -> {load, reps} chosen with the steppers
    swaps: {}, // planned slug -> the slug done instead today
    extra: [], // slugs picked from the catalog, beside (or without) a plan
    cards: {}, // slug -> its card from /v1/kiosk/exercises/{slug}
    asked: new Set(), // slugs whose card was asked for
    celebrated: new Set(),
    lastActive: Date.now(),
    rest: null,
    screen: "workout",
    error: "",
    finishKey: null,
    finished: null,
    timeline: null,
    timelineError: "",
  };
}

const isOpen = (session) => state.sessions.get(session.member.id) === session;
const shown = (session, view) => session === state.current && state.view === view;

// --- screens -------------------------------------------------------------------------

function show(view) {
  state.view = view;
  for (const id of ["setup", "identify", ...MEMBER_SCREENS]) $(id).hidden = id !== view;
  const member = MEMBER_SCREENS.includes(view) ? state.current?.member : null;
  $("sign-out").hidden = !member;
  $("who").textContent = member ? member.name : "";
  if (!MEMBER_SCREENS.includes(view)) $("idle-warning").hidden = true;
  const heading = $(view).querySelector("h1");
  if (heading) heading.setAttribute("tabindex", "-1");
  renderMembers();
}

function start() {
  const fromLink = new URLSearchParams(location.hash.slice(1)).get("kiosk_token");
  if (fromLink) {
    localStorage.setItem(TOKEN_KEY, fromLink);
    state.kioskToken = fromLink;
    history.replaceState(null, "", location.pathname);
  }
  if (!state.kioskToken) {
    show("setup");
    $("setup-token").focus();
    return;
  }
  showIdentify();
  // Sets left waiting before a reload go out with the tokens they were queued with.
  updateOutboxBadge();
  flush();
}

$("setup-form").addEventListener("submit", (event) => {
  event.preventDefault();
  state.kioskToken = $("setup-token").value.trim();
  localStorage.setItem(TOKEN_KEY, state.kioskToken);
  showIdentify();
});

// --- identify --------------------------------------------------------------------------

function showIdentify(message = "") {
  $("badge").value = "";
  $("pin").value = "";
  $("identify-error").textContent = message;
  $("celebration").hidden = true;
  const back = state.current;
  $("identify-back").hidden = !back;
  $("identify-back").textContent = back ? `Back to ${back.member.name}` : "";
  show(state.kioskToken ? "identify" : "setup");
  state.focused = "badge";
  if (state.kioskToken) $("badge").focus();
}

for (const id of ["badge", "pin"]) {
  $(id).addEventListener("focus", () => {
    state.focused = id;
  });
}

document.querySelector(".keypad").addEventListener("click", (event) => {
  const key = event.target.closest("button")?.dataset.key;
  if (!key) return;
  const field = $(state.focused);
  field.value = key === "back" ? field.value.slice(0, -1) : field.value + key;
  field.focus();
});

$("badge").addEventListener("keydown", (event) => {
  if (event.key === "Enter" && $("badge").value) {
    event.preventDefault();
    $("pin").focus();
  }
});

$("identify-back").addEventListener("click", () => switchTo(state.current));

$("identify-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const badge = $("badge").value.trim();
  const pin = $("pin").value;
  if (!badge) return $("badge").focus();
  if (!pin) return $("pin").focus();
  $("identify-error").textContent = "";
  try {
    const answer = await request("POST", "/v1/kiosk/identify", {
      token: state.kioskToken,
      json: { badge, pin },
    });
    state.limits = { ...SESSION_DEFAULTS, ...(answer.session || {}) };
    let session = state.sessions.get(answer.member.id);
    if (session) {
      session.token = answer.member_token;
    } else if (state.sessions.size >= state.limits.open_members) {
      throw new Error(fullMessage());
    } else {
      session = newSession(answer);
      state.sessions.set(answer.member.id, session);
    }
    outbox.retoken(session.member.id, session.token);
    switchTo(session, { refresh: false });
    await loadToday(session, { first: true });
    if (shown(session, "workout")) $("workout-title").focus();
    flush();
  } catch (error) {
    $("pin").value = "";
    $("identify-error").textContent = identifyMessage(error);
    $("pin").focus();
  }
});

function identifyMessage(error) {
  if (error instanceof NetworkError) return "The gym's server does not answer. Try again in a moment.";
  if (!(error instanceof ApiError)) return error.message;
  if (error.status === 401 && error.problem.detail?.includes("kiosk")) {
    return "This kiosk is not recognised. Ask the front desk.";
  }
  if (error.status === 401) return "Badge or PIN is not right. Try again.";
  // The PIN backoff says how long to wait; the kiosk's rate limit says only Retry-After.
  if (error.status === 429 && error.problem.retry_after) {
    return `Too many wrong PINs. Try again in ${duration(error.problem.retry_after)}.`;
  }
  if (error.status === 429) return "Too many tries. Wait a minute.";
  return error.message;
}

// --- members at this kiosk -------------------------------------------------------------

function fullMessage() {
  return `This kiosk is full: ${state.sessions.size} members are signed in. One of them finishes or signs out first.`;
}

function switchTo(session, { refresh = true } = {}) {
  state.current = session;
  session.lastActive = Date.now();
  $("celebration").hidden = true;
  show(session.screen);
  drawScreen(session);
  if (refresh && session.screen === "workout") loadToday(session);
}

function drawScreen(session) {
  if (session.screen === "workout") render(session);
  else if (session.screen === "progress") drawTimeline(session);
  else drawFinished(session);
}

// Sign one member out (Finish, Sign out, idle); the others stay signed in.
function close(session) {
  state.sessions.delete(session.member.id);
  if (session !== state.current) return renderMembers();
  // A set editor or a list left open belongs to the member who left.
  for (const dialog of document.querySelectorAll("dialog[open]")) dialog.close();
  const next = [...state.sessions.values()].sort((a, b) => b.lastActive - a.lastActive)[0];
  state.current = next || null;
  if (!MEMBER_SCREENS.includes(state.view)) {
    // Someone is typing their badge: leave the form as it is.
    $("identify-back").hidden = !next;
    $("identify-back").textContent = next ? `Back to ${next.member.name}` : "";
    return renderMembers();
  }
  if (next) switchTo(next);
  else showIdentify();
}

function renderMembers() {
  const open = [...state.sessions.values()];
  const focused = document.activeElement?.closest?.("button.member")?.dataset.member;
  $("members").hidden = open.length === 0 || state.view === "setup";
  $("member-list").replaceChildren(
    ...open.map((session) =>
      el(
        "li",
        {},
        el(
          "button",
          {
            type: "button",
            class: "member",
            "data-member": session.member.id,
            "aria-pressed": String(session === state.current && MEMBER_SCREENS.includes(state.view)),
            onclick: () => switchTo(session),
          },
          el("span", { class: "name" }, session.member.name),
          el("span", { class: "status" }, memberStatus(session)),
        ),
      ),
    ),
  );
  // The row is drawn anew: the keyboard stays on the member it was on.
  if (focused) $("member-list").querySelector(`button[data-member="${focused}"]`)?.focus();
  const full = open.length >= state.limits.open_members;
  $("add-member").disabled = full;
  $("members-full").hidden = !full;
  $("members-full").textContent = full ? fullMessage() : "";
}

function memberStatus(session, now = Date.now()) {
  const left = idleLeft(session, now);
  if (left <= state.limits.warning_seconds) return ` · signing out in ${left} s`;
  if (session.rest && !session.rest.over(now)) return ` · resting ${clock(session.rest.secondsLeft(now))}`;
  if (session.rest) return " · rest over";
  return "";
}

$("add-member").addEventListener("click", () => {
  if (state.sessions.size >= state.limits.open_members) return;
  showIdentify();
});

$("sign-out").addEventListener("click", () => close(state.current));
$("done").addEventListener("click", () => close(state.current));

// --- idle sign-out and the rest clock ----------------------------------------------------

function idleLeft(session, now = Date.now()) {
  return Math.max(0, Math.ceil((session.lastActive + state.limits.idle_seconds * 1000 - now) / 1000));
}

for (const type of ["pointerdown", "keydown", "touchstart"]) {
  document.addEventListener(
    type,
    () => {
      unlockSound();
      if (state.current && MEMBER_SCREENS.includes(state.view)) state.current.lastActive = Date.now();
      $("idle-warning").hidden = true;
    },
    { capture: true, passive: true },
  );
}

function tick() {
  const now = Date.now();
  for (const session of [...state.sessions.values()]) {
    if (idleLeft(session, now) === 0) {
      close(session);
      continue;
    }
    if (session.rest && !session.rest.rang && session.rest.over(now)) {
      session.rest.rang = true;
      beep();
    }
  }
  for (const button of $("member-list").querySelectorAll("button.member")) {
    const session = state.sessions.get(button.dataset.member);
    const status = button.querySelector(".status");
    const text = session ? memberStatus(session, now) : "";
    if (status.textContent !== text) status.textContent = text;
  }
  drawRest(now);
  const session = state.current;
  const left = session && MEMBER_SCREENS.includes(state.view) ? idleLeft(session, now) : Infinity;
  const warning = $("idle-warning");
  warning.hidden = left > state.limits.warning_seconds;
  if (!warning.hidden) warning.textContent = `Signing out ${session.member.name} in ${left} s. Touch the screen to stay.`;
}

function drawRest(now = Date.now()) {
  const session = state.current;
  const rest = session && shown(session, "workout") ? session.rest : null;
  const panel = $("rest");
  panel.hidden = !rest;
  if (!rest) return;
  const over = rest.over(now);
  panel.classList.toggle("over", over);
  const label = `Rest · ${rest.exerciseName}`;
  if ($("rest-label").textContent !== label) $("rest-label").textContent = label;
  const time = clock(rest.secondsLeft(now));
  if ($("rest-clock").textContent !== time) $("rest-clock").textContent = time;
  $("rest-fill").setAttribute("width", String(Math.round(rest.fractionLeft(now) * 1000) / 10));
  const message = over ? "Rest over: time for your next set." : "";
  if ($("rest-over").textContent !== message) $("rest-over").textContent = message;
  const skip = over ? "Close" : "Skip rest";
  if ($("rest-skip").textContent !== skip) $("rest-skip").textContent = skip;
}

$("rest-skip").addEventListener("click", () => {
  state.current.rest = null;
  drawRest();
  renderMembers();
});

$("rest-extend").addEventListener("click", () => {
  state.current.rest?.extend(EXTEND_SECONDS);
  drawRest();
});

// --- today -----------------------------------------------------------------------------

async function loadToday(session, { first = false } = {}) {
  let today;
  try {
    // Through a session the plan stays on the day first shown: an earlier session that
    // finishes meanwhile moves the program's rotation on, not the member's workout.
    const day = session.today?.day;
    const path = day ? `/v1/kiosk/today?day=${encodeURIComponent(day)}` : "/v1/kiosk/today";
    today = await request("GET", path, { token: session.token });
  } catch (error) {
    if (!isOpen(session)) return;
    if (error instanceof ApiError && error.status === 401) {
      close(session);
      if (!state.current) showIdentify(`${session.member.name}, your sign-in has ended: sign in again.`);
      return;
    }
    // Without a plan yet say why; with one, keep showing it.
    if (!session.today) say(session, error instanceof NetworkError ? "Offline: your sets are kept and sent later." : error.message);
    return;
  }
  if (!isOpen(session)) return;
  session.today = today;
  const news = today.news || [];
  if (first) for (const item of news) session.celebrated.add(newsKey(item));
  else if (shown(session, "workout")) celebrate(session, news);
  render(session);
}

function say(session, text) {
  session.error = text;
  if (shown(session, "workout")) $("workout-error").textContent = text;
}

function newsKey(item) {
  return `${item.set_id || ""}:${item.kind}:${item.occurred_at}`;
}

function isPr(item) {
  return Boolean(item.set_id) && (item.kind in PR_KINDS || item.kind === "PersonalRecord");
}

function unit(session) {
  return session.today?.unit || session.member.unit || "kg";
}

// The cards of today in order: each planned exercise (or what the member swapped it for),
// then exercises picked from the catalog or logged beside the plan.
function rowsOf(session) {
  const today = session.today;
  const others = today.other_logged || [];
  const loggedOf = (slug) => others.filter((s) => s.exercise === slug);
  const rows = [];
  const placed = new Set();
  for (const planned of today.exercises) {
    const swap = session.swaps[planned.exercise];
    if (swap && session.cards[swap]) {
      rows.push({ card: session.cards[swap], instead: planned, logged: [...planned.logged, ...loggedOf(swap)] });
      placed.add(swap);
    } else {
      rows.push({ card: planned, instead: null, logged: planned.logged });
    }
    placed.add(planned.exercise);
  }
  const extra = [...session.extra, ...others.map((s) => s.exercise)];
  for (const slug of new Set(extra)) {
    if (placed.has(slug)) continue;
    if (!session.cards[slug] && !session.asked.has(slug)) {
      // Once per sign-in: without its card the sets still show, and can be edited.
      session.asked.add(slug);
      loadCard(session, slug).then(() => render(session), () => {});
    }
    const card = session.cards[slug] || { exercise: slug, name: nameOf(slug), logged: [] };
    rows.push({ card, instead: null, logged: loggedOf(slug) });
  }
  return rows;
}

// Until an exercise's card has come: catalog slugs are made from names ("goblet-squat").
function nameOf(slug) {
  const words = slug.replaceAll("-", " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
}

async function loadCard(session, slug) {
  session.cards[slug] ||= await request("GET", `/v1/kiosk/exercises/${encodeURIComponent(slug)}`, { token: session.token });
  return session.cards[slug];
}

function render(session = state.current) {
  if (!session?.today || !shown(session, "workout")) return;
  const today = session.today;
  $("workout-title").textContent = today.day ? `Today: day ${today.day}` : "Today";
  const notes = [];
  if (today.program_name) notes.push(today.program_name);
  if (today.exception_reason) notes.push(`Off protocol by your trainer's choice: ${today.exception_reason}`);
  if (today.stale) notes.push("Targets may be out of date right now.");
  $("plan-note").textContent = notes.join(" · ");
  $("no-program").hidden = !today.no_program;
  $("add-exercise").hidden = Boolean(today.no_program);
  renderWeek(today.week || {});
  const list = $("exercises");
  // Cards are redrawn whole: keep the keyboard focus on the same control of the same card.
  const active = document.activeElement;
  const card = active?.closest?.("li.exercise");
  const again = card && (active.getAttribute("aria-label") || active.dataset.role);
  list.replaceChildren(...rowsOf(session).map((row) => renderCard(session, row)));
  if (again) {
    const slug = card.dataset.exercise;
    const target = [...list.querySelectorAll(`li.exercise[data-exercise="${CSS.escape(slug)}"] button`)].find(
      (b) => b.getAttribute("aria-label") === again || b.dataset.role === again,
    );
    target?.focus();
  }
  $("workout-error").textContent = session.error;
  drawRest();
  updateOutboxBadge();
}

function renderWeek(week) {
  // docs/protocol.md §1: "on protocol" only when every pattern is in range; say what is
  // still missing and what is over.
  const box = $("week");
  if (PATTERNS.every((p) => week[p] && week[p].done === null)) {
    box.replaceChildren(el("p", {}, "This week's count is not available right now."));
    return;
  }
  const known = PATTERNS.filter((p) => week[p]);
  const missing = known.filter((p) => week[p].status === "below");
  const over = known.filter((p) => week[p].status === "above");
  if (known.length === PATTERNS.length && missing.length === 0 && over.length === 0) {
    box.replaceChildren(el("p", { class: "ok" }, "✓ This week is on protocol."));
    return;
  }
  const line = (p, suffix) =>
    el("li", { "data-pattern": p }, `${p}: ${week[p].done} of ${week[p].min}–${week[p].max} this week${suffix}`);
  box.replaceChildren(
    ...(missing.length ? [el("h2", {}, "This week still needs"), el("ul", {}, missing.map((p) => line(p, "")))] : []),
    ...(over.length ? [el("h2", {}, "Over this week's range"), el("ul", {}, over.map((p) => line(p, ", above")))] : []),
  );
}

function pick(session, card) {
  session.picks[card.exercise] ||= {
    load: Number(card.target_load ?? 0),
    reps: Number(card.target_reps ?? card.rep_min ?? 8),
  };
  return session.picks[card.exercise];
}

function restSeconds({ card, instead }) {
  return card.rest_seconds ?? instead?.rest_seconds ?? DEFAULT_REST_SECONDS;
}

function substitutes(session, { card, instead }) {
  const planned = new Set(session.today.exercises.map((e) => e.exercise));
  return ((instead || card).substitutes || []).filter((s) => !planned.has(s.exercise) && s.exercise !== card.exercise);
}

function renderCard(session, row) {
  const { card, instead, logged } = row;
  const slug = card.exercise;
  const choice = pick(session, card);
  const u = unit(session);
  const waiting = outbox.pendingFor(session.member.id).filter((i) => i.body.exercise === slug);
  const planned = card.sets ?? instead?.sets;
  const done = logged.length + waiting.length;
  const target =
    card.target_load === null || card.target_load === undefined
      ? "no target yet"
      : `${fmt(card.target_load)} ${u} × ${card.target_reps}`;
  const id = `ex-${slug}`;
  const name = card.name || slug;
  const canSwap = instead || substitutes(session, row).length > 0;
  const chips = [
    ...logged.map((s, i) => {
      const label = `${fmt(s.load)} × ${s.reps}${s.rpe === null || s.rpe === undefined ? "" : ` @${fmt(s.rpe)}`}`;
      const other = s.exercise !== slug ? `${instead?.name || s.exercise}: ` : "";
      return el(
        "li",
        {},
        el(
          "button",
          {
            type: "button",
            class: "chip",
            "data-set": s.id,
            "aria-label": `Edit set ${i + 1}: ${other}${fmt(s.load)} ${u} × ${s.reps}`,
            onclick: () => editSet(session, row, s, i + 1),
          },
          other + label,
        ),
      );
    }),
    ...waiting.map((i) =>
      el("li", { class: "chip waiting", title: "Waiting to be sent" }, `${fmt(i.body.load)} × ${i.body.reps} · waiting`),
    ),
  ];
  const facts = [
    card.rep_min && card.rep_max ? `${card.rep_min}–${card.rep_max} reps` : null,
    `Rest ${duration(restSeconds(row))}`,
  ].filter(Boolean);
  const step = quickStep(u, card.equipment);
  const full = planned && done >= planned;
  const notes = card.notes ?? instead?.notes;
  return el(
    "li",
    {
      class: `exercise${full ? " complete" : ""}`,
      id,
      "data-exercise": slug,
      "data-planned": instead?.exercise,
      "aria-labelledby": `${id}-name`,
    },
    el(
      "div",
      { class: "exercise-head" },
      el("h2", { id: `${id}-name` }, name),
      el("span", { class: "tag" }, card.pattern || ""),
      canSwap
        ? el(
            "button",
            { type: "button", class: "secondary swap", "data-role": "swap", "aria-label": `Swap ${name}`, onclick: () => openSwap(session, row) },
            "Swap",
          )
        : null,
    ),
    instead ? el("p", { class: "instead", "data-role": "instead" }, `Instead of ${instead.name || instead.exercise}`) : null,
    el(
      "p",
      { class: "target" },
      el("span", { class: "label" }, "Target "),
      el("strong", { "data-role": "target" }, target),
      el("span", { class: "sets", "data-role": "sets" }, planned ? `${done} of ${planned} sets` : `${done} sets`),
    ),
    el("ul", { class: "facts", "data-role": "facts" }, facts.map((f) => el("li", {}, f))),
    card.equipment === "barbell" ? platesLine(card.plates) : null,
    card.target_why
      ? el("p", { class: "note why", "data-role": "why", "data-rule": card.target_rule }, card.target_why)
      : card.calibrate
        ? el("p", { class: "note" }, `Find your weight: pick one you could lift about ${card.target_reps} times.`)
        : null,
    notes ? el("p", { class: "trainer-notes", "data-role": "notes" }, el("span", { class: "label" }, "Trainer: "), notes) : null,
    el("ul", { class: "chips", "aria-label": "Sets logged" }, chips),
    el(
      "div",
      { class: "controls" },
      stepper({
        label: "Load",
        noun: "load",
        field: "load",
        shown: `${fmt(choice.load)} ${u}`,
        onStep: (d) => adjust(session, card, "load", nextLoad(card, choice.load, d * step)),
      }),
      stepper({
        label: "Reps",
        noun: "reps",
        field: "reps",
        shown: `${choice.reps} reps`,
        onStep: (d) => adjust(session, card, "reps", nextReps(choice.reps, d)),
      }),
      el(
        "button",
        { type: "button", class: "primary log", "data-role": "log", onclick: () => logSet(session, row) },
        `Log ${fmt(choice.load)} ${u} × ${choice.reps}`,
      ),
    ),
  );
}

// What to put on the bar, in the gym's own plates (their unit may not be the member's).
function platesLine(plates) {
  if (!plates) return null;
  const text = plates.per_side.length
    ? `Bar ${fmt(plates.bar)} ${plates.unit} · each side: ${plates.per_side.map(fmt).join(" + ")}`
    : `Empty bar, ${fmt(plates.bar)} ${plates.unit}`;
  return el("p", { class: "plates", "data-role": "plates" }, text);
}

function adjust(session, card, field, value) {
  pick(session, card)[field] = value;
  render(session);
}

// --- sets ------------------------------------------------------------------------------

function logSet(session, row) {
  const choice = pick(session, row.card);
  outbox.add(session.member.id, session.token, {
    exercise: row.card.exercise,
    load: choice.load,
    unit: unit(session),
    reps: choice.reps,
    // The plan's day, so the program's rotation follows the day actually trained.
    ...(session.today.day ? { program_day: session.today.day } : {}),
  });
  session.rest = new Rest(restSeconds(row), row.card.name || row.card.exercise);
  render(session);
  renderMembers();
  flush();
}

let flushTimer = null;

async function flush() {
  if (outbox.items().length === 0) return;
  const outcome = await outbox.flush();
  const touched = new Set();
  for (const [item, set] of outcome.sent) {
    const session = state.sessions.get(item.memberId);
    if (!session?.today) continue;
    const planned = session.today.exercises.find((e) => e.exercise === set.exercise);
    const into = planned ? planned.logged : (session.today.other_logged ||= []);
    if (!into.some((s) => s.id === set.id)) into.push(set);
    touched.add(session);
  }
  for (const session of touched) {
    say(session, "");
    render(session);
    // Progression takes the set in within seconds: look for a PR a few times meanwhile.
    for (const delay of PR_LOOKS_MS) setTimeout(() => isOpen(session) && loadToday(session), delay);
  }
  for (const [item, error] of outcome.rejected) {
    const session = state.sessions.get(item.memberId);
    if (!session) continue;
    say(session, `A set of ${item.body.exercise} was refused: ${error.fields || error.message}`);
    render(session);
  }
  updateOutboxBadge(outcome.offline);
}

function updateOutboxBadge(offline = false) {
  const waiting = outbox.items().length;
  const badge = $("outbox");
  badge.hidden = waiting === 0;
  badge.classList.toggle("offline", offline);
  badge.textContent = waiting === 1 ? "1 set waiting to be sent" : `${waiting} sets waiting to be sent`;
}

outbox.onChange(() => updateOutboxBadge());
window.addEventListener("online", flush);
flushTimer = setInterval(flush, RETRY_EVERY_MS);
window.addEventListener("pagehide", () => clearInterval(flushTimer));

function todaysSets(session) {
  return session.today.exercises.flatMap((e) => e.logged).concat(session.today.other_logged || []);
}

function dropSet(session, id) {
  for (const exercise of session.today.exercises) exercise.logged = exercise.logged.filter((s) => s.id !== id);
  session.today.other_logged = (session.today.other_logged || []).filter((s) => s.id !== id);
}

function replaceSet(session, changed) {
  for (const list of [...session.today.exercises.map((e) => e.logged), session.today.other_logged || []]) {
    const at = list.findIndex((s) => s.id === changed.id);
    if (at >= 0) list[at] = changed;
  }
}

$("undo").addEventListener("click", async () => {
  const session = state.current;
  say(session, "");
  // The rest that set started goes with it.
  session.rest = null;
  const waiting = outbox.pendingFor(session.member.id);
  if (waiting.length) {
    if (!outbox.discard(waiting[waiting.length - 1].key)) {
      say(session, "That set is being sent right now; undo it in a moment.");
    }
    return render(session);
  }
  const logged = todaysSets(session);
  if (logged.length === 0) {
    say(session, "No set to undo.");
    return render(session);
  }
  const last = logged.reduce((a, b) => ((a.logged_at || a.performed_at) > (b.logged_at || b.performed_at) ? a : b));
  try {
    // One key per set: tapping undo again after a lost answer gets the same answer.
    await request("DELETE", `/v1/kiosk/sets/${last.id}`, { token: session.token, key: `undo-${last.id}` });
    dropSet(session, last.id);
    render(session);
    loadToday(session);
  } catch (error) {
    say(session, error instanceof NetworkError ? "Offline: undo needs the network. Try again in a moment." : error.message);
  }
});

function editSet(session, row, set, number) {
  const name = set.exercise === row.card.exercise ? row.card.name || set.exercise : row.instead?.name || set.exercise;
  openSetEditor({
    set,
    card: set.exercise === row.card.exercise ? row.card : row.instead || row.card,
    unit: unit(session),
    title: `Edit set ${number} of ${name}`,
    save: async (patch, key) => {
      const changed = await request("PATCH", `/v1/kiosk/sets/${set.id}`, { token: session.token, json: patch, key });
      replaceSet(session, changed);
      render(session);
      loadToday(session);
    },
    remove: async (reason, key) => {
      const query = reason ? `?reason=${encodeURIComponent(reason)}` : "";
      await request("DELETE", `/v1/kiosk/sets/${set.id}${query}`, { token: session.token, key });
      dropSet(session, set.id);
      render(session);
      loadToday(session);
    },
  });
}

// --- swap and the catalog ----------------------------------------------------------------

// One list of exercises to choose from, in the picker dialog; `choose(slug)` may fail,
// and the dialog stays open to say so.
function openPicker({ title, note, groups, choose }) {
  $("picker-title").textContent = title;
  $("picker-note").textContent = note;
  $("picker-error").textContent = "";
  $("picker-options").replaceChildren(
    ...groups.map((group) =>
      el(
        "section",
        { class: "picker-group" },
        group.heading ? el("h3", {}, group.heading) : null,
        el(
          "ul",
          {},
          group.options.map((option) =>
            el(
              "li",
              {},
              el(
                "button",
                {
                  type: "button",
                  class: "option",
                  "data-exercise": option.value,
                  onclick: async () => {
                    try {
                      await choose(option.value);
                      $("picker").close();
                    } catch (error) {
                      $("picker-error").textContent =
                        error instanceof NetworkError ? "Offline: try again in a moment." : error.message;
                    }
                  },
                },
                el("strong", {}, option.label),
                option.detail ? el("span", { class: "detail" }, option.detail) : null,
              ),
            ),
          ),
        ),
      ),
    ),
  );
  $("picker").showModal();
  $("picker-options").querySelector("button")?.focus();
}

$("picker-cancel").addEventListener("click", () => $("picker").close());

function openSwap(session, row) {
  const planned = row.instead || row.card;
  const back = row.instead ? [{ value: planned.exercise, label: `Back to ${planned.name}`, detail: "as planned" }] : [];
  const options = substitutes(session, row).map((s) => ({ value: s.exercise, label: s.name, detail: s.equipment }));
  openPicker({
    title: `Swap ${planned.name}`,
    note: `Another ${planned.pattern} exercise this gym has: it counts for ${planned.pattern} as planned.`,
    groups: [{ options: [...back, ...options] }],
    choose: async (slug) => {
      if (slug === planned.exercise) {
        delete session.swaps[planned.exercise];
      } else {
        await loadCard(session, slug);
        session.swaps[planned.exercise] = slug;
      }
      render(session);
      $("exercises").querySelector(`li.exercise[data-exercise="${CSS.escape(slug)}"] [data-role="log"]`)?.focus();
    },
  });
}

async function openCatalog(session) {
  let catalog;
  try {
    catalog = await request("GET", "/v1/kiosk/exercises", { token: session.token });
  } catch (error) {
    return say(session, error instanceof NetworkError ? "Offline: the list of exercises needs the network." : error.message);
  }
  const patterns = [...PATTERNS, ...new Set(catalog.map((e) => e.pattern).filter((p) => !PATTERNS.includes(p)))];
  openPicker({
    title: "Log an exercise",
    note: "Every exercise this gym has the equipment for, by movement pattern.",
    groups: patterns
      .map((pattern) => ({
        heading: pattern,
        options: catalog.filter((e) => e.pattern === pattern).map((e) => ({ value: e.exercise, label: e.name, detail: e.equipment })),
      }))
      .filter((group) => group.options.length),
    choose: async (slug) => {
      const planned = session.today.exercises.some((e) => e.exercise === slug);
      if (!planned) {
        await loadCard(session, slug);
        if (!session.extra.includes(slug)) session.extra.push(slug);
      }
      render(session);
      const card = $("exercises").querySelector(`li.exercise[data-exercise="${CSS.escape(slug)}"]`);
      card?.scrollIntoView({ block: "center" });
      card?.querySelector('[data-role="log"]')?.focus();
    },
  });
}

$("pick-first").addEventListener("click", () => openCatalog(state.current));
$("add-exercise").addEventListener("click", () => openCatalog(state.current));

// --- PRs -------------------------------------------------------------------------------

function celebrate(session, news) {
  const fresh = news.filter((item) => isPr(item) && !session.celebrated.has(newsKey(item)));
  if (fresh.length === 0) return;
  for (const item of fresh) session.celebrated.add(newsKey(item));
  const names = Object.fromEntries(rowsOf(session).flatMap((r) => [r.card, r.instead].filter(Boolean)).map((c) => [c.exercise, c.name]));
  const u = unit(session);
  const value = (item) => {
    if (item.kind === "reps") return `${fmt(item.value)} reps`;
    // Records are kept in kg; the member reads their own unit.
    return `${fmt(u === "lb" ? Number(item.value) / KG_PER_LB : item.value)} ${u}`;
  };
  const byExercise = new Map();
  for (const item of fresh) {
    const line = `${PR_KINDS[item.kind] || "record"} ${value(item)}`;
    byExercise.set(item.exercise, [...(byExercise.get(item.exercise) || []), line]);
  }
  $("celebration-text").textContent = [...byExercise]
    .map(([slug, lines]) => `${names[slug] || nameOf(slug)}: ${lines.join(", ")}`)
    .join(" · ");
  $("celebration").hidden = false;
  $("celebration-close").focus();
}

$("celebration-close").addEventListener("click", () => {
  $("celebration").hidden = true;
});

// --- progress and timeline -------------------------------------------------------------------

$("open-progress").addEventListener("click", async () => {
  const session = state.current;
  session.screen = "progress";
  show("progress");
  drawTimeline(session);
  $("progress-title").focus();
  try {
    session.timeline = await request("GET", "/v1/kiosk/timeline", { token: session.token });
    session.timelineError = "";
  } catch (error) {
    session.timelineError =
      error instanceof NetworkError ? "Offline: your progress shows when the network is back." : error.message;
  }
  drawTimeline(session);
});

function drawTimeline(session) {
  if (!shown(session, "progress")) return;
  if (session.timeline) renderTimeline($("timeline"), session.timeline);
  else if (session.timelineError) $("timeline").replaceChildren(el("p", { class: "error" }, session.timelineError));
  else $("timeline").replaceChildren(el("p", { class: "note" }, "Loading your progress…"));
}

$("close-progress").addEventListener("click", () => {
  const session = state.current;
  session.screen = "workout";
  show("workout");
  render(session);
  loadToday(session);
});

// --- finish ----------------------------------------------------------------------------

$("finish").addEventListener("click", async () => {
  const session = state.current;
  say(session, "");
  await flush();
  const waiting = outbox.pendingFor(session.member.id).length;
  if (waiting) {
    say(session, `${waiting} set(s) are still waiting to be sent. Finish again when the network is back.`);
    return;
  }
  const rows = rowsOf(session);
  const before = Object.fromEntries(
    rows.map(({ card }) => [card.exercise, { load: card.target_load, reps: card.target_reps, name: card.name }]),
  );
  const trained = [...new Set(todaysSets(session).map((s) => s.exercise))];
  try {
    // The same key until it succeeds: a retry after a lost answer gets the first answer.
    session.finishKey ||= newKey();
    const finished = await request("POST", "/v1/kiosk/finish", { token: session.token, key: session.finishKey });
    session.finishKey = null;
    session.rest = null;
    session.screen = "finished";
    session.finished = { summary: `${finished.sets} sets logged. Well done, ${session.member.name}.`, rows: null, settled: false };
    if (shown(session, "workout")) {
      show("finished");
      drawFinished(session);
      $("finished-title").focus();
    }
    watchNextTargets(session, before, trained);
  } catch (error) {
    // Keep the key only when the answer may have been lost on its way.
    if (error instanceof ApiError && error.status < 500) session.finishKey = null;
    if (error instanceof ApiError && error.status === 404) {
      say(session, "Nothing logged today yet: log a set first.");
    } else {
      say(session, error instanceof NetworkError ? "Offline: finish again in a moment." : error.message);
    }
  }
});

// The next targets move when progression has taken in the finished session: show them
// at once and keep looking for a while, marking those that moved.
async function watchNextTargets(session, before, trained) {
  const deadline = Date.now() + NEXT_TARGETS_WAIT_MS;
  while (isOpen(session) && session.screen === "finished") {
    let progress;
    try {
      progress = await request("GET", "/v1/kiosk/progress", { token: session.token });
    } catch {
      progress = null;
    }
    if (progress) {
      session.finished.rows = trained.map((slug) => {
        const next = progress.exercises?.[slug]?.next || {};
        const was = before[slug] || {};
        const moved = next.load !== undefined && (Number(next.load) !== Number(was.load) || next.reps !== was.reps);
        return { slug, name: was.name || slug, next, was, moved };
      });
      session.finished.settled = session.finished.rows.every((r) => r.moved) || Date.now() > deadline;
      drawFinished(session);
      if (session.finished.settled) return;
    }
    await new Promise((resolve) => setTimeout(resolve, 1_500));
  }
}

function moveOf(rule) {
  return MOVES.find((m) => m.rules.includes(rule)) || MOVES.find((m) => m.kind === "hold");
}

function drawFinished(session) {
  if (!shown(session, "finished")) return;
  const { summary, rows, settled } = session.finished;
  $("finished-summary").textContent = summary;
  const box = $("next-targets");
  if (!rows) {
    box.replaceChildren(el("p", { class: "note" }, "Working out your next targets…"));
    return;
  }
  const u = unit(session);
  const item = (r) =>
    el(
      "li",
      { class: r.moved ? "moved" : "", "data-exercise": r.slug, "data-rule": r.next.rule || "", "data-kind": moveOf(r.next.rule).kind },
      el("strong", {}, r.name),
      ` ${fmt(r.next.load)} ${u} × ${r.next.reps ?? "–"}`,
      el("span", { class: "was" }, ` (today ${fmt(r.was.load)} × ${r.was.reps ?? "–"})`),
      r.next.why ? el("p", { class: "why" }, r.next.why) : null,
    );
  // Until progression has decided, a row shows the target it had: keep those apart.
  const pending = settled ? [] : rows.filter((r) => !r.moved);
  const decided = rows.filter((r) => !pending.includes(r));
  box.replaceChildren(
    ...MOVES.map((move) => [move, decided.filter((r) => moveOf(r.next.rule) === move)])
      .filter(([, list]) => list.length)
      .map(([move, list]) =>
        el("section", { class: "move", "data-kind": move.kind }, el("h3", {}, move.title), el("ul", {}, list.map(item))),
      ),
    ...(pending.length
      ? [el("section", { class: "move pending" }, el("h3", {}, "Still working out…"), el("ul", {}, pending.map(item)))]
      : []),
  );
}

setInterval(tick, TICK_MS);
start();
