"""Pydantic models of what the API accepts and returns."""
