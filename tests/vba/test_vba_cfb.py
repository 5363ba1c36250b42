"""The compound file writer, checked by two independent readers: olefile and ``cfb`` (BSD)."""

from __future__ import annotations

import io
import struct
from pathlib import Path

import olefile
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from vba_support import ole_streams

from finsam_xl.vba.cfb import build_compound_file, cfb_name_key

cfb = pytest.importorskip("cfb", reason="pip install cfb (BSD-2-Clause reader) for this test")
from cfb.exceptions import WarningDefect  # noqa: E402

NOSTREAM = 0xFFFFFFFF


def cfb_streams(path: Path) -> dict[str, bytes]:
    """Walk the directory tree with the ``cfb`` package, raising on any defect."""
    document = cfb.CfbIO(path, raise_if=WarningDefect)
    found: dict[str, bytes] = {}

    def walk(entry_id: int, prefix: str) -> None:
        if entry_id == NOSTREAM:
            return
        entry = document.directory[entry_id]
        walk(entry.left_sibling_id, prefix)
        walk(entry.right_sibling_id, prefix)
        if entry.type == 1:  # storage
            walk(entry.child_id, f"{prefix}{entry.name}/")
        else:
            entry.seek(0)
            found[prefix + entry.name] = entry.read()

    try:
        walk(document.root.child_id, "")
    finally:
        document.close()
    return found


def check_red_black(data: bytes) -> None:
    """Each storage's children form a red-black binary search tree in CFB name order."""
    ole = olefile.OleFileIO(io.BytesIO(data))
    entries = ole.direntries

    def black_height(sid: int, low: object, high: object) -> int:
        if sid == NOSTREAM:
            return 1
        entry = entries[sid]
        key = cfb_name_key(entry.name)
        assert low is None or low < key  # type: ignore[operator]
        assert high is None or key < high  # type: ignore[operator]
        if entry.color == 0:  # red: no red child
            for child in (entry.sid_left, entry.sid_right):
                assert child == NOSTREAM or entries[child].color == 1
        left = black_height(entry.sid_left, low, key)
        right = black_height(entry.sid_right, key, high)
        assert left == right
        return left + (entry.color == 1)

    for entry in entries:
        if entry is not None and entry.entry_type in (1, 5) and entry.sid_child != NOSTREAM:
            assert entries[entry.sid_child].color == 1  # the root of each tree is black
            black_height(entry.sid_child, None, None)
    ole.close()


VBA_LIKE = {
    "PROJECT": b"ID=...\r\n" * 40,
    "PROJECTwm": b"wm\x00",
    "VBA/_VBA_PROJECT": bytes.fromhex("CC61FFFF000100"),
    "VBA/dir": b"d" * 700,
    "VBA/ThisWorkbook": b"t" * 300,
    "VBA/Sheet1": b"s" * 4095,
    "VBA/Sheet2": b"S" * 4096,
    "VBA/FinsamXL": bytes(range(256)) * 80,
    "VBA/Empty": b"",
}


def test_header_fields() -> None:
    data = build_compound_file(VBA_LIKE)
    assert data[:8] == bytes.fromhex("D0CF11E0A1B11AE1")
    minor, major, order, shift, mini_shift = struct.unpack_from("<HHHHH", data, 24)
    assert (minor, major, order, shift, mini_shift) == (0x3E, 3, 0xFFFE, 9, 6)
    (cutoff,) = struct.unpack_from("<I", data, 56)
    assert cutoff == 4096
    assert len(data) % 512 == 0


def test_olefile_reads_every_stream() -> None:
    data = build_compound_file(VBA_LIKE)
    assert ole_streams(data) == VBA_LIKE
    ole = olefile.OleFileIO(io.BytesIO(data), raise_defects=olefile.DEFECT_INCORRECT)
    assert ole.get_type("VBA") == olefile.STGTY_STORAGE
    assert ole.get_type("VBA/dir") == olefile.STGTY_STREAM
    ole.close()


def test_cfb_package_reads_every_stream(tmp_path: Path) -> None:
    path = tmp_path / "vbaProject.bin"
    path.write_bytes(build_compound_file(VBA_LIKE))
    assert cfb_streams(path) == VBA_LIKE


def test_red_black_trees() -> None:
    check_red_black(build_compound_file(VBA_LIKE))


def test_output_is_deterministic() -> None:
    assert build_compound_file(VBA_LIKE) == build_compound_file(dict(reversed(VBA_LIKE.items())))


@pytest.mark.parametrize(
    "streams",
    [
        {"a/b": b"1", "a": b"2"},
        {"x" * 32: b""},
        {"bad!name": b""},
        {"A": b"", "a": b""},
    ],
)
def test_rejects_bad_trees(streams: dict[str, bytes]) -> None:
    with pytest.raises(ValueError):
        build_compound_file(streams)


names = st.text(
    alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_0123456789",
    min_size=1,
    max_size=31,
)
sizes = st.sampled_from([0, 1, 63, 64, 65, 511, 512, 513, 4095, 4096, 4097, 9000, 70000])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(st.sampled_from(["", "VBA/", "VBA/Sub/"]), names, sizes, st.integers(0, 255)),
        min_size=1,
        max_size=40,
        unique_by=lambda item: (item[0], item[1].upper()),
    )
)
def test_random_trees_read_back(
    tmp_path_factory: pytest.TempPathFactory, spec: list[tuple[str, str, int, int]]
) -> None:
    streams = {
        prefix + name: bytes([fill]) * size + bytes([size & 0xFF])
        for prefix, name, size, fill in spec
    }
    # A stream may not share its name with a storage in the same folder.
    if any(path.upper() in {"VBA", "VBA/SUB"} for path in streams):
        return
    data = build_compound_file(streams)
    assert ole_streams(data) == streams
    path = tmp_path_factory.mktemp("cfb") / "random.bin"
    path.write_bytes(data)
    assert cfb_streams(path) == streams
    check_red_black(data)
