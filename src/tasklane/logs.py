"""Log lines as ``level logger message key=value…``: the ids a log call passes as
``extra`` (connection, user, address, …) are printed, so one grep follows a connection."""

from __future__ import annotations

import logging

FIELDS = ("connection_id", "user_id", "address", "queued", "project_id")


class KeyValueFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        pairs = [f"{key}={getattr(record, key)}" for key in FIELDS if hasattr(record, key)]
        return f"{line} {' '.join(pairs)}" if pairs else line


def configure(level: str) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(KeyValueFormatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    logging.getLogger("alembic").setLevel(max(logging.WARNING, root.level))
