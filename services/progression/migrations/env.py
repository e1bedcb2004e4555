"""Alembic environment of the progression service."""

from myokine.migrations import run_migrations_online
from progression_service.repository import Base

run_migrations_online(Base.metadata)
