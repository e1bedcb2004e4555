"""The kiosk and trainer dashboard pages the gateway serves, and their server-drawn charts."""

from __future__ import annotations

from gateway_service.web.routes import router

__all__ = ["router"]
