"""The OpenAPI document (/docs, examples, error responses) and the rate limits."""

from __future__ import annotations

import uuid

from gateway_service.bootstrap import Dependencies
from gateway_service.handlers import identity
from myokine.problems import PROBLEM_JSON

PUBLIC_PATHS = {
    "/v1/auth/token": {"post"},
    "/v1/kiosk/identify": {"post"},
    "/v1/kiosk/today": {"get"},
    "/v1/kiosk/sets": {"post"},
    "/v1/kiosk/sets/{set_id}": {"patch", "delete"},
    "/v1/kiosk/finish": {"post"},
    "/v1/kiosk/progress": {"get"},
    "/v1/exercises": {"get"},
    "/v1/programs": {"get", "post"},
    "/v1/programs/check": {"post"},
    "/v1/programs/{program_id}": {"get"},
    "/v1/members": {"get"},
    "/v1/members/{member_id}": {"get"},
    "/v1/members/{member_id}/assignments": {"post"},
    "/v1/members/{member_id}/progress": {"get"},
    "/v1/gyms/{gym_id}/attention": {"get"},
}


def test_every_public_endpoint_documents_its_errors_as_problem_json(client) -> None:
    doc = client.get("/openapi.json").json()
    for path, methods in PUBLIC_PATHS.items():
        assert set(doc["paths"][path]) >= methods, path
        for method in methods:
            responses = doc["paths"][path][method]["responses"]
            errors = {code for code in responses if code.startswith(("4", "5"))}
            assert {"503"} <= errors, (path, method)
            for code in errors:
                content = responses[code]["content"]
                assert "example" in content[PROBLEM_JSON], (path, method, code)


def test_docs_offer_the_password_flow_and_request_examples(client) -> None:
    doc = client.get("/openapi.json").json()
    schemes = doc["components"]["securitySchemes"]
    assert schemes["TrainerToken"]["flows"]["password"]["tokenUrl"] == "/v1/auth/token"
    schemas = doc["components"]["schemas"]
    for name in ("SetIn", "IdentifyIn", "ProgramIn", "AssignmentIn"):
        assert schemas[name].get("examples"), name
    assert client.get("/docs").status_code == 200


def test_a_kiosk_over_its_limit_gets_429_with_retry_after(gateway_client, world) -> None:
    with gateway_client(kiosk_rate_limit_per_minute=3) as limited:
        headers = {"Authorization": f"Bearer {world.a.kiosk_tokens[0]}"}
        body = {"badge": "nobody", "pin": "0000"}
        statuses = [
            limited.post("/v1/kiosk/identify", json=body, headers=headers).status_code
            for _ in range(4)
        ]
        assert statuses == [401, 401, 401, 429]
        answer = limited.post("/v1/kiosk/identify", json=body, headers=headers)
        assert answer.json()["type"] == "https://myokine.dev/problems/rate-limited"
        assert 1 <= int(answer.headers["Retry-After"]) <= 61
        # Another kiosk has its own budget.
        other = {"Authorization": f"Bearer {world.a.kiosk_tokens[1]}"}
        assert limited.post("/v1/kiosk/identify", json=body, headers=other).status_code == 401


def test_a_trainer_over_their_limit_gets_429(gateway_client, gate, world) -> None:
    token = gate.sign_in(world.a.trainer_email)
    with gateway_client(trainer_rate_limit_per_minute=2) as limited:
        headers = {"Authorization": f"Bearer {token}"}
        statuses = [limited.get("/v1/members", headers=headers).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]


def test_unknown_kiosk_tokens_are_401(client) -> None:
    answer = client.post(
        "/v1/kiosk/identify",
        json={"badge": "1", "pin": "1234"},
        headers={"Authorization": "Bearer mkk_not-a-kiosk"},
    )
    assert answer.status_code == 401


def test_a_new_kiosk_token_replaces_the_old_one(deps: Dependencies, client, world) -> None:
    uow = deps.unit_of_work()
    chain = identity.create_chain(uow, f"Rotate {uuid.uuid4().hex[:6]}")
    gym = identity.create_gym(uow, chain.id, "G", "UTC", "kg")
    kiosk, old = identity.create_kiosk(uow, gym.id, "k")
    new = identity.rotate_kiosk_token(uow, kiosk.id)
    body = {"badge": "none", "pin": "0000"}
    assert (
        client.post(
            "/v1/kiosk/identify", json=body, headers={"Authorization": f"Bearer {old}"}
        ).status_code
        == 401
    )
    answer = client.post(
        "/v1/kiosk/identify", json=body, headers={"Authorization": f"Bearer {new}"}
    )
    assert answer.json()["detail"] == "Wrong badge or PIN."


def test_every_success_answer_has_an_example(client) -> None:
    doc = client.get("/openapi.json").json()
    schemas = doc["components"]["schemas"]
    for path, methods in PUBLIC_PATHS.items():
        for method in methods:
            responses = doc["paths"][path][method]["responses"]
            ok = next(code for code in responses if code.startswith("2"))
            schema = responses[ok]["content"]["application/json"]["schema"]
            ref = schema.get("$ref") or schema.get("items", {}).get("$ref")
            assert ref, (path, method)
            assert schemas[ref.rsplit("/", 1)[1]].get("examples"), (path, method)


def test_password_guessing_is_slowed_per_account(gateway_client, world) -> None:
    with gateway_client(login_rate_limit_per_minute=2) as limited:

        def attempt(email: str) -> int:
            form = {"username": email, "password": "wrong password"}
            return limited.post("/v1/auth/token", data=form).status_code

        assert [attempt(world.a.trainer_email) for _ in range(3)] == [401, 401, 429]
        assert attempt(world.b.trainer_email) == 401
