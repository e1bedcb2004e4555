"""The interactive API docs (`/docs`, Swagger UI) served from files on disk.

FastAPI's own pages load their scripts from a CDN, so on a gym's network without internet
they stay blank. Here the script and styles come from the fastapi-offline package (which
ships Swagger UI 5) and are served under `/docs-assets`. There is no `/redoc`: ReDoc
fetches its logo from its maker's CDN whatever it is told.
"""

from __future__ import annotations

from pathlib import Path

import fastapi_offline
from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

ASSETS = Path(fastapi_offline.__file__).parent / "static"
ASSETS_PATH = "/docs-assets"


def install_api_docs(app: FastAPI) -> None:
    """Serve `/docs` and `/docs/oauth2-redirect` with assets from this host.

    The app must be made with `docs_url=None, redoc_url=None` (FastAPI's CDN pages off).
    """
    app.mount(ASSETS_PATH, StaticFiles(directory=ASSETS), name="docs-assets")
    title = app.title
    openapi_url = app.openapi_url or "/openapi.json"
    redirect = "/docs/oauth2-redirect"

    @app.get("/docs", include_in_schema=False)
    def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=openapi_url,
            title=f"{title}: API docs",
            oauth2_redirect_url=redirect,
            swagger_js_url=f"{ASSETS_PATH}/swagger-ui-bundle.js",
            swagger_css_url=f"{ASSETS_PATH}/swagger-ui.css",
            swagger_favicon_url=f"{ASSETS_PATH}/favicon.png",
        )

    @app.get(redirect, include_in_schema=False)
    def swagger_ui_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()
