// The kiosk page: identify with badge + PIN, log today's sets, undo, finish, see what
// moves next. Every set goes through the browser outbox (outbox.js), so a network blip
// only delays it.

import { ApiError, NetworkError, el, fmt, newKey, request } from "./api.js";
import { Outbox } from "./outbox.js";

const IDLE_SIGN_OUT_MS = 60_000;
const IDLE_WARNING_MS = 50_000;
const RETRY_EVERY_MS = 4_000;
const NEXT_TARGETS_WAIT_MS = 20_000;
const PR_LOOKS_MS = [2_000, 5_000, 10_000];
const KG_PER_LB = 0.45359237;
const TOKEN_KEY = "myokine.kiosk.token";
const PR_KINDS = { e1rm: "estimated 1RM", load: "heaviest load", reps: "most reps" };
const PATTERNS = ["squat", "hinge", "push", "pull"];
// Quick-step sizes per equipment, in the member's unit (docs/protocol.md §2's default steps),
// for loads beyond the makeable ones today's plan lists.
const STEPS = {
  kg: { barbell: 2.5, dumbbell: 2.5, kettlebell: 4, machine: 5, bodyweight: 1.25, assisted: 5 },
  lb: { barbell: 5, dumbbell: 5, kettlebell: 9, machine: 10, bodyweight: 2.5, assisted: 10 },
};

const $ = (id) => document.getElementById(id);
const outbox = new Outbox();
const state = {
  kioskToken: localStorage.getItem(TOKEN_KEY),
  member: null,
  token: null,
  today: null,
  picks: {}, // exercise slug -> {load, reps} chosen with the quick steps
  celebrated: new Set(),
  lastActive: Date.now(),
  focused: "badge",
  finishKey: null,
};

// --- screens -------------------------------------------------------------------------

function show(screen) {
  for (const id of ["setup", "identify", "workout", "finished"]) $(id).hidden = id !== screen;
  const signedIn = screen === "workout" || screen === "finished";
  $("sign-out").hidden = !signedIn;
  $("who").textContent = signedIn && state.member ? state.member.name : "";
  const heading = $(screen).querySelector("h1");
  if (heading) heading.setAttribute("tabindex", "-1");
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
  signOut();
  // Sets left waiting before a reload go out with the tokens they were queued with.
  updateOutboxBadge();
  flush();
}

$("setup-form").addEventListener("submit", (event) => {
  event.preventDefault();
  state.kioskToken = $("setup-token").value.trim();
  localStorage.setItem(TOKEN_KEY, state.kioskToken);
  signOut();
});

// --- identify --------------------------------------------------------------------------

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
    state.member = answer.member;
    state.token = answer.member_token;
    state.picks = {};
    state.celebrated = new Set();
    outbox.retoken(state.member.id, state.token);
    show("workout");
    await loadToday({ first: true });
    $("workout-title").focus();
    flush();
  } catch (error) {
    $("pin").value = "";
    $("identify-error").textContent = identifyMessage(error);
    $("pin").focus();
  }
});

function identifyMessage(error) {
  if (error instanceof NetworkError) return "The gym's server does not answer. Try again in a moment.";
  if (error.status === 401 && error.problem.detail?.includes("kiosk")) {
    return "This kiosk is not recognised. Ask the front desk.";
  }
  if (error.status === 401) return "Badge or PIN is not right. Try again.";
  if (error.status === 423) return "Too many wrong PINs: this badge is locked for a while.";
  if (error.status === 429) return "Too many tries. Wait a minute.";
  return error.message;
}

function signOut() {
  state.member = null;
  state.token = null;
  state.today = null;
  state.finishKey = null;
  $("badge").value = "";
  $("pin").value = "";
  $("identify-error").textContent = "";
  $("workout-error").textContent = "";
  $("celebration").hidden = true;
  $("idle-warning").hidden = true;
  show(state.kioskToken ? "identify" : "setup");
  state.focused = "badge";
  if (state.kioskToken) $("badge").focus();
}

$("sign-out").addEventListener("click", signOut);
$("done").addEventListener("click", signOut);

// --- today -----------------------------------------------------------------------------

async function loadToday({ first = false } = {}) {
  try {
    state.today = await request("GET", "/v1/kiosk/today", { token: state.token });
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return signOut();
    if (error instanceof ApiError && error.status === 404) {
      state.today = { exercises: [], week: {}, none: error.message };
    } else if (!state.today) {
      $("workout-error").textContent =
        error instanceof NetworkError ? "Offline: your sets are kept and sent later." : error.message;
      return;
    } else {
      return; // keep showing the plan we have
    }
  }
  const news = state.today.news || [];
  if (first) for (const item of news) state.celebrated.add(newsKey(item));
  else celebrate(news);
  render();
}

function newsKey(item) {
  return `${item.set_id || ""}:${item.kind}:${item.occurred_at}`;
}

function isPr(item) {
  return Boolean(item.set_id) && (item.kind in PR_KINDS || item.kind === "PersonalRecord");
}

function render() {
  const today = state.today;
  if (!today) return;
  $("workout-title").textContent = today.day ? `Today: day ${today.day}` : "Today";
  const notes = [];
  if (today.program_name) notes.push(today.program_name);
  if (today.exception_reason) notes.push(`Off protocol by your trainer's choice: ${today.exception_reason}`);
  if (today.none) notes.push(today.none);
  if (today.stale) notes.push("Targets may be out of date right now.");
  $("plan-note").textContent = notes.join(" · ");
  renderWeek(today.week || {});
  const list = $("exercises");
  // Cards are redrawn whole: keep the keyboard focus on the same control of the same card.
  const active = document.activeElement;
  const card = active?.closest?.("li.exercise");
  const again = card && (active.getAttribute("aria-label") || active.dataset.role);
  list.replaceChildren(...today.exercises.map(renderExercise));
  if (again) {
    const slug = card.dataset.exercise;
    const target = [...list.querySelectorAll(`li.exercise[data-exercise="${CSS.escape(slug)}"] button`)].find(
      (b) => b.getAttribute("aria-label") === again || b.dataset.role === again,
    );
    target?.focus();
  }
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

function unit() {
  return (state.today && state.today.unit) || (state.member && state.member.unit) || "kg";
}

function pick(exercise) {
  if (!state.picks[exercise.exercise]) {
    state.picks[exercise.exercise] = {
      load: Number(exercise.target_load ?? 0),
      reps: Number(exercise.target_reps ?? exercise.rep_min ?? 8),
    };
  }
  return state.picks[exercise.exercise];
}

function renderExercise(exercise) {
  const slug = exercise.exercise;
  const choice = pick(exercise);
  const u = unit();
  const step = STEPS[u][exercise.equipment] ?? STEPS[u].barbell;
  const waiting = state.member ? outbox.pendingFor(state.member.id).filter((i) => i.body.exercise === slug) : [];
  const done = exercise.logged.length + waiting.length;
  const target =
    exercise.target_load === null || exercise.target_load === undefined
      ? "no target yet"
      : `${fmt(exercise.target_load)} ${u} × ${exercise.target_reps}`;
  const id = `ex-${slug}`;
  const setsLabel = `${done} of ${exercise.sets ?? "?"} sets`;
  const chips = [
    ...exercise.logged.map((s) => el("li", { class: "chip" }, `${fmt(s.load)} × ${s.reps}`)),
    ...waiting.map((i) =>
      el("li", { class: "chip waiting", title: "Waiting to be sent" }, `${fmt(i.body.load)} × ${i.body.reps} · waiting`),
    ),
  ];
  const stepper = (label, field, delta, min) =>
    el(
      "div",
      { class: "stepper", role: "group", "aria-label": label },
      el("button", {
        type: "button",
        "aria-label": `Less ${field === "load" ? "load" : "reps"}`,
        onclick: () => adjust(exercise, field, -delta, min),
      }, "−"),
      el("output", { "aria-live": "polite", "data-field": field }, field === "load" ? `${fmt(choice.load)} ${u}` : `${choice.reps} reps`),
      el("button", {
        type: "button",
        "aria-label": `More ${field === "load" ? "load" : "reps"}`,
        onclick: () => adjust(exercise, field, delta, min),
      }, "+"),
    );
  const full = exercise.sets && done >= exercise.sets;
  return el(
    "li",
    { class: `exercise${full ? " complete" : ""}`, id, "data-exercise": slug, "aria-labelledby": `${id}-name` },
    el(
      "div",
      { class: "exercise-head" },
      el("h2", { id: `${id}-name` }, exercise.name || slug),
      el("span", { class: "tag" }, exercise.pattern || ""),
    ),
    el(
      "p",
      { class: "target" },
      el("span", { class: "label" }, "Target "),
      el("strong", { "data-role": "target" }, target),
      el("span", { class: "sets", "data-role": "sets" }, setsLabel),
    ),
    exercise.equipment === "barbell" ? platesLine(exercise.plates) : null,
    exercise.target_why
      ? el("p", { class: "note why", "data-role": "why", "data-rule": exercise.target_rule }, exercise.target_why)
      : exercise.calibrate
        ? el("p", { class: "note" }, `Find your weight: pick one you could lift about ${exercise.target_reps} times.`)
        : null,
    el("ul", { class: "chips", "aria-label": "Sets logged" }, chips),
    el(
      "div",
      { class: "controls" },
      stepper("Load", "load", step, exercise.equipment === "assisted" ? -200 : 0),
      stepper("Reps", "reps", 1, 0),
      el(
        "button",
        { type: "button", class: "primary log", "data-role": "log", onclick: () => logSet(exercise) },
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

// The next load the gym's equipment makes in the direction of `delta` (loads_near, from
// today's plan); the quick step only past the ends of that list or without one.
function nextLoad(exercise, current, delta) {
  const near = (exercise.loads_near ?? []).map(Number);
  const found = delta > 0 ? near.find((l) => l > current + 0.001) : near.findLast((l) => l < current - 0.001);
  return found ?? Math.round((current + delta) * 100) / 100;
}

function adjust(exercise, field, delta, min) {
  const choice = pick(exercise);
  const next =
    field === "load" ? nextLoad(exercise, choice.load, delta) : Math.round((choice[field] + delta) * 100) / 100;
  choice[field] = Math.max(min, field === "reps" ? Math.min(100, next) : next);
  render();
}

// --- sets ------------------------------------------------------------------------------

function logSet(exercise) {
  const choice = pick(exercise);
  outbox.add(state.member.id, state.token, {
    exercise: exercise.exercise,
    load: choice.load,
    unit: unit(),
    reps: choice.reps,
    // The plan's day, so the program's rotation follows the day actually trained.
    ...(state.today.day ? { program_day: state.today.day } : {}),
  });
  render();
  flush();
}

let flushTimer = null;

async function flush() {
  if (outbox.items().length === 0) return;
  const outcome = await outbox.flush();
  const mine = (item) => state.member && item.memberId === state.member.id;
  if (outcome.sent.some(([item]) => mine(item)) && state.today) {
    for (const [item, set] of outcome.sent) {
      if (!mine(item)) continue;
      const exercise = state.today.exercises.find((e) => e.exercise === set.exercise);
      if (exercise && !exercise.logged.some((s) => s.id === set.id)) exercise.logged.push(set);
      else if (!exercise) (state.today.other_logged ||= []).push(set);
    }
    render();
    // Progression takes the set in within seconds: look for a PR a few times meanwhile.
    const who = state.member.id;
    for (const delay of PR_LOOKS_MS) setTimeout(() => state.member?.id === who && loadToday(), delay);
  }
  const refused = outcome.rejected.filter(([item]) => mine(item));
  if (refused.length) {
    $("workout-error").textContent = refused
      .map(([item, error]) => `A set of ${item.body.exercise} was refused: ${error.fields || error.message}`)
      .join(" ");
    render();
  } else if (state.member) {
    $("workout-error").textContent = "";
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

$("undo").addEventListener("click", async () => {
  $("workout-error").textContent = "";
  const waiting = outbox.pendingFor(state.member.id);
  if (waiting.length) {
    if (!outbox.discard(waiting[waiting.length - 1].key)) {
      $("workout-error").textContent = "That set is being sent right now; undo it in a moment.";
    }
    return render();
  }
  const logged = state.today.exercises.flatMap((e) => e.logged).concat(state.today.other_logged || []);
  if (logged.length === 0) {
    $("workout-error").textContent = "No set to undo.";
    return;
  }
  const last = logged.reduce((a, b) => ((a.logged_at || a.performed_at) > (b.logged_at || b.performed_at) ? a : b));
  try {
    // One key per set: tapping undo again after a lost answer gets the same answer.
    await request("DELETE", `/v1/kiosk/sets/${last.id}`, { token: state.token, key: `undo-${last.id}` });
    for (const exercise of state.today.exercises) exercise.logged = exercise.logged.filter((s) => s.id !== last.id);
    render();
    loadToday();
  } catch (error) {
    $("workout-error").textContent =
      error instanceof NetworkError ? "Offline: undo needs the network. Try again in a moment." : error.message;
  }
});

// --- PRs -------------------------------------------------------------------------------

function celebrate(news) {
  const fresh = news.filter((item) => isPr(item) && !state.celebrated.has(newsKey(item)));
  if (fresh.length === 0) return;
  for (const item of fresh) state.celebrated.add(newsKey(item));
  const names = Object.fromEntries((state.today?.exercises || []).map((e) => [e.exercise, e.name]));
  const u = unit();
  const shown = (item) => {
    if (item.kind === "reps") return `${fmt(item.value)} reps`;
    // Records are kept in kg; the member reads their own unit.
    return `${fmt(u === "lb" ? Number(item.value) / KG_PER_LB : item.value)} ${u}`;
  };
  const byExercise = new Map();
  for (const item of fresh) {
    const line = `${PR_KINDS[item.kind] || "record"} ${shown(item)}`;
    byExercise.set(item.exercise, [...(byExercise.get(item.exercise) || []), line]);
  }
  $("celebration-text").textContent = [...byExercise]
    .map(([slug, lines]) => `${names[slug] || slug}: ${lines.join(", ")}`)
    .join(" · ");
  $("celebration").hidden = false;
  $("celebration-close").focus();
}

$("celebration-close").addEventListener("click", () => {
  $("celebration").hidden = true;
});

// --- finish ----------------------------------------------------------------------------

$("finish").addEventListener("click", async () => {
  $("workout-error").textContent = "";
  await flush();
  const waiting = outbox.pendingFor(state.member.id).length;
  if (waiting) {
    $("workout-error").textContent = `${waiting} set(s) are still waiting to be sent. Finish again when the network is back.`;
    return;
  }
  const before = Object.fromEntries(
    state.today.exercises.map((e) => [e.exercise, { load: e.target_load, reps: e.target_reps, name: e.name }]),
  );
  const trained = state.today.exercises.filter((e) => e.logged.length).map((e) => e.exercise);
  try {
    // The same key until it succeeds: a retry after a lost answer gets the first answer.
    state.finishKey ||= newKey();
    const finished = await request("POST", "/v1/kiosk/finish", { token: state.token, key: state.finishKey });
    state.finishKey = null;
    $("finished-summary").textContent = `${finished.sets} sets logged. Well done, ${state.member.name}.`;
    show("finished");
    $("finished-title").focus();
    watchNextTargets(before, trained);
  } catch (error) {
    // Keep the key only when the answer may have been lost on its way.
    if (error instanceof ApiError && error.status < 500) state.finishKey = null;
    if (error instanceof ApiError && error.status === 404) {
      $("workout-error").textContent = "Nothing logged today yet: log a set first.";
    } else {
      $("workout-error").textContent = error instanceof NetworkError ? "Offline: finish again in a moment." : error.message;
    }
  }
});

// The next targets move when progression has taken in the finished session: show them
// at once and keep looking for a while, marking those that moved.
async function watchNextTargets(before, trained) {
  const list = $("next-targets");
  const token = state.token;
  const deadline = Date.now() + NEXT_TARGETS_WAIT_MS;
  list.replaceChildren(el("li", {}, "Working out your next targets…"));
  while (state.token === token) {
    let progress;
    try {
      progress = await request("GET", "/v1/kiosk/progress", { token });
    } catch {
      progress = null;
    }
    if (progress && state.token === token) {
      const rows = trained.map((slug) => {
        const next = progress.exercises?.[slug]?.next || {};
        const was = before[slug] || {};
        const moved = next.load !== undefined && (Number(next.load) !== Number(was.load) || next.reps !== was.reps);
        return { slug, name: was.name || slug, next, was, moved };
      });
      list.replaceChildren(
        ...rows.map((r) =>
          el(
            "li",
            { class: r.moved ? "moved" : "", "data-exercise": r.slug, "data-rule": r.next.rule || "" },
            el("strong", {}, r.name),
            ` ${fmt(r.next.load)} ${unit()} × ${r.next.reps ?? "–"}`,
            el("span", { class: "was" }, ` (today ${fmt(r.was.load)} × ${r.was.reps ?? "–"})`),
            r.next.why ? el("p", { class: "why" }, r.next.why) : null,
          ),
        ),
      );
      if (rows.every((r) => r.moved) || Date.now() > deadline) return;
    }
    await new Promise((resolve) => setTimeout(resolve, 1_500));
  }
}

// --- idle sign-out ---------------------------------------------------------------------

for (const type of ["pointerdown", "keydown", "touchstart"]) {
  document.addEventListener(type, () => {
    state.lastActive = Date.now();
    $("idle-warning").hidden = true;
  }, { capture: true, passive: true });
}

setInterval(() => {
  if (!state.member) return;
  const idle = Date.now() - state.lastActive;
  if (idle >= IDLE_SIGN_OUT_MS) {
    signOut();
  } else if (idle >= IDLE_WARNING_MS) {
    const left = Math.ceil((IDLE_SIGN_OUT_MS - idle) / 1000);
    $("idle-warning").hidden = false;
    $("idle-warning").textContent = `Signing out in ${left} s. Touch the screen to stay.`;
  }
}, 1_000);

start();
