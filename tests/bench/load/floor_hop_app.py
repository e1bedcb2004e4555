"""The floor behind one hop: a bare FastAPI app that passes each `POST /sets` on to the
floor app over HTTP (httpx, as the gateway reaches its services) and answers its answer.

It measures what the system's shape costs before any of its work: a kiosk's write crosses
the gateway and then a service, two FastAPI apps and an HTTP client between them, on the
same two cores. `FLOOR_URL` names the floor app.
"""

from __future__ import annotations

import os
from typing import Any

import httpx
from fastapi import FastAPI, Request

floor = httpx.Client(base_url=os.environ["FLOOR_URL"], timeout=10)
app = FastAPI()


@app.post("/sets", status_code=201)
def log_set(request: Request, body: dict[str, Any]) -> Any:
    """Pass the set on to the floor; its answer."""
    answered = floor.post("/sets", json=body)
    answered.raise_for_status()
    return answered.json()
