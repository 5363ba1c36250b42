"""A corpus of real SIE files (issue 18): each reads, or is refused for a reason of SIE 4B.

``data/corpus/manifest.json`` lists every file with its source (repository, path,
commit, licence; or finsam_xl's own files, written for features the licensed files
lack), its checksum, and what reading it gives: the SIE type, the encoding, the
number of vouchers and accounts, the ``#KSUMMA`` result, the errors and warnings
by code, and ``outcome``: ``reads`` (no error) or ``refused`` (an error or a fatal
problem), with the section of the specification that supports the refusal. Where
another project's tests state values for a file (names, counts, sums), the
manifest has them under ``values`` and they are asserted here. See the README in
that folder.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from finsam_xl.sie import (
    Address,
    Balance,
    CompanyId,
    Currency,
    FileFormat,
    Flag,
    OrgNumber,
    ProgramInfo,
    SieError,
    SieFile,
    SruCode,
    posting_totals,
    read_sie,
)

CORPUS = Path(__file__).resolve().parent / "data" / "corpus"
MANIFEST: list[dict[str, Any]] = json.loads((CORPUS / "manifest.json").read_text("utf-8"))


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _counts(sie: SieFile, severity: str) -> dict[str, int]:
    return dict(Counter(i.code for i in sie.issues if i.severity.value == severity))


@pytest.mark.parametrize("entry", MANIFEST, ids=[e["file"] for e in MANIFEST])
def test_each_file_reads_or_is_refused_as_the_manifest_says(entry: dict[str, Any]) -> None:
    path = CORPUS / entry["file"]
    assert _digest(path) == entry["sha256"]
    if entry["outcome"] == "refused":
        assert "§" in entry["reason"]  # a section of the specification
    if "fatal" in entry:
        with pytest.raises(SieError) as info:
            read_sie(path, name=path.name)
        assert info.value.code == entry["fatal"] and entry["outcome"] == "refused"
        with pytest.raises(SieError) as fast:
            posting_totals(path, name=path.name)
        assert (fast.value.line, fast.value.message) == (info.value.line, info.value.message)
        return
    sie = read_sie(path, name=path.name)
    found = {
        "sie_type": sie.sie_type,
        "encoding": sie.encoding,
        "vouchers": len(sie.vouchers),
        "accounts": len(sie.accounts),
        "checksum_ok": sie.checksum_ok,
        "errors": _counts(sie, "error"),
        "warnings": _counts(sie, "warning"),
    }
    assert found == {key: entry[key] for key in found}
    assert (entry["outcome"] == "refused") == bool(sie.errors)
    # The reconciliation's path finds the same issues, line for line.
    assert posting_totals(path, name=path.name).issues == sie.issues
    assert _digest(path) == entry["sha256"]  # reading never writes


@pytest.mark.parametrize("entry", [e for e in MANIFEST if "values" in e], ids=lambda e: e["file"])
def test_values_stated_by_other_projects_tests(entry: dict[str, Any]) -> None:
    sie = read_sie(CORPUS / entry["file"])
    values: dict[str, Any] = entry["values"]
    checks: dict[str, Any] = {
        "flagga": lambda: sie.first(Flag).flag,  # type: ignore[union-attr]
        "format": lambda: sie.first(FileFormat).value,  # type: ignore[union-attr]
        "sietyp": lambda: sie.sie_type,
        "program": lambda: [sie.first(ProgramInfo).name, sie.first(ProgramInfo).version],  # type: ignore[union-attr]
        "fnamn": lambda: sie.company_name,
        "orgnr": lambda: sie.first(OrgNumber).orgnr,  # type: ignore[union-attr]
        "rar0": lambda: [
            f"{sie.fiscal_years[0].start:%Y%m%d}",
            f"{sie.fiscal_years[0].end:%Y%m%d}",
        ],  # noqa: E501
        "valuta": lambda: sie.first(Currency).code,  # type: ignore[union-attr]
        "adress": lambda: [
            getattr(sie.first(Address), f) for f in ("contact", "street", "postal", "phone")
        ],
        "fnr": lambda: sie.first(CompanyId).company_id,  # type: ignore[union-attr]
        "dimensions": lambda: len(sie.dimensions),
        "sru": lambda: {r.account: r.code for r in sie.all(SruCode) if r.account in values["sru"]},
        "ib0": lambda: {
            b.account: str(b.amount)
            for b in sie.all(Balance)
            if b.kind == "IB" and b.year_index == 0 and b.account in values["ib0"]
        },
        "has_rows": lambda: sorted(
            {r.kind for v in sie.vouchers for r in v.rows} & set(values["has_rows"])
        ),
        "has_balances": lambda: sorted(
            {b.kind for b in sie.balances} & set(values["has_balances"])
        ),
    }
    for key, expected in values.items():
        if key in ("accounts", "vouchers"):
            count = len(sie.accounts) if key == "accounts" else len(sie.vouchers)
            assert count >= expected["min"] if isinstance(expected, dict) else count == expected
        elif key == "voucher":
            for label, want in expected.items():
                [voucher] = [v for v in sie.vouchers if v.label == label]
                rows = list(voucher.transactions())
                assert voucher.text == want["text"] and len(rows) == want["rows"]
                for account, amount in want["amounts"].items():
                    assert [r.amount for r in rows if r.account == account] == [Decimal(amount)]
        else:
            assert checks[key]() == expected, key


def test_the_corpus_covers_what_issue_18_asks_for() -> None:
    assert len(MANIFEST) >= 60
    assert len({e["file"] for e in MANIFEST}) == len(MANIFEST)
    on_disk = {
        str(p.relative_to(CORPUS))
        for p in CORPUS.rglob("*")
        if p.is_file() and p.suffix.lower() in (".se", ".si")
    }
    assert on_disk == {e["file"] for e in MANIFEST}  # every file is in the manifest
    size = sum((CORPUS / e["file"]).stat().st_size for e in MANIFEST)
    assert size < 3_000_000
    read = [e for e in MANIFEST if "fatal" not in e]
    assert {e["sie_type"] for e in read} >= {1, 2, 3, 4}
    assert {e["encoding"] for e in read} >= {"cp437", "utf-8", "iso8859-1"}
    texts = {e["file"]: (CORPUS / e["file"]).read_bytes() for e in MANIFEST}

    def having(pattern: bytes) -> list[str]:
        return [name for name, data in texts.items() if re.search(pattern, data)]

    for label in (rb"#KSUMMA", rb"#RTRANS", rb"#BTRANS", rb"#UNDERDIM", rb"#PSALDO", rb"#OIB"):
        assert having(label), label
    assert len(having(rb'#VER\s+("[^"]*"|\S+)\s+""')) >= 5  # empty voucher numbers
    assert any(name.lower().endswith(".si") for name in having(rb"#VER"))  # 4I
    assert [e for e in MANIFEST if "4E" in e["file"]]  # 4E exports named as such
    assert any(e.get("checksum_ok") for e in MANIFEST)
    assert {e["outcome"] for e in MANIFEST} == {"reads", "refused"}
    for entry in MANIFEST:
        source = entry["source"]
        assert source["licence"] in ("MIT", "the project's")
        if source["licence"] == "MIT":
            assert re.fullmatch(r"[0-9a-f]{40}", source["commit"]) and source["path"]


def test_the_readme_names_every_source_repository() -> None:
    readme = (CORPUS / "README.md").read_text("utf-8")
    for repo in {e["source"]["repo"] for e in MANIFEST if e["source"]["licence"] == "MIT"}:
        assert repo in readme
