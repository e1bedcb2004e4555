"""The gateway service's tables and queries, on its own database."""

from __future__ import annotations

from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    """The gateway service's tables (its outbox, inbox and dead letters are added by main)."""
