"""The host UI: the listener the optio dashboard's codex conversation view talks to."""
