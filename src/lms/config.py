"""One Settings object for the whole LMS (environment prefix ``LMS_``)."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LMS_", env_file=".env", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    site_name: str = "JNTU GV LMS"
    institution_name: str = "Jawaharlal Nehru Technological University Gurajada Vizianagaram"
    public_url: str = "http://127.0.0.1:8000"

    host: str = "127.0.0.1"
    port: int = 8000
    data_dir: Path = Path("var")
    database_url: str = ""
    database_echo: bool = False
    redis_url: str = ""
    redis_prefix: str = "lms:"

    # Tokens
    jwt_private_key_file: Path | None = None
    jwt_public_key_file: Path | None = None
    jwt_issuer: str = "jntugv-lms"
    jwt_audience: str = "jntugv-lms-api"
    access_token_ttl_seconds: int = 900
    refresh_token_ttl_seconds: int = 30 * 24 * 3600
    refresh_cookie_name: str = "lms_refresh"
    cookie_secure: bool = False

    # Passwords
    bcrypt_rounds: int = Field(default=10, ge=4, le=16)
    email_verify_ttl_seconds: int = 48 * 3600
    password_reset_ttl_seconds: int = 3600

    # Brute force and rate limits ("requests/seconds")
    rate_limit_enabled: bool = True
    rate_limit_default: str = "1000/900"
    rate_limit_auth: str = "60/900"
    login_failures_per_account_hour: int = 100
    login_failures_per_account_ip: int = 10
    login_failures_per_account_ip_window: int = 900
    login_failures_per_ip: int = 200
    trust_proxy_headers: bool = False

    # Request bodies
    max_body_bytes: int = 1_048_576
    # Uploaded course media (videos, attachments, thumbnails): stored under media_dir
    media_root: Path | None = None  # default: <data_dir>/media
    media_max_bytes: int = Field(default=2 * 1024**3, ge=1024)  # one upload; lectures run to a few GB
    media_link_ttl_seconds: int = Field(default=6 * 3600, ge=60)  # signed download links expire

    # Mail
    mail_backend: Literal["file", "smtp"] = "file"
    mail_from: str = "JNTU GV LMS <no-reply@jntugv.edu.in>"
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 25
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = False
    smtp_use_tls: bool = False
    smtp_timeout_seconds: float = 10.0

    # Events
    run_relay_in_process: bool = True
    relay_poll_seconds: float = 1.0

    # Logging
    log_level: str = "INFO"
    log_json: bool = True
    otel_endpoint: str = ""  # OTLP/HTTP collector (e.g. http://jaeger:4318); traces are off when empty
    otel_service_name: str = "jntugv-lms"

    web_dist_dir: Path | None = None

    # --- notifications / analytics ---
    ws_heartbeat_seconds: float = 25.0
    ws_auth_timeout_seconds: float = 10.0
    analytics_max_days_daily: int = 366
    analytics_max_days: int = 3660
    analytics_cache_seconds: int = 30
    # Anonymous catalog, course page and search answers and catalog totals are reused this long (per
    # process). Course changes through the API show at once (cache versions); 0 turns caching off.
    catalog_cache_seconds: float = Field(default=10.0, ge=0)
    # --- events / worker / email ---
    event_broker: Literal["inprocess", "redis", "kafka"] = "inprocess"
    event_batch_size: int = Field(default=100, ge=1, le=10_000)
    event_block_seconds: float = 2.0  # how long a stream read waits for new entries
    event_max_attempts: int = Field(default=5, ge=1)  # per consumer and event, then dead letter
    event_backoff_base_seconds: float = 0.5
    event_backoff_max_seconds: float = 60.0
    event_reclaim_idle_seconds: float = 60.0  # a pending entry idle this long is taken over
    redis_stream_maxlen: int = 1_000_000  # approximate cap per stream; 0 keeps everything
    kafka_bootstrap_servers: str = "127.0.0.1:9092"
    kafka_client_id: str = "jntugv-lms"
    kafka_topic_prefix: str = ""  # topics are the event types, as in the seed
    kafka_linger_ms: int = 5
    scheduler_tick_seconds: float = 15.0
    outbox_retention_days: int = 7
    processed_events_retention_days: int = 30
    email_max_attempts: int = Field(default=6, ge=1)
    email_retry_base_seconds: float = 60.0  # SMTP retry backoff: base, 2x, 4x, ...
    email_secret: str = ""  # signs unsubscribe links; derived from the JWT key when empty
    reminder_lead_hours: int = Field(default=24, ge=1, le=24 * 14)  # remind this long before a quiz closes
    digest_hour_utc: int = Field(default=6, ge=0, le=23)  # daily digests go out from this hour on
    # --- quizzes / certificates ---
    # Answers saved this many seconds after an attempt's deadline still count (network latency).
    quiz_deadline_grace_seconds: int = Field(default=5, ge=0, le=300)
    quiz_regex_max_length: int = Field(default=200, ge=1, le=1000)
    quiz_answer_max_chars: int = Field(default=20_000, ge=100)
    certificate_signing_key_file: Path | None = None
    certificate_code_prefix: str = "JNTUGV"

    @field_validator("data_dir")
    @classmethod
    def _absolute(cls, v: Path) -> Path:
        return v.expanduser().resolve()

    @model_validator(mode="after")
    def _defaults(self) -> Settings:
        if not self.database_url:
            self.database_url = f"sqlite:///{self.data_dir / 'lms.db'}"
        return self

    @cached_property
    def async_database_url(self) -> str:
        return to_async_url(self.database_url)

    @property
    def media_dir(self) -> Path:
        return self.media_root or self.data_dir / "media"

    @property
    def mail_dir(self) -> Path:
        return self.data_dir / "mail"

    @property
    def keys_dir(self) -> Path:
        return self.data_dir / "keys"

    # --- payments ---
    payments_currencies: list[str] = ["INR", "USD"]
    payments_order_ttl_minutes: int = Field(default=30, ge=1)
    payments_reconcile_after_minutes: int = Field(default=15, ge=0)
    payments_provider_timeout_seconds: float = 15.0
    payments_invoice_prefix: str = "JNTUGV"
    # The sandbox provider (test mode): on in development, elsewhere only when asked for.
    payments_sandbox: bool = False
    payments_sandbox_secret: str = "sandbox-secret-for-test-mode-only"
    razorpay_api_base: str = "https://api.razorpay.com"
    razorpay_key_id: str = ""
    razorpay_key_secret: str = ""
    razorpay_webhook_secret: str = ""
    stripe_api_base: str = "https://api.stripe.com"
    stripe_secret_key: str = ""
    stripe_publishable_key: str = ""
    stripe_webhook_secret: str = ""
    stripe_webhook_tolerance_seconds: int = Field(default=300, ge=1)

    @property
    def payments_sandbox_enabled(self) -> bool:
        return self.environment == "development" or self.payments_sandbox


def to_async_url(url: str) -> str:
    """Accept plain scheme names and pick the async driver we ship for each database."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        raise ValueError(f"Not a database URL: {url!r}")
    base = scheme.split("+", 1)[0]
    driver = {
        "sqlite": "sqlite+aiosqlite",
        "mysql": "mysql+asyncmy",
        "mariadb": "mysql+asyncmy",
        "postgresql": "postgresql+asyncpg",
        "postgres": "postgresql+asyncpg",
    }.get(base)
    if driver is None:
        raise ValueError(f"Unsupported database {base!r}: use sqlite, mysql/mariadb or postgresql")
    return f"{driver}://{rest}"


def parse_rate(rate: str) -> tuple[int, int]:
    """'1000/900' -> (1000 requests, 900 seconds)."""
    count, _, window = rate.partition("/")
    return int(count), int(window or 60)
