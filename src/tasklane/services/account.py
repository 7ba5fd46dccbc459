"""A person's own account: their profile (name, avatar colour) and their password.

A person's profile belongs to no project, yet every project they are a member of shows
it: a change to it is announced in each of them as a ``member_updated``
(``members.announce_profile``), in the change's own transaction.
"""

from __future__ import annotations

import asyncio

from pydantic.alias_generators import to_camel
from sqlalchemy import delete, update

from tasklane.ids import hash_secret
from tasklane.models import Token, User
from tasklane.protocol.auth import PasswordChange, ProfileUpdate
from tasklane.services.auth import SESSION, AuthService
from tasklane.services.errors import Forbidden, Invalid, NotFound
from tasklane.services.members import announce_profile
from tasklane.services.runtime import Runtime


class AccountService:
    def __init__(self, runtime: Runtime, auth: AuthService) -> None:
        self.runtime = runtime
        self.auth = auth

    async def update_profile(self, user: User, body: ProfileUpdate) -> User:
        """Change the fields ``body`` names; the rest stay as they are. A change that
        changes nothing appends nothing."""
        asked = body.model_dump(exclude_unset=True)
        async with self.runtime.transaction() as tx:
            row = await tx.session.get(User, user.id)
            if row is None:
                raise NotFound("user not found", resource="user")
            changed = [field for field, value in asked.items() if getattr(row, field) != value]
            for field in changed:
                setattr(row, field, asked[field])
            if changed:
                await announce_profile(tx, row, [to_camel(field) for field in changed])
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
