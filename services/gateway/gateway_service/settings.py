"""The gateway service's settings."""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field

from myokine.settings import DEV_SECRET, ServiceSettings


class Settings(ServiceSettings):
    """Settings of the gateway service (see .env.example)."""

    service_name: str = "gateway"
    http_port: int = Field(default=8000, validation_alias="GATEWAY_HTTP_PORT")
    service_database_url: str | None = Field(default=None, validation_alias="GATEWAY_DATABASE_URL")

    program_url: str = "http://127.0.0.1:8001"
    logging_url: str = "http://127.0.0.1:8002"
    progression_url: str = "http://127.0.0.1:8003"

    jwt_secret: str = DEV_SECRET
    trainer_token_ttl_seconds: int = 900
    # A trainer's refresh token: the dashboard gets a new access token with it silently,
    # each refresh answering a new one; a trainer idle this long signs in again.
    trainer_refresh_ttl_seconds: int = Field(default=14 * 24 * 3600, ge=300)
    # A member token serves a whole visit (several sets with long rests between); the
    # kiosk, not the token, signs an idle member out.
    member_token_ttl_seconds: int = 14400
    # The kiosk signs a member out after this long without a touch: the longest rest a
    # program prescribes (5 min) and a margin. The last seconds show a countdown.
    kiosk_idle_seconds: int = Field(default=600, ge=60)
    kiosk_idle_warning_seconds: int = Field(default=20, ge=5)
    # Members signed in at one kiosk at once (sharing a rack, alternating sets).
    kiosk_open_members: int = Field(default=3, ge=1, le=8)

    # Reads fan out and must answer a kiosk quickly; a write may wait a little longer
    # for its service before the gateway gives up with 503.
    service_connect_timeout: float = 1.0
    service_read_timeout: float = 3.0
    service_write_timeout: float = 5.0
    retry_after_seconds: int = 5

    # The PIN backoff (docs/design.md, "Wrong PINs"): wrong PINs of one badge at one
    # kiosk, then of one badge at every kiosk of the chain, then of every badge at one
    # kiosk. Past its free failures each scope makes attempts wait, from the first wait
    # doubling up to its longest; it forgives one failure per longest wait.
    pin_failures_before_backoff: int = Field(default=5, ge=1)
    pin_backoff_first_seconds: int = Field(default=30, ge=1)
    pin_backoff_max_seconds: int = Field(default=900, ge=1)
    # The chain's backstop: more failures, short waits, so nobody locks a member out of
    # every kiosk for long.
    pin_chain_failures_before_backoff: int = Field(default=20, ge=1)
    pin_chain_backoff_max_seconds: int = Field(default=180, ge=1)
    pin_kiosk_failures_before_backoff: int = Field(default=20, ge=1)
    pin_kiosk_backoff_max_seconds: int = Field(default=300, ge=1)

    kiosk_rate_limit_per_minute: int = 120
    trainer_rate_limit_per_minute: int = 300
    login_rate_limit_per_minute: int = 20
    # Redis key prefix of the counters, so deployments (or test runs) sharing a Redis
    # count apart.
    rate_limit_namespace: str = "myokine:gateway:rate"

    # Webhooks (docs/design.md, "Webhooks"): each POST waits this long for its
    # receiver; a failed one is tried again after waits growing threefold from the first
    # up to the longest, until this many tries in all (about 15 hours): then it is failed
    # for good, kept for a chain admin to replay.
    webhook_timeout_seconds: float = Field(default=5.0, gt=0, le=30)
    webhook_retry_first_seconds: float = Field(default=10.0, gt=0)
    webhook_retry_max_seconds: float = Field(default=6 * 3600.0, gt=0)
    webhook_max_attempts: int = Field(default=10, ge=1)
    webhook_batch_size: int = Field(default=50, ge=1)
    webhook_concurrency: int = Field(default=8, ge=1, le=64)
    # A chain admin may not point a webhook at a private or loopback address (the services
    # behind the gateway) unless this is true: for a CRM on the same private network.
    webhook_allow_private_urls: bool = False

    def secrets(self) -> dict[str, str]:
        """The secrets that production must not leave at their development values."""
        return {**super().secrets(), "JWT_SECRET": self.jwt_secret}


@lru_cache
def get_settings() -> Settings:
    """The settings, read from the environment once."""
    return Settings()
