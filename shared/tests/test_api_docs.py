"""`/docs` names no other host, and the files it names are served by the app itself."""

from __future__ import annotations

import re

from fastapi import FastAPI
from fastapi.testclient import TestClient

from myokine.api_docs import install_api_docs


def test_the_docs_page_loads_only_files_of_its_own_host() -> None:
    app = FastAPI(title="Docs test", docs_url=None, redoc_url=None)
    install_api_docs(app)
    client = TestClient(app)
    page = client.get("/docs")
    assert page.status_code == 200
    linked = re.findall(r"""(?:src|href)=["']([^"']+)["']""", page.text)
    assert linked, "the page links its script and styles"
    assert not [url for url in linked if "//" in url]
    for url in linked:
        assert client.get(url).status_code == 200, url
    assert client.get("/docs/oauth2-redirect").status_code == 200
    assert client.get("/redoc").status_code == 404
