"""The logging repository in memory, for the handler tests: the same methods, no database.

It subclasses the `LoggingRepository` protocol, so mypy holds it to the real one's
signatures. Rows are the service's own models, kept in dicts; a handler's changes to
them stay, as a committed transaction's would.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime

from logging_service.domain.pagination import Cursor, PageRequest
from logging_service.repository import (
    LoggedSetRow,
    LoggingRepository,
    MemberState,
    SetChange,
    WorkoutSession,
)


def _older_than(at: datetime, id_: uuid.UUID, cursor: Cursor | None) -> bool:
    return cursor is None or (at, id_) < (cursor.at, cursor.id)


def _oldest_first(row: LoggedSetRow) -> tuple[datetime, int, uuid.UUID]:
    return (row.performed_at, row.set_number, row.id)


class FakeLoggingRepository(LoggingRepository):
    """Sessions, sets, audit trail and member sequences in memory."""

    def __init__(self) -> None:
        self.sessions: dict[uuid.UUID, WorkoutSession] = {}
        self.sets: dict[uuid.UUID, LoggedSetRow] = {}
        self.changes: list[SetChange] = []
        self.seqs: dict[uuid.UUID, int] = {}
        self.reply_times: dict[str, datetime] = {}
        """When each stored Idempotency-Key answer was made (the tests fill it in)."""
        self.calls: list[str] = []
        """The methods called, in order: tells when the member's lock was taken."""
        self.catalog: dict[tuple[uuid.UUID, str], tuple[str, int]] = {}
        """(chain, slug) -> (equipment, version)."""
        self.erased_members: set[uuid.UUID] = set()

    def chain_equipment(self, chain_id: uuid.UUID, slug: str) -> str | None:
        kept = self.catalog.get((chain_id, slug))
        return kept[0] if kept else None

    def keep_chain_exercise(
        self, chain_id: uuid.UUID, slug: str, equipment: str, version: int
    ) -> None:
        kept = self.catalog.get((chain_id, slug))
        if kept is None or kept[1] < version:
            self.catalog[(chain_id, slug)] = (equipment, version)

    def lock_member(self, chain_id: uuid.UUID, member_id: uuid.UUID) -> None:
        """Note the lock and create the member's sequence."""
        self.calls.append("lock_member")
        self.seqs.setdefault(member_id, 0)

    def next_seq(self, member_id: uuid.UUID) -> int:
        """The member's next sequence number; as on PostgreSQL, only after `lock_member`."""
        self.calls.append("next_seq")
        assert member_id in self.seqs, "next_seq before lock_member"
        self.seqs[member_id] += 1
        return self.seqs[member_id]

    def member_state(self, chain_id: uuid.UUID, member_id: uuid.UUID) -> MemberState:
        """As on PostgreSQL, only after `lock_member`."""
        self.calls.append("member_state")
        assert member_id in self.seqs, "member_state before lock_member"
        return MemberState(
            erased=member_id in self.erased_members, open_session=self._open(chain_id, member_id)
        )

    def get_session(
        self, session_id: uuid.UUID, *, for_update: bool = False
    ) -> WorkoutSession | None:
        self.calls.append("get_session")
        return self.sessions.get(session_id)

    def add_session(self, ws: WorkoutSession) -> None:
        """Store a new session; like the unique index, refuse a second open one."""
        self.calls.append("add_session")
        assert self._open(ws.chain_id, ws.member_id) is None, "two open sessions"
        self.sessions[ws.id] = ws

    def add_set(
        self, row: LoggedSetRow, session: WorkoutSession, *, program_day: str | None
    ) -> int:
        """Store the set and its session (a new one, like the unique index, refusing a
        second open one); number the set, take the member's next seq."""
        self.calls.append("add_set")
        stored = self.sessions.get(session.id)
        if stored is None:
            assert self._open(session.chain_id, session.member_id) is None, "two open sessions"
            stored = self.sessions[session.id] = session
        stored.last_set_at = max(stored.last_set_at, row.performed_at)
        if stored.program_day is None:
            stored.program_day = program_day
        row.set_number = self.next_set_number(session.id, row.exercise)
        self.sets[row.id] = row
        return self.next_seq(row.member_id)

    def add_change(self, change: SetChange) -> None:
        self.calls.append("add_change")
        self.changes.append(change)

    def next_set_number(self, session_id: uuid.UUID, exercise: str) -> int:
        numbers = [
            s.set_number
            for s in self.sets.values()
            if s.session_id == session_id and s.exercise == exercise
        ]
        return max(numbers, default=0) + 1

    def count_sets(self, session_id: uuid.UUID) -> int:
        return len(self.sets_of_sessions([session_id]))

    def get_set(
        self,
        chain_id: uuid.UUID,
        member_id: uuid.UUID,
        set_id: uuid.UUID,
        *,
        for_update: bool = False,
    ) -> LoggedSetRow | None:
        row = self.sets.get(set_id)
        if row is None or (row.chain_id, row.member_id) != (chain_id, member_id):
            return None
        return row

    def sets_of_day(
        self, chain_id: uuid.UUID, member_id: uuid.UUID, day: date
    ) -> Sequence[LoggedSetRow]:
        return sorted(
            (
                s
                for s in self._sets_of(chain_id, member_id)
                if s.local_date == day and s.voided_at is None
            ),
            key=_oldest_first,
        )

    def changes_of_set(self, set_id: uuid.UUID) -> Sequence[SetChange]:
        return [c for c in self.changes if c.set_id == set_id]

    def changes_of_sets(self, set_ids: Sequence[uuid.UUID]) -> Sequence[SetChange]:
        return [c for c in self.changes if c.set_id in set_ids]

    def idle_sessions(self, last_set_by: datetime, *, limit: int) -> Sequence[WorkoutSession]:
        idle = [
            ws
            for ws in self.sessions.values()
            if ws.finished_at is None and ws.last_set_at <= last_set_by
        ]
        return sorted(idle, key=lambda ws: ws.last_set_at)[:limit]

    def page_of_sets(
        self,
        chain_id: uuid.UUID,
        member_id: uuid.UUID,
        page: PageRequest,
        *,
        include_voided: bool,
    ) -> Sequence[LoggedSetRow]:
        rows = [
            s
            for s in self._sets_of(chain_id, member_id)
            if (page.exercise is None or s.exercise == page.exercise)
            and (page.date_from is None or s.local_date >= page.date_from)
            and (page.date_to is None or s.local_date <= page.date_to)
            and (include_voided or s.voided_at is None)
            and _older_than(s.performed_at, s.id, page.cursor)
        ]
        rows.sort(key=lambda s: (s.performed_at, s.id), reverse=True)
        return rows[: page.limit + 1]

    def page_of_sessions(
        self,
        chain_id: uuid.UUID,
        member_id: uuid.UUID,
        page: PageRequest,
    ) -> Sequence[WorkoutSession]:
        rows = [
            ws
            for ws in self._sessions_of(chain_id, member_id)
            if (
                page.exercise is None
                or any(s.exercise == page.exercise for s in self.sets_of_sessions([ws.id]))
            )
            and (page.date_from is None or ws.local_date >= page.date_from)
            and (page.date_to is None or ws.local_date <= page.date_to)
            and _older_than(ws.opened_at, ws.id, page.cursor)
        ]
        rows.sort(key=lambda ws: (ws.opened_at, ws.id), reverse=True)
        return rows[: page.limit + 1]

    def sets_of_sessions(self, session_ids: Sequence[uuid.UUID]) -> Sequence[LoggedSetRow]:
        return sorted(
            (s for s in self.sets.values() if s.session_id in session_ids and s.voided_at is None),
            key=_oldest_first,
        )

    def all_sessions(self, chain_id: uuid.UUID, member_id: uuid.UUID) -> Sequence[WorkoutSession]:
        return sorted(self._sessions_of(chain_id, member_id), key=lambda ws: (ws.opened_at, ws.id))

    def all_sets(self, chain_id: uuid.UUID, member_id: uuid.UUID) -> Sequence[LoggedSetRow]:
        return sorted(self._sets_of(chain_id, member_id), key=_oldest_first)

    def forget_replies(self, *, before: datetime) -> int:
        """Drop the answers made before `before`; how many were dropped."""
        old = [key for key, at in self.reply_times.items() if at < before]
        for key in old:
            del self.reply_times[key]
        return len(old)

    def changes_of_member(self, chain_id: uuid.UUID, member_id: uuid.UUID) -> Sequence[SetChange]:
        return [c for c in self.changes if (c.chain_id, c.member_id) == (chain_id, member_id)]

    def erase_member(self, member_id: uuid.UUID) -> int:
        """Delete the member's rows; how many went."""
        self.calls.append("erase_member")
        sets = [k for k, s in self.sets.items() if s.member_id == member_id]
        sessions = [k for k, ws in self.sessions.items() if ws.member_id == member_id]
        changes = [c for c in self.changes if c.set_id in sets]
        for key in sets:
            del self.sets[key]
        for key in sessions:
            del self.sessions[key]
        self.changes = [c for c in self.changes if c not in changes]
        had_seq = self.seqs.pop(member_id, None) is not None
        self.erased_members.add(member_id)
        return len(sets) + len(sessions) + len(changes) + had_seq

    def _open(self, chain_id: uuid.UUID, member_id: uuid.UUID) -> WorkoutSession | None:
        return next(
            (ws for ws in self._sessions_of(chain_id, member_id) if ws.finished_at is None), None
        )

    def _sets_of(self, chain_id: uuid.UUID, member_id: uuid.UUID) -> list[LoggedSetRow]:
        return [s for s in self.sets.values() if (s.chain_id, s.member_id) == (chain_id, member_id)]

    def _sessions_of(self, chain_id: uuid.UUID, member_id: uuid.UUID) -> list[WorkoutSession]:
        return [
            ws
            for ws in self.sessions.values()
            if (ws.chain_id, ws.member_id) == (chain_id, member_id)
        ]
