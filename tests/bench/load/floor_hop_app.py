"""The floor behind one hop: a bare FastAPI app that passes each `POST /sets` on to the
floor app over HTTP (urllib3, as the gateway reaches its services) and answers its answer.

It measures what the system's shape costs before any of its work: a kiosk's write crosses
the gateway and then a service, two FastAPI apps and an HTTP client between them, on the
same two cores. `FLOOR_URL` names the floor app.
"""

from __future__ import annotations

import json
import os
from typing import Any

from fastapi import FastAPI
from urllib3.connectionpool import connection_from_url

floor = connection_from_url(os.environ["FLOOR_URL"], maxsize=40, retries=False)
app = FastAPI()


@app.post("/{path:path}", status_code=201)
def log_set(path: str, body: dict[str, Any]) -> Any:
    """Pass the set on to the floor's same path; its answer."""
    answered = floor.urlopen(
        "POST", f"/{path}", body=json.dumps(body), headers={"Content-Type": "application/json"}
    )
    if answered.status != 201:
        raise RuntimeError(f"the floor answered {answered.status}")
    return json.loads(answered.data)
