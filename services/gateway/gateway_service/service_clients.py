"""Calling the program, logging and progression services over HTTP.

Every call carries a fresh signed internal token for the caller and the request id. A
service that does not answer in time becomes a 503 with Retry-After (never a 500); a
problem+json answer from a service is passed through to the client as it is.

The calls go through urllib3's connection pools: every kiosk write and read crosses this
hop, and urllib3 spends half the CPU a call that httpx spends (0.5 ms against 1 ms here).
A call is never retried here and a redirect never followed: a write is retried by the
kiosk, with its Idempotency-Key.
"""

from __future__ import annotations

import json as jsonlib
import logging
import threading
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit

import urllib3
from urllib3.connectionpool import HTTPConnectionPool, connection_from_url
from urllib3.exceptions import HTTPError
from urllib3.exceptions import TimeoutError as ServiceTimeout

from myokine.internal_auth import Caller, TokenSigner
from myokine.problems import PROBLEM_JSON, TYPE_BASE, Problem, ServiceUnavailable
from myokine.request_context import REQUEST_ID_HEADER, current_request_id

log = logging.getLogger(__name__)

# Connections kept open to each service: as many as the API's threads that may call at
# once (Starlette runs sync routes on 40 threads); more may open in a burst, and close.
KEPT_CONNECTIONS = 40


class ServiceProblem(Problem):
    """A problem+json document a service answered, passed on unchanged (but its instance)."""

    def __init__(self, status: int, document: dict[str, Any], headers: dict[str, str]) -> None:
        super().__init__(str(document.get("detail") or document.get("title") or "Error"))
        self.status = status
        self.kind = str(document.get("type", "")).removeprefix(TYPE_BASE) or f"http-{status}"
        self.title = str(document.get("title") or "Error")
        self.document = document
        self.headers = headers

    def body(self, instance: str | None = None) -> dict[str, Any]:
        """The service's document, with the gateway's path as its instance."""
        doc = dict(self.document)
        doc["status"] = self.status
        if instance:
            doc["instance"] = instance
        return doc


class BadGateway(Problem):
    """A service answered something that is neither a result nor a problem document."""

    status, kind, title = 502, "bad-gateway", "Bad gateway"


@dataclass(frozen=True)
class Timeouts:
    """How long the gateway waits for a service."""

    connect: float
    read: float
    write: float
    retry_after: int


class ServiceClient:
    """One service, reached at `base_url`."""

    def __init__(
        self,
        name: str,
        base_url: str,
        *,
        tokens: TokenSigner,
        timeouts: Timeouts,
    ) -> None:
        self.name = name
        self._tokens = tokens
        self._base_url = base_url.rstrip("/")
        self._prefix = urlsplit(self._base_url).path + "/internal/v1"
        self._read_timeout = urllib3.Timeout(connect=timeouts.connect, read=timeouts.read)
        self._write_timeout = urllib3.Timeout(connect=timeouts.connect, read=timeouts.write)
        self._retry_after = timeouts.retry_after
        self._pool: HTTPConnectionPool | None = None
        self._opening = threading.Lock()

    @property
    def _connections(self) -> HTTPConnectionPool:
        # Made on first use: an HTTPS pool loads the TLS trust store, which the operator's
        # commands and the workers, calling no service, never need.
        with self._opening:
            if self._pool is None:
                self._pool = connection_from_url(
                    self._base_url, maxsize=KEPT_CONNECTIONS, retries=False
                )
            return self._pool

    def close(self) -> None:
        """Close the connection pool, if one was opened."""
        with self._opening:
            if self._pool is not None:
                self._pool.close()
                self._pool = None

    def _unavailable(self, why: str) -> ServiceUnavailable:
        return ServiceUnavailable(
            f"The {self.name} service is not available right now; try again shortly.",
            headers={"Retry-After": str(self._retry_after)},
            service=self.name,
            reason=why,
        )

    def call(
        self,
        method: str,
        path: str,
        caller: Caller,
        *,
        json: Any = None,
        params: dict[str, str] | None = None,
        idempotency_key: str | None = None,
    ) -> Any:
        """Call the service as `caller`; the decoded JSON answer, or raise a Problem."""
        headers = {"Authorization": "Bearer " + self._tokens.token_for(caller)}
        request_id = current_request_id()
        if request_id:
            headers[REQUEST_ID_HEADER] = request_id
        if idempotency_key:
            headers["Idempotency-Key"] = idempotency_key
        body = None
        if json is not None:
            body = jsonlib.dumps(json, ensure_ascii=False, separators=(",", ":")).encode()
            headers["Content-Type"] = "application/json"
        write = method.upper() not in ("GET", "HEAD")
        url = self._prefix + path + (f"?{urlencode(params)}" if params else "")
        try:
            response = self._connections.urlopen(
                method,
                url,
                body=body,
                headers=headers,
                timeout=self._write_timeout if write else self._read_timeout,
                retries=False,
                redirect=False,
            )
        except ServiceTimeout as exc:
            log.warning("%s service timed out", self.name, extra={"error": repr(exc)})
            raise self._unavailable("timeout") from exc
        except HTTPError as exc:
            log.warning("%s service unreachable", self.name, extra={"error": repr(exc)})
            raise self._unavailable("unreachable") from exc
        return self._answer(response)

    def _answer(self, response: urllib3.BaseHTTPResponse) -> Any:
        status = response.status
        if status == 204:
            return None
        if 200 <= status < 300:
            return self._decoded(response)
        if status in (502, 503, 504):
            raise self._unavailable(f"status {status}")
        is_problem = response.headers.get("content-type", "").startswith(PROBLEM_JSON)
        if is_problem and status < 500:
            document = self._decoded(response)
            passed = {k: v for k, v in response.headers.items() if k.lower() in ("retry-after",)}
            raise ServiceProblem(status, document, passed)
        log.error("%s service failed", self.name, extra={"status": status})
        raise BadGateway(f"The {self.name} service failed (status {status}).")

    def _decoded(self, response: urllib3.BaseHTTPResponse) -> Any:
        try:
            return jsonlib.loads(response.data)
        except ValueError as exc:
            raise BadGateway(f"The {self.name} service answered unreadable JSON.") from exc


@dataclass
class Services:
    """The three services the gateway fronts."""

    program: ServiceClient
    logging: ServiceClient
    progression: ServiceClient

    def close(self) -> None:
        """Close every connection pool."""
        for client in (self.program, self.logging, self.progression):
            client.close()
