"""Tasklane's configuration: the only module that reads the environment."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./tasklane.db"


class Settings(BaseSettings):
    """Every knob of Tasklane, read once and passed to ``create_app(settings)``.

    Embedded defaults work with no configuration: a SQLite file in the working
    directory, the in-process broker and a secret generated and stored on first run.
    """

    model_config = SettingsConfigDict(env_prefix="", extra="ignore", frozen=True)

    host: str = Field("127.0.0.1", description="Interface both ports bind to.")
    port: int = Field(3001, ge=0, le=65535, description="HTTP port: pages and the JSON API.")
    ws_port: int = Field(3002, ge=0, le=65535, description="Realtime gateway port.")
    database_url: str = Field(DEFAULT_DATABASE_URL, description="SQLAlchemy async URL.")
    redis_url: str | None = Field(None, description="Redis URL; unset = in-process broker.")
    data_dir: Path = Field(Path("."), description="Where the generated secret is stored.")
    secret_key: str | None = Field(
        None, description="Server secret; generated into DATA_DIR/.tasklane-secret if unset."
    )
    broadcast_secret: str | None = Field(
        None, description="Bearer secret for POST :WS_PORT/broadcast; derived if unset."
    )
    allowed_origins: list[str] = Field(
        default_factory=list, description="Extra origins allowed for cookie-authenticated use."
    )
    session_ttl_hours: int = Field(24 * 14, ge=1, description="Lifetime of a sign-in session.")
    cookie_secure: bool = Field(False, description="Mark the session cookie Secure (HTTPS).")
    max_body_bytes: int = Field(1_048_576, ge=1024, description="Largest accepted request body.")
    mutation_rate: float = Field(50.0, gt=0, description="Sustained mutations/s per user.")
    mutation_burst: int = Field(100, ge=1, description="Mutation burst per user.")
    auth_rate: float = Field(2.0, gt=0, description="Sign-ups and sign-ins/s per address.")
    auth_burst: int = Field(20, ge=1, description="Sign-up and sign-in burst per address.")
    argon2_time_cost: int = Field(3, ge=1, description="Password hashing passes.")
    argon2_memory_kib: int = Field(65536, ge=8, description="Password hashing memory.")
    argon2_parallelism: int = Field(4, ge=1, description="Password hashing lanes.")
    event_page_limit: int = Field(500, ge=1, description="Most events one poll returns.")
    page_limit: int = Field(500, ge=1, description="Most items one list page returns.")
    gym_mode: bool = Field(False, description="Enable the /api/gym/* surface.")
    gym_admin_token: str | None = Field(None, description="Bearer token for /api/gym/*.")
    log_level: Literal["debug", "info", "warning", "error"] = "info"

    def resolved_secret(self) -> str:
        """The server secret: configured, or generated once and kept in DATA_DIR."""
        if self.secret_key:
            return self.secret_key
        path = self.data_dir / ".tasklane-secret"
        if path.exists():
            return path.read_text().strip()
        path.parent.mkdir(parents=True, exist_ok=True)
        value = secrets.token_urlsafe(32)
        path.write_text(value + "\n")
        path.chmod(0o600)
        return value

    def app_origins(self) -> list[str]:
        """Origins trusted for cookie-authenticated requests: the app's own, plus extras."""
        own = [f"http://localhost:{self.port}", f"http://127.0.0.1:{self.port}"]
        return own + [o for o in self.allowed_origins if o not in own]
