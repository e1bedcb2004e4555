"""Where a service's processes write their metrics, prepared before any metric exists.

prometheus_client decides at import whether values live in memory (one process) or in
files under `PROMETHEUS_MULTIPROC_DIR` (several processes: uvicorn's, Celery's pool), so
each service's `__main__` calls `prepare_metrics_dir` before it imports anything else.
This module imports nothing of prometheus_client for that reason.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path

MULTIPROCESS_DIR = "PROMETHEUS_MULTIPROC_DIR"
LONG_RUNNING_ROLES = frozenset({"api", "worker", "relay"})


def prepare_metrics_dir(argv: Sequence[str]) -> None:
    """Give a long-running role (`argv[1]`: api, worker, relay) an empty metrics folder.

    The operator's `PROMETHEUS_MULTIPROC_DIR` (one per container, never shared by two
    roles) is emptied of an earlier run's files; without one, a temporary folder is made
    for this process and its children and removed when it exits. A probe or a one-off
    command (`ready`, `dead-letters`) leaves the folder alone: it would wipe what the
    running API counted.
    """
    if len(argv) < 2 or argv[1] not in LONG_RUNNING_ROLES:
        return
    given = os.environ.get(MULTIPROCESS_DIR)
    if given:
        folder = Path(given)
        folder.mkdir(parents=True, exist_ok=True)
        for stale in folder.glob("*.db"):
            stale.unlink()
        return
    made = tempfile.mkdtemp(prefix=f"myokine-metrics-{argv[1]}-")
    os.environ[MULTIPROCESS_DIR] = made
    atexit.register(shutil.rmtree, made, ignore_errors=True)
