"""Tasklane: an Asana-style work manager whose every change reaches everyone, live."""

__version__ = "0.1.0"
