"""The gateway serves the kiosk and dashboard pages and their files, and nothing else."""

from __future__ import annotations

from fastapi.testclient import TestClient

from gateway_service.web.routes import SERVED


def test_the_pages_are_html_with_a_strict_content_security_policy(client: TestClient) -> None:
    for path, script in (("/kiosk", "/static/kiosk.js"), ("/dashboard", "/static/dashboard.js")):
        answer = client.get(path)
        assert answer.status_code == 200
        assert answer.headers["content-type"].startswith("text/html")
        assert f'src="{script}"' in answer.text
        assert "script-src 'self'" in answer.headers["content-security-policy"]
        assert answer.headers["cache-control"] == "no-cache"


def test_every_file_a_page_names_is_served_with_its_media_type(client: TestClient) -> None:
    expected = {
        ".js": "text/javascript",
        ".css": "text/css",
        ".html": "text/html",
        ".svg": "image/svg+xml",
    }
    assert {
        "kiosk.js",
        "outbox.js",
        "api.js",
        "dashboard.js",
        "equipment.js",
        "common.css",
        "favicon.svg",
    } <= set(SERVED)
    for name, path in SERVED.items():
        answer = client.get(f"/static/{name}")
        assert answer.status_code == 200, name
        assert answer.headers["content-type"].startswith(expected[path.suffix])
        assert answer.content == path.read_bytes()


def test_nothing_outside_the_static_folder_is_served(client: TestClient) -> None:
    for name in ("missing.js", "..%2Froutes.py", "%2E%2E%2F%2E%2E%2Fsettings.py"):
        answer = client.get(f"/static/{name}")
        assert answer.status_code == 404, name
        assert answer.headers["content-type"].startswith("application/problem+json")


def test_no_page_fetches_anything_from_another_origin() -> None:
    for path in SERVED.values():
        text = path.read_text()
        assert "http://" not in text.replace('"http://www.w3.org', ""), path.name
        assert "https://" not in text, path.name


def test_the_root_leads_to_the_dashboard(client: TestClient) -> None:
    answer = client.get("/", follow_redirects=False)
    assert answer.status_code == 307
    assert answer.headers["location"] == "/dashboard"


def test_the_dashboard_reads_need_a_trainer(client: TestClient) -> None:
    for path in (
        "/dashboard/api/overview",
        "/dashboard/api/members/00000000-0000-0000-0000-000000000001/charts",
    ):
        assert client.get(path).status_code == 401
