"""The program service's own kinds of problem+json, beside the shared ones."""

from __future__ import annotations

from myokine.problems import NotFound, Problem


class NoAssignment(NotFound):
    """The member has no active assignment."""

    kind, title = "no-assignment", "No active assignment"


class NonConformingProgram(Problem):
    """A program breaks the protocol and is not marked as an exception.

    The problem document lists the violations under `violations`.
    """

    status, kind, title = 422, "non-conforming-program", "The program does not follow the protocol"
