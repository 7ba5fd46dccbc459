"""``python -m tasklane``: the ``tasklane`` command."""

from tasklane.cli import main

main()
