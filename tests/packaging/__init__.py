"""The distributions as someone installs them: built from this repository, installed into
fresh virtual environments, and run from there, away from the source tree."""
