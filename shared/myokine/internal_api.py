"""What every internal service's routes depend on, declared once.

`ServiceRuntime.create_app` keeps the runtime and the service's unit-of-work factory on
`app.state`; these dependencies read them from there, so a route's signature says what
it needs (`CallerDep`, `IdempotencyDep`, a service's own `UowDep`) and a test app built
with another unit of work needs no patching.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Header, Request

from myokine.idempotency import IdempotentRequest, fingerprint
from myokine.internal_auth import Caller, caller_from_header
from myokine.unit_of_work import UnitOfWork


async def current_caller(
    request: Request, authorization: Annotated[str | None, Header()] = None
) -> Caller:
    """The caller the gateway vouched for in the internal token."""
    # Async though it does not wait: a plain function would cost a trip to the thread pool
    # on every call; checking an HMAC is quicker than that trip.
    secret: str = request.app.state.runtime.settings.internal_token_secret
    return caller_from_header(authorization, secret)


CallerDep = Annotated[Caller, Depends(current_caller)]


async def _request_of(request: Request, key: str) -> IdempotentRequest:
    body = await request.body()
    return IdempotentRequest(key, fingerprint(request.method, request.url.path, body))


async def idempotent_request(
    request: Request,
    key: Annotated[
        str | None, Header(alias="Idempotency-Key", min_length=1, max_length=255)
    ] = None,
) -> IdempotentRequest | None:
    """The write's Idempotency-Key with the fingerprint of its request, if a key was sent."""
    return None if key is None else await _request_of(request, key)


async def required_idempotent_request(
    request: Request,
    key: Annotated[str, Header(alias="Idempotency-Key", min_length=1, max_length=255)],
) -> IdempotentRequest:
    """The write's Idempotency-Key (422 naming the header when it is missing)."""
    return await _request_of(request, key)


IdempotencyDep = Annotated[IdempotentRequest | None, Depends(idempotent_request)]
RequiredIdempotencyDep = Annotated[IdempotentRequest, Depends(required_idempotent_request)]


async def unit_of_work(request: Request) -> UnitOfWork[Any]:
    """A fresh unit of work for this request, from the factory the app was built with
    (async for the reason `current_caller` is: making one opens nothing yet)."""
    uow: UnitOfWork[Any] = request.app.state.unit_of_work()
    return uow
