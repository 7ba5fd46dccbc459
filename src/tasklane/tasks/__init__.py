"""Tasks for agents, and their graders (docs/tasks.md).

A **template** (``model.Template``) draws its parameters from an episode's seeded state
(``world.World``), so that one template gives many instances; it says in words what is
wanted (the intent), solves itself through the public API (the oracle), and grades an
outcome from state alone: the state at the reset, the state at the end and the agent's
structured answer (``grading``). The library (``library``) holds the templates.

Nothing here imports the server: graders read the state as ``GET /api/gym/state`` gives
it, and oracles speak the JSON API through the SDK, as an agent would.
"""
