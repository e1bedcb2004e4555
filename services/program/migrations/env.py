"""Alembic environment of the program service."""

from myokine.migrations import run_migrations_online
from program_service.repository import Base

run_migrations_online(Base.metadata)
