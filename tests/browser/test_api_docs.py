"""The API docs work on a gym's network without internet: every file `/docs` needs comes
from the gateway, none from a CDN."""

from __future__ import annotations

from urllib.parse import urlparse

from playwright.sync_api import Browser, Route, expect

from .conftest import LANDSCAPE, System, new_context


def test_the_api_docs_load_with_every_other_host_blocked(browser: Browser, system: System) -> None:
    gateway = urlparse(system.url).netloc
    context = new_context(browser, system, LANDSCAPE)
    elsewhere: list[str] = []

    def only_the_gateway(route: Route) -> None:
        if urlparse(route.request.url).netloc == gateway:
            route.continue_()
        else:
            elsewhere.append(route.request.url)
            route.abort()

    context.route("**/*", only_the_gateway)
    try:
        page = context.new_page()
        page.goto("/docs")
        expect(page.locator(".swagger-ui .info .title")).to_contain_text("Myokine gateway")
        expect(page.locator(".opblock-tag-section").first).to_be_visible()
        expect(page.get_by_role("button", name="Authorize")).to_be_visible()
        assert elsewhere == []
    finally:
        context.close()
