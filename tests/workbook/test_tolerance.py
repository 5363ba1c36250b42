"""The reader accepts what people type: text numbers, blank rows, moved columns, formulas."""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from support import EXAMPLES

from finsam_xl.model.findings import Severity
from finsam_xl.model.interchange import load
from finsam_xl.workbook.reader import read_workbook


def edited(
    example_books: dict[str, Path], tmp_path: Path, edit: Any, name: str = "sodra-dalarna-2025"
) -> Path:
    path = tmp_path / "b.xlsx"
    shutil.copy(example_books[name], path)
    wb = load_workbook(path)
    edit(wb)
    wb.save(path)
    return path


def original(name: str = "sodra-dalarna-2025") -> Any:
    return load(EXAMPLES / f"{name}.yaml")


def test_numbers_typed_as_text(example_books: dict[str, Path], tmp_path: Path) -> None:
    def edit(wb: Any) -> None:
        ws = wb["Rader"]
        ws["I4"] = " 45 "  # tkr
        ws["I5"] = "80,0"
        ws["I6"] = "35\u00a0"
        ws["H8"] = "1\u00a0000,5"
        wb["Medlemmar"]["C6"] = "11,0 %"

    read = read_workbook(edited(example_books, tmp_path, edit))
    assert read.budget is not None
    costs = read.budget.costs
    assert [costs[0].amounts[2025], costs[1].amounts[2025], costs[2].amounts[2025]] == [
        45000,
        80000,
        35000,
    ]
    assert costs[4].amounts[2024] == Decimal("1000500")
    assert read.budget.members[2].key == 11
    assert not [f for f in read.findings if f.severity is Severity.ERROR]


def test_blank_rows_hidden_rows_and_moved_columns(
    example_books: dict[str, Path], tmp_path: Path
) -> None:
    def edit(wb: Any) -> None:
        ws = wb["Rader"]
        ws.insert_rows(6)  # a blank row inside the table (openpyxl does not move the table ref)
        table = ws.tables["Rader"]
        first, last = table.ref.split(":")
        table.ref = f"{first}:{last[0]}{int(last[1:]) + 1}"
        ws.row_dimensions[8].hidden = True
        # swap the columns Konto (E) and Benämning (F), headers and values
        for row in range(3, ws.max_row + 1):
            ws.cell(row, 5).value, ws.cell(row, 6).value = (
                ws.cell(row, 6).value,
                ws.cell(row, 5).value,
            )
        cols = table.tableColumns
        cols[4].name, cols[5].name = cols[5].name, cols[4].name

    read = read_workbook(edited(example_books, tmp_path, edit))
    assert read.budget is not None
    assert read.budget.costs == original().costs


def test_extra_column_inside_a_table(example_books: dict[str, Path], tmp_path: Path) -> None:
    def edit(wb: Any) -> None:
        from openpyxl.worksheet.table import TableColumn

        ws = wb["Medlemmar"]
        table = ws.tables["Medlemmar"]
        first, last = table.ref.split(":")
        col = ws.max_column + 1
        from openpyxl.utils import get_column_letter

        letter = get_column_letter(col)
        table.ref = f"{first}:{letter}{last.lstrip('ABCDEFGHIJKLMNOPQRSTUVWXYZ')}"
        table.tableColumns.append(TableColumn(id=len(table.tableColumns) + 1, name="Kontaktperson"))
        ws.cell(3, col, "Kontaktperson")
        ws.cell(4, col, "Eva")

    read = read_workbook(edited(example_books, tmp_path, edit))
    assert read.budget is not None and read.budget.members == original().members


def test_formulas_are_evaluated_or_refused_by_cell(
    example_books: dict[str, Path], tmp_path: Path
) -> None:
    def edit(wb: Any) -> None:
        ws = wb["Rader"]
        ws["I4"] = "=40+5"
        ws["I5"] = "=SUM(50,30)"

    read = read_workbook(edited(example_books, tmp_path, edit))
    assert read.budget is not None
    assert [c.amounts[2025] for c in read.budget.costs[:2]] == [45000, 80000]


def test_blank_amounts_are_reported_not_silently_zero(
    example_books: dict[str, Path], tmp_path: Path
) -> None:
    def edit(wb: Any) -> None:
        wb["Rader"]["E4"] = None
        wb["Rader"]["H4"] = None

    read = read_workbook(edited(example_books, tmp_path, edit, "fryksdalen-2022"))
    assert read.budget is not None
    blank = [f for f in read.findings if f.rule == "read.blank-amount"]
    assert blank and blank[0].location == "Rader!H4" and "räknas som 0" in blank[0].message
    assert 2022 not in read.budget.costs[0].amounts


def test_unknown_setting_is_reported_and_old_labels_still_read(
    example_books: dict[str, Path], tmp_path: Path
) -> None:
    from finsam_xl.model.schema import SETTING_LABELS

    row = 4 + list(SETTING_LABELS).index("equity_opening_year")

    def edit(wb: Any) -> None:
        ws = wb["Inställningar"]
        ws[f"A{row}"] = "Eget kapitalet avser början av år"  # the label of version 0.1.0
        ws["A5"] = "Organisationsnumer"  # a typo

    read = read_workbook(edited(example_books, tmp_path, edit))
    assert read.budget is not None and read.budget.equity.opening_year == 2025
    unknown = [f for f in read.findings if f.rule == "read.setting-unknown"]
    assert [f.location for f in unknown] == ["Inställningar!A5"]
    assert "Organisationsnumer" in unknown[0].message


def test_a_line_typed_below_the_table_is_reported(
    example_books: dict[str, Path], tmp_path: Path
) -> None:
    def edit(wb: Any) -> None:
        ws = wb["Rader"]
        last = int(ws.tables["Rader"].ref.split(":")[1].lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
        ws.cell(last + 1, 1, "Kostnad")
        ws.cell(last + 1, 6, "Ny insats")
        ws.cell(last + 1, 9, 100)

    read = read_workbook(edited(example_books, tmp_path, edit))
    below = [f for f in read.findings if f.rule == "read.below-table"]
    assert len(below) == 1 and below[0].location and below[0].location.startswith("Rader!A")
    assert "räknas inte" in below[0].message


def test_netted_on_a_cost_line_is_reported(example_books: dict[str, Path], tmp_path: Path) -> None:
    def edit(wb: Any) -> None:
        wb["Rader"]["G4"] = "Ja"

    read = read_workbook(edited(example_books, tmp_path, edit))
    assert [f.location for f in read.findings if f.rule == "read.netted-cost"] == ["Rader!G4"]
