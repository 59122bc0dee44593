"""optio-codex: run OpenAI Codex as a managed optio task on local or remote hosts."""

from optio_codex._version import __version__

__all__ = ["__version__"]
