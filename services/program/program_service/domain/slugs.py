"""Exercise slugs: lowercase words joined by hyphens, stable once given."""

from __future__ import annotations

import re
import unicodedata

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
MAX_SLUG_LENGTH = 64


def slugify(name: str) -> str:
    """The slug of an exercise name: `Bulgarian Split-Squat (DB)` -> `bulgarian-split-squat-db`.

    Accents are folded to plain letters; anything else that is not a letter or a digit
    separates words. The result may be empty when the name has no letters or digits.
    """
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    words = re.findall(r"[a-z0-9]+", folded.lower())
    return "-".join(words)[:MAX_SLUG_LENGTH].strip("-")


def is_valid_slug(slug: str) -> bool:
    """Whether `slug` has the shape of a slug."""
    return len(slug) <= MAX_SLUG_LENGTH and re.fullmatch(SLUG_PATTERN, slug) is not None
