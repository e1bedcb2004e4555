"""Webhooks across the running system: a chain admin subscribes a CRM (a real HTTP server
on this host), a member trains at the kiosk, and the CRM is told, signed, what happened,
including while it was down for a while."""

from __future__ import annotations

import json
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from devstack.testing import WebhookReceiver
from gateway_service.domain.webhooks import KINDS, verify

pytestmark = pytest.mark.e2e


@pytest.fixture
def crm() -> Iterator[WebhookReceiver]:
    receiver = WebhookReceiver().start()
    yield receiver
    receiver.stop()


def _key() -> dict[str, str]:
    return {"Idempotency-Key": str(uuid.uuid4())}


def _without_webhooks(admin: httpx.Client) -> None:
    # Other tests (the schema fuzzing) may have left webhooks of the demo chain.
    for hook in admin.get("/v1/webhooks").json():
        assert admin.delete(f"/v1/webhooks/{hook['id']}").status_code == 204


def test_a_crm_that_is_down_for_a_while_is_told_everything_signed(
    system: Any, admin: httpx.Client, kiosk: Any, crm: WebhookReceiver
) -> None:
    _without_webhooks(admin)
    made = admin.post("/v1/webhooks", json={"url": crm.url, "events": list(KINDS)})
    assert made.status_code == 201, made.text
    hook = made.json()
    crm.stop()

    tag = uuid.uuid4().hex[:8]
    member = admin.post(
        "/v1/members",
        json={
            "name": f"Hooked {tag}",
            "badge": f"hook-{tag}",
            "home_gym_id": system.credentials["gym_id"],
            "external_id": f"crm-{tag}",
        },
    )
    assert member.status_code == 201, member.text
    assert kiosk.identify(f"hook-{tag}", member.json()["pin"]).status_code == 200
    # Signed in again between sets: still one check-in.
    assert kiosk.identify(f"hook-{tag}", member.json()["pin"]).status_code == 200
    slug = kiosk.exercise_to_log()
    for reps in (10, 9):
        body = {"exercise": slug, "load": 40, "unit": "kg", "reps": reps}
        assert kiosk.log_set(body, str(uuid.uuid4())).status_code == 201
    member_auth = {"Authorization": f"Bearer {kiosk.member_token}"}
    finished = kiosk.http.post("/v1/kiosk/finish", headers=member_auth | _key())
    assert finished.status_code == 200, finished.text

    # Down: the deliveries wait, each try logged with why it failed.
    def log(state: str | None = None) -> list[dict[str, Any]]:
        params = {"state": state} if state else {}
        answer = admin.get(f"/v1/webhooks/{hook['id']}/deliveries", params=params)
        assert answer.status_code == 200, answer.text
        return list(answer.json())

    system.eventually(
        lambda: any(len(d["attempts"]) >= 2 for d in log("pending")),
        what="deliveries tried, and tried again, while the CRM is down",
    )
    assert all(a["status"] is None and a["error"] for d in log() for a in d["attempts"])

    crm.start()
    # A member's first day of an exercise is its baseline (no record): their first session
    # tells a check-in, the session and the first-session milestone.
    wanted = {"member.checked_in", "session.finished", "milestone.reached"}

    def told() -> set[str]:
        return {json.loads(r.body)["type"] for r in list(crm.got)}

    system.eventually(lambda: wanted <= told(), what=f"the CRM told {sorted(wanted)}")
    system.eventually(lambda: log("pending") == [], what="every delivery settled")

    now = int(time.time())
    documents = []
    for request in crm.got:
        assert verify(hook["secret"], request.headers["Myokine-Signature"], request.body, now=now)
        documents.append(json.loads(request.body))
    mine = [d for d in documents if d["data"]["member_id"] == member.json()["id"]]
    kinds = Counter(d["type"] for d in mine)
    assert kinds["member.checked_in"] == 1 and kinds["session.finished"] == 1
    assert all(d["data"]["external_id"] == f"crm-{tag}" for d in mine)
    assert all(d["chain_id"] == system.credentials["chain_id"] for d in mine)
    # At least once: a repeat carries the same id, so the CRM can drop it.
    assert len({d["id"] for d in documents}) == len({json.dumps(d) for d in documents})
    assert {d["state"] for d in log()} == {"delivered"}
