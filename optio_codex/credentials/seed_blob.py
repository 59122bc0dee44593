"""A seed's blob: the tar.gz of ``.codex/auth.json`` (and ``.codex/config.toml``), as
optio_agents.seeds.capture_seed writes it, optionally encrypted.

Encryption: the published hooks (``seed_blob_encrypt``/``seed_blob_decrypt``) when given;
otherwise the worker's built-in key (blob_crypto, ``OPTIO_CODEX_BLOB_KEY_FILE`` /
``OPTIO_CODEX_BLOB_KEY``) if one is configured; otherwise plaintext. Without hooks a
plaintext blob is always readable (seeds written before a key was configured).
"""

from __future__ import annotations

import io
import tarfile
from collections.abc import Callable
from dataclasses import dataclass

from optio_codex.blob_crypto import BlobCipher, BlobCryptoError, is_encrypted
from optio_codex.credentials.manifest import AUTH_MEMBER, CONFIG_MEMBER

Transform = Callable[[bytes], bytes]
_MAX_MEMBER = 4 * 1024 * 1024  # a login is a few KiB; refuse what cannot be one


class SeedBlobError(ValueError):
    """A seed's blob cannot be read: not decryptable, no tar.gz, or no auth.json in it."""


@dataclass(frozen=True)
class BlobCodec:
    """How one store encrypts and decrypts seed blobs."""

    encrypt: Transform | None = None
    decrypt: Transform | None = None
    cipher: BlobCipher | None = None

    @classmethod
    def choose(cls, encrypt: Transform | None, decrypt: Transform | None) -> BlobCodec:
        if encrypt is not None or decrypt is not None:
            return cls(encrypt, decrypt)
        return cls(cipher=BlobCipher.from_environment())

    def seal(self, plain: bytes) -> bytes:
        if self.encrypt is not None:
            return self.encrypt(plain)
        return self.cipher.encrypt(plain) if self.cipher is not None else plain

    def open(self, stored: bytes) -> bytes:
        try:
            if self.decrypt is not None:
                return self.decrypt(stored)
        except Exception as exc:
            raise SeedBlobError(f"the seed_blob_decrypt hook failed: {exc}") from None
        if not is_encrypted(stored[:8]):
            return stored  # plaintext: written before encryption was configured
        if self.cipher is None:
            raise SeedBlobError(
                "the seed's blob is encrypted and no key is configured "
                "(OPTIO_CODEX_BLOB_KEY_FILE or OPTIO_CODEX_BLOB_KEY)"
            )
        try:
            return self.cipher.decrypt(stored)
        except BlobCryptoError as exc:
            raise SeedBlobError(f"the seed's blob cannot be decrypted: {exc}") from None


def pack(members: dict[str, bytes]) -> bytes:
    """A tar.gz of ``members`` (0600 files), as capture_seed's tar would hold them."""
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w:gz") as tar:
        for name, content in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(content)
            info.mode = 0o600
            tar.addfile(info, io.BytesIO(content))
    return out.getvalue()


def unpack(plain: bytes) -> dict[str, bytes]:
    """The regular files of a seed's tar.gz by name (``./`` prefixes dropped)."""
    found: dict[str, bytes] = {}
    try:
        with tarfile.open(fileobj=io.BytesIO(plain), mode="r:gz") as tar:
            for member in tar:
                if not member.isfile() or member.size > _MAX_MEMBER:
                    continue
                handle = tar.extractfile(member)
                if handle is not None:
                    found[member.name.removeprefix("./")] = handle.read()
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise SeedBlobError(f"the seed's blob is no tar.gz: {exc}") from None
    return found


def login_files(plain: bytes) -> tuple[bytes, bytes | None, dict[str, bytes]]:
    """(auth.json, config.toml or None, every member) of a seed's tar.gz."""
    members = unpack(plain)
    auth = members.get(AUTH_MEMBER)
    if auth is None:
        raise SeedBlobError(f"the seed's blob holds no {AUTH_MEMBER}")
    return auth, members.get(CONFIG_MEMBER), members
