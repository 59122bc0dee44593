"""blob_crypto: the chunked AES-256-GCM format, its failure modes and its key sources."""

from __future__ import annotations

import base64
import gzip
import os
import tracemalloc
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from optio_codex.blob_crypto import (
    HEADER_BYTES,
    TAG_BYTES,
    BlobCipher,
    BlobCryptoError,
    BlobKeyError,
    is_encrypted,
)

KEY = bytes(range(32))


@pytest.mark.parametrize("size", [0, 1, 999, 1000, 1001, 5000])
def test_round_trip_at_chunk_boundaries(size: int) -> None:
    cipher = BlobCipher(KEY, chunk_size=1000)
    data = os.urandom(size)
    sealed = cipher.encrypt(data)
    assert is_encrypted(sealed)
    assert size < 8 or data not in sealed
    assert cipher.decrypt(sealed) == data
    assert cipher.encrypt(data) != sealed  # a fresh salt each time


def test_tampering_truncation_and_reordering_are_detected() -> None:
    cipher = BlobCipher(KEY, chunk_size=100)
    sealed = cipher.encrypt(os.urandom(350))
    frame = 100 + TAG_BYTES
    flipped = bytearray(sealed)
    flipped[HEADER_BYTES + 5] ^= 1
    with pytest.raises(BlobCryptoError, match="chunk 0"):
        cipher.decrypt(bytes(flipped))
    with pytest.raises(BlobCryptoError, match="truncated"):
        cipher.decrypt(sealed[: HEADER_BYTES + 2 * frame])  # cut after a whole chunk
    with pytest.raises(BlobCryptoError, match="truncated"):
        cipher.decrypt(sealed[:-1])
    body = sealed[HEADER_BYTES:]
    swapped = sealed[:HEADER_BYTES] + body[frame : 2 * frame] + body[:frame] + body[2 * frame :]
    with pytest.raises(BlobCryptoError, match="reordered"):
        cipher.decrypt(swapped)
    header = bytearray(sealed)
    header[HEADER_BYTES - 1] ^= 1  # the salt: every chunk fails
    with pytest.raises(BlobCryptoError):
        cipher.decrypt(bytes(header))


def test_wrong_key_and_plaintext_are_told_apart() -> None:
    sealed = BlobCipher(KEY).encrypt(b"secret")
    other = BlobCipher(bytes(32))
    with pytest.raises(BlobCryptoError, match="another key"):
        other.decrypt(sealed)
    plain = gzip.compress(b"a tar would be here")
    assert not is_encrypted(plain)
    with pytest.raises(BlobCryptoError, match="not an encrypted"):
        other.decrypt(plain)
    assert "KEY" not in repr(other) and repr(other).startswith("BlobCipher(key_id=")


def test_keys_from_the_environment(tmp_path: Path) -> None:
    assert BlobCipher.from_environment({}) is None
    b64 = base64.b64encode(KEY).decode()
    assert (
        BlobCipher.from_environment({"OPTIO_CODEX_BLOB_KEY": b64}).key_id == BlobCipher(KEY).key_id
    )  # type: ignore[union-attr]
    with pytest.raises(BlobKeyError, match="expected 32"):
        BlobCipher.from_environment({"OPTIO_CODEX_BLOB_KEY": base64.b64encode(b"short").decode()})
    raw = tmp_path / "raw.key"
    raw.write_bytes(KEY)
    raw.chmod(0o644)
    with pytest.raises(BlobKeyError, match="chmod 600"):
        BlobCipher.from_environment({"OPTIO_CODEX_BLOB_KEY_FILE": str(raw)})
    raw.chmod(0o600)
    text = tmp_path / "text.key"
    text.write_text(b64 + "\n")
    text.chmod(0o400)
    for path in (raw, text):
        cipher = BlobCipher.from_environment({"OPTIO_CODEX_BLOB_KEY_FILE": str(path)})
        assert cipher is not None and cipher.key_id == BlobCipher(KEY).key_id
    with pytest.raises(BlobKeyError, match="cannot read"):
        BlobCipher.from_environment({"OPTIO_CODEX_BLOB_KEY_FILE": str(tmp_path / "none")})


async def test_large_stream_in_bounded_memory() -> None:
    cipher = BlobCipher(KEY)
    total, piece = 48 * 1024 * 1024, 256 * 1024
    block = os.urandom(piece)

    async def source() -> AsyncIterator[bytes]:
        for _ in range(total // piece):
            yield block

    seen = 0
    tracemalloc.start()
    try:
        async for out in cipher.decrypt_stream(cipher.encrypt_stream(source())):
            assert out == block[seen % piece : seen % piece + len(out)]
            seen += len(out)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert seen == total
    assert peak < 4 * 1024 * 1024, f"peak {peak} bytes for a {total}-byte stream"


async def test_streams_and_whole_blobs_interoperate() -> None:
    cipher = BlobCipher(KEY, chunk_size=64)
    data = os.urandom(1000)

    async def pieces(blob: bytes, size: int) -> AsyncIterator[bytes]:
        for start in range(0, len(blob), size):
            yield blob[start : start + size]

    streamed = b"".join([c async for c in cipher.encrypt_stream(pieces(data, 7))])
    assert cipher.decrypt(streamed) == data
    back = b"".join([c async for c in cipher.decrypt_stream(pieces(cipher.encrypt(data), 13))])
    assert back == data
    with pytest.raises(BlobCryptoError, match="truncated"):
        async for _ in cipher.decrypt_stream(pieces(cipher.encrypt(data)[:-3], 50)):
            pass
