"""The settings base every service builds on.

Every setting comes from the environment (or a `.env` file) through pydantic-settings;
nothing else in the code base reads `os.environ`. Production mode refuses to start with
the development secrets below.
"""

from __future__ import annotations

from typing import Literal, Self

from pydantic import Field, create_model, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url

DEV_SECRET = "dev-only-not-a-secret-change-me-in-production"


class ServiceSettings(BaseSettings):
    """Settings every Myokine process needs: where its database and broker are, who it is."""

    # An error about a setting must not print the environment it was read from (secrets).
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", hide_input_in_errors=True)

    service_name: str = "myokine"
    environment: Literal["local", "test", "production"] = Field(
        default="local", validation_alias="MYOKINE_ENV"
    )

    database_url: str = Field(
        default="postgresql://postgres@127.0.0.1:5432/postgres",
        description="A PostgreSQL server; each service uses its own database on it.",
    )
    db_prefix: str = Field(
        default="myokine_",
        description="Each service's database is named <db_prefix><service>.",
    )
    service_database_url: str | None = Field(
        default=None,
        description="Overrides the database of this one service (e.g. LOGGING_DATABASE_URL).",
    )
    database_pool_size: int = Field(
        default=10,
        ge=1,
        le=200,
        description=(
            "Connections each process keeps open to its database; an API also runs at most "
            "this many blocking calls at once, so a burst waits for a connection instead of "
            "opening one (a new server process) per request."
        ),
    )
    database_max_overflow: int = Field(
        default=10,
        ge=0,
        le=200,
        description="Connections a process may open beyond its pool at a peak, closed after use.",
    )
    redis_url: str = "redis://127.0.0.1:6379/0"

    internal_token_secret: str = DEV_SECRET
    internal_token_ttl_seconds: int = 120

    http_host: str = "127.0.0.1"
    http_port: int = 8000

    api_processes: int = Field(
        default=1,
        ge=1,
        le=64,
        description="Processes serving this service's HTTP API (uvicorn workers) on one host.",
    )
    worker_concurrency: int = Field(
        default=1,
        ge=1,
        le=64,
        description="Tasks this service's worker runs at once (Celery prefork children).",
    )

    max_body_bytes: int = Field(
        default=64 * 1024,
        ge=1024,
        description="The largest request body a call takes (413 beyond); uploads excepted.",
    )
    max_upload_bytes: int = Field(
        default=16 * 1024 * 1024,
        ge=1024,
        description="The largest body of an upload call (the member import).",
    )

    log_format: Literal["json", "console"] = "console"
    log_level: str = "INFO"

    celery_visibility_timeout: int = Field(
        default=30,
        ge=30,
        description=(
            "Seconds before Redis hands an unacknowledged task to another worker: how soon "
            "the task of a worker that died is redelivered. Tasks take milliseconds and a "
            "retry waits at most 15 s unacknowledged; a redelivery of a task still running "
            "finds its event in the inbox and does nothing."
        ),
    )
    task_max_retries: int = 12
    metrics_port: int | None = Field(
        default=None,
        description=(
            "The port a worker or a relay serves its Prometheus metrics on (GET /metrics); "
            "unset, they serve none. The API serves /metrics on its own port."
        ),
    )
    relay_poll_interval: float = 0.2
    relay_batch_size: int = 200
    beat_schedule_file: str = Field(
        default="celerybeat-schedule",
        description="Where a worker run with --beat keeps its schedule state.",
    )

    @property
    def sqlalchemy_url(self) -> str:
        """The SQLAlchemy URL of this service's own database, with the psycopg 3 driver."""
        if self.service_database_url:
            url = make_url(self.service_database_url)
        else:
            url = make_url(self.database_url).set(database=self.database_name)
        return url.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)

    @property
    def database_name(self) -> str:
        """The name of this service's own database."""
        if self.service_database_url:
            name = make_url(self.service_database_url).database
            assert name, "a service database URL must name its database"
            return name
        return f"{self.db_prefix}{self.service_name}"

    def secrets(self) -> dict[str, str]:
        """The secrets production requires to be long and random (`secret_weakness`)."""
        return {"INTERNAL_TOKEN_SECRET": self.internal_token_secret}

    @model_validator(mode="after")
    def _refuse_weak_secrets_in_production(self) -> Self:
        if self.environment == "production":
            weak = [
                f"{name} ({why})"
                for name, value in self.secrets().items()
                if (why := secret_weakness(value)) is not None
            ]
            if weak:
                # Names and reasons only: a secret's value never reaches an error or a log.
                raise ValueError(f"production mode refuses weak secrets: {'; '.join(weak)}")
        return self


def settings_of(service: str) -> ServiceSettings:
    """The settings `service` reads, as far as the base holds them: its own database
    (`<SERVICE>_DATABASE_URL`, else `<DB_PREFIX><service>` on `DATABASE_URL`'s server) and
    Redis. For the operator's commands that reach every service's database from one
    process, which may not import another service's package."""
    own = create_model(
        f"{service.capitalize()}Settings",
        __base__=ServiceSettings,
        service_name=(str, service),
        service_database_url=(
            str | None,
            Field(default=None, validation_alias=f"{service.upper()}_DATABASE_URL"),
        ),
    )
    return own()


MIN_SECRET_BYTES = 32
MIN_SECRET_DISTINCT = 8


def secret_weakness(value: str) -> str | None:
    """Why `value` is no production secret (None when it will do): the development value,
    fewer than 32 bytes, or too few distinct characters to be random (`openssl rand -hex 32`
    passes)."""
    if value == DEV_SECRET:
        return "the development value"
    if len(value.encode()) < MIN_SECRET_BYTES:
        return f"shorter than {MIN_SECRET_BYTES} bytes"
    if len(set(value)) < MIN_SECRET_DISTINCT:
        return "not random: too few distinct characters"
    return None
