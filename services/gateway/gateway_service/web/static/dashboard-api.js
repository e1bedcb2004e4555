// The dashboard's session with the gateway: the trainer's tokens (kept for this tab only),
// every call made with them, a silent refresh on a 401, and whether the trainer is a chain
// admin.

import { ApiError, NetworkError, request } from "./api.js";

const TOKEN_KEY = "myokine.dashboard.token";
const REFRESH_KEY = "myokine.dashboard.refresh";

let token = sessionStorage.getItem(TOKEN_KEY);
let ended = () => {};
let refreshing = null;
let admin = null;

export function signedIn() {
  return Boolean(token);
}

// What the page does when the session cannot be saved (signs out, with this message).
export function onSessionEnded(handler) {
  ended = handler;
}

export function keep(answer) {
  token = answer.access_token;
  sessionStorage.setItem(TOKEN_KEY, token);
  sessionStorage.setItem(REFRESH_KEY, answer.refresh_token);
}

export function forget() {
  token = null;
  admin = null;
  sessionStorage.removeItem(TOKEN_KEY);
  sessionStorage.removeItem(REFRESH_KEY);
}

// Access tokens live minutes: on a 401 the dashboard trades its refresh token for a new
// pair once and asks again, so a trainer editing a program never loses it to an expiry.
// Several calls failing at once share one refresh (a refresh token works only once).
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

async function authorized(call) {
  try {
    return await call(token);
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 401) throw error;
    if (await refreshSession()) return call(token);
    ended("Your session ended: sign in again.");
    throw error;
  }
}

export function api(method, path, options = {}) {
  return authorized((current) => request(method, path, { token: current, ...options }));
}

async function send(path, init) {
  try {
    return await fetch(path, { cache: "no-store", ...init });
  } catch (error) {
    throw new NetworkError(String(error));
  }
}

async function failed(response) {
  const data = await response.json().catch(() => null);
  return new ApiError(response.status, data);
}

// A file sent as it is, with its own media type (a members import): api.js sends JSON and
// forms only.
export function upload(path, body, type) {
  return authorized(async (current) => {
    const response = await send(path, {
      method: "POST",
      headers: { Accept: "application/json", Authorization: `Bearer ${current}`, "Content-Type": type },
      body,
    });
    if (!response.ok) throw await failed(response);
    return response.json();
  });
}

// A file the API answers (an export) saved by the browser: a link cannot carry the token.
export function download(path, fallbackName) {
  return authorized(async (current) => {
    const response = await send(path, { headers: { Authorization: `Bearer ${current}` } });
    if (!response.ok) throw await failed(response);
    const named = /filename="?([^";]+)"?/.exec(response.headers.get("content-disposition") || "");
    saveBlob(named ? named[1] : fallbackName, await response.blob());
  });
}

export function saveBlob(name, blob) {
  const url = URL.createObjectURL(blob);
  const link = Object.assign(document.createElement("a"), { href: url, download: name, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

// Whether the trainer signed in is a chain admin: the trainers list answers them and
// refuses (403) everyone else. Asked once a session; a failure of another kind is asked
// again next time rather than taken for an answer.
export function isChainAdmin() {
  admin ||= api("GET", "/v1/trainers").then(
    () => true,
    (error) => {
      if (error instanceof ApiError && error.status === 403) return false;
      admin = null;
      return false;
    },
  );
  return admin;
}
