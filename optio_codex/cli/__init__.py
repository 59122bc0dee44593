"""The `optio-codex` command line."""

from optio_codex.cli.main import main

__all__ = ["main"]
