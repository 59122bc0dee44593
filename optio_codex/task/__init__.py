"""One codex task in the optio engine: its config, its run, its saved state."""
