"""MS-OVBA compression: spec examples, round trips, Excel-written streams, strictness."""

from __future__ import annotations

import random
import struct

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from oletools.olevba import decompress_stream
from vba_support import ole_streams

from finsam_xl.vba.compression import CompressionError, compress, copy_token_help, decompress
from finsam_xl.vba.reader import parse_dir

# MS-OVBA 3.2.1 "No Compression" example: the bytes are given by the specification.
NO_COMPRESSION_IN = b"abcdefghijklmnopqrstuv."
NO_COMPRESSION_OUT = bytes.fromhex(
    "01 19 B0 00 61 62 63 64 65 66 67 68 00 69 6A 6B 6C 6D 6E 6F 70 00 71 72 73 74 75 76 2E"
)
# MS-OVBA 3.2.2 "Normal Compression" example.  The specification's own bytes pick
# other (equally valid) copy-token sources than its pseudo-code does, so only the
# decoded data and the size are compared.
NORMAL_IN = b"#aaabcdefaaaaghijaaaaaklaaamnopqaaaaaaaaaaaarstuvwxyzaaa"
NORMAL_OUT = bytes.fromhex(
    "01 2F B0 00 23 61 61 61 62 63 64 65 82 66 00 70 61 67 68 69 6A 01 38 08 61 6B 6C"
    " 00 30 6D 6E 6F 70 06 71 02 70 04 10 72 73 74 75 76 10 77 78 79 7A 00 3C"
)


def olevba_decompress(data: bytes) -> bytes:
    return bytes(decompress_stream(bytearray(data)))


def test_spec_example_no_compression_is_byte_exact() -> None:
    assert compress(NO_COMPRESSION_IN) == NO_COMPRESSION_OUT
    assert decompress(NO_COMPRESSION_OUT) == NO_COMPRESSION_IN


def test_spec_example_normal_compression() -> None:
    assert decompress(NORMAL_OUT) == NORMAL_IN
    ours = compress(NORMAL_IN)
    assert len(ours) == len(NORMAL_OUT)
    assert ours[:3] == NORMAL_OUT[:3]  # same signature byte and chunk header
    assert decompress(ours) == NORMAL_IN
    assert olevba_decompress(ours) == NORMAL_IN


def test_empty_input_is_just_the_signature() -> None:
    assert compress(b"") == b"\x01"
    assert decompress(b"\x01") == b""


@pytest.mark.parametrize(
    ("difference", "bit_count", "maximum_length"),
    [(1, 4, 4098), (16, 4, 4098), (17, 5, 2050), (32, 5, 2050), (33, 6, 1026), (4095, 12, 18)],
)
def test_copy_token_help(difference: int, bit_count: int, maximum_length: int) -> None:
    length_mask, offset_mask, bits, maximum = copy_token_help(difference)
    assert (bits, maximum) == (bit_count, maximum_length)
    assert length_mask | offset_mask == 0xFFFF and length_mask & offset_mask == 0


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=9000))
def test_round_trip_arbitrary_bytes(data: bytes) -> None:
    packed = compress(data)
    ours = decompress(packed)
    theirs = olevba_decompress(packed)
    assert ours == theirs
    # A chunk that does not compress is stored raw and, per the specification,
    # padded to 4096 bytes; everything else round-trips exactly.
    assert ours[: len(data)] == data
    assert set(ours[len(data) :]) <= {0}


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 13000), st.randoms(use_true_random=False), st.integers(0, 12))
def test_round_trip_noise_with_raw_chunks(size: int, rng: random.Random, text_every: int) -> None:
    # Noise forces raw chunks (including a short, padded final one); mixing in some
    # repeated text lets compressed and raw chunks alternate.
    data = bytearray(rng.randbytes(size))
    filler = b"End Sub\r\n" * 334
    if text_every:
        for start in range(0, size, 4096 * text_every):
            end = min(start + 3000, size)
            data[start:end] = filler[: end - start]
    assert len(data) == size
    packed = compress(bytes(data))
    ours = decompress(packed)
    assert ours == olevba_decompress(packed)
    assert ours[:size] == data  # compared without a diff: the bytes are long
    assert not any(ours[size:])
    assert len(ours) - size < 4096


text_like = st.lists(
    st.sampled_from(
        [
            "    ",
            "Dim x As Long\r\n",
            "End Sub\r\n",
            "RunPython ",
            '"import finsam_xl"',
            "'",
            "a",
            "b",
            "åäö",
            "\r\n",
            "0123456789",
        ]
    ),
    max_size=2500,
).map(lambda parts: "".join(parts).encode("cp1252"))


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(text_like, st.text(max_size=6000).map(lambda s: s.encode("utf-8"))))
def test_round_trip_text_is_exact_and_never_raw(data: bytes) -> None:
    packed = compress(data, allow_raw=False)
    assert decompress(packed) == data
    assert olevba_decompress(packed) == data


@settings(max_examples=100)
@given(st.binary(min_size=1, max_size=5000))
def test_decompress_agrees_with_olevba_on_repetitive_data(seed: bytes) -> None:
    data = (seed * (9000 // len(seed) + 1))[:9000]
    packed = compress(data)
    assert decompress(packed) == olevba_decompress(packed) == data
    assert len(packed) < len(data)


def test_incompressible_chunk_is_raw_or_refused() -> None:
    data = random.Random(20240601).randbytes(4096)  # noise: no useful 3-byte repeats
    packed = compress(data)
    (header,) = struct.unpack_from("<H", packed, 1)
    assert header == 0x3FFF  # raw chunk: flag 0, signature 0b011, size 4095
    assert len(packed) == 1 + 2 + 4096
    assert decompress(packed) == data == olevba_decompress(packed)
    with pytest.raises(CompressionError):
        compress(data, allow_raw=False)


def test_excel_written_streams_decompress_like_olevba(excel_projects: dict[str, bytes]) -> None:
    for name, project in excel_projects.items():
        streams = ole_streams(project)
        directory = decompress(streams["VBA/dir"])
        assert directory == olevba_decompress(streams["VBA/dir"]), name
        for module in parse_dir(directory).modules:
            stream = streams[f"VBA/{module.stream_name}"][module.offset :]
            source = decompress(stream)
            assert source == olevba_decompress(stream)
            assert decompress(compress(source, allow_raw=False)) == source


@pytest.mark.parametrize(
    ("container", "message"),
    [
        (b"", "empty"),
        (b"\x02\x00\xb0\x00a", "signature"),
        (b"\x01\x00\xa0\x00a", "chunk signature"),
        (b"\x01\x10\xb0\x00a", "past the end"),
        (b"\x01\x02\xb0\x01\x00\x00", "starts a chunk"),
        (b"\x01\x03\xb0\x02a\x00\x10", "before chunk"),
        (b"\x01\xff\x3f" + b"a" * 100, "past the end"),
    ],
)
def test_decompress_is_strict(container: bytes, message: str) -> None:
    with pytest.raises(CompressionError, match=message):
        decompress(container)
