// The member's progress and timeline screen (GET /v1/kiosk/timeline): streaks, milestones,
// each main lift's e1RM line and records, and the education cards of docs/protocol.md §4.
// Every sentence about health comes from the API as written there; this file adds none.

import { el, fmt } from "./api.js";

const SVG = "http://www.w3.org/2000/svg";
const PR_WORDS = { e1rm: "Estimated 1RM", load: "Heaviest load", reps: "Most reps" };

function svg(tag, attrs = {}, ...children) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, String(value));
  for (const child of children) node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  return node;
}

const DAY_MS = 86_400_000;
const day = (iso) => Date.parse(`${iso}T00:00:00Z`);
const round1 = (n) => Math.round(n * 10) / 10;

// The dashboard's e1RM chart (web/charts.py), drawn here from the numbers: days spaced by
// date so a break in training shows as a gap.
export function e1rmChart(lift, unit) {
  const width = 560;
  const height = 260;
  const label = `${lift.name}: estimated one-rep max (${unit}) per training day`;
  const points = (lift.series || [])
    .filter((p) => p.e1rm !== null && p.e1rm !== undefined)
    .map((p) => ({ date: p.date, t: day(p.date), value: Number(p.e1rm) }))
    .sort((a, b) => a.t - b.t);
  const chart = svg("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": label, class: "chart" });
  chart.append(svg("title", {}, label));
  if (points.length === 0) {
    chart.append(
      svg("text", { x: width / 2, y: height / 2, "text-anchor": "middle", class: "muted" }, `No e1RM yet: log a working set of ${lift.name}.`),
    );
    return chart;
  }
  const left = 64;
  const right = 20;
  const top = 20;
  const bottom = 40;
  const values = points.map((p) => p.value);
  let low = Math.min(...values);
  let high = Math.max(...values);
  const pad = (high - low) * 0.1 || Math.max(high * 0.05, 1);
  low = Math.max(low - pad, 0);
  high += pad;
  const first = points[0].t;
  const last = points[points.length - 1].t;
  const span = Math.max(last - first, DAY_MS);
  const x = (t) => (first === last ? left + (width - left - right) / 2 : left + ((width - left - right) * (t - first)) / span);
  const y = (v) => top + ((height - top - bottom) * (high - v)) / (high - low);
  for (const value of [low, (low + high) / 2, high]) {
    const gy = round1(y(value));
    chart.append(
      svg("line", { x1: left, x2: width - right, y1: gy, y2: gy, class: "grid" }),
      svg("text", { x: left - 8, y: gy, dy: 6, "text-anchor": "end", class: "muted" }, fmt(round1(value))),
    );
  }
  chart.append(
    svg("text", { x: left, y: height - 10, class: "muted" }, points[0].date),
    svg("text", { x: width - right, y: height - 10, "text-anchor": "end", class: "muted" }, points[points.length - 1].date),
  );
  const coords = points.map((p) => [round1(x(p.t)), round1(y(p.value))]);
  if (coords.length > 1) {
    chart.append(svg("polyline", { points: coords.map((c) => c.join(",")).join(" "), class: "line" }));
  }
  points.forEach((p, i) => {
    chart.append(
      svg("circle", { cx: coords[i][0], cy: coords[i][1], r: 6, class: "dot" }, svg("title", {}, `${p.date}: ${fmt(p.value)} ${unit}`)),
    );
  });
  return chart;
}

function record(pr, unit) {
  const at = pr.load !== null && pr.load !== undefined ? ` at ${fmt(pr.load)} ${unit}` : "";
  if (pr.kind === "reps") return `${PR_WORDS.reps}: ${pr.reps} reps${at}`;
  const value = `${fmt(pr.value)} ${unit}`;
  if (pr.kind === "load") return `${PR_WORDS.load}: ${value} × ${pr.reps}`;
  const from = pr.load !== null && pr.load !== undefined ? ` (${fmt(pr.load)} ${unit} × ${pr.reps})` : "";
  return `${PR_WORDS[pr.kind] || pr.kind}: ${value}${from}`;
}

// The strength check of docs/protocol.md §4: best e1RM of the first two weeks against the last two.
function change(lift, unit) {
  const { from, to, change_pct: pct } = lift.change;
  const sign = Number(pct) > 0 ? "+" : "";
  return `Since your first two weeks: ${fmt(from)} → ${fmt(to)} ${unit} (${sign}${fmt(pct)}%)`;
}

function stat(value, label, role) {
  return el("div", { class: "stat", "data-role": role }, el("strong", {}, String(value)), el("span", {}, label));
}

function milestones(timeline) {
  const reached = timeline.milestones || [];
  const next = timeline.next_milestone;
  return el(
    "section",
    { class: "milestones", "aria-labelledby": "milestones-title" },
    el("h2", { id: "milestones-title" }, "Milestones"),
    reached.length
      ? el(
          "ol",
          { class: "reached" },
          reached.map((m) =>
            el(
              "li",
              { "data-milestone": m.milestone },
              el("span", { class: "check", "aria-hidden": "true" }, "✓ "),
              el("strong", {}, m.title),
              el("span", { class: "date" }, ` · ${m.reached_on}`),
            ),
          ),
        )
      : el("p", { class: "note" }, "None yet: your first finished workout is the first."),
    next
      ? el(
          "p",
          { class: "next-milestone", "data-milestone": next.milestone },
          el("span", { class: "label" }, "Next: "),
          el("strong", {}, next.title),
          next.needs ? ` · ${next.needs}` : "",
        )
      : null,
  );
}

function lifts(timeline) {
  const unit = timeline.unit;
  const list = timeline.lifts || [];
  return el(
    "section",
    { class: "lifts", "aria-labelledby": "lifts-title" },
    el("h2", { id: "lifts-title" }, "Main lifts"),
    list.length
      ? el(
          "div",
          { class: "lift-grid" },
          list.map((lift) =>
            el(
              "article",
              { class: "lift", "data-exercise": lift.exercise, "aria-labelledby": `lift-${lift.exercise}` },
              el(
                "h3",
                { id: `lift-${lift.exercise}` },
                lift.name,
                el("span", { class: "tag" }, lift.pattern),
              ),
              el(
                "p",
                { class: "best", "data-role": "best" },
                lift.best_e1rm !== null && lift.best_e1rm !== undefined
                  ? `Best estimated 1RM: ${fmt(lift.best_e1rm)} ${unit}`
                  : "No estimated 1RM yet",
              ),
              lift.change ? el("p", { class: "change", "data-role": "change" }, change(lift, unit)) : null,
              e1rmChart(lift, unit),
              (lift.prs || []).length
                ? el(
                    "ul",
                    { class: "prs", "aria-label": `Records of ${lift.name}` },
                    lift.prs.map((pr) => el("li", { "data-kind": pr.kind }, record(pr, unit), el("span", { class: "date" }, ` · ${pr.date}`))),
                  )
                : el("p", { class: "note" }, "No records yet."),
            ),
          ),
        )
      : el("p", { class: "note" }, "Your lifts show here after your first workout."),
  );
}

function education(timeline) {
  const cards = timeline.education || [];
  // The "over months" card points at the member's own strength change.
  const changes = (timeline.lifts || []).filter((lift) => lift.change);
  if (cards.length === 0) return null;
  return el(
    "section",
    { class: "education", "aria-labelledby": "education-title" },
    el("h2", { id: "education-title" }, "What the research says"),
    el(
      "div",
      { class: "education-cards" },
      cards.map((card) =>
        el(
          "article",
          { class: `lesson${card.unlocked ? " unlocked" : ""}`, "data-stage": card.stage },
          el("p", { class: "stage" }, card.unlocked ? "✓ Unlocked" : "Later on your timeline"),
          el("h3", {}, card.title),
          el("p", {}, card.text),
          card.stage === "months" && card.unlocked && changes.length
            ? el("ul", { class: "changes" }, changes.map((lift) => el("li", {}, `${lift.name}: ${change(lift, timeline.unit)}`)))
            : null,
          card.source ? el("p", { class: "source" }, `Source: ${card.source}`) : null,
        ),
      ),
    ),
  );
}

export function renderTimeline(box, timeline) {
  const streaks = timeline.streaks || { current: 0, longest: 0 };
  const weeks = (n) => (n === 1 ? "week" : "weeks");
  const sections = [
    el(
      "div",
      { class: "stats" },
      stat(timeline.weeks_on_protocol ?? 0, `${weeks(timeline.weeks_on_protocol)} on protocol`, "weeks"),
      stat(streaks.current, `${weeks(streaks.current)} in a row now`, "streak"),
      stat(streaks.longest, `${weeks(streaks.longest)}: longest streak`, "longest"),
    ),
    milestones(timeline),
    lifts(timeline),
    education(timeline),
  ];
  box.replaceChildren(...sections.filter(Boolean));
}
