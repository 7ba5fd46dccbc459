"""The Python SDK and ``tasklane watch`` against real servers over real sockets; only
time (the reconnection delays) and randomness (their jitter) are injected."""
