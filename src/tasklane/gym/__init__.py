"""The gym: deterministic seeded workspaces, sub-second reset, the state as canonical
JSON, snapshots for branching rollouts, and one adjustable clock for the whole app."""
