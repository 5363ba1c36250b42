"""Convert the transcribed seed budgets in ../shared/examples into the interchange format.

Run once from the repository root: ``python tools/convert_examples.py [SHARED_DIR]``.
It writes finsam_xl/examples/*.yaml. The choices a transcription cannot make
(cost group of each line, which lines are insatser) are written here, in one
place, so they can be reviewed.
"""

from __future__ import annotations

import sys
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from finsam_xl.model import Budget
from finsam_xl.model.interchange import dump

OUT = Path(__file__).resolve().parent.parent / "finsam_xl" / "examples"


def kr(value: Any, unit: str) -> Decimal:
    """Convert a transcribed amount to kronor."""
    amount = Decimal(str(value))
    return amount * 1000 if unit == "tkr" else amount


def years_of(entry: dict[Any, Any]) -> dict[int, Any]:
    """The {year: amount} part of a transcribed line."""
    return {k: v for k, v in entry.items() if isinstance(k, int)}


def fryksdalen(src: dict[str, Any]) -> Budget:
    """Fryksdalen 2022: kr, fixed contributions, municipalities in equal parts."""
    groups = {
        "Jämställdhetsarbete Fryksdalen": "insats_struktur",
        "Prosa": "insats_individ",
        "Navet": "insats_individ",
        "Kompetensutveckling i samverkan": "kompetensutveckling",
        "Licens verktyg indikatorer/NNS": "administration",
        "Utvecklingsarbete/Processtöd": "insats_struktur",
        "Förbundschef": "administration",
        "Styrelsearvoden inkl. sociala avgifter": "styrelse",
        "Revisorskostnader": "styrelse",
        "Ekonomiadministration": "administration",
        "Övriga kostnader": "administration",
        "Representation": "administration",
        "Resekostnader": "administration",
    }
    years = [2022, 2023, 2024]
    costs = []
    for line in src["costs"]:
        cost: dict[str, Any] = {
            "name": line["name"],
            "group": groups[line["name"]],
            "amounts": years_of(line),
        }
        if line["name"] == "Prosa":  # "startade upp november 2021 och pågår tom oktober 2022"
            cost["insats"] = {"start": date(2021, 11, 1), "end": date(2022, 10, 31)}
        costs.append(cost)
    pub = src["published_totals"]
    return Budget.model_validate(
        {
            "forbund": {"name": src["forbund"], "unit": "kr"},
            "years": {"budget": 2022, "plan": [2023, 2024]},
            "members": [
                {"name": m["name"], "kind": m["kind"], "amounts": {y: m["amount"] for y in years}}
                for m in src["members"]
            ],
            "keys": {"stat": "lika", "region": "lika", "kommun": "lika"},
            # "För år 2023 och 2024 avser förbundet att äska 3 056 140 kronor": requested.
            "contributions": [
                {"year": y, "mode": "total", "amount": a, "decided": y <= 2022}
                for y, a in src["contribution_total"].items()
            ],
            "costs": costs,
            "equity": {"opening": src["equity"]["opening_2022"], "opening_year": 2022},
            # As the document prints "Budgetplan 2022, 2023 och 2024": members first,
            # costs negative, no cost centres or accounts, plan years labelled "Budget".
            "document": {
                "costs_negative": True,
                "show_cost_centres": False,
                "show_accounts": False,
                "income_first": True,
                "member_rows": True,
                "plan_label": "Budget",
                "costs_heading": "Kostnader",
                "income_total_label": "Totala intäkter",
                "costs_total_label": "Totala kostnader",
            },
            "published": {
                "income": pub["income"],
                "costs": pub["costs"],
                "result": pub["result"],
                "equity_end": {2022: src["published_equity_2022_end"]},
                "equity_end_pct": {2022: src["published_equity_2022_end_pct"]},
            },
        }
    )


def sodra_dalarna(src: dict[str, Any]) -> Budget:
    """Södra Dalarna 2025: tkr, percentage keys, ESF income netted in cost centres."""
    u = src["unit"]
    groups = {
        "10000": "styrelse",
        "20000": "administration",
        "21000": "kompetensutveckling",
        "29000": "administration",
        "35000": "insats_individ",
        "36000": "insats_individ",
        "37000": "insats_individ",
    }
    costs: list[dict[str, Any]] = []
    income: list[dict[str, Any]] = []
    sections: dict[str, dict[int, Decimal]] = {}
    for centre in src["cost_centres"]:
        for line in centre["lines"]:
            amounts = years_of(line)
            common = {
                "name": line["name"],
                "section": centre["name"],
                "cost_centre": centre["id"],
                "account": line["account"],
            }
            if any(v < 0 for v in amounts.values()):
                income.append(
                    {
                        **common,
                        "netted": True,
                        "amounts": {y: -kr(v, u) for y, v in amounts.items()},
                    }
                )
            else:
                costs.append(
                    {
                        **common,
                        "group": groups[centre["id"]],
                        "amounts": {y: kr(v, u) for y, v in amounts.items()},
                    }
                )
        sections[centre["name"]] = {y: kr(v, u) for y, v in centre["published_total"].items()}
    # The plan years 2026-2028 are published only as a total ("långsiktig inriktning").
    long_term = {r["year"]: r for r in src["published_long_term"]}
    plan_years = [2026, 2027, 2028]
    costs.append(
        {
            "name": "Verksamhet enligt långsiktig inriktning (ej fördelad på rader)",
            "group": "ovrigt",
            "amounts": {y: kr(long_term[y]["budget"], u) for y in plan_years},
        }
    )
    shares = {m["name"]: m for m in src["members"]}
    model_years = [2024, 2025, *plan_years]
    pub = src["published_totals"]
    return Budget.model_validate(
        {
            "forbund": {"name": src["forbund"], "unit": u},
            "years": {"comparison": [2024], "budget": 2025, "plan": plan_years},
            "adopted": src["adopted"],
            "members": [
                {"name": n, "kind": m["kind"], "key": m["share_pct"]} for n, m in shares.items()
            ],
            "keys": {
                "stat": "lika",
                "region": "lika",
                "kommun": "procent",
                "note": "procent av hela medelstilldelningen enligt förbundsordningen",
            },
            "contributions": [
                {"year": y, "mode": "total", "amount": kr(a, u), "decided": y <= 2025}
                for y, a in src["contribution_total"].items()
            ],
            "income": income,
            "costs": costs,
            # §7 prints the budget year beside last year's budget, IDs and accounts, the
            # members' contributions as ID 50 000 "Bidrag (not 1)"; the plan is in §6.
            "document": {
                # The table lists the costs first, the income netted negative, and a
                # "Totalt" row under every group, one-line groups included.
                "income_first": False,
                "single_line_totals": True,
                "plan_in_table": False,
                # "ID Beskrivning Årsbudget (tkr) Årsbudget 2025 Årsbudget 2024"
                "budget_first": True,
                "budget_label": "Årsbudget",
                "comparison_label": "Årsbudget",
                "income_heading": "Intäkter (medelstilldelning från medlemmarna)",
                "contributions_label": "Bidrag (not 1)",
                "contributions_cost_centre": "50000",
                "contributions_account": "35",
                "income_total_label": "Intäkter totalt",
                "costs_total_label": "Kostnader totalt",
            },
            # §6's history: 2022-2023 actual equity, 2024 forecast ("*"); the cost column
            # is the year's budget, as the document prints it.
            "actuals": [
                {
                    "year": y,
                    "contributions": kr(long_term[y]["contribution"], u),
                    "costs": kr(long_term[y]["budget"], u),
                    "equity_end": kr(long_term[y]["equity_year_end"], u),
                    "status": "prognos" if y == 2024 else "utfall",
                }
                for y in (2022, 2023, 2024)
            ],
            "equity": {
                "opening": kr(src["equity"]["opening_2025"], u),
                "opening_year": 2025,
                "floor": kr(src["equity"]["board_floor"], u),
            },
            # Not in the document: the account plan the walkthrough's books use
            # (docs/reconciliation.md) and quarterly invoicing.
            "settings": {
                "mappings": [
                    *(
                        {"accounts": str(3591 + i), "target": "medlem", "name": m["name"]}
                        for i, m in enumerate(src["members"])
                    ),
                    {"accounts": "1510", "target": "kundfordran"},
                    {"accounts": "2010-2099", "target": "eget_kapital"},
                ],
                "payment_frequency": "kvartal",
            },
            "published": {
                "income": {y: kr(v, u) for y, v in pub["income"].items()},
                "costs": {
                    **{y: kr(v, u) for y, v in pub["costs"].items()},
                    **{y: kr(long_term[y]["budget"], u) for y in plan_years},
                },
                "result": {y: kr(v, u) for y, v in pub["result"].items()},
                "contributions": {y: kr(long_term[y]["contribution"], u) for y in model_years},
                "equity_end": {
                    y: kr(long_term[y]["equity_year_end"], u) for y in [2025, *plan_years]
                },
                "available": {2025: kr(src["published_available_2025"], u)},
                "sections": sections,
                "allocation": {
                    2025: {
                        k: v for k, v in src["published_allocation_2025_kr"].items() if k != "total"
                    }
                },
            },
        }
    )


def sodra_lappland(src: dict[str, Any]) -> Budget:
    """Södra Lappland 2024: tkr, fixed member amounts, ESF as a funding line."""
    u = src["unit"]
    years = [2023, 2024, 2025, 2026]
    groups = {
        "Styrelsen": "styrelse",
        "Kansli och administration - personal": "administration",
        "Lokalkostnader": "administration",
        "Övriga administrativa kostnader": "administration",
        "Projektkostnader": "insats_struktur",
    }
    costs = []
    sections = {}
    for group in src["cost_groups"]:
        for line in group["lines"]:
            costs.append(
                {
                    "name": line["name"],
                    # "En väg vidare – uppdrag individ" works with individuals
                    "group": "insats_individ"
                    if line["name"].startswith("En väg vidare")
                    else groups[group["name"]],
                    "section": group["name"],
                    "amounts": {y: kr(v, u) for y, v in years_of(line).items()},
                }
            )
        sections[group["name"]] = {y: kr(v, u) for y, v in group["published_total"].items()}
    keys = {
        "stat": "lika",
        "region": "lika",
        "kommun": "befolkning",
        "note": "kommunernas belopp är fasta; befolkningstalen anges inte i dokumentet",
    }
    return Budget.model_validate(
        {
            "forbund": {"name": src["forbund"], "unit": u},
            "years": {"comparison": [2023], "budget": 2024, "plan": [2025, 2026]},
            "adopted": src["adopted"],
            "revised": date(2024, 3, 21),  # the seed's cover: "Reviderad 2024.03.21"
            "members": [
                {
                    "name": m["name"],
                    "kind": m["kind"],
                    "amounts": {y: kr(m["amount"], u) for y in years},
                }
                # The document lists the municipalities first, then region and state.
                for m in sorted(
                    src["members"], key=lambda m: ["kommun", "region", "stat"].index(m["kind"])
                )
            ],
            "keys": keys,
            "contributions": [
                {"year": y, "mode": "total", "amount": kr(a, u)}
                for y, a in src["contribution_total"].items()
            ],
            "income": [
                {"name": name, "amounts": {y: kr(v, u) for y, v in amounts.items()}}
                for name, amounts in src["other_income"].items()
            ],
            "costs": costs,
            "equity": {
                "opening": kr(src["published_equity_brought_forward"][2023], u),
                "opening_year": 2023,
            },
            # "9. Budget": funding first (members, equity brought forward, ESF), then
            # cost groups with their totals on the heading row.
            "document": {
                "show_cost_centres": False,
                "show_accounts": False,
                "income_first": True,
                "member_rows": True,
                "totals_on_heading": True,
                "equity_as_funding": True,
                "show_result": False,
                "income_heading": "Finansiering",
                "contributions_label": "Finansiering från medlemmar",
                "other_income_heading": "Övrig finansiering",
                "equity_label": "SF södra Lappland eget kapital",
                "income_total_label": "Summa medel att disponera",
                "costs_total_label": "Summa kostnader",
            },
            "published": {
                "costs": {y: kr(v, u) for y, v in src["published_totals"]["costs"].items()},
                "equity_start": {
                    y: kr(v, u) for y, v in src["published_equity_brought_forward"].items()
                },
                "decision_room": {y: kr(v, u) for y, v in src["published_available"].items()},
                "sections": sections,
                "table_heading": "Budget 2023 plan 2024-2025",
            },
        }
    )


def main() -> None:
    """Convert all three examples."""
    shared = Path(sys.argv[1] if len(sys.argv) > 1 else "../shared") / "examples"
    OUT.mkdir(parents=True, exist_ok=True)
    for name, convert in [
        ("fryksdalen-2022", fryksdalen),
        ("sodra-dalarna-2025", sodra_dalarna),
        ("sodra-lappland-2024", sodra_lappland),
    ]:
        src = yaml.safe_load((shared / f"{name}.yaml").read_text(encoding="utf-8"))
        dump(convert(src), OUT / f"{name}.yaml")
        print(f"skrev {OUT / (name + '.yaml')}")


if __name__ == "__main__":
    main()
