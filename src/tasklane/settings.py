"""Tasklane's configuration: the only module that reads the environment."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit, urlunsplit

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


def public_base(url: str) -> str:
    """An http(s) or ws(s) base URL with a host and no query, without a trailing slash."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https", "ws", "wss") or not parts.hostname:
        raise ValueError(f"PUBLIC_GATEWAY_URL must be an http(s) or ws(s) URL, not {url!r}")
    if parts.query or parts.fragment:
        raise ValueError(f"PUBLIC_GATEWAY_URL takes no query or fragment: {url!r}")
    return urlunsplit((parts.scheme, parts.netloc, parts.path.rstrip("/"), "", ""))


class Settings(BaseSettings):
    """Every knob of Tasklane, read once and passed to ``create_app(settings)``.

    Embedded defaults work with no configuration: a SQLite file in the working
    directory and the in-process broker.
    """

    model_config = SettingsConfigDict(env_prefix="", extra="ignore", frozen=True)

    host: str = Field("127.0.0.1", description="Interface both ports bind to.")
    port: int = Field(3001, ge=0, le=65535, description="HTTP port: pages and the JSON API.")
    ws_port: int = Field(3002, ge=0, le=65535, description="Realtime gateway port.")
    data_dir: Path = Field(Path("."), description="Where Tasklane keeps its own files.")
    database_url: str = Field(
        "", description="SQLAlchemy async URL; default: SQLite file DATA_DIR/tasklane.db."
    )
    redis_url: str | None = Field(
        None,
        description="Redis for several processes: pub/sub between them and shared presence "
        "(redis://host:6379/0); unset, one process delivers in memory.",
    )
    presence_ttl_seconds: float = Field(
        30.0,
        ge=0.3,
        description="With Redis, how long a gateway's presence entries outlive its last "
        "renewal (each renews every third of this): a dead gateway's users leave within "
        "this plus a third.",
    )
    allowed_origins: list[str] = Field(
        default_factory=list, description="Extra origins allowed for cookie-authenticated use."
    )
    forwarded_allow_ips: str = Field(
        "",
        description="The proxies whose X-Forwarded-For and X-Forwarded-Proto are believed: "
        "addresses or networks, comma-separated, or * for any; empty, nobody's, and a "
        "client's address is the socket's peer.",
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
    broadcast_secret: str | None = Field(
        None, description="Bearer secret of POST :WS_PORT/broadcast; generated if unset."
    )
    gateway_url: str | None = Field(
        None, description="Where an API-only process notifies the gateway; default its own."
    )
    public_gateway_url: str | None = Field(
        None,
        description="The gateway as clients outside reach it (https://rt.example.com, or "
        "https://tasks.example.com/realtime behind one proxy): pages, tickets and "
        "GET /api/realtime name it; default: the host a request came to, on WS_PORT.",
    )
    ticket_ttl_seconds: int = Field(30, ge=1, description="Lifetime of a realtime ticket.")
    ws_max_connections_per_user: int = Field(
        20, ge=1, description="Open connections a user may hold."
    )
    ws_max_connections_per_ip: int = Field(500, ge=1, description="Open connections per address.")
    ws_max_frame_bytes: int = Field(65_536, ge=256, description="Largest client frame accepted.")
    ws_messages_per_second: float = Field(20.0, gt=0, description="Client frames/s per connection.")
    ws_message_burst: int = Field(40, ge=1, description="Client frame burst per connection.")
    ws_abuse_strikes: int = Field(
        20, ge=1, description="Refused frames in a row before the connection is closed."
    )
    ws_queue_messages: int = Field(2_000, ge=1, description="Send queue length per connection.")
    ws_queue_bytes: int = Field(8_388_608, ge=1024, description="Send queue bytes per connection.")
    heartbeat_seconds: float = Field(
        20.0, gt=0, description="Ping interval; a peer silent for twice this is dropped."
    )
    replay_max_events: int = Field(
        10_000, ge=1, description="Most events a join replays before resync_required."
    )
    gap_wait_ms: int = Field(50, ge=0, description="How long an early event waits for a gap.")
    catch_up_seconds: float = Field(
        2.0, gt=0, description="How often rooms are compared with the log's head."
    )
    credential_check_seconds: float = Field(
        10.0,
        gt=0,
        description="How often a gateway checks that its connections' sessions and tokens "
        "are still valid (sign-out and revocation also close them at once).",
    )
    drain_spread_ms: int = Field(
        5_000, ge=0, description="Shutdown spreads reconnects over this window."
    )
    poll_max_wait_seconds: float = Field(
        30.0, gt=0, le=300, description="Longest a long poll (?wait=) may wait."
    )
    poll_recheck_seconds: float = Field(
        1.0, gt=0, description="How often a waiting long poll reads the log anyway."
    )
    poll_max_per_user: int = Field(10, ge=1, description="Concurrent long polls per user.")
    gym_mode: bool = Field(
        False,
        description="Serve the gym API (/api/gym/*: reset, state, snapshots, diff, clock) and "
        "run on one adjustable clock.",
    )
    gym_admin_token: str | None = Field(
        None, description="Bearer token every /api/gym/* call needs; required with GYM_MODE."
    )
    gym_max_snapshots: int = Field(50, ge=1, description="Snapshots kept at once in gym mode.")
    gym_max_episodes: int = Field(
        64, ge=0, description="Gym episodes one server holds at once (besides the default)."
    )
    gym_episode_idle_seconds: float = Field(
        1800.0,
        gt=0,
        description="An episode nobody has used (no request, no open connection) for this "
        "long is deleted.",
    )
    log_level: Literal["debug", "info", "warning", "error"] = "info"

    @model_validator(mode="after")
    def _embedded_database(self) -> Settings:
        if not self.redis_url:
            object.__setattr__(self, "redis_url", None)
        if self.gym_mode and len(self.gym_admin_token or "") < 16:
            raise ValueError("GYM_MODE needs GYM_ADMIN_TOKEN, at least 16 characters long")
        if self.public_gateway_url is not None:
            object.__setattr__(self, "public_gateway_url", public_base(self.public_gateway_url))
        if not self.database_url:
            path = (self.data_dir / "tasklane.db").as_posix()
            object.__setattr__(self, "database_url", f"sqlite+aiosqlite:///{path}")
        return self

    def resolved_broadcast_secret(self) -> str:
        """The broadcast secret: configured, or generated once into DATA_DIR and shared
        by every process started with the same DATA_DIR."""
        if self.broadcast_secret:
            return self.broadcast_secret
        path = self.data_dir / ".tasklane-broadcast-secret"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_urlsafe(32) + "\n")
            path.chmod(0o600)
        return path.read_text().strip()

    def resolved_gateway_url(self) -> str:
        return self.gateway_url or f"http://127.0.0.1:{self.ws_port}"

    def app_origins(self) -> list[str]:
        """Origins trusted for cookie-authenticated requests: the app's own, plus extras."""
        own = [f"http://localhost:{self.port}", f"http://127.0.0.1:{self.port}"]
        return own + [o for o in self.allowed_origins if o not in own]
