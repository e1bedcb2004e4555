"""The whole public API against its own OpenAPI document, with schemathesis.

Every operation the gateway documents gets generated requests, valid ones and invalid
ones, with the real token its callers hold (a trainer's, a kiosk's, a member's), against
the running system; operations on a member, a gym or a set get a third round whose path
names real ones (a member made for the test, the demo gym, a set of that member), so the
answers of found resources are checked too, not only the 404s of generated ids. Each
answer must be what the document says: never a 5xx, a documented status, the documented
content type, headers and body. The examples are derived from a fixed seed, so a run in
CI is the same run as here; `E2E_FUZZ_EXAMPLES=200 pytest tests/e2e/test_api_schema.py`
searches further, and `E2E_FUZZ_ONLY=<regex>` fuzzes only the operations it matches
(`E2E_FUZZ_ONLY="PATCH /v1/exercises"`).
"""

from __future__ import annotations

import os
import re
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

pytestmark = pytest.mark.e2e

EXAMPLES = int(os.environ.get("E2E_FUZZ_EXAMPLES", "20"))
"""Generated requests per operation and round (valid, invalid, valid on real ids)."""
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@dataclass
class Callers:
    """A token of every kind, of callers made for this test alone.

    Kiosk attempts with generated badges count as wrong PINs, so identify is fuzzed at a
    kiosk of its own; the member signs in at another, which no wrong PIN slows.
    """

    http: httpx.Client
    trainer: str
    identify_kiosk: str
    member_kiosk: str
    badge: str
    pin: str
    known: dict[str, str]
    """Real ids for path parameters of these names."""
    member: str = ""

    def sign_in_member(self) -> None:
        """A fresh member token (finishing a session signs the member out)."""
        answer = self.http.post(
            "/v1/kiosk/identify",
            json={"badge": self.badge, "pin": self.pin},
            headers={"Authorization": f"Bearer {self.member_kiosk}"},
        )
        assert answer.status_code == 200, answer.text
        self.member = answer.json()["member_token"]

    def token_for(self, path: str) -> str | None:
        """The token a caller of `path` holds (None: the path takes none)."""
        if path.startswith("/v1/auth/") or path in ("/healthz", "/readyz"):
            return None
        if path == "/v1/kiosk/identify":
            return self.identify_kiosk
        if path.startswith("/v1/kiosk/"):
            return self.member
        return self.trainer


@dataclass
class Findings:
    """What the run sent and what broke, by operation."""

    requests: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    failures: dict[str, list[str]] = field(default_factory=dict)

    def add(self, operation: str, failure: str) -> None:
        """Keep a few distinct failures per operation (the first say enough)."""
        seen = self.failures.setdefault(operation, [])
        if failure not in seen and len(seen) < 3:
            seen.append(failure)

    def __str__(self) -> str:
        lines = [f"{self.requests} requests; statuses {dict(sorted(self.statuses.items()))}"]
        for operation, failures in sorted(self.failures.items()):
            lines.append(f"{operation}:")
            lines += [f"  {failure}" for failure in failures]
        return "\n".join(lines)


@pytest.fixture
def callers(system: Any, admin: httpx.Client) -> Callers:
    """A trainer (the demo chain admin), two new kiosks, a member signed in at one of them,
    and a target member with a set, whose ids trainers' operations get."""
    gym = system.credentials["gym_id"]
    kiosks = []
    for name in ("fuzz identify", "fuzz member"):
        made = admin.post("/v1/kiosks", json={"gym_id": gym, "name": name})
        assert made.status_code == 201, made.text
        kiosks.append(made.json()["token"])
    members = {}
    for role in ("kiosk", "target"):
        badge = f"fuzz-{uuid.uuid4().hex[:10]}"
        made = admin.post("/v1/members", json={"name": role, "badge": badge, "home_gym_id": gym})
        assert made.status_code == 201, made.text
        members[role] = (badge, made.json())
    trainer = str(admin.headers["Authorization"]).removeprefix("Bearer ")
    badge, target = members["target"]
    found = Callers(admin, trainer, kiosks[0], kiosks[1], badge, target["pin"], {})
    found.sign_in_member()
    logged = admin.post(
        "/v1/kiosk/sets",
        json={"exercise": "goblet-squat", "load": 20, "unit": "kg", "reps": 10},
        headers={"Authorization": f"Bearer {found.member}", "Idempotency-Key": str(uuid.uuid4())},
    )
    assert logged.status_code == 201, logged.text
    found.known = {"member_id": target["id"], "gym_id": gym, "set_id": logged.json()["id"]}
    # The target may be erased on the way; the member at the kiosk stays signed in.
    found.badge, found.pin = members["kiosk"][0], members["kiosk"][1]["pin"]
    found.sign_in_member()
    return found


def test_every_operation_answers_as_its_document_says_and_never_with_a_5xx(
    system: Any, callers: Callers
) -> None:
    schema = schemathesis.openapi.from_url(f"{system.gateway_url}/openapi.json")
    findings = Findings()
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 50, "every documented operation is fuzzed"
    only = re.compile(os.environ.get("E2E_FUZZ_ONLY", ""))
    operations = [op for op in operations if only.search(f"{op.method.upper()} {op.path}")]
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            _fuzz(operation, mode, system.gateway_url, callers, findings)
        names = set(re.findall(r"{(\w+)}", operation.path))
        if names and names <= callers.known.keys():
            real = {name: callers.known[name] for name in names}
            _fuzz(operation, GenerationMode.POSITIVE, system.gateway_url, callers, findings, real)
    print(f"\nschemathesis over {len(operations)} operations: {findings}")
    assert not findings.failures, str(findings)


def _fuzz(
    operation: Any,
    mode: GenerationMode,
    base_url: str,
    callers: Callers,
    findings: Findings,
    path_parameters: dict[str, str] | None = None,
) -> None:
    real = ", real ids" if path_parameters else ""
    name = f"{operation.method.upper()} {operation.path} ({mode.value}{real})"

    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode, path_parameters=path_parameters))
    def run(case: Any) -> None:
        token = callers.token_for(operation.path)
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = case.call(base_url=base_url, headers=headers)
        findings.requests += 1
        findings.statuses[response.status_code] += 1
        try:
            case.validate_response(response, checks=CHECKS)
        except (Failure, FailureGroup) as found:
            failures = found.exceptions if isinstance(found, FailureGroup) else (found,)
            for failure in failures:
                detail = " ".join(failure.message.split())[:300]
                again = case.as_curl_command(headers=headers)[:600]
                findings.add(name, f"{response.status_code} {failure.title}: {detail}\n    {again}")
        if operation.path == "/v1/kiosk/finish" and response.status_code == 200:
            callers.sign_in_member()

    try:
        run()
    except Unsatisfiable:
        # An operation that takes no input at all has no invalid request to make.
        assert mode is GenerationMode.NEGATIVE, f"{name}: no request could be made"
