"""The schema's column declarations drive both the template and the reader.

Each input table's columns (header, field, width, number format, choices) are
declared once in ``schema``; the template writes them in the declared order and
the reader finds them by header. A declaration in another order must give a
workbook laid out in that order that still reads back to the same budget.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from support import EXAMPLES

from finsam_xl.model import schema as S
from finsam_xl.model.interchange import load
from finsam_xl.workbook.reader import read_workbook
from finsam_xl.workbook.template import write_template

TABLES = (S.MEMBERS, S.CONTRIBUTIONS, S.ACTUALS, S.LINES, S.PUBLISHED, S.MAPPING)
SOURCE = EXAMPLES / "sodra-dalarna-2025.yaml"


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("schema") / "b.xlsx"
    write_template(load(SOURCE), path)
    return path


def test_the_reader_uses_the_declared_column_objects() -> None:
    assert S.MEMBER_COLUMNS is S.MEMBERS.columns
    assert S.LINE_COLUMNS is S.LINES.columns
    assert S.CONTRIBUTION_COLUMNS is S.CONTRIBUTIONS.columns
    assert S.ACTUAL_COLUMNS is S.ACTUALS.columns
    assert S.PUBLISHED_COLUMNS is S.PUBLISHED.columns
    assert S.MAPPING_COLUMNS is S.MAPPING.columns
    assert S.SETTINGS_COLUMNS is S.SETTINGS.columns
    assert S.MEMBER_YEAR is S.MEMBER_YEARS.pattern
    assert S.LINE_YEAR is S.LINE_YEARS.pattern
    for table in (*TABLES, S.SETTINGS, S.SCALE):
        fields = [c.field for c in table.columns]
        assert all(fields) and len(set(fields)) == len(fields), table.name


def test_every_year_heading_matches_its_pattern() -> None:
    for spec in (S.MEMBER_YEARS, S.LINE_YEARS):
        match = spec.pattern.match(spec.column(2031).header)
        assert match is not None and match.group(1) == "2031"


def test_the_template_writes_each_table_as_declared(book: Path) -> None:
    budget = load(SOURCE)
    wb = load_workbook(book)
    for table in TABLES:
        ws = wb[table.sheet]
        columns = table.layout(budget.years.all)
        written = ws.tables[table.name]
        assert [c.name for c in written.tableColumns] == [c.header for c in columns]
        lists = {
            str(v.sqref).split(":")[0].rstrip("0123456789"): v.formula1
            for v in ws.data_validations.dataValidation
        }
        # openpyxl keeps a run of equal columns as one dimension (min..max)
        widths = {
            col: dim.width
            for dim in ws.column_dimensions.values()
            if dim.min is not None and dim.max is not None
            for col in range(dim.min, dim.max + 1)
        }
        for i, column in enumerate(columns, start=1):
            letter = get_column_letter(i)
            assert ws[f"{letter}3"].value == column.header
            # XlsxWriter stores a width with its padding
            assert column.width is not None
            assert widths[i] == pytest.approx(column.width + 0.7109375), (table.name, letter)
            if column.choices:
                assert lists[letter] == '"' + ",".join(column.choices) + '"', (table.name, letter)
            else:
                assert letter not in lists, (table.name, letter)
            cell = ws[f"{letter}4"]
            if column.number_format is not None and cell.value is not None:
                assert cell.number_format == column.number_format, (table.name, letter)


def test_a_declaration_in_another_order_writes_and_reads_the_same_budget(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    budget = load(SOURCE)
    reordered = {
        "MEMBERS": S.MEMBERS,
        "LINES": S.LINES,
        "CONTRIBUTIONS": S.CONTRIBUTIONS,
        "MAPPING": S.MAPPING,
    }
    for name, table in reordered.items():
        monkeypatch.setattr(S, name, dataclasses.replace(table, columns=table.columns[::-1]))
    path = tmp_path / "reversed.xlsx"
    write_template(budget, path)
    wb = load_workbook(path, read_only=True)
    headers = next(wb[S.SHEET_LINES].iter_rows(min_row=3, max_row=3, values_only=True))
    assert headers[0] == "Periodisering"  # the last declared column came first
    assert headers[-1] == "Typ"
    wb.close()
    read = read_workbook(path)
    assert read.budget == budget, [f.message for f in read.findings]
