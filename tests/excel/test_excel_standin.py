"""Keep the stand-in, the remote book and the protocol honest against the installed xlwings.

Every member the adapter may use is declared in finsam_xl.excel.xltypes. Each
must exist in xlwings.main with the same kind (property, settable property,
method) and the same parameters (names, kinds, defaults); the test stand-in and
remote.RemoteBook must match too. mypy also checks xw.Book against XlBook
structurally (finsam_xl.excel.lite passes an xw.Book to press).
"""

from __future__ import annotations

import inspect
import io
from pathlib import Path
from typing import Any

import fakexl_support as fakexl
import pytest
import xlwings.main as xl

from finsam_xl.excel import remote as R
from finsam_xl.excel import xltypes as P
from finsam_xl.excel.styles import ROLE_FORMATS

#: protocol class -> (xlwings class, stand-in class, remote class or None for a plain list)
MAP: dict[type, tuple[type, type, type | None]] = {
    P.XlBook: (xl.Book, fakexl.FakeBook, R.RemoteBook),
    P.XlSheets: (xl.Sheets, fakexl.FakeSheets, R.RemoteSheets),
    P.XlSheet: (xl.Sheet, fakexl.FakeSheet, R.RemoteSheet),
    P.XlTables: (xl.Tables, fakexl.FakeTables, None),
    P.XlTable: (xl.Table, fakexl.FakeTable, R.RemoteTable),
    P.XlNames: (xl.Names, fakexl.FakeNames, None),
    P.XlName: (xl.Name, fakexl.FakeName, R.RemoteName),
    P.XlRange: (xl.Range, fakexl.FakeRange, R.RemoteRange),
    P.XlApp: (xl.App, fakexl.FakeApp, R.RemoteApp),
}


def members(proto: type) -> dict[str, Any]:
    return {
        name: value
        for name, value in vars(proto).items()
        if isinstance(value, property)
        or (
            inspect.isfunction(value)
            and (not name.startswith("_") or name in ("__iter__", "__getitem__"))
        )
    }


def shape(fn: Any, dunder: bool) -> list[tuple[Any, ...]]:
    """Parameters as (name, kind, default); dunders by kind only (subscripts ignore names)."""
    params = list(inspect.signature(fn).parameters.values())
    if dunder:
        return [(p.kind,) for p in params]
    return [(p.name, p.kind, p.default) for p in params]


CASES = [(proto, name) for proto in MAP for name in members(proto)]


def test_protocol_declares_what_the_adapter_uses() -> None:
    used = {(p.__name__, n) for p, n in CASES}
    assert ("XlRange", "value") in used and ("XlSheet", "range") in used
    assert ("XlApp", "alert") in used and ("XlName", "refers_to") in used
    assert len(CASES) == 23


@pytest.mark.parametrize(("proto", "name"), CASES, ids=[f"{p.__name__}.{n}" for p, n in CASES])
def test_member_matches_xlwings(proto: type, name: str) -> None:
    xl_cls, fake_cls, remote_cls = MAP[proto]
    declared = members(proto)[name]
    implementations = [("xlwings", xl_cls), ("stand-in", fake_cls)]
    if remote_cls is not None:
        implementations.append(("remote", remote_cls))
    for label, cls in implementations:
        found = inspect.getattr_static(cls, name, None)
        assert found is not None, f"{label} {cls.__name__} lacks {name}"
        if isinstance(declared, property):
            assert isinstance(found, property), f"{label} {cls.__name__}.{name} is no property"
            if declared.fset is not None:
                assert found.fset is not None, f"{label} {cls.__name__}.{name} cannot be set"
        else:
            assert callable(found), f"{label} {cls.__name__}.{name}"
            dunder = name.startswith("__")
            assert shape(found, dunder) == shape(declared, dunder), f"{label} {cls.__name__}.{name}"


def test_button_members_exist_in_xlwings() -> None:
    """button.py also uses Book.caller() and Book.fullname (next year)."""
    assert isinstance(inspect.getattr_static(xl.Book, "caller"), classmethod)
    assert isinstance(inspect.getattr_static(xl.Book, "fullname"), property)
    assert isinstance(inspect.getattr_static(xl.Sheet, "api"), property)


def test_remote_collections_are_lists() -> None:
    """RemoteSheet.tables and RemoteBook.names return lists: iterable like xlwings' collections."""
    payload = R.Payload.model_validate_json(
        (Path(__file__).parent.parent / "data" / "remote" / "payload_minimal.json").read_bytes()
    )
    book = R.RemoteBook(payload)
    assert isinstance(book.names, list) and isinstance(book.sheets["Indata"].tables, list)
    assert [t.name for t in book.sheets[0].tables] == ["tblPoster"]


def test_role_formats_mirror_the_template() -> None:
    import xlsxwriter

    from finsam_xl.model.schema import STYLE_ROLES
    from finsam_xl.workbook.template import _Formats

    formats = _Formats(xlsxwriter.Workbook(io.BytesIO()))
    assert set(ROLE_FORMATS) == set(STYLE_ROLES)
    for role in STYLE_ROLES:
        fmt = formats.role(role)
        fill = None if fmt.bg_color is None else "#" + fmt.bg_color._rgb_hex_value()
        assert ROLE_FORMATS[role] == (fill, fmt.num_format), role
