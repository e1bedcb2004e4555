"""The logging service's Celery tasks: the catalog events it consumes, and its periodic jobs."""

from __future__ import annotations

from typing import TYPE_CHECKING

from logging_service import handlers
from myokine.events import ExerciseAdded, ExerciseChanged, MemberErased

if TYPE_CHECKING:
    from logging_service.bootstrap import Dependencies

AUTO_FINISH_TASK = "logging.auto_finish_idle_sessions"
FORGET_KEYS_TASK = "logging.forget_old_idempotency_keys"
FORGET_KEYS_EVERY_SECONDS = 3600.0


def register(deps: Dependencies) -> None:
    """Register the consumers of the chains' catalogs (`ExerciseAdded`, `ExerciseChanged`)
    and of erasures (`MemberErased`), the worker's request to catch up on the catalogs when
    it starts, and the periodic tasks and their beat schedule (`worker --beat` runs them).

    Idle sessions are finished at most `LOGGING_AUTO_FINISH_INTERVAL` seconds after
    their 3 hours.
    """
    deps.runtime.consume(
        ExerciseAdded, lambda event: handlers.on_exercise_added(deps.unit_of_work(), event)
    )
    deps.runtime.consume(
        ExerciseChanged, lambda event: handlers.on_exercise_changed(deps.unit_of_work(), event)
    )
    deps.runtime.consume(
        MemberErased, lambda event: handlers.on_member_erased(deps.unit_of_work(), event)
    )
    deps.runtime.on_worker_start(lambda: handlers.request_catch_up(deps.unit_of_work()))
    celery = deps.runtime.celery
    auto_finish_every = deps.settings.auto_finish_interval_seconds

    @celery.task(name=AUTO_FINISH_TASK, shared=False)  # type: ignore[untyped-decorator]
    def auto_finish_idle_sessions() -> int:
        return handlers.auto_finish_idle_sessions(deps.unit_of_work(), now=deps.clock())

    @celery.task(name=FORGET_KEYS_TASK, shared=False)  # type: ignore[untyped-decorator]
    def forget_old_idempotency_keys() -> int:
        return handlers.forget_old_idempotency_keys(deps.unit_of_work(), now=deps.clock())

    # A missed run is harmless: the next one finds the same idle sessions.
    celery.conf.beat_schedule = {
        AUTO_FINISH_TASK: {
            "task": AUTO_FINISH_TASK,
            "schedule": auto_finish_every,
            "options": {"expires": auto_finish_every},
        },
        FORGET_KEYS_TASK: {
            "task": FORGET_KEYS_TASK,
            "schedule": FORGET_KEYS_EVERY_SECONDS,
            "options": {"expires": FORGET_KEYS_EVERY_SECONDS},
        },
    }
