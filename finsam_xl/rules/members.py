"""Checks on members, their keys, and the Kontomappning rules that name them."""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from decimal import Decimal

from finsam_xl.model.budget import (
    LAWFUL_SHARE,
    Budget,
    KeyType,
    MappingTarget,
    Member,
    MemberKind,
)
from finsam_xl.model.findings import Element, Finding, Ref, Severity
from finsam_xl.model.labels import KEY_SV, KIND_ORDER
from finsam_xl.model.labels import KIND_PLURAL_SV as KIND_SV
from finsam_xl.model.money import fmt_pct
from finsam_xl.model.results import Result
from finsam_xl.model.text import name_key


def check_duplicate_members(budget: Budget, result: Result) -> Iterator[Finding]:
    """A member listed twice would be allocated twice."""
    seen: dict[str, int] = {}
    for i, member in enumerate(budget.members):
        name = name_key(member.name)  # 'Avesta  kommun' = 'avesta kommun'
        if name in seen:
            first = budget.members[seen[name]].name
            spelled = "" if first == member.name else f" (stavat '{first}')"
            yield Finding(
                rule="input.member-duplicate",
                severity=Severity.ERROR,
                message=(
                    f"Medlemmen '{member.name}' står redan tidigare i medlemslistan{spelled}; "
                    "varje medlem ska stå en gång."
                ),
                ref=Ref(element=Element.MEMBER, index=i, field="name"),
            )
        else:
            seen[name] = i
    for kind in KIND_ORDER:
        if budget.members and not any(m.kind is kind for m in budget.members):
            yield Finding(
                rule="input.member-kind-missing",
                severity=Severity.ERROR,
                message=f"Medlemslistan saknar {KIND_SV[kind]}; deras andel kan inte fördelas.",
                ref=Ref(element=Element.MEMBER, field="kind"),
            )


def _needs_key(budget: Budget, index: int) -> bool:
    """A key is needed unless the member is alone in its kind (it takes the kind's whole
    share) or has a fixed amount in every year with a contribution."""
    member = budget.members[index]
    if sum(1 for m in budget.members if m.kind is member.kind) == 1:
        return False
    years = [y for y in budget.years.all if budget.contribution(y) is not None]
    return not years or any(y not in member.amounts for y in years)


def _shown(value: Decimal) -> str:
    return str(value.normalize() if value == value.to_integral_value() else value).replace(".", ",")


def _careless_keys(
    kind: MemberKind, key_type: KeyType, indexed: list[tuple[int, Member]]
) -> Iterator[Finding]:
    """Keys typed carelessly: a percentage as a share (0,11 beside 8), a population with decimals.

    Excel turns '11 %' typed in a cell into 0.11; beside keys written as 8 and 6
    that member would get a hundredth of its share. A population is a count of
    people: 23,456 is 23 456 typed with a thousands separator that became a
    decimal. Both would split the money silently wrong, so both are errors.
    """
    keys = [(i, m, m.key) for i, m in indexed if m.key is not None and m.key >= 0]
    if key_type is KeyType.PROCENT:
        whole = [k for _, _, k in keys if k >= 1]
        if whole:
            for i, member, key in keys:
                if 0 < key < 1:
                    yield Finding(
                        rule="input.key-percent-fraction",
                        severity=Severity.ERROR,
                        message=(
                            f"{member.name} har procentnyckeln {_shown(key)} medan de andra "
                            f"{KIND_SV[kind]} har {_shown(min(whole))}–{_shown(max(whole))}; "
                            f"skrevs {_shown(key * 100)} % som andel? Skriv procent som tal "
                            f"({_shown(key * 100)}), eller alla nycklar som andelar."
                        ),
                        ref=Ref(element=Element.MEMBER, index=i, field="key"),
                    )
    elif key_type is KeyType.BEFOLKNING:
        for i, member, key in keys:
            if key != key.to_integral_value():
                three_decimals = key.as_tuple().exponent == -3
                guess = _shown(key * 1000) if key < 1000 and three_decimals else None
                hint = f" Menades {guess}? " if guess else " "
                yield Finding(
                    rule="input.key-population-fraction",
                    severity=Severity.ERROR,
                    message=(
                        f"{member.name}: befolkningen {_shown(key)} är inget helt antal "
                        f"invånare.{hint}Skriv befolkningen utan tusentalsavgränsare "
                        "(t.ex. 23456)."
                    ),
                    ref=Ref(element=Element.MEMBER, index=i, field="key"),
                )


def check_keys(budget: Budget, result: Result) -> Iterator[Finding]:
    """Keys must be present where needed, not negative, and percentages must add up."""
    for kind in KIND_ORDER:
        key_type = budget.keys.for_kind(kind)
        if key_type is KeyType.LIKA:
            continue
        indexed = [(i, m) for i, m in enumerate(budget.members) if m.kind is kind]
        for i, member in indexed:
            if member.key is None:
                if _needs_key(budget, i):
                    yield Finding(
                        rule="input.key-missing",
                        severity=Severity.ERROR,
                        message=(
                            f"{member.name} saknar nyckelvärde ({KEY_SV[key_type]}); "
                            "medlemmens andel kan inte beräknas."
                        ),
                        ref=Ref(element=Element.MEMBER, index=i, field="key"),
                    )
            elif member.key < 0:
                yield Finding(
                    rule="input.key-negative",
                    severity=Severity.ERROR,
                    message=(
                        f"{member.name} har ett negativt nyckelvärde ({member.key}); "
                        f"{KEY_SV[key_type]} kan inte vara mindre än noll."
                    ),
                    ref=Ref(element=Element.MEMBER, index=i, field="key"),
                )
        careless = list(_careless_keys(kind, key_type, indexed))
        yield from careless
        keys = [m.key for _, m in indexed]
        if careless:
            continue  # the sum is off because of the key already reported
        if key_type is KeyType.PROCENT and keys and all(k is not None for k in keys):
            total = sum((k for k in keys if k is not None), Decimal(0))
            group_pct = LAWFUL_SHARE[kind] * 100
            if total in (Decimal(1), LAWFUL_SHARE[kind]):
                continue  # every key written as a share (0.11 for 11 %): proportions are right
            if total not in (Decimal(100), group_pct):
                yield Finding(
                    rule="input.key-percent-sum",
                    severity=Severity.WARNING,
                    message=(
                        f"Procentnycklarna för {KIND_SV[kind]} summerar till {fmt_pct(total)}, "
                        f"inte 100 % av gruppens del eller {fmt_pct(group_pct)} av hela "
                        "medelstilldelningen; fördelningen görs i proportion till nycklarna."
                    ),
                    ref=Ref(element=Element.MEMBER, index=indexed[0][0], field="key"),
                )


def _spelled(name: str) -> str:
    """A member's name as the reconciliation compares it: NFC, single spaces, case ignored."""
    return name_key(name)


def check_mapping_members(budget: Budget, result: Result) -> Iterator[Finding]:
    """A Kontomappning rule to a member must name a member of the budget.

    Otherwise the reconciliation would put that member's invoices and payments on
    a name no member has, and they would vanish from the members' figures.
    """
    known = {_spelled(m.name): m.name for m in budget.members}
    for i, rule in enumerate(budget.settings.mappings):
        if rule.target is not MappingTarget.MEMBER:
            continue
        name = (rule.name or "").strip()
        if name and _spelled(name) in known:
            continue
        close = difflib.get_close_matches(_spelled(name), list(known), n=1, cutoff=0.6)
        hint = f"; menar du '{known[close[0]]}'?" if close else ""
        what = f"namnet '{name}'" if name else "inget namn"
        yield Finding(
            rule="mapping.member-unknown",
            severity=Severity.ERROR,
            message=(
                f"Kontomappningen av konto {rule.accounts} till en medlem har {what}, som inte "
                f"finns i medlemslistan{hint} Medlemmens fakturor och inbetalningar skulle inte "
                "räknas med i avstämningen; skriv medlemmens namn som i medlemslistan."
            ),
            ref=Ref(element=Element.MAPPING, index=i, field="name"),
        )
