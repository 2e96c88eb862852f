"""Agreement coefficients computed from weighted coding patterns.

A *pattern* is one value per coder, in a fixed coder order, with None where a coder did not
judge the unit. ``Patterns`` maps each pattern to the total weight of the units that show it:
1 per sentence, paragraph, turn or document, or a number of characters. Every coefficient here
is a weighted sum over distinct patterns, so a million characters cost no more than the handful
of patterns they fall into, and the result equals that of the expanded per-unit data.

A coefficient that cannot be computed (no units, one coder, no variation so chance agreement is
total) comes back with ``value=None`` and the reason in plain words, never as 0 or 1.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from numbers import Real
from typing import Literal, NamedTuple

__all__ = [
    "Confusion",
    "Pattern",
    "Patterns",
    "Result",
    "brennan_prediger",
    "cohen_kappa",
    "confusion",
    "fleiss_kappa",
    "gwet_ac1",
    "krippendorff_alpha",
    "percent_agreement",
    "scott_pi",
    "tally",
]

Pattern = tuple[Hashable | None, ...]
Patterns = Mapping[Pattern, float]
Level = Literal["nominal", "ordinal", "interval", "ratio"]

NO_UNITS = "no units: there is nothing to compare"
FEW_CODERS = "fewer than 2 coders: agreement needs at least two"
NOT_PAIRABLE = "no unit was judged by at least 2 coders, so no two judgements can be compared"
NO_VARIATION = "no variation: every unit has the same value, so chance agreement is 1 and the coefficient is 0/0"


@dataclass(frozen=True)
class Result:
    """One coefficient: its value, or None with the reason it is undefined.

    ``n`` is the weight (units or characters) the value rests on; ``detail`` holds the parts,
    e.g. ``observed`` and ``expected`` agreement and the ``excluded`` weight.
    """

    value: float | None
    undefined: str = ""
    n: float = 0
    detail: Mapping[str, float] = field(default_factory=dict, hash=False)

    @property
    def defined(self) -> bool:
        return self.value is not None


class Confusion(NamedTuple):
    """Rows are coder 1's values, columns coder 2's, both in ``categories`` order."""

    categories: list[Hashable]
    matrix: list[list[float]]


def tally(units: Iterable[Sequence[Hashable | None]]) -> dict[Pattern, float]:
    """Patterns with weight 1 per unit, from one row of values per unit."""
    counts: Counter[Pattern] = Counter(tuple(row) for row in units)
    return {pattern: float(w) for pattern, w in counts.items()}


# ----------------------------------------------------------------------------- helpers


def _rows(p: Patterns) -> tuple[int, list[tuple[Pattern, float]]]:
    """Validated (number of coders, patterns with positive weight); 0 coders when empty."""
    coders = -1
    rows: list[tuple[Pattern, float]] = []
    for pattern, weight in p.items():
        if coders < 0:
            coders = len(pattern)
        elif len(pattern) != coders:
            raise ValueError(f"patterns differ in length ({coders} and {len(pattern)} coders)")
        if any(isinstance(v, float) and math.isnan(v) for v in pattern):
            raise ValueError(f"{pattern!r} holds NaN: mark a missing value with None")
        w = float(weight)
        if not math.isfinite(w) or w < 0:
            raise ValueError(
                f"weight of {pattern!r} is {weight!r}; weights must be finite and >= 0"
            )
        if w > 0:
            rows.append((pattern, w))
    return max(coders, 0), rows


def _checked(p: Patterns) -> Result | tuple[int, list[tuple[Pattern, float]]]:
    """(coders, rows), or the Result for no units or fewer than 2 coders."""
    coders, rows = _rows(p)
    if not rows:
        return _undefined(NO_UNITS)
    if coders < 2:
        return _undefined(FEW_CODERS)
    return coders, rows


def _present(pattern: Pattern) -> list[Hashable]:
    return [v for v in pattern if v is not None]


def _ordered(values: Iterable[Hashable]) -> list[Hashable]:
    """Distinct values, sorted where they can be, else in order of first appearance."""
    seen = list(dict.fromkeys(values))
    try:
        return sorted(seen)  # type: ignore[type-var]
    except TypeError:
        return seen


def _undefined(reason: str, **detail: float) -> Result:
    return Result(None, reason, 0, detail)


def _kappa(po: float, pe: float, n: float, excluded: float, **extra: float) -> Result:
    detail = {"observed": po, "expected": pe, "excluded": excluded, **extra}
    if 1 - pe <= 0:
        return Result(None, NO_VARIATION, n, detail)
    return Result((po - pe) / (1 - pe), "", n, detail)


def _pairwise(
    rows: list[tuple[Pattern, float]],
) -> tuple[float, float, float, list[tuple[Counter[Hashable], float]]]:
    """Weighted mean share of agreeing coder pairs over units with >= 2 values (Gwet 2014,
    ch. 2: p_a), the weight used and excluded, and each used unit's value counts."""
    used = excluded = agree = 0.0
    units: list[tuple[Counter[Hashable], float]] = []
    for pattern, w in rows:
        values = _present(pattern)
        r = len(values)
        if r < 2:
            excluded += w
            continue
        counts = Counter(values)
        agree += w * sum(c * (c - 1) for c in counts.values()) / (r * (r - 1))
        used += w
        units.append((counts, w))
    return (agree / used if used else 0.0), used, excluded, units


def _two_coders(
    p: Patterns, name: str
) -> Result | tuple[dict[tuple[Hashable, Hashable], float], float, float]:
    """Pair table for a two-coder coefficient, or the Result saying why there is none."""
    checked = _checked(p)
    if isinstance(checked, Result):
        return checked
    coders, rows = checked
    if coders > 2:
        return _undefined(
            f"{name} compares exactly 2 coders and these data have {coders}; "
            "use Fleiss' kappa or Krippendorff's alpha"
        )
    table: dict[tuple[Hashable, Hashable], float] = {}
    used = excluded = 0.0
    for (a, b), w in rows:
        if a is None or b is None:
            excluded += w
            continue
        table[(a, b)] = table.get((a, b), 0.0) + w
        used += w
    if not used:
        return _undefined("no unit was judged by both coders", excluded=excluded)
    return table, used, excluded


def _marginals(
    table: Mapping[tuple[Hashable, Hashable], float],
) -> tuple[float, dict[Hashable, float], dict[Hashable, float]]:
    agree = sum(w for (a, b), w in table.items() if a == b)
    first: defaultdict[Hashable, float] = defaultdict(float)
    second: defaultdict[Hashable, float] = defaultdict(float)
    for (a, b), w in table.items():
        first[a] += w
        second[b] += w
    return agree, first, second


# ----------------------------------------------------------------------------- coefficients


def percent_agreement(p: Patterns) -> Result:
    """Share of weight in units where every present value is the same.

    Units with fewer than 2 values cannot agree or disagree and are excluded (``excluded`` in
    ``detail``). ``pairwise`` is the mean share of agreeing coder pairs (Gwet 2014, p_a), which
    equals the plain share for 2 coders.
    """
    checked = _checked(p)
    if isinstance(checked, Result):
        return checked
    _, rows = checked
    pairwise, used, excluded, units = _pairwise(rows)
    if not used:
        return _undefined(NOT_PAIRABLE, excluded=excluded)
    share = sum(w for counts, w in units if len(counts) == 1) / used
    return Result(share, "", used, {"observed": share, "pairwise": pairwise, "excluded": excluded})


def cohen_kappa(p: Patterns) -> Result:
    """Cohen's (1960) kappa for 2 coders: chance agreement from each coder's own marginals.

    Units one coder did not judge are excluded.
    """
    prepared = _two_coders(p, "Cohen's kappa")
    if isinstance(prepared, Result):
        return prepared
    table, n, excluded = prepared
    agree, first, second = _marginals(table)
    if len(first.keys() | second.keys()) < 2:
        return Result(
            None, NO_VARIATION, n, {"observed": 1.0, "expected": 1.0, "excluded": excluded}
        )
    pe = sum(w * second.get(c, 0.0) for c, w in first.items()) / (n * n)
    return _kappa(agree / n, pe, n, excluded)


def scott_pi(p: Patterns) -> Result:
    """Scott's (1955) pi for 2 coders: chance agreement from the pooled marginals,
    Pr(e) = sum_k ((n_k1 + n_k2) / 2N)^2. Units one coder did not judge are excluded."""
    prepared = _two_coders(p, "Scott's pi")
    if isinstance(prepared, Result):
        return prepared
    table, n, excluded = prepared
    agree, first, second = _marginals(table)
    # in order of first appearance, not set order: the sum is the same on every run, to the last digit
    pooled = {c: first.get(c, 0.0) + second.get(c, 0.0) for c in dict.fromkeys([*first, *second])}
    if len(pooled) < 2:
        return Result(
            None, NO_VARIATION, n, {"observed": 1.0, "expected": 1.0, "excluded": excluded}
        )
    pe = sum((w / (2 * n)) ** 2 for w in pooled.values())
    return _kappa(agree / n, pe, n, excluded)


def fleiss_kappa(p: Patterns) -> Result:
    """Fleiss' (1971) kappa for >= 2 coders over the units every coder judged.

    P_i = (sum_j n_ij^2 - m) / (m(m - 1)); Pe = sum_j p_j^2 with p_j pooled over all ratings.
    Units with a missing value are excluded (``excluded`` in ``detail``).
    """
    checked = _checked(p)
    if isinstance(checked, Result):
        return checked
    coders, rows = checked
    used = excluded = agree = 0.0
    totals: defaultdict[Hashable, float] = defaultdict(float)
    for pattern, w in rows:
        if any(v is None for v in pattern):
            excluded += w
            continue
        counts = Counter(pattern)
        agree += w * (sum(c * c for c in counts.values()) - coders) / (coders * (coders - 1))
        for value, c in counts.items():
            totals[value] += w * c
        used += w
    if not used:
        return _undefined(f"no unit was judged by all {coders} coders", excluded=excluded)
    po = agree / used
    if len(totals) < 2:
        return Result(
            None, NO_VARIATION, used, {"observed": po, "expected": 1.0, "excluded": excluded}
        )
    pe = sum((t / (used * coders)) ** 2 for t in totals.values())
    return _kappa(po, pe, used, excluded)


def brennan_prediger(p: Patterns, *, categories: int) -> Result:
    """Brennan & Prediger's (1981) coefficient: (p_o - 1/q) / (1 - 1/q), q = ``categories``.

    Chance is uniform over the q categories available, as in MAXQDA's kappa (q = number of codes
    in its result table). p_o is the mean share of agreeing coder pairs over units with >= 2
    values, so it works for any number of coders and missing values (Gwet 2014, ch. 2).
    """
    if categories < 1:
        raise ValueError(f"categories must be at least 1, not {categories}")
    checked = _checked(p)
    if isinstance(checked, Result):
        return checked
    _, rows = checked
    seen = {v for pattern, _ in rows for v in _present(pattern)}
    if len(seen) > categories:
        raise ValueError(f"categories={categories} but the data use {len(seen)} distinct values")
    po, used, excluded, _ = _pairwise(rows)
    if not used:
        return _undefined(NOT_PAIRABLE, excluded=excluded)
    if categories < 2:
        return Result(
            None,
            "only one category is available, so chance agreement 1/q is 1 and the coefficient is 0/0",
            used,
            {"observed": po, "expected": 1.0, "excluded": excluded},
        )
    return _kappa(po, 1 / categories, used, excluded, categories=float(categories))


def gwet_ac1(p: Patterns, *, categories: int | None = None) -> Result:
    """Gwet's AC1 for >= 2 coders, missing values allowed (Gwet 2008; 2014, ch. 4).

    p_a is the mean share of agreeing coder pairs over units with >= 2 values; chance
    p_e = sum_k pi_k (1 - pi_k) / (q - 1) with pi_k the mean over units (>= 1 value) of the
    share of the unit's values in category k. q is ``categories`` or, by default, the number of
    distinct values used (as in Gwet's irrCAC).
    """
    checked = _checked(p)
    if isinstance(checked, Result):
        return checked
    _, rows = checked
    po, used, excluded, _ = _pairwise(rows)
    if not used:
        return _undefined(NOT_PAIRABLE, excluded=excluded)
    share: defaultdict[Hashable, float] = defaultdict(float)
    rated = 0.0
    for pattern, w in rows:
        values = _present(pattern)
        if values:
            rated += w
            for value, c in Counter(values).items():
                share[value] += w * c / len(values)
    q = len(share) if categories is None else categories
    if q < len(share):
        raise ValueError(f"categories={categories} but the data use {len(share)} distinct values")
    if q < 2:
        return Result(
            None,
            "only one category, so AC1's chance agreement (divided by q - 1) is undefined",
            used,
            {"observed": po, "excluded": excluded},
        )
    pe = sum((s / rated) * (1 - s / rated) for s in share.values()) / (q - 1)
    return _kappa(po, pe, used, excluded, categories=float(q))


def _metric(
    level: Level, values: list[Hashable], totals: Mapping[Hashable, float]
) -> Callable[[int, int], float]:
    """Krippendorff's squared difference delta^2 between values[i] and values[j]."""
    if level == "nominal":
        return lambda i, j: 0.0 if i == j else 1.0
    if level == "ordinal":
        cumulative = [0.0]
        for v in values:
            cumulative.append(cumulative[-1] + totals.get(v, 0.0))

        def ordinal(i: int, j: int) -> float:
            lo, hi = min(i, j), max(i, j)
            between = cumulative[hi + 1] - cumulative[lo]
            return (between - (totals.get(values[lo], 0.0) + totals.get(values[hi], 0.0)) / 2) ** 2

        return ordinal
    numbers: list[float] = []
    for v in values:
        if not isinstance(v, Real):
            raise ValueError(f"the {level} level needs numbers, not {v!r}")
        numbers.append(float(v))
    if level == "interval":
        return lambda i, j: (numbers[i] - numbers[j]) ** 2
    if level == "ratio":

        def ratio(i: int, j: int) -> float:
            total = numbers[i] + numbers[j]
            return 0.0 if total == 0 else ((numbers[i] - numbers[j]) / total) ** 2

        return ratio
    raise ValueError(f"unknown level {level!r}: use nominal, ordinal, interval or ratio")


def krippendorff_alpha(
    p: Patterns, level: Level = "nominal", *, order: Sequence[Hashable] | None = None
) -> Result:
    """Krippendorff's alpha = 1 - D_o / D_e via the coincidence matrix (Krippendorff 2011,
    "Computing Krippendorff's Alpha-Reliability"), for >= 2 coders with missing values.

    Units with fewer than 2 values are not pairable and are dropped (``excluded``). ``order``
    ranks the values for the ordinal level (default: sorted). ``detail`` gives the observed and
    expected disagreement and the number of pairable values.
    """
    if level not in ("nominal", "ordinal", "interval", "ratio"):
        raise ValueError(f"unknown level {level!r}: use nominal, ordinal, interval or ratio")
    checked = _checked(p)
    if isinstance(checked, Result):
        return checked
    _, rows = checked
    coincidence: defaultdict[tuple[Hashable, Hashable], float] = defaultdict(float)
    used = excluded = 0.0
    for pattern, w in rows:
        counts = Counter(_present(pattern))
        m = sum(counts.values())
        if m < 2:
            excluded += w
            continue
        used += w
        for c, nc in counts.items():
            for k, nk in counts.items():
                pairs = nc * (nc - 1) if c == k else nc * nk
                if pairs:
                    coincidence[(c, k)] += w * pairs / (m - 1)
    if not used:
        return _undefined(NOT_PAIRABLE, excluded=excluded)
    totals: dict[Hashable, float] = {}
    for (c, _), o in coincidence.items():
        totals[c] = totals.get(c, 0.0) + o
    n = sum(totals.values())
    if level == "ordinal" and order is not None:
        missing = [v for v in totals if v not in order]
        if missing:
            raise ValueError(f"values {missing!r} are not in the given order")
        values = list(dict.fromkeys(order))
    elif level == "ordinal":
        try:
            values = sorted(totals)  # type: ignore[type-var]
        except TypeError:
            raise ValueError(
                "these values cannot be sorted: pass order=[...] for the ordinal level"
            ) from None
    else:
        values = list(totals)
    index = {v: i for i, v in enumerate(values)}
    delta = _metric(level, values, totals)
    observed = sum(o * delta(index[c], index[k]) for (c, k), o in coincidence.items())
    expected = sum(
        totals[c] * totals[k] * delta(index[c], index[k]) for c in totals for k in totals
    )
    detail = {"pairable": n, "excluded": excluded}
    if n <= 1:
        return Result(None, "fewer than 2 pairable values (weights below 1)", used, detail)
    if len(totals) < 2 or expected <= 0:
        return Result(
            None,
            "no variation: every pairable value is the same, so expected disagreement is 0 "
            "and alpha is 0/0",
            used,
            detail,
        )
    d_o, d_e = observed / n, expected / (n * (n - 1))
    return Result(1 - d_o / d_e, "", used, {"observed": d_o, "expected": d_e, **detail})


def confusion(p: Patterns, *, categories: Sequence[Hashable] | None = None) -> Confusion:
    """Weight of each (coder 1 value, coder 2 value) pair over units both coders judged.

    ``categories`` fixes the order (and may list values nobody used); by default the values
    used, sorted where they can be.
    """
    coders, rows = _rows(p)
    if rows and coders != 2:
        raise ValueError(f"a confusion table compares 2 coders, not {coders}")
    pairs = [((a, b), w) for (a, b), w in rows if a is not None and b is not None]
    used = [v for (a, b), _ in pairs for v in (a, b)]
    order = _ordered(used) if categories is None else list(dict.fromkeys(categories))
    index = {v: i for i, v in enumerate(order)}
    unknown = [v for v in dict.fromkeys(used) if v not in index]
    if unknown:
        raise ValueError(f"values {unknown!r} are not among the categories")
    matrix = [[0.0] * len(order) for _ in order]
    for (a, b), w in pairs:
        matrix[index[a]][index[b]] += w
    return Confusion(order, matrix)
