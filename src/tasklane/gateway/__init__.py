"""The realtime gateway on ``WS_PORT``: admission, the WebSocket and SSE transports,
the server-to-server endpoints and the upkeep, around the hub (``tasklane.realtime``)."""
