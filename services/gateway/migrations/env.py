"""Alembic environment of the gateway service."""

from gateway_service.repository import Base
from myokine.migrations import run_migrations_online

run_migrations_online(Base.metadata)
