// A chain admin's webhooks: which events the chain's CRM is sent, the signing secret
// (shown once), each webhook's latest deliveries with every try, and sending failed ones
// again. A plain trainer never sees the link; the API refuses them (403) anyway.

import { el } from "./api.js";
import { api } from "./dashboard-api.js";
import {
  confirmAction,
  describe,
  failure,
  field,
  formError,
  heading,
  onSubmit,
  onceBox,
  pageView,
  uid,
  when,
} from "./dashboard-ui.js";

const EVENTS = [
  ["member.checked_in", "A member checks in (first sign-in at a gym that day)"],
  ["session.finished", "A session is finished"],
  ["record.set", "A personal record"],
  ["member.stalled", "A member stalls on an exercise"],
  ["milestone.reached", "A milestone"],
];
const STATES = { pending: "Waiting", delivered: "Delivered", failed: "Failed" };

function eventChoice() {
  const boxes = EVENTS.map(([value]) => el("input", { type: "checkbox", value, checked: true }));
  const set = el(
    "fieldset",
    { class: "gym-choice", "data-field": "events" },
    el("legend", {}, "Events to send"),
    EVENTS.map(([value, label], i) => el("label", {}, boxes[i], `${label} (${value})`)),
  );
  return { set, chosen: () => boxes.filter((b) => b.checked).map((b) => b.value) };
}

function lastTry(delivery) {
  const last = delivery.attempts[delivery.attempts.length - 1];
  if (!last) return "Not tried yet";
  const answer = last.status ? `HTTP ${last.status}` : last.error || "No answer";
  return `${answer}, ${when(last.at)}`;
}

function deliveriesTable(deliveries) {
  if (!deliveries.length) return el("p", { class: "note" }, "Nothing sent yet.");
  return el(
    "table",
    { class: "deliveries" },
    el("thead", {}, el("tr", {}, ["Event", "Made", "State", "Tries", "Last try"].map((h) => el("th", { scope: "col" }, h)))),
    el(
      "tbody",
      {},
      deliveries.map((d) =>
        el(
          "tr",
          { "data-delivery": d.id, class: d.state === "failed" ? "inactive" : "" },
          el("th", { scope: "row" }, d.event_type),
          el("td", {}, when(d.created_at)),
          el("td", { class: "status" }, STATES[d.state] || d.state),
          el("td", {}, String(d.attempts.length)),
          el("td", {}, lastTry(d)),
        ),
      ),
    ),
  );
}

function webhookPanel(hook, refresh) {
  const titleId = uid("webhook");
  const problem = el("p", { class: "error", role: "alert" });
  const log = el("div", { class: "delivery-log" }, el("p", {}, "Loading…"));

  async function showLog() {
    try {
      log.replaceChildren(deliveriesTable(await api("GET", `/v1/webhooks/${hook.id}/deliveries`)));
    } catch (error) {
      log.replaceChildren(failure(error));
    }
  }

  const retry = async () => {
    problem.textContent = "";
    try {
      const { retried } = await api("POST", `/v1/webhooks/${hook.id}/retry`, { json: {} });
      problem.textContent = retried ? "" : "No failed delivery to send again.";
      await showLog();
    } catch (error) {
      problem.textContent = describe(error);
    }
  };

  const remove = async () => {
    const sure = await confirmAction({
      title: `Delete the webhook to ${hook.url}?`,
      text: "Nothing more is sent to it, waiting deliveries included, and its delivery log goes with it.",
      action: "Delete",
    });
    if (!sure) return;
    try {
      await api("DELETE", `/v1/webhooks/${hook.id}`);
      await refresh();
    } catch (error) {
      problem.textContent = describe(error);
    }
  };

  showLog();
  return el(
    "section",
    { class: "panel", "aria-labelledby": titleId, "data-webhook": hook.id },
    el("h2", { id: titleId, class: "url" }, hook.url),
    el("p", { class: "note" }, `Sends ${hook.events.join(", ")}. Added ${when(hook.created_at)}.`),
    el(
      "div",
      { class: "actions" },
      el("button", { type: "button", onclick: showLog, "aria-label": `Refresh the deliveries to ${hook.url}` }, "Refresh"),
      el("button", { type: "button", onclick: retry, "aria-label": `Send failed deliveries to ${hook.url} again` }, "Send failed ones again"),
      el("button", { type: "button", class: "danger-ghost", onclick: remove, "aria-label": `Delete the webhook to ${hook.url}` }, "Delete"),
    ),
    problem,
    log,
  );
}

export async function webhooksPage() {
  const view = pageView();
  view(heading("Webhooks"), el("p", {}, "Loading…"));
  let hooks;
  try {
    hooks = await api("GET", "/v1/webhooks");
  } catch (error) {
    return view(heading("Webhooks"), failure(error));
  }
  const list = el("div", { id: "webhook-list" });
  const result = el("div", { class: "webhook-result" });
  async function refresh() {
    hooks = await api("GET", "/v1/webhooks");
    draw();
  }
  function draw() {
    list.replaceChildren(
      ...(hooks.length ? hooks.map((hook) => webhookPanel(hook, refresh)) : [el("p", { class: "note" }, "No webhook yet.")]),
    );
  }

  const url = el("input", { type: "url", autocomplete: "off" });
  const secret = el("input", { autocomplete: "off" });
  const events = eventChoice();
  const form = el(
    "form",
    { class: "stack", novalidate: true, "aria-label": "Add a webhook" },
    field("Receiver's URL", url, { name: "url", wide: true, hint: "The address your CRM gave for Myokine's events (http or https)." }),
    events.set,
    field("Signing secret (optional)", secret, { name: "secret", hint: "Left empty, one is made and shown once." }),
    formError(),
    el("div", { class: "actions" }, el("button", { type: "submit", class: "primary" }, "Add webhook")),
  );
  onSubmit(form, async () => {
    const body = { url: url.value.trim(), events: events.chosen() };
    if (secret.value) body.secret = secret.value;
    const made = await api("POST", "/v1/webhooks", { json: body });
    url.value = "";
    secret.value = "";
    await refresh();
    const shown = onceBox({
      label: `Signing secret of ${made.url}`,
      value: made.secret,
      note: "The receiver checks each request's Myokine-Signature with it. It is not shown again.",
    });
    result.replaceChildren(shown);
    shown.focus();
  });

  draw();
  view(
    heading("Webhooks"),
    el(
      "p",
      { class: "note" },
      "The chain's CRM is sent what happens as signed JSON (Myokine-Signature: an HMAC-SHA256 of the time and the body). " +
        "A receiver that is down is tried again for about 15 hours; deliveries that failed every try can be sent again here.",
    ),
    el("section", { class: "panel", "aria-labelledby": "add-webhook-title" }, el("h2", { id: "add-webhook-title" }, "Add a webhook"), form, result),
    list,
  );
}
