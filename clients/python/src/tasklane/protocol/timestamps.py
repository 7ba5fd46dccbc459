"""Timestamps on the wire: UTC, millisecond precision, ``2026-01-01T12:00:00.000Z``."""

from __future__ import annotations

from datetime import UTC, datetime


def to_millis(moment: datetime) -> datetime:
    """``moment`` in UTC, truncated to whole milliseconds."""
    moment = moment.astimezone(UTC)
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def iso_millis(moment: datetime) -> str:
    """The wire form of a timestamp: ``2026-01-01T12:00:00.000Z``."""
    return to_millis(moment).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
