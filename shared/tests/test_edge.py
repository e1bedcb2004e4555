"""The edge guard: what no route should see is refused as problem+json naming the field,
before the route runs (so nothing is written), and everything else reaches it unchanged."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI, Request
from fastapi.testclient import TestClient

from myokine.edge import BodyLimits, EdgeGuard
from myokine.http_middleware import RequestIdMiddleware
from myokine.problem_handlers import install_problem_handlers

UPLOAD = "/upload"


@pytest.fixture
def seen() -> list[bytes]:
    """The bodies the app's routes received."""
    return []


@pytest.fixture
def client(seen: list[bytes]) -> Iterator[TestClient]:
    app = FastAPI()
    install_problem_handlers(app)

    @app.post("/echo")
    async def echo(request: Request) -> dict[str, Any]:
        body = await request.body()
        seen.append(body)
        return {"length": len(body)}

    @app.post(UPLOAD)
    async def upload(request: Request) -> dict[str, Any]:
        body = await request.body()
        seen.append(body)
        return {"length": len(body)}

    @app.get("/things/{name}")
    def thing(name: str, q: str = "") -> dict[str, str]:
        return {"name": name, "q": q}

    app.add_middleware(
        EdgeGuard, limits=BodyLimits(default=1024, upload=4096, upload_paths=frozenset({UPLOAD}))
    )
    app.add_middleware(RequestIdMiddleware)
    with TestClient(app) as test_client:
        yield test_client


def _field(answer: Any) -> str:
    assert answer.headers["content-type"] == "application/problem+json"
    errors = answer.json()["errors"]
    assert len(errors) == 1
    return str(errors[0]["field"])


def test_a_clean_json_body_reaches_the_route_byte_for_byte(
    client: TestClient, seen: list[bytes]
) -> None:
    body = b'{"name": "Back squat\\tday", "notes": "line one\\nline two", "sets": [1, 2]}'
    answer = client.post("/echo", content=body, headers={"content-type": "application/json"})
    assert answer.status_code == 200
    assert seen == [body]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (b'{"name": "a\\u0000b"}', "name"),
        (b'{"days": [{"name": "ok"}, {"name": "bad\\u001b"}]}', "days.1.name"),
        (b'{"reason": "\\ud800"}', "reason"),
        (b'{"na\\u0000me": "x"}', "na\x00me"),
        (b'{"reps": 8, "reps": 12}', "reps"),
    ],
    ids=["nul", "escape-in-a-list", "lone-surrogate", "nul-in-a-key", "duplicate-key"],
)
def test_bad_json_text_is_refused_naming_the_field(
    client: TestClient, seen: list[bytes], body: bytes, field: str
) -> None:
    answer = client.post("/echo", content=body, headers={"content-type": "application/json"})
    assert answer.status_code == 422
    assert _field(answer) == field
    assert seen == []


def test_a_nul_in_a_form_field_is_refused_naming_it(client: TestClient, seen: list[bytes]) -> None:
    answer = client.post("/echo", data={"username": "a\x00b", "password": "x"})
    assert answer.status_code == 422
    assert _field(answer) == "username"
    assert seen == []


def test_control_characters_in_the_path_or_query_are_refused(client: TestClient) -> None:
    assert _field(client.get("/things/a%00b")) == "path"
    assert _field(client.get("/things/a%0Ab")) == "path", "no line break in a path"
    assert _field(client.get("/things/ok?q=%07")) == "q"
    assert client.get("/things/ok?q=fine").json() == {"name": "ok", "q": "fine"}


@pytest.mark.parametrize("header", ["Idempotency-Key", "X-Request-ID"])
def test_a_forwarded_header_that_is_no_plain_ascii_token_is_refused(
    client: TestClient, seen: list[bytes], header: str
) -> None:
    answer = client.post(
        "/echo",
        content=b"{}",
        headers={"content-type": "application/json", header: "clé".encode()},
    )
    assert answer.status_code == 422
    assert _field(answer) == header
    # The refusal carries an id of its own, never the refused value.
    assert answer.headers["x-request-id"].isascii()
    assert seen == []


def test_a_declared_body_over_the_limit_is_refused_before_it_is_read(
    client: TestClient, seen: list[bytes]
) -> None:
    answer = client.post("/echo", content=b"x" * 2048, headers={"content-type": "application/json"})
    assert answer.status_code == 413
    assert answer.json()["type"].endswith("/too-large")
    assert seen == []


def test_a_streamed_body_is_cut_off_at_the_limit(client: TestClient, seen: list[bytes]) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(8):
            yield b"y" * 512

    answer = client.post("/echo", content=chunks())
    assert answer.status_code == 413
    assert seen == []


def test_an_upload_call_takes_its_larger_limit(client: TestClient, seen: list[bytes]) -> None:
    assert client.post(UPLOAD, content=b"z" * 3000).json() == {"length": 3000}
    assert client.post(UPLOAD, content=b"z" * 5000).status_code == 413
    assert client.post("/echo", content=b"z" * 3000).status_code == 413
    assert len(seen) == 1
