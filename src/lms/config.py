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

    web_dist_dir: Path | None = None

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
    def mail_dir(self) -> Path:
        return self.data_dir / "mail"

    @property
    def keys_dir(self) -> Path:
        return self.data_dir / "keys"


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
