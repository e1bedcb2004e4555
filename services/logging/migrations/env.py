"""Alembic environment of the logging service."""

from logging_service.repository import Base
from myokine.migrations import run_migrations_online

run_migrations_online(Base.metadata)
