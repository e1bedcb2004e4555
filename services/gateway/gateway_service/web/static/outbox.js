// The kiosk's outbox: every set waits here, with its Idempotency-Key, until the gateway
// has answered it. It lives in localStorage, so a network blip or a reload loses nothing;
// the key is made once, when the set is tapped, so however often a set is re-sent the
// server stores it once.

import { ApiError, NetworkError, newKey, request } from "./api.js";

const STORAGE_KEY = "myokine.kiosk.outbox";

export class Outbox {
  constructor(storage = window.localStorage) {
    this.storage = storage;
    this.flushing = null;
    this.inFlight = null;
    this.listeners = new Set();
  }

  items() {
    try {
      return JSON.parse(this.storage.getItem(STORAGE_KEY) || "[]");
    } catch {
      return [];
    }
  }

  save(items) {
    this.storage.setItem(STORAGE_KEY, JSON.stringify(items));
    for (const listener of this.listeners) listener(items);
  }

  onChange(listener) {
    this.listeners.add(listener);
  }

  pendingFor(memberId) {
    return this.items().filter((item) => item.memberId === memberId);
  }

  // Queue a set of a member; its key and time are fixed now, so every retry is identical.
  add(memberId, token, set) {
    const item = {
      key: newKey(),
      memberId,
      token,
      body: { ...set, performed_at: new Date().toISOString() },
      queuedAt: Date.now(),
      needsSignIn: false,
    };
    this.save([...this.items(), item]);
    return item;
  }

  // Take back a set that was never sent (undo while offline). False if it is on its way.
  discard(key) {
    if (this.inFlight === key) return false;
    this.save(this.items().filter((item) => item.key !== key));
    return true;
  }

  // A member identified again: their waiting sets go out with the new token.
  retoken(memberId, token) {
    this.save(
      this.items().map((item) =>
        item.memberId === memberId ? { ...item, token, needsSignIn: false } : item,
      ),
    );
  }

  // Send the waiting sets in order, one flush at a time. Resolves to
  // {sent: [[item, set]...], rejected: [[item, error]...], offline: bool}.
  flush() {
    if (!this.flushing) {
      this.flushing = this.sendAll().finally(() => {
        this.flushing = null;
      });
    }
    return this.flushing;
  }

  async sendAll() {
    const outcome = { sent: [], rejected: [], offline: false };
    for (const item of this.items()) {
      if (item.needsSignIn) continue;
      this.inFlight = item.key;
      try {
        const set = await request("POST", "/v1/kiosk/sets", {
          token: item.token,
          json: item.body,
          key: item.key,
        });
        this.drop(item.key);
        outcome.sent.push([item, set]);
      } catch (error) {
        if (error instanceof NetworkError || isTransient(error)) {
          // The gateway did not take it: keep this set and the ones after it, in order.
          outcome.offline = true;
          break;
        }
        if (error instanceof ApiError && error.status === 401) {
          // The member token expired; the set waits for the member to identify again.
          this.mark(item.key);
          continue;
        }
        this.drop(item.key);
        outcome.rejected.push([item, error]);
      } finally {
        this.inFlight = null;
      }
    }
    return outcome;
  }

  drop(key) {
    this.save(this.items().filter((item) => item.key !== key));
  }

  mark(key) {
    this.save(this.items().map((item) => (item.key === key ? { ...item, needsSignIn: true } : item)));
  }
}

// Answers that say "not now" rather than "no": try the same request again later.
function isTransient(error) {
  return error instanceof ApiError && (error.status >= 500 || error.status === 429 || error.status === 408);
}
