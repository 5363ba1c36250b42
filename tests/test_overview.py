"""The overview across förbund (finsam-xl oversikt): figures, members, bad input, the workbook."""

from __future__ import annotations

import json
import shutil
from decimal import Decimal
from pathlib import Path
from typing import Any

import msoffcrypto  # noqa: F401  (used by the encrypted-file case through the CLI's reader)
import pytest
from openpyxl import load_workbook
from support import EXAMPLE_NAMES, EXAMPLES, ROOT, SOFFICE, libreoffice_convert, pdf_pages
from typer.testing import CliRunner

from finsam_xl import jobs
from finsam_xl.cli import app
from finsam_xl.core.overview import STATE, member_key
from finsam_xl.jobs.output import result_json
from finsam_xl.model.budget import Budget
from finsam_xl.model.interchange import dump, load

runner = CliRunner()
WORKBOOKS = ROOT / "workbooks" / "examples"


def synthetic(name: str, seed: int, region: str = "Region Dalarna (hälso- och sjukvård)") -> Budget:
    """Södra Dalarna under another name, with its region written another way."""
    data = load(EXAMPLES / "sodra-dalarna-2025.yaml").model_dump()
    data["forbund"]["name"] = name
    for member in data["members"]:
        if member["kind"] == "region":
            member["name"] = region
    for line in data["costs"]:
        line["amounts"] = {y: a + seed * 1000 for y, a in line["amounts"].items()}
    data["published"] = {}
    return Budget.model_validate(data)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("forbund")
    for name in EXAMPLE_NAMES:
        shutil.copy(WORKBOOKS / f"{name}.xlsx", out / f"{name}.xlsx")
    jobs.new(synthetic("Västra Dalarnas Samordningsförbund", 1), out / "vastra.xlsx")
    dump(synthetic("Norra Dalarnas Samordningsförbund", 2, "Region Dalarna"), out / "norra.yaml")
    return out


def test_every_figure_equals_the_workbooks_own_check(folder: Path) -> None:
    result = jobs.overview_of([folder], workers=1).overview
    files = sorted(p for p in folder.iterdir() if p.suffix in (".xlsx", ".yaml"))
    assert len({r.source for r in result.forbund}) == len(files) == 5
    for path in files:
        outcome = jobs.check(path)
        own = result_json(outcome.result, outcome.findings)
        rows = {r.year: r for r in result.forbund if r.source == path.name}
        assert sorted(rows) == sorted(int(y) for y in own["years"])
        for year, figures in own["years"].items():
            row = rows[int(year)]
            for field in ("contributions", "other_income", "costs", "result", "equity_end"):
                mine = getattr(row, field)
                assert (None if mine is None else float(mine)) == figures[field], (path, field)
            assert row.errors == sum(1 for f in own["findings"] if f["severity"] == "error")
        placed = [p.finding.as_json() for p in result.findings if p.source == path.name]
        assert placed == own["findings"]


def test_member_totals_add_up_exactly(folder: Path) -> None:
    result = jobs.overview_of([folder], workers=1).overview
    everything: dict[int, Decimal] = {}
    for path in sorted(folder.iterdir()):
        outcome = jobs.check(path)
        assert outcome.result is not None
        for allocation in outcome.result.allocation:
            everything[allocation.year] = everything.get(allocation.year, Decimal(0)) + sum(
                (m.amount for m in allocation.members), Decimal(0)
            )
    summed: dict[int, Decimal] = {}
    for member in result.members:
        for year, amount in member.total.items():
            assert amount == sum(
                (per[year] for per in member.amounts.values() if year in per), Decimal(0)
            )
            summed[year] = summed.get(year, Decimal(0)) + amount
    assert summed == everything


def test_region_dalarna_is_one_member_across_three_forbund(folder: Path) -> None:
    result = jobs.overview_of([folder], workers=1).overview
    region = [m for m in result.members if member_key(m.member) == "region dalarna"]
    assert len(region) == 1
    dalarna = region[0]
    assert sorted(dalarna.amounts) == [
        "Norra Dalarnas Samordningsförbund",
        "Södra Dalarnas Samordningsförbund",
        "Västra Dalarnas Samordningsförbund",
    ]
    assert dalarna.names == ["Region Dalarna", "Region Dalarna (hälso- och sjukvård)"]
    south = jobs.check(folder / "sodra-dalarna-2025.xlsx").result
    assert south is not None
    one = south.allocation_for(2025)
    assert one is not None
    assert dalarna.total[2025] == 3 * (one.amount("Region Dalarna") or 0)
    assert result.matching["Region Dalarna (hälso- och sjukvård)"] == "Region Dalarna"
    state = next(m for m in result.members if m.member == STATE)
    assert len(state.amounts) == 5


def test_a_matching_table_corrects_the_automatic_match(folder: Path, tmp_path: Path) -> None:
    table = tmp_path / "matchning.csv"
    table.write_text(
        "Namn i budgeten;Medlem\nRegion Dalarna (hälso- och sjukvård);Region Dalarna HS\n",
        encoding="utf-8",
    )
    result = jobs.overview_of([folder], matching=table, workers=1).overview
    names = {m.member for m in result.members}
    assert "Region Dalarna HS" in names and "Region Dalarna" in names
    split = next(m for m in result.members if m.member == "Region Dalarna HS")
    assert sorted(split.amounts) == ["Västra Dalarnas Samordningsförbund"]
    rest = next(m for m in result.members if m.member == "Region Dalarna")
    assert sorted(rest.amounts) == [
        "Norra Dalarnas Samordningsförbund",
        "Södra Dalarnas Samordningsförbund",
    ]


def test_bad_files_are_listed_and_the_rest_is_written(folder: Path, tmp_path: Path) -> None:
    mixed = tmp_path / "blandat"
    shutil.copytree(folder, mixed)
    (mixed / "trasig.xlsx").write_bytes(b"PK\x03\x04 inte en arbetsbok")
    other = load_workbook(WORKBOOKS / "fryksdalen-2022.xlsx")
    for ws in other.worksheets:
        for table in list(ws.tables):
            del ws.tables[table]
    other.save(mixed / "annat.xlsx")
    encrypted = mixed / "krypterad.xlsx"
    _encrypt(WORKBOOKS / "fryksdalen-2022.xlsx", encrypted)
    shutil.copy(folder / "sodra-lappland-2024.xlsx", mixed / "kopia-lappland.xlsx")
    out = tmp_path / "oversikt.xlsx"
    done = runner.invoke(app, ["oversikt", str(mixed), "-o", str(out)])
    assert done.exit_code == 1, done.output
    assert "Ej inläst" in done.output and "trasig.xlsx" in done.output
    assert "overview.duplicate" in done.output and "kopia-lappland.xlsx" in done.output
    result = jobs.overview_of([mixed], workers=1).overview
    refused = {r.source for r in result.refused}
    assert refused == {"trasig.xlsx", "annat.xlsx", "krypterad.xlsx"}
    assert all("Traceback" not in r.message for r in result.refused)
    assert len({r.forbund for r in result.forbund}) == 5
    wb = load_workbook(out)
    assert wb.sheetnames == [
        "Förbund",
        "Medlemmar",
        "Kontroller",
        "Matchning",
        "Diagram",
        "Inbetalningar",
    ]
    listed = [row[1].value for row in wb["Kontroller"].iter_rows(min_row=5) if row[0].value]
    assert {"trasig.xlsx", "annat.xlsx", "krypterad.xlsx"} <= set(listed)


def _encrypt(source: Path, target: Path) -> None:
    from msoffcrypto.format.ooxml import OOXMLFile

    with open(source, "rb") as plain, open(target, "wb") as out:
        OOXMLFile(plain).encrypt("hemligt", out)


def test_json_has_the_same_tables(folder: Path) -> None:
    done = runner.invoke(app, ["oversikt", str(folder), "--json"])
    assert done.exit_code == 0, done.output
    data: dict[str, Any] = json.loads(done.stdout)
    assert {"forbund", "members", "findings", "refused", "matching"} <= set(data)
    assert len({r["source"] for r in data["forbund"]}) == 5


def test_the_overview_workbook_matches_the_json(folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "oversikt.xlsx"
    done = jobs.overview_of([folder], out, workers=1)
    result, written = done.overview, done.written
    assert written == out
    ws = load_workbook(out)["Förbund"]
    headers = [c.value for c in ws[4]]
    rows = [dict(zip(headers, (c.value for c in r), strict=True)) for r in ws.iter_rows(min_row=5)]
    assert len(rows) == len(result.forbund)
    for row, mine in zip(rows, result.forbund, strict=True):
        assert row["Förbund"] == mine.forbund and row["År"] == mine.year
        assert row["Medlems-bidrag"] == int(mine.contributions)
        assert row["Fel"] == mine.errors


@pytest.mark.slow
@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) saknas")
def test_the_overview_renders_with_page_numbers(folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "oversikt.xlsx"
    jobs.overview_of([folder], out, workers=1)
    libreoffice_convert([out], tmp_path, "pdf", timeout=180)
    pages = pdf_pages(tmp_path / "oversikt.pdf")
    assert len(pages) >= 5
    for number, page in enumerate(pages, start=1):
        assert "Översikt samordningsförbund" in page
        assert f"Sida {number} av {len(pages)}" in page
    # the names are whole (the old width printed "Södra Dalarnas Samordningsförb")
    assert "Samordningsförbundet Södra Lappland" in pages[0]


def test_processes_give_the_same_overview(folder: Path) -> None:
    one = jobs.overview_of([folder], workers=1).overview
    two = jobs.overview_of([folder], workers=2).overview
    assert one == two
