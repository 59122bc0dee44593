"""What every widget listener of a task shares (the host UI of ui/, the terminal of tui/): where
it binds, the URL the optio API reaches it by, and its inner auth.

The inner auth is HTTP Basic ``optio:<password>`` with a new random password per run. The
optio API's widget proxy puts the header on every request it forwards; a browser never sees
the password. The comparison takes constant time, so timing tells nothing of it.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import os
import secrets

BIND_ENV = "OPTIO_WIDGET_TUNNEL_BIND"  # where the listener binds (default 127.0.0.1)
HOST_ENV = "OPTIO_WIDGET_TUNNEL_HOST"  # how the optio API reaches it (default 127.0.0.1)
USERNAME = "optio"


def bind_address() -> str:
    return os.environ.get(BIND_ENV) or "127.0.0.1"


def upstream_url(port: int) -> str:
    host = os.environ.get(HOST_ENV) or "127.0.0.1"
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"  # an IPv6 literal
    return f"http://{host}:{port}"


def new_password() -> str:
    return secrets.token_urlsafe(32)


def authorized(header: str | None, password: str) -> bool:
    """Whether an ``Authorization`` header carries exactly ``optio:<password>``."""
    expected = f"{USERNAME}:{password}".encode()
    if not header:
        # Still compare, so a missing header takes as long as a wrong one.
        hmac.compare_digest(expected, b"")
        return False
    scheme, _, value = header.partition(" ")
    try:
        given = base64.b64decode(value.strip(), validate=True)
    except (binascii.Error, ValueError):
        given = b""
    same = hmac.compare_digest(expected, given)
    return same and scheme.lower() == "basic"
