"""Splitting members' contributions to the exact krona.

The rule (largest remainder, Hamilton's method), applied twice:

1. The year's total T (whole kronor) is split between the kinds with weights
   stat 2, region 1, kommun 1 (the law's 50/25/25).
2. Each kind's amount is split between its members by the kind's key:
   population, percentage, or equal parts (weight 1 each).

At each step every share first gets the whole kronor of its exact quota
``T * w / sum(w)``; the kronor left over (fewer than the number of shares) go
one each to the shares with the largest fractional remainders. Ties are broken
by the larger weight, then by a fixed order that does not depend on the order
members were entered: for kinds stat, region, kommun; for members their name
(Unicode code-point order). So, for an odd state amount S entered as
``mode=stat`` (T = 2S), the odd krona of the other half goes to the regions.
Which kind received an odd krona of the first step is recorded in
``YearAllocation.group_odd_krona``, which member one of the second step in
``MemberShare.odd_krona``.

A member with a fixed amount for the year pays that amount; its lawful share
is still computed (when its kind's keys allow) so the checks can compare.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal

from finsam_xl.model.budget import LAWFUL_SHARE, Budget, EntryMode, KeyType, Member
from finsam_xl.model.labels import KIND_ORDER
from finsam_xl.model.results import MemberShare, YearAllocation

_KIND_WEIGHT = {kind: LAWFUL_SHARE[kind] * 4 for kind in KIND_ORDER}  # 2, 1, 1


def largest_remainder(
    total: Decimal, weights: Sequence[Decimal], tie_keys: Sequence[str]
) -> tuple[list[Decimal], list[int]] | None:
    """Split the whole-krona ``total`` in proportion to ``weights``.

    Returns the amounts (whole kronor, summing exactly to ``total``) and, per
    share, the number of odd kronor it received (0 or 1); None when the weights
    sum to zero or any weight is negative. ``tie_keys`` must be distinct; they
    order ties among equal remainders and weights.
    """
    if any(w < 0 for w in weights):
        return None
    weight_sum = sum(weights, Decimal(0))
    if weight_sum == 0:
        return None
    whole_total = total.to_integral_value(rounding=ROUND_HALF_UP)
    quotas = [whole_total * w / weight_sum for w in weights]
    base = [q.to_integral_value(rounding=ROUND_FLOOR) for q in quotas]
    left = int(whole_total - sum(base, Decimal(0)))
    order = sorted(
        range(len(weights)),
        key=lambda i: (-(quotas[i] - base[i]), -weights[i], tie_keys[i]),
    )
    odd = [0] * len(weights)
    for i in order[:left]:
        odd[i] = 1
    return [b + o for b, o in zip(base, odd, strict=True)], odd


def contribution_total(budget: Budget, year: int) -> Decimal | None:
    """The year's total contribution as entered, or the sum of fixed amounts; None if neither."""
    entry = budget.contribution(year)
    if entry is not None and entry.amount is not None:
        return entry.amount * 2 if entry.mode is EntryMode.STAT else entry.amount
    fixed = [m.amounts[year] for m in budget.members if year in m.amounts]
    if budget.members and len(fixed) == len(budget.members):
        return sum(fixed, Decimal(0))
    return None


def member_weight(member: Member, key_type: KeyType) -> Decimal | None:
    """The member's weight within its kind: 1 for equal parts, else its key value."""
    if key_type is KeyType.LIKA:
        return Decimal(1)
    return member.key


def _split_kind(
    amount: Decimal, members: list[Member], key_type: KeyType
) -> tuple[list[Decimal], list[int]] | None:
    # A member alone in its kind takes the kind's whole share: no key is needed.
    weights = [Decimal(1)] if len(members) == 1 else [member_weight(m, key_type) for m in members]
    if not members or any(w is None for w in weights):
        return None
    return largest_remainder(
        amount, [w for w in weights if w is not None], [m.name for m in members]
    )


def allocate_year(budget: Budget, year: int) -> YearAllocation | None:
    """Split ``year``'s contribution between the members; None when the year has none."""
    total = contribution_total(budget, year)
    if total is None:
        return None
    # The law's split holds whoever is a member: a missing kind's share stays unpaid
    # (and is reported), it is not handed to the others.
    present = list(KIND_ORDER)
    split = largest_remainder(
        total, [_KIND_WEIGHT[k] for k in present], [str(KIND_ORDER.index(k)) for k in present]
    )
    group_lawful = dict(zip(present, split[0], strict=True)) if split else {}
    group_odd = dict(zip(present, split[1], strict=True)) if split else {}
    shares: list[MemberShare] = []
    for kind in KIND_ORDER:
        members = [m for m in budget.members if m.kind is kind]
        lawful = _split_kind(
            group_lawful.get(kind, Decimal(0)), members, budget.keys.for_kind(kind)
        )
        for i, member in enumerate(members):
            lawful_amount = lawful[0][i] if lawful else None
            fixed = year in member.amounts
            amount = member.amounts[year] if fixed else lawful_amount
            shares.append(
                MemberShare(
                    name=member.name,
                    kind=kind,
                    amount=amount if amount is not None else Decimal(0),
                    lawful=lawful_amount,
                    fixed=fixed,
                    odd_krona=lawful[1][i] if lawful else 0,
                )
            )
    group_actual = {
        k: sum((s.amount for s in shares if s.kind is k), Decimal(0)) for k in KIND_ORDER
    }
    return YearAllocation(
        year=year,
        total=total,
        group_lawful=group_lawful,
        group_actual=group_actual,
        group_odd_krona=group_odd,
        members=shares,
    )


def allocate(budget: Budget) -> list[YearAllocation]:
    """The allocation of every year that has a contribution, oldest first."""
    result = []
    for year in budget.years.all:
        allocation = allocate_year(budget, year)
        if allocation is not None:
            result.append(allocation)
    return result
