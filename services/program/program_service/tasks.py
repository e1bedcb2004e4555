"""The program service's Celery consumers: parse the event, call a handler."""

from __future__ import annotations
