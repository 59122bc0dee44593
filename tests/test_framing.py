from hypothesis import given
from hypothesis import strategies as st

from optio_codex.protocol.framing import LineDecoder, OversizedLine


def collect(decoder: LineDecoder, chunks: list[bytes]) -> list[bytes | OversizedLine]:
    out: list[bytes | OversizedLine] = []
    for chunk in chunks:
        out.extend(decoder.feed(chunk))
    return out


def test_splits_lines_across_chunks() -> None:
    d = LineDecoder()
    assert collect(d, [b'{"a":1}\n{"b"', b":2}\n\n", b'{"c":3}']) == [b'{"a":1}', b'{"b":2}']
    assert d.buffered == len(b'{"c":3}')
    assert collect(d, [b"\n"]) == [b'{"c":3}']


def test_oversized_line_is_reported_and_skipped() -> None:
    d = LineDecoder(max_line_bytes=10)
    out = collect(d, [b"0123456789ABCDEF", b"GHIJ\nok\n", b"x" * 11 + b"\nfine\n"])
    assert isinstance(out[0], OversizedLine) and out[0].size == 20
    assert out[1] == b"ok"
    assert isinstance(out[2], OversizedLine) and out[2].size == 11
    assert out[3] == b"fine"


@given(st.lists(st.binary(max_size=50), max_size=30), st.integers(min_value=2, max_value=40))
def test_any_chunking_gives_the_same_lines(chunks: list[bytes], limit: int) -> None:
    whole = b"".join(chunks)
    expected = []
    for line in whole.split(b"\n")[:-1]:
        if len(line) > limit:
            expected.append(("big", len(line)))
        elif line:
            expected.append(("line", line))
    got = []
    for item in collect(LineDecoder(limit), chunks):
        got.append(("big", item.size) if isinstance(item, OversizedLine) else ("line", item))
    assert got == expected
