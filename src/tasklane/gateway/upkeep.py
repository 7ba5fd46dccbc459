"""What a gateway does on its own, besides answering: compare its rooms with the log,
check its connections' credentials, keep its presence entries alive, close what a
revoked token opened, and catch up after the broker comes back."""

from __future__ import annotations

import asyncio
import logging

from tasklane.gateway.gateway import Gateway
from tasklane.realtime.broker import Announcement, Message
from tasklane.realtime.control import TokensRevoked

log = logging.getLogger(__name__)


class Upkeep:
    def __init__(self, gateway: Gateway) -> None:
        self.gateway = gateway
        self.hub = gateway.hub
        self.settings = gateway.settings

    def start(self) -> list[asyncio.Task[None]]:
        return [
            asyncio.create_task(self.catch_up_forever()),
            asyncio.create_task(self.keep_presence_forever()),
            asyncio.create_task(self.check_credentials_forever()),
        ]

    async def catch_up_forever(self) -> None:
        """The bound on a lost last event: every ``CATCH_UP_SECONDS``."""
        while True:
            await asyncio.sleep(self.settings.catch_up_seconds)
            try:
                await self.hub.catch_up()
            except Exception:
                log.exception("catch-up with the event log failed")

    async def check_credentials_forever(self) -> None:
        """Every ``CREDENTIAL_CHECK_SECONDS``, close the connections whose session or
        token is gone or expired: the bound on revocation when its announcement was
        lost (a broker outage), and how expiry reaches long-lived connections."""
        while True:
            await asyncio.sleep(self.settings.credential_check_seconds)
            await self.check_credentials()

    async def check_credentials(self) -> None:
        in_use = self.hub.token_ids()
        if not in_use:
            return
        try:
            valid = await self.gateway.services.auth.valid_tokens(in_use)
        except Exception as exc:  # the database away: check again next time
            log.warning("credential check failed: %s", exc)
            return
        if ended := self.hub.end_credentials(in_use - valid):
            log.info("closed %d connections whose credentials ended", ended)

    async def hear(self, message: Message) -> None:
        """A broker listener: close the connections of tokens revoked anywhere."""
        if isinstance(message, Announcement) and isinstance(message.notice, TokensRevoked):
            self.hub.end_credentials(set(message.notice.token_ids))

    async def keep_presence_forever(self) -> None:
        """Renew this gateway's presence entries and sweep out expired ones, every
        third of ``PRESENCE_TTL_SECONDS``."""
        while True:
            await asyncio.sleep(self.settings.presence_ttl_seconds / 3)
            await self.keep_presence()

    async def keep_presence(self) -> None:
        try:
            await self.hub.keep_presence()
        except Exception as exc:  # Redis away: entries expire, and come back with it
            log.warning("presence upkeep failed: %s", exc)

    async def resume(self) -> None:
        """After a broker interruption: whatever was published meanwhile is only in the
        log, so read it; and presence may have lost this gateway's entries."""
        self.gateway.metrics.broker_resumes.inc()
        log.info("broker resumed: catching up %d rooms from the log", len(self.hub.rooms))
        await self.hub.catch_up()
        await self.keep_presence()
