"""Subcommands of the ``incident-trends`` CLI, one module each (see :mod:`analysis.cli`)."""
