from __future__ import annotations

import logging

from tasklane.logs import KeyValueFormatter


def test_log_lines_carry_the_connection_and_user_ids() -> None:
    record = logging.LogRecord("tasklane.realtime", logging.INFO, "x", 1, "connected", (), None)
    record.connection_id = "conn_1"
    record.user_id = "user_2"
    line = KeyValueFormatter("%(levelname)s %(message)s").format(record)
    assert line == "INFO connected connection_id=conn_1 user_id=user_2"
