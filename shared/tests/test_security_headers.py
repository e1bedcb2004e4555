"""Security headers: API answers are never stored, pages load only this host's files, and
nothing is ever framed or sniffed."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from fastapi.testclient import TestClient

from myokine.security_headers import SecurityHeaders


@pytest.fixture
def client() -> Iterator[TestClient]:
    app = FastAPI()

    @app.post("/v1/auth/token")
    def token() -> dict[str, str]:
        return {"access_token": "t"}

    @app.get("/kiosk")
    def page() -> HTMLResponse:
        return HTMLResponse("<html></html>")

    @app.get("/docs")
    def docs() -> HTMLResponse:
        return HTMLResponse("<html><script>start()</script></html>")

    app.add_middleware(SecurityHeaders)
    with TestClient(app) as test_client:
        yield test_client


def test_an_api_answer_is_never_stored(client: TestClient) -> None:
    answer = client.post("/v1/auth/token")
    assert answer.headers["cache-control"] == "no-store"
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["x-frame-options"] == "DENY"
    assert answer.headers["referrer-policy"] == "no-referrer"
    assert "content-security-policy" not in answer.headers


def test_a_page_may_load_only_this_hosts_files(client: TestClient) -> None:
    policy = client.get("/kiosk").headers["content-security-policy"]
    assert "default-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy


def test_the_api_docs_allow_only_their_inline_start_up(client: TestClient) -> None:
    policy = client.get("/docs").headers["content-security-policy"]
    assert "script-src 'self' 'unsafe-inline'" in policy
    assert "http" not in policy
