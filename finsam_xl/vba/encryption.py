"""MS-OVBA data encryption (section 2.4.3), used for the CMG, DPB and GC fields.

The PROJECT stream stores three values in this reversible obfuscation, hex-encoded:

* ``CMG``: the 4-byte ProjectProtectionState (``00000000`` = not protected);
* ``DPB``: the ProjectPassword (one ``00`` byte = no password);
* ``GC``: the 1-byte ProjectVisibilityState (``FF`` = visible).

Layout of the encrypted bytes (2.4.3.1): Seed, VersionEnc, ProjKeyEnc,
IgnoredEnc (``(Seed & 6) // 2`` bytes), DataLengthEnc (4 bytes, little endian),
DataEnc.  ``ProjKey`` is the byte sum of the project's ``ID`` string (the GUID in
braces, as written in the PROJECT stream).

Only the standard library is used.
"""

from __future__ import annotations

import struct

__all__ = ["decrypt", "encrypt", "project_key"]

_VERSION = 2


def project_key(project_id: str) -> int:
    """Return ProjKey: the sum of the bytes of ``project_id`` (e.g. ``"{GUID}"``), modulo 256."""
    return sum(project_id.encode("ascii")) & 0xFF


def encrypt(data: bytes, project_id: str, seed: int, ignored: bytes = b"") -> bytes:
    """Encrypt ``data`` per spec 2.4.3.2 with a caller-chosen ``seed`` (0-255).

    ``ignored`` supplies the ``(seed & 6) // 2`` obfuscation bytes; missing bytes
    are zero.  Passing explicit values keeps the output reproducible.
    """
    if not 0 <= seed <= 0xFF:
        raise ValueError("seed must be a byte")
    key = project_key(project_id)
    version_enc = seed ^ _VERSION
    key_enc = seed ^ key
    out = bytearray([seed, version_enc, key_enc])
    unencrypted_1 = key
    encrypted_1 = key_enc
    encrypted_2 = version_enc
    ignored_length = (seed & 6) // 2
    plain = ignored.ljust(ignored_length, b"\x00")[:ignored_length]
    plain += struct.pack("<I", len(data)) + bytes(data)
    for byte in plain:
        byte_enc = byte ^ ((encrypted_2 + unencrypted_1) & 0xFF)
        out.append(byte_enc)
        encrypted_2 = encrypted_1
        encrypted_1 = byte_enc
        unencrypted_1 = byte
    return bytes(out)


def decrypt(encrypted: bytes) -> tuple[bytes, int]:
    """Decrypt per spec 2.4.3.3; return ``(data, proj_key)``.

    Raises ``ValueError`` if the version is not 2 or the stated length does not
    match the number of bytes that follow.
    """
    if len(encrypted) < 7:
        raise ValueError("encrypted data too short")
    seed, version_enc, key_enc = encrypted[0], encrypted[1], encrypted[2]
    if seed ^ version_enc != _VERSION:
        raise ValueError(f"unexpected encryption version {seed ^ version_enc}")
    key = seed ^ key_enc
    unencrypted_1 = key
    encrypted_1 = key_enc
    encrypted_2 = version_enc
    plain = bytearray()
    for byte_enc in encrypted[3:]:
        byte = byte_enc ^ ((encrypted_2 + unencrypted_1) & 0xFF)
        plain.append(byte)
        encrypted_2 = encrypted_1
        encrypted_1 = byte_enc
        unencrypted_1 = byte
    ignored_length = (seed & 6) // 2
    if len(plain) < ignored_length + 4:
        raise ValueError("encrypted data too short")
    (length,) = struct.unpack_from("<I", plain, ignored_length)
    data = bytes(plain[ignored_length + 4 :])
    if len(data) != length:
        raise ValueError(f"stated length {length} but {len(data)} bytes follow")
    return data, key
