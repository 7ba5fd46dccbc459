"""Accounts, sign-in sessions and personal API tokens.

Sessions and tickets expire on real time (``runtime.wall_clock``), never on the app's
clock: a gym freezes that one and moves it at will, and neither may keep a credential
alive or sign anyone out. When a token was made is data, and takes the app's clock.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, or_, select
from sqlalchemy.exc import IntegrityError

from tasklane.ids import hash_secret, new_secret
from tasklane.models import Ticket, Token, User
from tasklane.protocol.auth import RegisterIn, TokenCreate
from tasklane.realtime.broker import Announcement
from tasklane.realtime.control import TokensRevoked
from tasklane.services.errors import Conflict, NotFound, Unauthorized
from tasklane.services.runtime import Runtime

SESSION = "session"
PERSONAL = "personal"
CHECK_CHUNK = 500  # token ids per query when checking which are still valid


@dataclass(frozen=True, slots=True)
class Credential:
    """Who a bearer secret or a ticket speaks for, and through which token: a realtime
    connection ends when that token is revoked or expires."""

    user: User
    token_id: str


_decoys: dict[tuple[object, ...], str] = {}


def decoy_hash(hasher: PasswordHasher) -> str:
    """A hash made with ``hasher``'s parameters, to verify against for unknown emails:
    made once per parameters in a process (it costs what a sign-in costs), not once per
    set of services."""
    key = (
        hasher.time_cost,
        hasher.memory_cost,
        hasher.parallelism,
        hasher.hash_len,
        hasher.salt_len,
        hasher.type,
    )
    if key not in _decoys:
        _decoys[key] = hasher.hash("decoy password")
    return _decoys[key]


class AuthService:
    def __init__(self, runtime: Runtime, hasher: PasswordHasher, session_ttl: timedelta) -> None:
        self.runtime = runtime
        self.hasher = hasher
        self.session_ttl = session_ttl
        # Verifying against a real hash when the email is unknown keeps both answers
        # equally slow, so timing does not reveal which emails have accounts.
        self._decoy_hash = decoy_hash(hasher)

    async def register(self, body: RegisterIn) -> tuple[User, Token, str]:
        """Create an account and sign it in."""
        password_hash = await asyncio.to_thread(self.hasher.hash, body.password)
        email = body.email.lower()
        try:
            async with self.runtime.db.write() as session:
                if await session.scalar(select(User.id).where(User.email == email)):
                    raise Conflict("an account with this email exists", code="email_taken")
                user = User(
                    id=self.runtime.ids.new("user"),
                    email=email,
                    name=body.name,
                    password_hash=password_hash,
                    created_at=self.runtime.clock.now(),
                )
                session.add(user)
                await session.flush()
                token, secret = self._new_token(user.id, SESSION, "Sign-in session")
                session.add(token)
        except IntegrityError as exc:  # a concurrent sign-up with the same email
            raise Conflict("an account with this email exists", code="email_taken") from exc
        return user, token, secret

    async def login(self, email: str, password: str) -> tuple[User, Token, str]:
        async with self.runtime.db.read() as session:
            user = await session.scalar(select(User).where(User.email == email.lower()))
        stored = user.password_hash if user else self._decoy_hash
        if not await self.verify(stored, password) or user is None:
            raise Unauthorized("wrong email or password", code="invalid_credentials")
        async with self.runtime.db.write() as session:
            token, secret = self._new_token(user.id, SESSION, "Sign-in session")
            session.add(token)
        return user, token, secret

    async def logout(self, secret: str) -> None:
        """End a sign-in session: its tickets go with it, and so do its open realtime
        connections (the gateways hear of it at once, and check every few seconds)."""
        async with self.runtime.db.write() as session:
            token_id = await session.scalar(
                delete(Token)
                .where(Token.secret_hash == hash_secret(secret), Token.kind == SESSION)
                .returning(Token.id)
            )
        if token_id is not None:
            await self.announce_revoked([token_id])

    async def authenticate(self, secret: str) -> User | None:
        """The user a bearer secret (session or personal token) belongs to, if valid."""
        credential = await self.credential(secret)
        return credential.user if credential else None

    async def credential(self, secret: str) -> Credential | None:
        """The user and token a bearer secret stands for, if it is valid."""
        async with self.runtime.db.read() as session:
            row = (
                await session.execute(
                    select(User, Token.id, Token.expires_at)
                    .join(Token, Token.user_id == User.id)
                    .where(Token.secret_hash == hash_secret(secret))
                )
            ).first()
        if row is None:
            return None
        user, token_id, expires_at = row
        if expires_at is not None and expires_at <= self.runtime.wall_clock.now():
            return None
        return Credential(user, token_id)

    async def valid_tokens(self, token_ids: Iterable[str]) -> set[str]:
        """Which of these tokens still exist and have not expired."""
        wanted = sorted(set(token_ids))
        valid: set[str] = set()
        now = self.runtime.wall_clock.now()
        async with self.runtime.db.read() as session:
            for start in range(0, len(wanted), CHECK_CHUNK):
                rows = await session.scalars(
                    select(Token.id).where(
                        Token.id.in_(wanted[start : start + CHECK_CHUNK]),
                        or_(Token.expires_at.is_(None), Token.expires_at > now),
                    )
                )
                valid.update(rows)
        return valid

    async def issue_ticket(self, credential: Credential, ttl: timedelta) -> tuple[str, datetime]:
        """A single-use secret that opens one realtime connection within ``ttl``, for as
        long as the credential's token lasts."""
        secret = new_secret()
        now = self.runtime.wall_clock.now()
        expires_at = now + ttl
        async with self.runtime.db.write() as session:
            await session.execute(delete(Ticket).where(Ticket.expires_at <= now))
            session.add(
                Ticket(
                    secret_hash=hash_secret(secret),
                    user_id=credential.user.id,
                    token_id=credential.token_id,
                    expires_at=expires_at,
                )
            )
        return secret, expires_at

    async def redeem_ticket(self, secret: str) -> Credential | None:
        """The ticket's user and token, if it is valid; either way it can never be used
        again. Revoking the token deleted its tickets."""
        async with self.runtime.db.write() as session:
            row = (
                await session.execute(
                    delete(Ticket)
                    .where(Ticket.secret_hash == hash_secret(secret))
                    .returning(Ticket.user_id, Ticket.token_id, Ticket.expires_at)
                )
            ).first()
            if row is None or row.expires_at <= self.runtime.wall_clock.now():
                return None
            user = await session.get(User, row.user_id)
            return Credential(user, row.token_id) if user else None

    async def create_token(self, user: User, body: TokenCreate) -> tuple[Token, str]:
        async with self.runtime.db.write() as session:
            token, secret = self._new_token(user.id, PERSONAL, body.name)
            session.add(token)
        return token, secret

    async def list_tokens(self, user: User) -> list[Token]:
        async with self.runtime.db.read() as session:
            rows = await session.scalars(
                select(Token)
                .where(Token.user_id == user.id, Token.kind == PERSONAL)
                .order_by(Token.created_at, Token.id)
            )
            return list(rows)

    async def delete_token(self, user: User, token_id: str) -> None:
        """Revoke a personal token: requests with it fail from now on, and its open
        realtime connections close."""
        async with self.runtime.db.write() as session:
            token = await session.get(Token, token_id)
            if token is None or token.user_id != user.id or token.kind != PERSONAL:
                raise NotFound("token not found", resource="token")
            await session.delete(token)
        await self.announce_revoked([token_id])

    async def announce_revoked(self, token_ids: list[str]) -> None:
        """Tell every gateway: connections made with these tokens close now."""
        await self.runtime.broker.publish(Announcement(TokensRevoked(token_ids=token_ids)))

    def _new_token(self, user_id: str, kind: str, name: str) -> tuple[Token, str]:
        secret = new_secret()
        expires_at = self.runtime.wall_clock.now() + self.session_ttl if kind == SESSION else None
        token = Token(
            id=self.runtime.ids.new("tok"),
            user_id=user_id,
            kind=kind,
            name=name,
            secret_hash=hash_secret(secret),
            created_at=self.runtime.clock.now(),
            expires_at=expires_at,
        )
        return token, secret

    async def verify(self, stored: str, password: str) -> bool:
        """Whether ``password`` is the one ``stored`` was hashed from (off the event loop:
        it costs what a sign-in costs)."""
        return await asyncio.to_thread(self._verify, stored, password)

    def _verify(self, stored: str, password: str) -> bool:
        try:
            return self.hasher.verify(stored, password)
        except (VerificationError, InvalidHashError):
            return False
