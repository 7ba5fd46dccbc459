"""Tasklane's configuration: the only module that reads the environment."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Every knob of Tasklane, read once and passed to ``create_app(settings)``.

    Embedded defaults work with no configuration: a SQLite file in the working
    directory and the in-process broker.
    """

    model_config = SettingsConfigDict(env_prefix="", extra="ignore", frozen=True)

    host: str = Field("127.0.0.1", description="Interface both ports bind to.")
    port: int = Field(3001, ge=0, le=65535, description="HTTP port: pages and the JSON API.")
    data_dir: Path = Field(Path("."), description="Where Tasklane keeps its own files.")
    database_url: str = Field(
        "", description="SQLAlchemy async URL; default: SQLite file DATA_DIR/tasklane.db."
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
    log_level: Literal["debug", "info", "warning", "error"] = "info"

    @model_validator(mode="after")
    def _embedded_database(self) -> Settings:
        if not self.database_url:
            path = (self.data_dir / "tasklane.db").as_posix()
            object.__setattr__(self, "database_url", f"sqlite+aiosqlite:///{path}")
        return self

    def app_origins(self) -> list[str]:
        """Origins trusted for cookie-authenticated requests: the app's own, plus extras."""
        own = [f"http://localhost:{self.port}", f"http://127.0.0.1:{self.port}"]
        return own + [o for o in self.allowed_origins if o not in own]
