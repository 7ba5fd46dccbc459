"""Tasklane's wire vocabulary, shared by the server and the SDK: the JSON API's models
(``auth``, ``project``, ``task``, ``workspace``, ``realtime``), the events and their envelope
(``events``), the realtime frames (``frames``), close codes (``closes``), cursors
(``cursors``), the error body (``errors``) and timestamps (``timestamps``).

It depends on pydantic alone; docs/protocol.md is its normative description.
"""
