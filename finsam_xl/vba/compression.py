"""MS-OVBA run-length compression (section 2.4.1), written from the specification.

A *CompressedContainer* is the signature byte ``0x01`` followed by chunks.  Every
chunk encodes up to 4096 bytes of the decompressed buffer and starts with a 16-bit
little-endian header:

* bits 0-11: ``CompressedChunkSize`` = size of the whole chunk (header included) - 3;
* bits 12-14: signature ``0b011``;
* bit 15: ``CompressedChunkFlag`` (1 = token sequences follow, 0 = 4096 raw bytes).

A compressed chunk is a series of *token sequences*: one flag byte and up to eight
tokens.  Flag bit *i* (least significant first) is 0 for a literal byte and 1 for a
two-byte *copy token* that repeats earlier bytes of the same chunk.  How the 16 bits
of a copy token are split between offset and length depends on how far into the
chunk the token starts (``copy_token_help``).

The compressor follows the specification's greedy matching: at every position it
takes the longest earlier match in the chunk (three bytes or more), the nearest one
when several are equally long.  A hash chain over three-byte prefixes replaces the
specification's quadratic scan; it only skips candidates that cannot reach three
bytes, so the choice is the same except that a match is cut off at the
token's maximum length before candidates are compared (the specification compares
uncut lengths; both results decode identically).

Only the standard library is used.
"""

from __future__ import annotations

import struct

__all__ = [
    "CHUNK_SIZE",
    "CompressionError",
    "compress",
    "copy_token_help",
    "decompress",
]

CHUNK_SIZE = 4096
"""Number of decompressed bytes per chunk."""

_SIGNATURE = 0x01
_CHUNK_SIGNATURE = 0b011
_MAX_CHUNK_DATA = 4096  # CompressedChunkSize is 12 bits: 4095 + 3 - 2 header bytes
_MIN_MATCH = 3


class CompressionError(ValueError):
    """Raised for malformed compressed data or data that must not be stored raw."""


def copy_token_help(difference: int) -> tuple[int, int, int, int]:
    """Return ``(length_mask, offset_mask, bit_count, maximum_length)`` (spec 2.4.1.3.19.1).

    ``difference`` is the distance of the current position from the start of the
    decompressed chunk; it is at least 1 wherever a copy token can occur.
    """
    if difference < 1:
        raise ValueError("a copy token cannot start a chunk")
    bit_count = max((difference - 1).bit_length(), 4)
    length_mask = 0xFFFF >> bit_count
    offset_mask = ~length_mask & 0xFFFF
    maximum_length = length_mask + 3
    return length_mask, offset_mask, bit_count, maximum_length


def _match_length(data: bytes, candidate: int, current: int, limit: int) -> int:
    """Return how many bytes from ``candidate`` equal those from ``current`` (at most ``limit``).

    The two ranges may overlap (``candidate + length > current``); that is allowed
    by the format because the decompressor copies byte by byte.
    """
    length = 0
    # Compare in blocks first.  When the ranges overlap, slices of the original
    # buffer are still the correct comparison: a decompressor that copies byte by
    # byte reproduces exactly data[candidate + k] == data[current + k].
    step = 32
    while length + step <= limit and (
        data[candidate + length : candidate + length + step]
        == data[current + length : current + length + step]
    ):
        length += step
    while length < limit and data[candidate + length] == data[current + length]:
        length += 1
    return length


def _compress_chunk(chunk: bytes) -> bytes:
    """Encode one decompressed chunk (at most 4096 bytes) as token sequences."""
    out = bytearray()
    end = len(chunk)
    chains: dict[bytes, list[int]] = {}
    pos = 0

    def remember(index: int) -> None:
        if index + _MIN_MATCH <= end:
            chains.setdefault(chunk[index : index + _MIN_MATCH], []).append(index)

    while pos < end:
        flag_index = len(out)
        out.append(0)
        flags = 0
        for bit in range(8):
            if pos >= end:
                break
            best_length = 0
            best_candidate = 0
            if pos > 0 and pos + _MIN_MATCH <= end:
                candidates = chains.get(chunk[pos : pos + _MIN_MATCH])
                if candidates:
                    maximum_length = copy_token_help(pos)[3]
                    limit = min(maximum_length, end - pos)
                    # Nearest candidate first; a strictly longer match replaces it.
                    for candidate in reversed(candidates):
                        length = _match_length(chunk, candidate, pos, limit)
                        if length > best_length:
                            best_length = length
                            best_candidate = candidate
                            if length == limit:
                                break
            if best_length >= _MIN_MATCH:
                _, _, bit_count, _ = copy_token_help(pos)
                offset = pos - best_candidate
                token = ((offset - 1) << (16 - bit_count)) | (best_length - 3)
                out += struct.pack("<H", token)
                flags |= 1 << bit
                for index in range(pos, pos + best_length):
                    remember(index)
                pos += best_length
            else:
                out.append(chunk[pos])
                remember(pos)
                pos += 1
        out[flag_index] = flags
    return bytes(out)


def compress(data: bytes, *, allow_raw: bool = True) -> bytes:
    """Compress ``data`` into an MS-OVBA CompressedContainer (spec 2.4.1.3.6).

    A chunk whose token encoding would exceed 4096 bytes is stored raw, as the
    specification prescribes; a raw chunk always holds 4096 bytes, so a short final
    raw chunk is padded with zero bytes and decompresses longer than ``data``.
    Real VBA source never needs a raw chunk.  Pass ``allow_raw=False`` to get a
    :class:`CompressionError` instead (the project builder does: a third-party
    report says Excel drops modules stored with raw chunks, which is unverified
    here but not worth the risk).
    """
    out = bytearray([_SIGNATURE])
    for start in range(0, len(data), CHUNK_SIZE):
        chunk = data[start : start + CHUNK_SIZE]
        encoded = _compress_chunk(chunk)
        if len(encoded) <= _MAX_CHUNK_DATA:
            header = (len(encoded) + 2 - 3) | (_CHUNK_SIGNATURE << 12) | 0x8000
            out += struct.pack("<H", header)
            out += encoded
        else:
            if not allow_raw:
                raise CompressionError(f"chunk at offset {start} does not compress into 4096 bytes")
            header = (CHUNK_SIZE + 2 - 3) | (_CHUNK_SIGNATURE << 12)
            out += struct.pack("<H", header)
            out += chunk.ljust(CHUNK_SIZE, b"\x00")
    return bytes(out)


def decompress(container: bytes) -> bytes:
    """Decompress an MS-OVBA CompressedContainer (spec 2.4.1.3.1), strictly.

    Raises :class:`CompressionError` on a wrong signature byte, a wrong chunk
    signature, a truncated chunk or a copy token that points before the chunk.
    """
    if not container:
        raise CompressionError("empty container")
    if container[0] != _SIGNATURE:
        raise CompressionError(f"bad container signature 0x{container[0]:02X}")
    out = bytearray()
    current = 1
    total = len(container)
    while current < total:
        chunk_end, compressed = _chunk_header(container, current)
        position = current + 2
        if not compressed:
            if chunk_end - current != CHUNK_SIZE + 2:
                raise CompressionError(f"raw chunk at {current} is not 4096 bytes")
            out += container[position:chunk_end]
        else:
            chunk_start = len(out)
            _decompress_chunk(container, position, chunk_end, out)
            if len(out) - chunk_start > CHUNK_SIZE:
                raise CompressionError(f"chunk at {current} decompresses to more than 4096 bytes")
        current = chunk_end
    return bytes(out)


def _chunk_header(container: bytes, current: int) -> tuple[int, bool]:
    """The end of the chunk whose header is at ``current``, and whether it is compressed."""
    total = len(container)
    if current + 2 > total:
        raise CompressionError(f"truncated chunk header at {current}")
    (header,) = struct.unpack_from("<H", container, current)
    size = (header & 0x0FFF) + 3
    if (header >> 12) & 0b111 != _CHUNK_SIGNATURE:
        raise CompressionError(f"bad chunk signature at {current}")
    chunk_end = current + size
    if chunk_end > total:
        raise CompressionError(f"chunk at {current} runs past the end of the container")
    return chunk_end, bool(header >> 15)


def _decompress_chunk(container: bytes, position: int, chunk_end: int, out: bytearray) -> None:
    """Append to ``out`` the token sequences of one compressed chunk (after its header)."""
    chunk_start = len(out)
    while position < chunk_end:
        flags = container[position]
        position += 1
        for bit in range(8):
            if position >= chunk_end:
                break
            if not (flags >> bit) & 1:
                out.append(container[position])
                position += 1
                continue
            if position + 2 > chunk_end:
                raise CompressionError(f"truncated copy token at {position}")
            (token,) = struct.unpack_from("<H", container, position)
            position += 2
            _copy(out, chunk_start, token, position - 2)


def _copy(out: bytearray, chunk_start: int, token: int, at: int) -> None:
    """Append what the copy token ``token`` (at offset ``at``) copies from earlier output."""
    difference = len(out) - chunk_start
    if difference < 1:
        raise CompressionError(f"copy token at {at} starts a chunk")
    length_mask, offset_mask, bit_count, _ = copy_token_help(difference)
    length = (token & length_mask) + 3
    offset = ((token & offset_mask) >> (16 - bit_count)) + 1
    source = len(out) - offset
    if source < chunk_start:
        raise CompressionError(f"copy token at {at} points before chunk")
    if offset >= length:
        out += out[source : source + length]
    else:
        for index in range(length):
            out.append(out[source + index])
