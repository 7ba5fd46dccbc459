"""A person's own account: their profile (name, avatar colour) and their password.

A person's profile belongs to no project, so a change to it appends no event: pages
read names and colours when they draw them.
"""

from __future__ import annotations

import asyncio

from sqlalchemy import delete, update

from tasklane.ids import hash_secret
from tasklane.models import Token, User
from tasklane.protocol.auth import PasswordChange, ProfileUpdate
from tasklane.services.auth import SESSION, AuthService
from tasklane.services.errors import Forbidden, Invalid, NotFound
from tasklane.services.runtime import Runtime


class AccountService:
    def __init__(self, runtime: Runtime, auth: AuthService) -> None:
        self.runtime = runtime
        self.auth = auth

    async def update_profile(self, user: User, body: ProfileUpdate) -> User:
        """Change the fields ``body`` names; the rest stay as they are."""
        changes = body.model_dump(exclude_unset=True)
        async with self.runtime.db.write() as session:
            row = await session.get(User, user.id)
            if row is None:
                raise NotFound("user not found", resource="user")
            for field, value in changes.items():
                setattr(row, field, value)
        return row

    async def change_password(self, user: User, secret: str, body: PasswordChange) -> int:
        """Set a new password, given the current one, and sign out every other session
        of the person: the one that sent ``secret`` stays signed in, and so do their
        personal API tokens (programs are not sessions; each is deleted on its own).
        Returns how many sessions were signed out; their open realtime connections
        close as at sign-out."""
        if not await self.auth.verify(user.password_hash, body.current_password):
            raise Forbidden("the current password is not right", code="wrong_password")
        if body.new_password == body.current_password:
            raise Invalid("the new password is the current one", code="password_unchanged")
        password_hash = await asyncio.to_thread(self.auth.hasher.hash, body.new_password)
        async with self.runtime.db.write() as session:
            await session.execute(
                update(User).where(User.id == user.id).values(password_hash=password_hash)
            )
            ended = list(
                await session.scalars(
                    delete(Token)
                    .where(
                        Token.user_id == user.id,
                        Token.kind == SESSION,
                        Token.secret_hash != hash_secret(secret),
                    )
                    .returning(Token.id)
                )
            )
        if ended:
            await self.auth.announce_revoked(sorted(ended))
        return len(ended)
