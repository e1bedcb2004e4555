"""The kiosk and dashboard pages, their static files, and the dashboard's two reads.

The pages are plain HTML, CSS and ES modules in `static/` (no build step, nothing fetched
at run time): they call the public API like any other client. Only the files listed in
that folder are served, each with its media type.
"""

from __future__ import annotations

import uuid
from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse, RedirectResponse

from gateway_service.api.deps import DepsDep, NowDep, TrainerDep, UowDep
from gateway_service.api.errors import problems
from gateway_service.schemas.dashboard import ChartsOut, OverviewOut
from gateway_service.web import dashboard
from myokine.problems import NotFound

STATIC = Path(__file__).resolve().parent / "static"
MEDIA_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".svg": "image/svg+xml",
}
# Pages change with each release and kiosks stay on for weeks: revalidate every load.
NO_STALE_COPIES = {
    "Cache-Control": "no-cache",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    ),
    "Referrer-Policy": "no-referrer",
}
SERVED = {
    path.name: path
    for path in sorted(STATIC.iterdir())
    if path.is_file() and path.suffix in MEDIA_TYPES
}

router = APIRouter(tags=["pages"])


def _file(name: str) -> FileResponse:
    path = SERVED.get(name)
    if path is None:
        raise NotFound("No such file.")
    return FileResponse(path, media_type=MEDIA_TYPES[path.suffix], headers=NO_STALE_COPIES)


@router.get("/", include_in_schema=False)
def home() -> RedirectResponse:
    """The gateway's root leads to the dashboard."""
    return RedirectResponse("/dashboard")


@router.get("/kiosk", include_in_schema=False)
def kiosk_page() -> FileResponse:
    """The kiosk page (touch screen at the gym)."""
    return _file("kiosk.html")


@router.get("/dashboard", include_in_schema=False)
def dashboard_page() -> FileResponse:
    """The trainer dashboard page."""
    return _file("dashboard.html")


@router.get("/static/{name}", include_in_schema=False)
def static_file(name: str) -> FileResponse:
    """A stylesheet, script or image of the pages."""
    return _file(name)


@router.get(
    "/dashboard/api/overview",
    summary="The dashboard's first screen: every gym's members and their week",
    description=(
        "Per gym of the chain (members by home gym): each member's pattern counts this "
        "ISO week (the gym's local week), stalled lifts, and PRs set this week. A member "
        "whose progress cannot be read now is listed with `available: false`."
    ),
    responses=problems(401, 403),
)
def overview(deps: DepsDep, uow: UowDep, trainer: TrainerDep, now: NowDep) -> OverviewOut:
    """Gyms and their members' week."""
    return dashboard.overview(uow, deps.services, trainer, now=now)


@router.get(
    "/dashboard/api/members/{member_id}/charts",
    summary="A member's e1RM chart per lift and weekly adherence, as SVG",
    responses=problems(401, 403, 404, 503),
)
def member_charts(
    deps: DepsDep, uow: UowDep, trainer: TrainerDep, member_id: uuid.UUID
) -> ChartsOut:
    """Server-drawn charts of one member of the trainer's chain."""
    return dashboard.member_charts(uow, deps.services, trainer, member_id)
