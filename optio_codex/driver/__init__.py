"""The conversation driver: handshake, turns, the permission gate, events, recovery."""
