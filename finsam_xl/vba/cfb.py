"""A minimal writer for Microsoft Compound File Binary files ([MS-CFB]), version 3.

Only what a ``vbaProject.bin`` needs is supported: storages and streams given as a
mapping of ``/``-separated paths to bytes, 512-byte sectors, a mini stream with
64-byte mini sectors for streams smaller than 4096 bytes, and up to 109 FAT
sectors (no DIFAT sectors, so files up to about 6.8 MiB).

Layout of the written file, in sector order after the 512-byte header::

    FAT sectors | directory sectors | mini FAT sectors | mini stream | large streams

The children of each storage are kept in a red-black tree as the specification
requires (section 2.6.4): a balanced binary search tree, built by halving the
sorted list, whose deepest level is red and all other nodes black.  Names are
ordered the CFB way: shorter names first, then by upper-cased UTF-16 code units.

The output is deterministic: no timestamps, no CLSIDs, unused space is zeroed.
Only the standard library is used.
"""

from __future__ import annotations

import struct
from collections.abc import Mapping
from dataclasses import dataclass, field

__all__ = ["build_compound_file", "cfb_name_key"]

SECTOR_SIZE = 512
MINI_SECTOR_SIZE = 64
MINI_STREAM_CUTOFF = 4096
_ENTRY_SIZE = 128
_IDS_PER_SECTOR = SECTOR_SIZE // 4

_FREESECT = 0xFFFFFFFF
_ENDOFCHAIN = 0xFFFFFFFE
_FATSECT = 0xFFFFFFFD
_NOSTREAM = 0xFFFFFFFF

_TYPE_STORAGE = 1
_TYPE_STREAM = 2
_TYPE_ROOT = 5
_RED = 0
_BLACK = 1

_SIGNATURE = bytes.fromhex("D0CF11E0A1B11AE1")
_MAX_HEADER_FAT_SECTORS = 109
_FORBIDDEN_NAME_CHARS = frozenset("/\\:!")


def cfb_name_key(name: str) -> tuple[int, str]:
    """Return the sort key MS-CFB uses for sibling names (length first, then upper case)."""
    return (len(name.encode("utf-16-le")) // 2, name.upper())


@dataclass
class _Node:
    """One directory entry while the file is being laid out."""

    name: str
    kind: int
    data: bytes = b""
    children: dict[str, _Node] = field(default_factory=dict)
    entry_id: int = 0
    left: int = _NOSTREAM
    right: int = _NOSTREAM
    child: int = _NOSTREAM
    color: int = _BLACK
    start: int = _ENDOFCHAIN
    size: int = 0


def _check_name(name: str) -> None:
    if not name:
        raise ValueError("empty storage or stream name")
    if len(name) > 31:
        raise ValueError(f"name longer than 31 characters: {name!r}")
    if any(char in _FORBIDDEN_NAME_CHARS for char in name):
        raise ValueError(f"name contains a forbidden character: {name!r}")


def _build_tree(streams: Mapping[str, bytes]) -> _Node:
    root = _Node("Root Entry", _TYPE_ROOT)
    for path, data in streams.items():
        parts = path.split("/")
        for part in parts:
            _check_name(part)
        node = root
        for part in parts[:-1]:
            child = node.children.get(part.upper())
            if child is None:
                child = _Node(part, _TYPE_STORAGE)
                node.children[part.upper()] = child
            elif child.kind != _TYPE_STORAGE:
                raise ValueError(f"{part!r} in {path!r} is both a stream and a storage")
            node = child
        leaf = parts[-1]
        if leaf.upper() in node.children:
            raise ValueError(f"duplicate entry {path!r}")
        node.children[leaf.upper()] = _Node(leaf, _TYPE_STREAM, data=bytes(data))
    return root


def _number_entries(root: _Node) -> list[_Node]:
    """Give every node an entry id, parents before children (root is 0)."""
    ordered: list[_Node] = [root]
    queue = [root]
    while queue:
        node = queue.pop(0)
        for child in sorted(node.children.values(), key=lambda n: cfb_name_key(n.name)):
            child.entry_id = len(ordered)
            ordered.append(child)
            queue.append(child)
    return ordered


def _link_siblings(node: _Node) -> None:
    """Arrange the children of ``node`` as a red-black tree and recurse."""
    children = sorted(node.children.values(), key=lambda n: cfb_name_key(n.name))
    if not children:
        return

    depth_of: dict[int, int] = {}

    def subtree(low: int, high: int, depth: int) -> int:
        if low > high:
            return _NOSTREAM
        middle = (low + high + 1) // 2
        current = children[middle]
        depth_of[middle] = depth
        current.left = subtree(low, middle - 1, depth + 1)
        current.right = subtree(middle + 1, high, depth + 1)
        return current.entry_id

    node.child = subtree(0, len(children) - 1, 0)
    deepest = max(depth_of.values())
    for index, child in enumerate(children):
        # Every path from the root to a leaf has the same number of black nodes
        # when exactly the deepest level is red (the root stays black).
        child.color = _RED if deepest > 0 and depth_of[index] == deepest else _BLACK
        _link_siblings(child)


def _chain(fat: list[int], first: int, count: int) -> None:
    for index in range(first, first + count - 1):
        fat[index] = index + 1
    fat[first + count - 1] = _ENDOFCHAIN


def _sectors(size: int, unit: int) -> int:
    return (size + unit - 1) // unit


def _directory_entry(node: _Node | None) -> bytes:
    if node is None:
        # Unused entry: all zero except the three stream ids (section 2.6.3).
        return (
            bytes(66)
            + b"\x00\x00"
            + struct.pack("<III", _NOSTREAM, _NOSTREAM, _NOSTREAM)
            + bytes(_ENTRY_SIZE - 80)
        )
    encoded = node.name.encode("utf-16-le") + b"\x00\x00"
    return struct.pack(
        "<64sHBBIII16sIQQIQ",
        encoded,
        len(encoded),
        node.kind,
        node.color,
        node.left,
        node.right,
        node.child,
        bytes(16),
        0,
        0,
        0,
        node.start,
        node.size,
    )


def build_compound_file(streams: Mapping[str, bytes]) -> bytes:
    """Return a version-3 compound file holding ``streams``.

    ``streams`` maps paths such as ``"VBA/dir"`` to stream contents; storages on
    the way are created implicitly.  Entry names are at most 31 characters and may
    not contain ``/ \\ : !``.  Streams smaller than 4096 bytes are stored in the
    mini stream, larger ones in regular sectors.
    """
    root = _build_tree(streams)
    entries = _number_entries(root)
    _link_siblings(root)

    leaves = [node for node in entries if node.kind == _TYPE_STREAM]
    large = [node for node in leaves if len(node.data) >= MINI_STREAM_CUTOFF]
    minifat, mini_stream = _mini_stream(leaves)
    layout = _Layout.plan(len(entries), minifat, mini_stream, large)
    layout.place(root, mini_stream, large)

    out = bytearray(_header(layout))
    out += struct.pack(f"<{len(layout.fat)}I", *layout.fat)
    directory = b"".join(_directory_entry(node) for node in entries)
    padding_entries = layout.directory_sectors * (SECTOR_SIZE // _ENTRY_SIZE) - len(entries)
    directory += _directory_entry(None) * padding_entries
    out += directory
    if layout.minifat_sectors:
        padded = minifat + [_FREESECT] * (layout.minifat_sectors * _IDS_PER_SECTOR - len(minifat))
        out += struct.pack(f"<{len(padded)}I", *padded)
    out += bytes(mini_stream).ljust(layout.mini_stream_sectors * SECTOR_SIZE, b"\x00")
    for node, count in zip(large, layout.large_sectors, strict=True):
        out += node.data.ljust(count * SECTOR_SIZE, b"\x00")
    assert len(out) == SECTOR_SIZE * (1 + layout.total_sectors)
    return bytes(out)


def _mini_stream(leaves: list[_Node]) -> tuple[list[int], bytearray]:
    """Put the small streams in the mini stream; return the mini FAT and the mini stream.

    Sets the start and size of every small stream, and of every empty one (no chain).
    """
    minifat: list[int] = []
    mini_stream = bytearray()
    for node in leaves:
        if not 0 < len(node.data) < MINI_STREAM_CUTOFF:
            continue
        count = _sectors(len(node.data), MINI_SECTOR_SIZE)
        node.start = len(minifat)
        node.size = len(node.data)
        minifat.extend([_FREESECT] * count)
        _chain(minifat, node.start, count)
        mini_stream += node.data.ljust(count * MINI_SECTOR_SIZE, b"\x00")
    for node in leaves:
        if not node.data:
            node.start = _ENDOFCHAIN
            node.size = 0
    return minifat, mini_stream


@dataclass
class _Layout:
    """The sectors of the file after the header, and the FAT that chains them."""

    fat_sectors: int
    directory_sectors: int
    minifat_sectors: int
    mini_stream_sectors: int
    large_sectors: list[int]
    fat: list[int] = field(default_factory=list)
    directory_start: int = 0
    minifat_start: int = _ENDOFCHAIN

    @property
    def total_sectors(self) -> int:
        """The sectors after the header: the FAT's and the payload's."""
        return (
            self.fat_sectors
            + self.directory_sectors
            + self.minifat_sectors
            + self.mini_stream_sectors
            + sum(self.large_sectors)
        )

    @classmethod
    def plan(
        cls, entries: int, minifat: list[int], mini_stream: bytearray, large: list[_Node]
    ) -> _Layout:
        """Count the sectors of each part, and the FAT sectors that can chain them all."""
        layout = cls(
            fat_sectors=0,
            directory_sectors=_sectors(entries * _ENTRY_SIZE, SECTOR_SIZE),
            minifat_sectors=_sectors(len(minifat) * 4, SECTOR_SIZE),
            mini_stream_sectors=_sectors(len(mini_stream), SECTOR_SIZE),
            large_sectors=[_sectors(len(node.data), SECTOR_SIZE) for node in large],
        )
        payload_sectors = layout.total_sectors
        fat_sectors = 1
        while fat_sectors * _IDS_PER_SECTOR < fat_sectors + payload_sectors:
            fat_sectors += 1
        if fat_sectors > _MAX_HEADER_FAT_SECTORS:
            raise ValueError("compound file too large for a writer without DIFAT sectors")
        layout.fat_sectors = fat_sectors
        return layout

    def place(self, root: _Node, mini_stream: bytearray, large: list[_Node]) -> None:
        """Chain the parts in the FAT, in file order; set the root's and large streams' start."""
        fat = self.fat = [_FREESECT] * (self.fat_sectors * _IDS_PER_SECTOR)
        for index in range(self.fat_sectors):
            fat[index] = _FATSECT
        cursor = self.fat_sectors

        self.directory_start = cursor
        _chain(fat, cursor, self.directory_sectors)
        cursor += self.directory_sectors

        if self.minifat_sectors:
            self.minifat_start = cursor
            _chain(fat, cursor, self.minifat_sectors)
            cursor += self.minifat_sectors

        root.start = _ENDOFCHAIN
        root.size = 0
        if self.mini_stream_sectors:
            root.start = cursor
            root.size = len(mini_stream)
            _chain(fat, cursor, self.mini_stream_sectors)
            cursor += self.mini_stream_sectors

        for node, count in zip(large, self.large_sectors, strict=True):
            node.start = cursor
            node.size = len(node.data)
            _chain(fat, cursor, count)
            cursor += count
        assert cursor == self.total_sectors


def _header(layout: _Layout) -> bytes:
    """The 512-byte header: version 3, the FAT sectors listed in its DIFAT."""
    fat_sectors = layout.fat_sectors
    difat = list(range(fat_sectors)) + [_FREESECT] * (_MAX_HEADER_FAT_SECTORS - fat_sectors)
    header = (
        _SIGNATURE
        + bytes(16)
        + struct.pack(
            "<HHHHH6sIIIIIIIII",
            0x003E,  # minor version
            0x0003,  # major version 3
            0xFFFE,  # byte order: little endian
            9,  # sector shift: 512-byte sectors
            6,  # mini sector shift: 64-byte mini sectors
            bytes(6),
            0,  # number of directory sectors: MUST be 0 for version 3
            fat_sectors,
            layout.directory_start,
            0,  # transaction signature
            MINI_STREAM_CUTOFF,
            layout.minifat_start,
            layout.minifat_sectors,
            _ENDOFCHAIN,  # first DIFAT sector: none
            0,  # number of DIFAT sectors
        )
        + struct.pack(f"<{_MAX_HEADER_FAT_SECTORS}I", *difat)
    )
    assert len(header) == SECTOR_SIZE
    return header
