"""problem+json: every error of a service leaves in the same shape (RFC 9457)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI, HTTPException
from fastapi.testclient import TestClient
from pydantic import BaseModel, Field
from sqlalchemy import create_engine, text

from myokine.problem_handlers import install_problem_handlers
from myokine.problems import (
    PROBLEM_JSON,
    TYPE_BASE,
    Conflict,
    InvalidInput,
    Locked,
    NotFound,
)


class SetIn(BaseModel):
    exercise: str
    reps: int = Field(ge=0, le=100)
    load: float


def make_app() -> FastAPI:
    app = FastAPI()
    install_problem_handlers(app)

    @app.get("/missing")
    def missing() -> None:
        raise NotFound("No such set.")

    @app.get("/locked")
    def locked() -> None:
        raise Locked("Too many wrong PINs.", headers={"Retry-After": "900"}, locked_until="later")

    @app.get("/conflict")
    def conflict() -> None:
        raise Conflict()

    @app.get("/invalid")
    def invalid() -> None:
        raise InvalidInput("Bad load.", errors=[{"field": "load", "message": "too heavy"}])

    @app.post("/sets")
    def log(body: SetIn) -> SetIn:
        return body

    @app.get("/teapot")
    def teapot() -> None:
        raise HTTPException(status_code=418, detail="I'm a teapot")

    @app.get("/database-down")
    def database_down() -> None:
        # A real refused connection: nothing listens on port 1.
        engine = create_engine("postgresql+psycopg://postgres@127.0.0.1:1/x", pool_size=1)
        try:
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        finally:
            engine.dispose()

    @app.get("/bug")
    def bug() -> None:
        raise RuntimeError("secret internals")

    return app


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(make_app(), raise_server_exceptions=False) as c:
        yield c


def assert_problem(response: object, status: int, kind: str) -> dict[str, object]:
    assert getattr(response, "status_code") == status  # noqa: B009 - typed as object
    headers = getattr(response, "headers")  # noqa: B009
    assert headers["content-type"] == PROBLEM_JSON
    body: dict[str, object] = getattr(response, "json")()  # noqa: B009
    assert body["type"] == TYPE_BASE + kind
    assert body["status"] == status
    assert isinstance(body["title"], str) and body["title"]
    assert isinstance(body["detail"], str) and body["detail"]
    return body


def test_a_problem_kind_has_its_status_type_and_detail(client: TestClient) -> None:
    body = assert_problem(client.get("/missing"), 404, "not-found")
    assert body["detail"] == "No such set."
    assert body["instance"] == "/missing"


def test_headers_and_extensions_travel_with_the_problem(client: TestClient) -> None:
    response = client.get("/locked")
    body = assert_problem(response, 423, "locked")
    assert response.headers["retry-after"] == "900"
    assert body["locked_until"] == "later"


def test_a_problem_without_detail_uses_its_title(client: TestClient) -> None:
    body = assert_problem(client.get("/conflict"), 409, "conflict")
    assert body["detail"] == body["title"] == "Conflict"


def test_invalid_input_names_the_field(client: TestClient) -> None:
    body = assert_problem(client.get("/invalid"), 422, "validation")
    assert body["errors"] == [{"field": "load", "message": "too heavy"}]


def test_request_validation_errors_name_every_field(client: TestClient) -> None:
    response = client.post("/sets", json={"exercise": "deadlift", "reps": 101})

    body = assert_problem(response, 422, "validation")
    errors = body["errors"]
    assert isinstance(errors, list)
    assert sorted(e["field"] for e in errors) == ["load", "reps"]
    assert all(e["message"] for e in errors)
    assert "reps" in str(body["detail"]) and "load" in str(body["detail"])


def test_a_malformed_body_is_a_validation_problem_too(client: TestClient) -> None:
    response = client.post(
        "/sets", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert_problem(response, 422, "validation")


def test_unknown_routes_and_http_errors_are_problems(client: TestClient) -> None:
    assert_problem(client.get("/nowhere"), 404, "not-found")
    assert_problem(client.post("/missing"), 405, "http-405")
    assert_problem(client.get("/teapot"), 418, "http-418")


def test_a_database_out_of_reach_is_a_503_to_retry_soon(client: TestClient) -> None:
    response = client.get("/database-down")
    body = assert_problem(response, 503, "unavailable")
    assert response.headers["retry-after"] == "2"
    assert "127.0.0.1" not in str(body), "the connection's details stay inside"


def test_an_unexpected_error_is_a_500_problem_that_hides_its_internals(client: TestClient) -> None:
    body = assert_problem(client.get("/bug"), 500, "internal")
    assert "secret" not in str(body)
