"""Insatser in both outputs fit their columns to the content (issue 22, item 13).

The sheet's Insats, Ägare and Anmärkning wrap at word boundaries in columns no
narrower than their longest word, on one landscape page; the Word table never
breaks a word, a figure or a date.
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from finsam_xl.core.document import period_text
from finsam_xl.core.evaluate import evaluate
from finsam_xl.model.interchange import load
from finsam_xl.sheets.document_sheets import insatser_grid
from finsam_xl.sheets.grid import fit_widths, wrapped_lines
from finsam_xl.sheets.printing import MIN_SCALE, choose_page
from finsam_xl.word.budget_section import BOLD_KINDS, TEXT_WIDTH_CM, _layout, word_cm
from finsam_xl.word.tables import insatser_doc_table

BUDGET = Path(__file__).parent / "data" / "norra-prov-tkr.yaml"


def test_wrapped_lines_break_at_words_only() -> None:
    assert wrapped_lines("Gymnasiesamordnare", 20) == 1
    assert wrapped_lines("Arbetsträning i samverkan med Region Provs psykiatri", 30) == 2
    assert wrapped_lines("2025-01-01 –\n2027-06-30", 14) == 2


def _lines_word_by_word(text: str, width: float) -> int:
    """``wrapped_lines`` as first written: every word placed, no short cut for a short text."""
    per_line = max(1, int(width * 58 / 66))
    lines = 0
    for paragraph in text.split("\n"):
        lines += 1
        used = 0
        for word in paragraph.split():
            if used and used + 1 + len(word) > per_line:
                lines += 1
                used = 0
            used += (1 if used else 0) + len(word)
    return max(1, lines)


@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet=" \n\tab\u00a0", max_size=40), width=st.floats(0, 60))
def test_wrapped_lines_short_cut_counts_as_word_by_word(text: str, width: float) -> None:
    assert wrapped_lines(text, width) == _lines_word_by_word(text, width)


def test_fit_widths_never_below_the_longest_word() -> None:
    assert fit_widths([30, 20], [10, 8], fixed=50, room=200) == [30, 20]
    squeezed = fit_widths([30, 20], [10, 8], fixed=50, room=80)
    assert squeezed[0] >= 10 and squeezed[1] >= 8 and sum(squeezed) <= 30 + 1e-9
    assert fit_widths([30, 20], [10, 8], fixed=50, room=10) == [10, 8]


def test_period_text_never_breaks_a_date() -> None:
    from datetime import date

    assert period_text(date(2026, 1, 1), date(2028, 12, 31)) == "2026\u20132028"
    assert period_text(date(2025, 1, 1), date(2027, 6, 30), break_at_dash=True) == (
        "2025-01-01 \u2013\n2027-06-30"
    )
    assert period_text(None, None) is None


def test_sheet_columns_fit_names_owners_and_notes_on_one_page() -> None:
    budget = load(BUDGET)
    grid = insatser_grid(budget, evaluate(budget), 1, 1)
    headers = {cell.value: col for (row, col), cell in grid.cells.items() if row == 1}
    names = [c.value for (r, col), c in grid.cells.items() if col == 1 and r > 1]
    owners = [c.value for (r, col), c in grid.cells.items() if col == headers["Ägare"] and r > 1]
    for texts, col in ((names, 1), (owners, headers["Ägare"])):
        longest_word = max(len(w) for t in texts if isinstance(t, str) for w in t.split())
        assert grid.widths[col] >= longest_word + 2
    roles = {grid.cells[(r, col)].role for (r, col) in grid.cells if col == 1 and r > 1}
    assert "label_wrap" in roles  # "Arbetsträning i samverkan med …" wraps, not truncated
    notes = [c for (r, col), c in grid.cells.items() if col == headers["Anmärkning"] and r > 1]
    assert {c.role for c in notes if c.value} <= {"wrap", "warning_wrap"}
    # The long name's row is two lines high; the whole table fits one landscape page.
    row = next(
        r
        for (r, col), c in grid.cells.items()
        if col == 1 and str(c.value).startswith("Arbetsträning")
    )
    assert grid.heights[row] >= 30
    landscape, scale = choose_page(grid.widths)
    assert landscape and scale >= MIN_SCALE
    assert sum(grid.widths.values()) <= 140


def test_word_table_breaks_no_word_figure_or_date() -> None:
    budget = load(BUDGET)
    spec = insatser_doc_table(budget, evaluate(budget))
    assert spec is not None
    widths, pt = _layout(spec)
    assert sum(widths) <= TEXT_WIDTH_CM + 1e-6
    for i, width in enumerate(widths):
        rows = [row for row in spec.rows if i < len(row.cells)]
        if spec.numeric[i]:  # a figure is one word ("1 000,0" has a no-break space)
            need = max(word_cm(row.cells[i], pt) for row in rows)
        else:
            need = max(
                word_cm(w, pt, row.kind in BOLD_KINDS)
                for row in rows
                for w in row.cells[i].split() or [""]
            )
        assert width >= need + 0.40 - 1e-6, (spec.headers[i], width, need)
    assert "2026\u20132028" in [row.cells[spec.headers.index("Period")] for row in spec.rows]
