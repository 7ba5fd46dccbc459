"""Delivery of committed events to the people and programs watching a project."""
