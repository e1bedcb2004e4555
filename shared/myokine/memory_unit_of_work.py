"""The unit of work in memory, for the handler tests: no database, thousands a second.

It keeps what the real one would have written where a test can look: the events that
reached the outbox, the answers stored under Idempotency-Keys, the events in the inbox
and how often it committed. Each service's tests give it a fake repository.
"""

from __future__ import annotations

import uuid

from myokine.events import Event
from myokine.idempotency import IdempotentRequest
from myokine.problems import Conflict
from myokine.unit_of_work import Remembered, Reply, Repo, UnitOfWork


class MemoryUnitOfWork(UnitOfWork[Repo]):
    """A unit of work over an in-memory repository."""

    def __init__(self, repo: Repo) -> None:
        super().__init__()
        self.repo = repo
        self.outbox: list[Event] = []
        """Events committed, in the order they would leave."""
        self.replies: dict[tuple[str, str], tuple[str, Reply | None]] = {}
        """(scope, key) -> (fingerprint, answer)."""
        self.inbox: set[uuid.UUID] = set()
        self.commits = 0
        self.rollbacks = 0
        self._pending_inbox: set[uuid.UUID] = set()
        self._pending_claim: tuple[str, str] | None = None

    def first_delivery(self, event: Event) -> bool:
        """Record a consumed event in the inbox; False when it was applied before."""
        if event.event_id in self.inbox or event.event_id in self._pending_inbox:
            return False
        self._pending_inbox.add(event.event_id)
        return True

    def forget_messages_about(self, member_id: uuid.UUID) -> int:
        """Drop the committed events and stored answers that name a member; how many went."""
        name = str(member_id)
        kept = [e for e in self.outbox if name not in e.model_dump_json()]
        answers = [
            stored
            for stored, (_, answer) in self.replies.items()
            if name in stored[0] or (answer is not None and name in answer.body)
        ]
        for stored in answers:
            del self.replies[stored]
        forgotten = len(self.outbox) - len(kept) + len(answers)
        self.outbox = kept
        return forgotten

    def _begin(self) -> None:
        self._pending_inbox = set()
        self._pending_claim = None

    def _end(self, *, committed: bool) -> None:
        if committed:
            return
        self.rollbacks += 1
        if self._pending_claim is not None:
            del self.replies[self._pending_claim]
        self._pending_inbox = set()

    def _claim(self, scope: str, request: IdempotentRequest) -> Reply | None:
        stored = self.replies.get((scope, request.key))
        if stored is None:
            self.replies[(scope, request.key)] = (request.fingerprint, None)
            self._pending_claim = (scope, request.key)
            return None
        fingerprint, answer = stored
        if fingerprint != request.fingerprint:
            raise Conflict("This Idempotency-Key was used with another request.")
        assert answer is not None
        return answer

    def _commit(self, remembered: Remembered | None, events: list[Event]) -> None:
        if remembered is not None:
            request = remembered.request
            self.replies[(remembered.scope, request.key)] = (request.fingerprint, remembered.answer)
        self.outbox.extend(events)
        self.commits += 1
        self.inbox |= self._pending_inbox
        self._pending_inbox = set()
        self._pending_claim = None
