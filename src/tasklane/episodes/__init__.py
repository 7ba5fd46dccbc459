"""Episodes: the workspaces one server hosts, each isolated by construction (its own
database, clock, ID streams, broker, hub and sign-ins): the default one at the root, and
the gym's, each under ``/e/<id>``."""
