"""What makes two writes "the same request" for an Idempotency-Key.

Each service stores keys in its own table with its own scope (per member, per chain);
what they share is how a request is fingerprinted, so a retry is recognised the same way
everywhere.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass


@dataclass(frozen=True)
class IdempotentRequest:
    """A write's Idempotency-Key and the fingerprint of what it asked."""

    key: str
    fingerprint: str


def fingerprint(method: str, path: str, body: bytes) -> str:
    """SHA-256 of method, path and body; JSON bodies are compared by content, not spacing."""
    try:
        canonical = json.dumps(json.loads(body), sort_keys=True, separators=(",", ":")).encode()
    except ValueError:
        canonical = body
    digest = hashlib.sha256()
    for part in (method.upper().encode(), path.encode(), canonical):
        digest.update(part)
        digest.update(b"\0")
    return digest.hexdigest()
