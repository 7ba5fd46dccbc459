"""Benchmarks of Tasklane, run with ``make bench``; results go to ``bench/results/``."""
