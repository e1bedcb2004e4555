"""The education cards of the member's timeline (docs/protocol.md §4).

One short card per stage of the timeline, each drawn from the article the protocol comes
from and worded as what research suggests, never as a promise: no cure, no guarantee, no
hormone level named as measured, no medical advice. A test keeps claim words out.
"""

from __future__ import annotations

from dataclasses import dataclass

SOURCE = (
    "\u201cYour Body\u2019s Internal Pharmacy\u201d, the article the Myokine protocol comes from, "
    "summarising research on resistance training"
)

CLAIM_WORDS = (
    "cure",
    "guarantee",
    "detox",
    "boosts your hormones",
    "hormone level",
    "prescri",
    "diagnos",
    "will make you",
)
"""Words that turn a card into a promise or medical advice; no card may contain them."""


@dataclass(frozen=True)
class EducationCard:
    """One stage's card, shown once the member reached the milestone that opens it."""

    stage: str
    title: str
    text: str
    opened_by: str
    """The milestone that opens the card (docs/protocol.md §4)."""
    source: str = SOURCE


CARDS: tuple[EducationCard, ...] = (
    EducationCard(
        stage="first_session",
        title="After one session",
        text=(
            "Research suggests that a single session of resistance training can improve "
            "how well blood vessels work in the hours after it."
        ),
        opened_by="first_session",
    ),
    EducationCard(
        stage="first_weeks",
        title="The first weeks",
        text=(
            "Research suggests that in the first weeks of regular training many people "
            "notice more energy, sharper focus and deeper sleep. How much varies from "
            "person to person."
        ),
        opened_by="first_protocol_week",
    ),
    EducationCard(
        stage="months",
        title="Over months",
        text=(
            "Research suggests that months of progressive training build strength and can "
            "shift body composition. Your own strength change is shown beside this card."
        ),
        opened_by="initial_adaptation",
    ),
    EducationCard(
        stage="long_term",
        title="The long term",
        text=(
            "Research suggests that years of resistance training help keep bones dense and "
            "may help keep long-term inflammation in check."
        ),
        opened_by="strength_check",
    ),
)
