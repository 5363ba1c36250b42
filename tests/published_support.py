"""Published budget tables transcribed row by row (tests/data/published), and comparison.

A row is ``[kind, ID, konto, text, {year: amount}]`` in the published unit. Texts
are compared case-insensitively without spaces or a leading dash; IDs without
spaces; a blank cell equals 0.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

PUBLISHED = Path(__file__).resolve().parent / "data" / "published"

Row = tuple[str, str | None, str | None, str, dict[int, Decimal]]


def load_published(name: str) -> dict[str, Any]:
    """The transcription of one example's published tables."""
    data: dict[str, Any] = yaml.safe_load((PUBLISHED / f"{name}.yaml").read_text("utf-8"))
    return data


def text_key(text: object) -> str:
    """Text as compared: case-folded, no spaces, no leading dash."""
    return "".join(str(text or "").split()).lstrip("-").casefold()


def id_key(text: object) -> str | None:
    """An ID or account as compared: without spaces; None when blank."""
    key = "".join(str(text or "").split())
    return key or None


def normalise(row: Row, years: list[int]) -> tuple[Any, ...]:
    """A row in comparable form: values for every year, blank as 0."""
    kind, centre, account, label, values = row
    return (
        kind,
        id_key(centre),
        id_key(account),
        text_key(label),
        tuple(Decimal(str(values.get(y) or 0)) for y in years),
    )


def published_rows(data: dict[str, Any]) -> list[Row]:
    """The transcribed rows as tuples."""
    return [
        (r[0], r[1], r[2], r[3], {int(y): Decimal(str(v or 0)) for y, v in r[4].items()})
        for r in data["rows"]
    ]


def diff(expected: list[Row], actual: list[Row], years: list[int]) -> list[str]:
    """Human-readable differences, row by row (empty when equal)."""
    out = []
    for i in range(max(len(expected), len(actual))):
        e = normalise(expected[i], years) if i < len(expected) else None
        a = normalise(actual[i], years) if i < len(actual) else None
        if e != a:
            out.append(f"rad {i + 1}: publicerat {e} != beräknat {a}")
    return out
