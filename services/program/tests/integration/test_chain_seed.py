"""A chain's catalog and ready-made programs are seeded by its first call, exactly once."""

from __future__ import annotations

import time
import uuid
from concurrent.futures import ThreadPoolExecutor

from program_service.bootstrap import Dependencies


def _claim(deps: Dependencies, chain_id: uuid.UUID) -> bool:
    uow = deps.unit_of_work()
    with uow:
        claimed = uow.repo.claim_chain(chain_id)
        uow.commit()
    return claimed


def test_concurrent_first_calls_seed_a_chain_once(deps: Dependencies, db: None) -> None:
    chain_id = uuid.uuid4()
    first = deps.unit_of_work()
    with first, ThreadPoolExecutor(1) as pool:
        assert first.repo.claim_chain(chain_id)
        second = pool.submit(_claim, deps, chain_id)
        time.sleep(0.3)
        assert not second.done(), "the second first call waits for the first's claim"
        first.commit()
        assert second.result(timeout=5) is False
    assert _claim(deps, chain_id) is False, "a later call finds the chain seeded"
