"""The gateway's Prometheus metrics, in a registry of its own (one per gateway app,
so that tests and several apps in one process never share counters)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram


class GatewayMetrics:
    def __init__(self) -> None:
        self.registry = registry = CollectorRegistry()
        self.connections = Gauge(
            "tasklane_connections", "Open realtime connections.", registry=registry
        )
        self.rooms = Gauge("tasklane_rooms", "Projects with subscribers here.", registry=registry)
        self.joins = Counter(
            "tasklane_joins", "Join requests by result.", ["result"], registry=registry
        )
        self.messages_in = Counter(
            "tasklane_messages_in", "Client frames received by type.", ["type"], registry=registry
        )
        self.messages_out = Counter(
            "tasklane_messages_out",
            "Events handed to subscribers, by type (one per subscriber).",
            ["type"],
            registry=registry,
        )
        self.deliveries = Counter(
            "tasklane_deliveries", "Frames queued to connections.", registry=registry
        )
        self.batches = Counter(
            "tasklane_ws_batches",
            "WebSocket messages that carried several frames (clients with ?batch=1).",
            registry=registry,
        )
        self.batched_frames = Counter(
            "tasklane_ws_batched_frames", "Frames sent inside batched messages.", registry=registry
        )
        self.replayed = Counter(
            "tasklane_replayed_events", "Events replayed from the log on join.", registry=registry
        )
        self.resyncs = Counter(
            "tasklane_resyncs", "resync_required frames sent.", registry=registry
        )
        self.gap_fills = Counter(
            "tasklane_gap_fills", "Log reads that filled a delivery gap.", registry=registry
        )
        self.duplicates = Counter(
            "tasklane_duplicates_dropped", "Late or repeated events dropped.", registry=registry
        )
        self.slow_consumer_closes = Counter(
            "tasklane_slow_consumer_closes",
            "Connections closed for falling behind.",
            registry=registry,
        )
        self.revocations = Counter(
            "tasklane_revocations", "Subscriptions ended by lost access.", registry=registry
        )
        self.credential_closes = Counter(
            "tasklane_credential_closes",
            "Connections closed because their session or token was revoked or expired.",
            registry=registry,
        )
        self.rejected_auths = Counter(
            "tasklane_rejected_auths",
            "Refused connections by reason.",
            ["reason"],
            registry=registry,
        )
        self.frame_errors = Counter(
            "tasklane_frame_errors", "Refused client frames by code.", ["code"], registry=registry
        )
        self.broadcasts = Counter(
            "tasklane_broadcasts",
            "POST /broadcast requests by result.",
            ["result"],
            registry=registry,
        )
        self.broker_up = Gauge(
            "tasklane_broker_up",
            "1 while this gateway's broker subscription can hear publishes, else 0.",
            registry=registry,
        )
        self.broker_up.set(1)
        self.broker_resumes = Counter(
            "tasklane_broker_resumes",
            "Broker subscriptions re-established after an interruption (each one is "
            "followed by a catch-up from the log).",
            registry=registry,
        )
        self.presence_expired = Counter(
            "tasklane_presence_expired",
            "Users removed from presence because their entries expired (their gateway "
            "died or lost Redis for longer than PRESENCE_TTL_SECONDS).",
            registry=registry,
        )
        self.publish_to_send = Histogram(
            "tasklane_publish_to_send_seconds",
            "From publish after commit to fan-out on this gateway.",
            buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
            registry=registry,
        )

    def delivered(self, kind: str, subscribers: int) -> None:
        if subscribers:
            self.messages_out.labels(type=kind).inc(subscribers)
            self.deliveries.inc(subscribers)
