"""Which characters no text the system takes may hold, wherever the text comes from.

C0 controls but tab, line feed and carriage return (text may hold lines), DEL, C1 controls
and the surrogates (which json.loads lets through alone, and UTF-8 cannot carry).
PostgreSQL refuses NUL in text outright; the others are never typed by a person and
turn logs, CSV exports and pages into something other than what was meant.
"""

from __future__ import annotations

import re

FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
MESSAGE = "Control characters (such as NUL) are not allowed here."


def has_control_characters(text: str) -> bool:
    """Whether `text` holds a character of `FORBIDDEN`."""
    return FORBIDDEN.search(text) is not None
