"""The listener's inner auth: HTTP Basic ``optio:<password>``, a new random password per run.

The optio API's widget proxy puts the header on every request it forwards; a browser never
sees the password. The comparison takes constant time, so timing tells nothing of it.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import secrets

USERNAME = "optio"


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
