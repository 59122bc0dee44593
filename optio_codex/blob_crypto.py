"""Encryption at rest for the blobs optio-codex keeps in GridFS (seeds, snapshots).

AES-256-GCM in a chunked streaming format, so a blob of any size is encrypted and decrypted
a chunk at a time and never whole in memory:

    header  = b"OCXB" | version (1 byte) | chunk size (4, big endian) | key id (8) | salt (16)
    chunk i = AES-GCM(subkey, nonce = i (11 bytes, big endian) | final (1 byte), aad = header)

The subkey is HKDF-SHA256(key, salt) with a fresh random salt per blob, so nonces (the chunk
counter) never repeat under one subkey however many blobs a key encrypts. The counter and the
final flag are inside the authenticated nonce: a reordered, dropped or appended chunk fails
authentication, and a blob cut after a whole chunk lacks its final chunk and is refused. The
key id (a one-way derivation of the key) tells a wrong key apart from a damaged blob.

Blobs written before encryption (plaintext) do not start with the magic: ``is_encrypted``
lets readers pass them through, so existing seeds stay readable.
"""

from __future__ import annotations

import base64
import binascii
import os
import stat
import struct
from collections.abc import AsyncIterable, AsyncIterator
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

MAGIC = b"OCXB"
VERSION = 1
KEY_BYTES = 32
CHUNK_SIZE = 64 * 1024
TAG_BYTES = 16
_HEADER = struct.Struct(">4sBI8s16s")
HEADER_BYTES = _HEADER.size
_MAX_CHUNK = 16 * 1024 * 1024
KEY_FILE_ENV = "OPTIO_CODEX_BLOB_KEY_FILE"
KEY_ENV = "OPTIO_CODEX_BLOB_KEY"


class BlobCryptoError(ValueError):
    """A blob could not be decrypted: wrong key, damage, truncation, or not our format."""


class BlobKeyError(ValueError):
    """The configured key is unusable (missing file, loose permissions, wrong length)."""


def is_encrypted(head: bytes) -> bool:
    """True if ``head`` (a blob's first bytes, at least 5) starts an encrypted blob."""
    return head[:4] == MAGIC and len(head) >= 5 and head[4] == VERSION


def _derive(key: bytes, salt: bytes | None, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=salt, info=info).derive(key)


def _nonce(index: int, final: bool) -> bytes:
    return index.to_bytes(11, "big") + (b"\x01" if final else b"\x00")


class BlobCipher:
    """One key's encryption; ``encrypt``/``decrypt`` also serve as the published
    ``seed_blob_encrypt``/``seed_blob_decrypt`` (or ``session_blob_*``) hooks."""

    def __init__(self, key: bytes, *, chunk_size: int = CHUNK_SIZE) -> None:
        if not isinstance(key, bytes | bytearray) or len(key) != KEY_BYTES:
            raise BlobKeyError(f"blob key: expected {KEY_BYTES} bytes")
        if not 0 < chunk_size <= _MAX_CHUNK:
            raise ValueError(f"chunk_size: must be 1..{_MAX_CHUNK}")
        self._key = bytes(key)
        self.chunk_size = chunk_size
        self.key_id = _derive(self._key, None, b"optio-codex blob key id")[:8]

    def __repr__(self) -> str:  # never the key
        return f"BlobCipher(key_id={self.key_id.hex()})"

    @classmethod
    def from_environment(cls, environ: dict[str, str] | None = None) -> BlobCipher | None:
        """The worker's key: the file ``OPTIO_CODEX_BLOB_KEY_FILE`` names (mode 0600 or
        stricter; 32 raw bytes or their base64), else ``OPTIO_CODEX_BLOB_KEY`` (base64);
        None when neither is set."""
        env = os.environ if environ is None else environ
        path = env.get(KEY_FILE_ENV)
        if path:
            return cls(_key_from_file(Path(path)))
        text = env.get(KEY_ENV)
        if text:
            return cls(_key_from_text(text.encode(), KEY_ENV))
        return None

    # -- whole blobs ---------------------------------------------------------------------------

    def encrypt(self, data: bytes) -> bytes:
        sealer = _Sealer(self)
        out = [sealer.header]
        view = memoryview(data)
        size = self.chunk_size
        index = 0
        while len(view) - index * size > size:
            out.append(sealer.seal(bytes(view[index * size : (index + 1) * size]), False))
            index += 1
        out.append(sealer.seal(bytes(view[index * size :]), True))
        return b"".join(out)

    def decrypt(self, data: bytes) -> bytes:
        opener = _Opener(self, data[:HEADER_BYTES])
        frame = opener.frame
        body = memoryview(data)[HEADER_BYTES:]
        out = []
        start = 0
        while len(body) - start > frame:
            out.append(opener.open(bytes(body[start : start + frame]), False))
            start += frame
        out.append(opener.open(bytes(body[start:]), True))
        return b"".join(out)

    # -- streams -------------------------------------------------------------------------------

    async def encrypt_stream(self, source: AsyncIterable[bytes]) -> AsyncIterator[bytes]:
        """The encrypted blob, one chunk at a time, as ``source`` is read."""
        sealer = _Sealer(self)
        yield sealer.header
        pending = bytearray()
        async for piece in source:
            pending += piece
            while len(pending) > self.chunk_size:  # more follows: not the final chunk
                yield sealer.seal(bytes(pending[: self.chunk_size]), False)
                del pending[: self.chunk_size]
        yield sealer.seal(bytes(pending), True)

    async def decrypt_stream(self, source: AsyncIterable[bytes]) -> AsyncIterator[bytes]:
        """The plaintext, chunk by chunk; raises BlobCryptoError at the first bad chunk (what
        was yielded before it is authentic, but the blob as a whole is not: discard it)."""
        pending = bytearray()
        opener: _Opener | None = None
        async for piece in source:
            pending += piece
            if opener is None:
                if len(pending) < HEADER_BYTES:
                    continue
                opener = _Opener(self, bytes(pending[:HEADER_BYTES]))
                del pending[:HEADER_BYTES]
            while len(pending) > opener.frame:
                yield opener.open(bytes(pending[: opener.frame]), False)
                del pending[: opener.frame]
        if opener is None:
            opener = _Opener(self, bytes(pending))  # raises: too short for a header
        yield opener.open(bytes(pending), True)


class _Sealer:
    def __init__(self, cipher: BlobCipher) -> None:
        salt = os.urandom(16)
        self.header = _HEADER.pack(MAGIC, VERSION, cipher.chunk_size, cipher.key_id, salt)
        self._aead = AESGCM(_derive(cipher._key, salt, b"optio-codex blob v1"))
        self._index = 0

    def seal(self, plain: bytes, final: bool) -> bytes:
        sealed = self._aead.encrypt(_nonce(self._index, final), plain, self.header)
        self._index += 1
        return sealed


class _Opener:
    def __init__(self, cipher: BlobCipher, header: bytes) -> None:
        if len(header) < HEADER_BYTES or not is_encrypted(header):
            raise BlobCryptoError("not an encrypted optio-codex blob (no header)")
        _, _, chunk_size, key_id, salt = _HEADER.unpack(header[:HEADER_BYTES])
        if not 0 < chunk_size <= _MAX_CHUNK:
            raise BlobCryptoError(f"damaged blob header (chunk size {chunk_size})")
        if key_id != cipher.key_id:
            raise BlobCryptoError(
                f"blob was encrypted with another key (key id {key_id.hex()}, "
                f"this key's id is {cipher.key_id.hex()})"
            )
        self.header = bytes(header[:HEADER_BYTES])
        self.frame = chunk_size + TAG_BYTES
        self._aead = AESGCM(_derive(cipher._key, salt, b"optio-codex blob v1"))
        self._index = 0

    def open(self, sealed: bytes, final: bool) -> bytes:
        try:
            plain = self._aead.decrypt(_nonce(self._index, final), sealed, self.header)
        except InvalidTag:
            what = "truncated or damaged" if final else "damaged or reordered"
            raise BlobCryptoError(
                f"blob {what}: chunk {self._index} failed authentication"
            ) from None
        self._index += 1
        return plain


def _key_from_file(path: Path) -> bytes:
    try:
        info = path.stat()
        data = path.read_bytes()
    except OSError as exc:
        raise BlobKeyError(f"{KEY_FILE_ENV}: cannot read {path}: {exc.strerror}") from None
    if stat.S_IMODE(info.st_mode) & 0o077:
        raise BlobKeyError(
            f"{KEY_FILE_ENV}: {path} is readable by others "
            f"(mode {stat.S_IMODE(info.st_mode):04o}); chmod 600 it"
        )
    if len(data) == KEY_BYTES:
        return data
    return _key_from_text(data, KEY_FILE_ENV)


def _key_from_text(text: bytes, where: str) -> bytes:
    try:
        key = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise BlobKeyError(f"{where}: not base64 (expected {KEY_BYTES} bytes)") from None
    if len(key) != KEY_BYTES:
        raise BlobKeyError(f"{where}: the key is {len(key)} bytes; expected {KEY_BYTES}")
    return key
