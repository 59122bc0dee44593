"""Credentials: codex logins kept as seeds (the store, leases, encryption at rest, verify) and
planted into tasks, with every rotation codex makes saved back (docs/credentials.md)."""
