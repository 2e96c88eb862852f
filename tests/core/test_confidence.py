"""Confidence intervals for the agreement coefficients: published irrCAC outputs, Hayes &
Krippendorff's (2007) example, independent per-unit reimplementations of the formulas, and the
properties (weights = expanded units, seeds, resample counts, cancelling)."""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Hashable, Sequence

import numpy as np
import pytest

from qualbench.agreement.confidence import (
    FEW_UNITS,
    Interval,
    alpha_bootstrap,
    alpha_group_bootstrap,
    group_bootstrap,
    standard_error,
    t_quantile,
    unit_bootstrap,
)
from qualbench.agreement.stats import (
    Pattern,
    Patterns,
    Result,
    cohen_kappa,
    fleiss_kappa,
    gwet_ac1,
    krippendorff_alpha,
    tally,
)
from qualbench.progress import Cancelled

_ = None
Row = Sequence[Hashable | None]

# ------------------------------------------------------------------------------ published data

# irrCAC (Gwet 2019, cran.r-project.org/package=irrCAC), README and vignette "Calculating
# Chance-corrected Agreement Coefficients (CAC)" (2021-08-15), data set `cac.raw4raters`
# (= Krippendorff 2011's 4 observers x 12 units). Printed, with conf.int rounded to 3 places:
#   pa.coeff.raw      0.8181818  se 0.12561  (0.542,1)
#   gwet.ac1.raw      0.77544    se 0.14295  (0.461,1)
#   fleiss.kappa.raw  0.76117    se 0.15302  (0.424,1)
#   krippen.alpha.raw 0.74342    se 0.14557  (0.419,1)
#   bp.coeff.raw      0.77273    se 0.14472  (0.454,1)
RAW4RATERS = [
    (1, 1, _, 1), (2, 2, 3, 2), (3, 3, 3, 3), (3, 3, 3, 3), (2, 2, 2, 2), (1, 2, 3, 4),
    (4, 4, 4, 4), (1, 1, 2, 1), (2, 2, 2, 2), (_, 5, 5, 5), (_, _, 1, 1), (_, _, 3, _),
]  # fmt: skip

# irrCAC README/vignette, `cont3x3abstractors` (Gwet 2014, 2 abstractors x 100 cases):
#   kappa2.table   0.7964094 se 0.05891072 (0.68,0.913)
#   scott2.table   0.7962397 se 0.05905473 (0.679,0.913)
#   gwet.ac1.table 0.8493305 se 0.04321747 (0.764,0.935)
#   bp2.table      0.835     se 0.04693346 (0.742,0.928)
#   krippen2.table 0.7972585 se 0.05905473 (0.68,0.914)
#   pa2.table      0.89      se 0.03128898 (0.828,0.952)
ABSTRACTORS_TABLE = [[13, 0, 0], [0, 20, 7], [0, 4, 56]]
LABELS = ["Ectopic", "AIU", "NIU"]
ABSTRACTORS = {
    (LABELS[i], LABELS[j]): float(w)
    for i, row in enumerate(ABSTRACTORS_TABLE)
    for j, w in enumerate(row)
    if w
}

# irrCAC README/vignette, `distrib.6raters` (Fleiss 1971: 6 raters per subject, 15 subjects):
#   gwet.ac1.dist      0.4448007 se 0.08418757 (0.264,0.625)
#   fleiss.kappa.dist  0.4139265 se 0.08119291 (0.24,0.588)
#   krippen.alpha.dist 0.4204384 se 0.08243228 (0.244,0.597)
#   bp.coeff.dist      0.4388889 se 0.08312142 (0.261,0.617)
SIX_RATERS_COUNTS = [
    [0, 0, 0, 6, 0], [0, 3, 0, 0, 3], [0, 1, 4, 0, 1], [0, 0, 0, 0, 6], [0, 3, 0, 3, 0],
    [2, 0, 4, 0, 0], [0, 0, 4, 0, 2], [2, 0, 3, 1, 0], [2, 0, 0, 4, 0], [0, 0, 0, 0, 6],
    [1, 0, 0, 5, 0], [1, 1, 0, 4, 0], [0, 3, 3, 0, 0], [1, 0, 0, 5, 0], [0, 2, 0, 3, 1],
]  # fmt: skip
SIX_RATERS = [tuple(c for c, k in enumerate(row) for _ in range(k)) for row in SIX_RATERS_COUNTS]

# Hayes & Krippendorff (2007), Table 1 (p. 84 of the manuscript at afhayes.com/public/
# cmm2007.pdf, as transcribed in github.com/jucor/krippendorff, data-raw/news_tone_hayes2007.csv):
# 40 news stories coded by 5 observers for tone (0-3), with missing judgements. The KALPHA output
# they print gives ordinal alpha = .7598 for these data.
HAYES_2007 = [
    (1, 1, 2, _, 2), (1, 1, 0, 1, _), (2, 3, 3, 3, _), (_, 0, 0, _, 0), (0, 0, 0, _, 0),
    (0, 0, 0, _, 0), (1, 0, 2, _, 1), (1, _, 2, 0, _), (2, 2, 2, _, 2), (2, 1, 1, 1, _),
    (_, 1, 0, 0, _), (0, 0, 0, 0, _), (1, 2, 2, 2, _), (3, 3, 2, 2, 3), (1, 1, 1, _, 1),
    (1, 1, 1, _, 1), (2, 1, 2, _, 2), (1, 2, 3, 3, _), (1, 1, 0, 1, _), (0, 0, 0, _, 0),
    (0, 0, 1, 1, _), (0, 0, _, 0, 0), (2, 3, 3, 3, _), (0, 0, 0, 0, _), (1, 2, _, 2, 2),
    (0, 1, 1, 1, _), (0, 0, 0, 1, 0), (1, 2, 1, 2, _), (1, 1, 2, 2, _), (1, 1, 2, _, 2),
    (1, 1, 0, _, 0), (2, 1, 2, 1, _), (2, 2, _, 2, 2), (3, 2, 2, 2, _), (2, 2, 2, _, 2),
    (2, 2, 3, _, 2), (2, 2, 2, _, 2), (2, 2, _, 1, 2), (2, 2, 2, 2, _), (1, 1, 1, _, 1),
]  # fmt: skip


def printed(interval: Interval) -> tuple[float, float]:
    """The interval as irrCAC prints conf.int: both ends rounded to 3 places."""
    assert interval.low is not None and interval.high is not None
    return round(interval.low, 3), round(interval.high, 3)


# ------------------------------------------------------- independent per-unit irrCAC formulas


def irrcac_raw(rows: Sequence[Row], name: str, categories: Sequence[Hashable] | None = None,
               release: int = 2021) -> tuple[float, float, float]:  # fmt: skip
    """(coefficient, se, df) by a line-by-line reading of irrCAC's agree.coeff3.raw.r on
    unexpanded per-unit rows, without numpy. ``release`` 2019 is the krippen.alpha.raw of the
    package's first releases (the one its README output was made with): pa instead of pa' in
    the per-unit term, and n - 1 df with n the pairable units."""
    rows = [row for row in rows if any(v is not None for v in row)]
    used = {v for row in rows for v in row if v is not None}
    cats = list(categories) if categories else sorted(used)  # type: ignore[type-var]
    q, n0 = len(cats), len(rows)
    agree = [[sum(v == k for v in row) for k in cats] for row in rows]
    if name == "alpha":
        agree = [a for a in agree if sum(a) >= 2]
        n = len(agree)
        r = [sum(a) for a in agree]
        rb = sum(r) / n
        eps = 1 / sum(r)
        sumq = [sum(x * (x - 1) for x in a) for a in agree]
        pap = sum(s / (rb * (ri - 1)) for s, ri in zip(sumq, r, strict=True)) / n
        pa = (1 - eps) * pap + eps
        pi = [sum(a[k] / rb for a in agree) / n for k in range(q)]
        pe = sum(x * x for x in pi)
        alpha, alpha_p = (pa - pe) / (1 - pe), (pap - pe) / (1 - pe)
        shift = pap if release == 2021 else pa
        terms = []
        for a, s, ri in zip(agree, sumq, r, strict=True):
            pa_i = s / (rb * (ri - 1)) - shift * (ri - rb) / rb
            pe_i = sum(a[k] * pi[k] for k in range(q)) / rb - pe * (ri - rb) / rb
            terms.append((pa_i - pe) / (1 - pe) - 2 * (1 - alpha_p) * (pe_i - pe) / (1 - pe))
        var = sum((x - alpha_p) ** 2 for x in terms) / (n * (n - 1))
        return alpha, math.sqrt(var), (n0 if release == 2021 else n) - 1
    n = n0
    r = [sum(a) for a in agree]
    sumq = [sum(x * (x - 1) for x in a) for a in agree]
    n2 = sum(ri >= 2 for ri in r)
    pa = sum(s / (ri * (ri - 1)) for s, ri in zip(sumq, r, strict=True) if ri >= 2) / n2
    pi = [sum(a[k] / ri for a, ri in zip(agree, r, strict=True)) / n for k in range(q)]
    pe = {"ac1": sum(x * (1 - x) for x in pi) / (q - 1), "fleiss": sum(x * x for x in pi),
          "bp": 1 / q, "pa": 0.0}[name]  # fmt: skip
    coeff = (pa - pe) / (1 - pe)
    terms = []
    for a, s, ri in zip(agree, sumq, r, strict=True):
        pa_i = s / (ri * (ri - 1)) if ri >= 2 else 0.0
        x = (n / n2) * (pa_i - pe * (ri >= 2)) / (1 - pe)
        if name == "ac1":
            pe_i = sum(a[k] * (1 - pi[k]) for k in range(q)) / ri / (q - 1)
            x -= 2 * (1 - coeff) * (pe_i - pe) / (1 - pe)
        elif name == "fleiss":
            x -= 2 * (1 - coeff) * (sum(a[k] * pi[k] for k in range(q)) / ri - pe) / (1 - pe)
        terms.append(x)
    return coeff, math.sqrt(sum((x - coeff) ** 2 for x in terms) / (n * (n - 1))), n - 1


def random_rows(rng: random.Random, units: int, coders: int, values: int, missing: float) -> list[Row]:  # fmt: skip
    rows: list[Row] = []
    for _i in range(units):
        truth = rng.randrange(values)
        row = [truth if rng.random() < 0.6 else rng.randrange(values) for _c in range(coders)]
        rows.append(tuple(v if rng.random() > missing else None for v in row))
    return rows


# ------------------------------------------------------------------------------ Student's t


@pytest.mark.parametrize(
    ("prob", "df", "table"),
    [
        # two-sided 95% and 99% points of common t tables (e.g. Abramowitz & Stegun, Table 26.10)
        (0.975, 1, 12.706), (0.975, 2, 4.303), (0.975, 5, 2.571), (0.975, 10, 2.228),
        (0.975, 11, 2.201), (0.975, 30, 2.042), (0.975, 120, 1.980), (0.95, 4, 2.132),
        (0.995, 3, 5.841), (0.995, 20, 2.845), (0.9995, 7, 5.408),
    ],
)  # fmt: skip
def test_t_quantile_matches_tables(prob: float, df: float, table: float) -> None:
    assert round(t_quantile(prob, df), 3) == table
    assert t_quantile(1 - prob, df) == -t_quantile(prob, df)


def test_t_quantile_large_df_is_normal() -> None:
    assert t_quantile(0.975, math.inf) == pytest.approx(1.959963984540054, abs=1e-12)
    assert t_quantile(0.975, 1e9) == pytest.approx(1.959963984540054, abs=1e-8)
    assert round(t_quantile(0.975, 500_000), 5) == 1.95997
    # no jump where the Cornish-Fisher expansion takes over from the iteration (df = 1e5)
    assert t_quantile(0.975, 1e5 - 1e-6) == pytest.approx(t_quantile(0.975, 1e5), abs=1e-12)
    values = [t_quantile(0.975, df) for df in (1, 1.5, 2, 3, 7.5, 40, 1e3, 1e4, 1e5, 1e7)]
    assert values == sorted(values, reverse=True)


def _t_cdf_closed_form(t: float, nu: int) -> float:
    """Abramowitz & Stegun 26.7.3-4: P(T <= t) for whole df, a finite trigonometric series."""
    theta = math.atan(t / math.sqrt(nu))
    c, s = math.cos(theta), math.sin(theta)
    if nu % 2:
        total, term = 0.0, c
        for k in range(1, (nu - 1) // 2 + 1):
            total += term
            term *= (2 * k) / (2 * k + 1) * c * c
        a = 2 / math.pi * (theta + s * total)
    else:
        total, term = 1.0, 1.0
        for k in range(1, (nu - 2) // 2 + 1):
            term *= (2 * k - 1) / (2 * k) * c * c
            total += term
        a = s * total
    return 0.5 + a / 2


@pytest.mark.parametrize("nu", [1, 2, 3, 4, 7, 12, 25, 60, 99])
@pytest.mark.parametrize("prob", [0.6, 0.9, 0.975, 0.995, 0.99999])
def test_t_quantile_inverts_the_exact_cdf(nu: int, prob: float) -> None:
    assert _t_cdf_closed_form(t_quantile(prob, nu), nu) == pytest.approx(prob, abs=1e-13)


def test_t_quantile_rejects_nonsense() -> None:
    for prob, df in [(0, 5), (1, 5), (0.5, 0), (0.9, -1), (0.9, math.nan)]:
        with pytest.raises(ValueError, match="must"):
            t_quantile(prob, df)
    assert t_quantile(0.5, 3) == 0.0


# --------------------------------------------------------- standard errors: published values


@pytest.mark.parametrize(
    ("name", "value", "se", "ci", "source"),
    [
        ("cohen", 0.7964094, 0.05891072, (0.68, 0.913), "kappa2.table"),
        ("scott", 0.7962397, 0.05905473, (0.679, 0.913), "scott2.table"),
        ("ac1", 0.8493305, 0.04321747, (0.764, 0.935), "gwet.ac1.table"),
        ("bp", 0.835, 0.04693346, (0.742, 0.928), "bp2.table"),
        ("alpha", 0.7972585, 0.05905473, (0.68, 0.914), "krippen2.table"),
        ("percent", 0.89, 0.03128898, (0.828, 0.952), "pa2.table"),
    ],
)
def test_irrcac_two_rater_tables(name: str, value: float, se: float, ci: tuple[float, float],
                                 source: str) -> None:  # fmt: skip
    interval = standard_error(name, ABSTRACTORS, categories=3)
    assert interval.se == pytest.approx(se, abs=5e-9)
    assert printed(interval) == ci
    assert interval.low is not None and interval.high is not None
    assert (interval.low + interval.high) / 2 == pytest.approx(value, abs=5e-8)
    assert source in interval.method and "t with 99 df" in interval.method


@pytest.mark.parametrize(
    ("name", "value", "se", "ci"),
    [
        ("pairwise", 0.8181818, 0.12561, (0.542, 1.0)),
        ("ac1", 0.77544, 0.14295, (0.461, 1.0)),
        ("bp", 0.77273, 0.14472, (0.454, 1.0)),
    ],
)
def test_irrcac_raw_ratings_with_missing_values(name: str, value: float, se: float,
                                                ci: tuple[float, float]) -> None:  # fmt: skip
    interval = standard_error(name, tally(RAW4RATERS), categories=5)
    assert interval.se is not None and round(interval.se, 5) == se  # printed as round(se, 5)
    assert printed(interval) == ci
    assert "t with 11 df" in interval.method  # 12 units with a value


def test_irrcac_alpha_raw_current_release_and_printed_one() -> None:
    """krippen.alpha.raw's README output (SE 0.14557, (0.419,1)) predates the release of 31
    August 2021, which centres the per-unit term on pa' (not pa) and takes df from all 12 units
    with a value (not the 11 pairable ones). The printed numbers are reproduced by the earlier
    formula; this module follows the current one (SE 0.14548)."""
    old_value, old_se, old_df = irrcac_raw(RAW4RATERS, "alpha", release=2019)
    assert round(old_value, 5) == 0.74342
    assert round(old_se, 5) == 0.14557
    assert old_df == 10
    t = t_quantile(0.975, old_df)
    assert (round(old_value - t * old_se, 3), min(1.0, round(old_value + t * old_se, 3))) == (
        0.419,
        1.0,
    )
    value, se, df = irrcac_raw(RAW4RATERS, "alpha")
    interval = standard_error("alpha", tally(RAW4RATERS))
    assert interval.se == pytest.approx(se, rel=1e-12)
    assert round(se, 5) == 0.14548
    assert df == 11 and "t with 11 df" in interval.method
    assert interval.low == pytest.approx(value - t_quantile(0.975, 11) * se, rel=1e-12)
    assert krippendorff_alpha(tally(RAW4RATERS)).value == pytest.approx(value, rel=1e-12)


@pytest.mark.parametrize(
    ("name", "value", "se", "ci"),
    [
        ("ac1", 0.4448007, 0.08418757, (0.264, 0.625)),
        ("fleiss", 0.4139265, 0.08119291, (0.24, 0.588)),
        ("bp", 0.4388889, 0.08312142, (0.261, 0.617)),
    ],
)
def test_irrcac_six_raters(name: str, value: float, se: float, ci: tuple[float, float]) -> None:
    interval = standard_error(name, tally(SIX_RATERS), categories=5)
    assert interval.se == pytest.approx(se, abs=5e-9)
    assert printed(interval) == ci
    assert interval.low is not None and interval.high is not None
    assert (interval.low + interval.high) / 2 == pytest.approx(value, abs=5e-8)


def test_alpha_with_equal_values_per_unit_has_fleiss_standard_error() -> None:
    """With every unit rated by all coders krippen.alpha.raw's correction terms vanish and its
    variance is Fleiss' (0.08119291 for distrib.6raters). irrCAC's krippen.alpha.dist prints
    0.08243228 there: it linearises differently (factor 1 - alpha instead of 2 (1 - alpha')),
    which this module does not follow; the coefficient itself, 0.4204384, is the same."""
    p = tally(SIX_RATERS)
    assert round(krippendorff_alpha(p).value or 0, 7) == 0.4204384
    alpha, fleiss = standard_error("alpha", p), standard_error("fleiss", p)
    assert alpha.se == pytest.approx(fleiss.se, rel=1e-12)
    assert round(alpha.se or 0, 8) == 0.08119291


# ----------------------------------------------- standard errors: reimplementation, properties


@pytest.mark.parametrize("seed", range(6))
def test_raw_formulas_match_a_per_unit_reimplementation(seed: int) -> None:
    rng = random.Random(seed)
    rows = random_rows(rng, rng.randint(15, 60), rng.choice([3, 4, 5]), rng.choice([3, 4]), 0.2)
    p = tally(rows)
    cats = sorted({v for row in rows for v in row if v is not None})
    for name, ours in [("ac1", "ac1"), ("bp", "bp"), ("pa", "pairwise"), ("alpha", "alpha")]:
        value, se, df = irrcac_raw(rows, name, cats)
        interval = standard_error(ours, p, categories=len(cats))
        assert interval.se == pytest.approx(se, rel=1e-10), name
        assert f"t with {df} df" in interval.method
        assert interval.high == pytest.approx(
            min(1.0, value + t_quantile(0.975, df) * se), rel=1e-10
        )
    complete = [row for row in rows if None not in row]
    value, se, _df = irrcac_raw(complete, "fleiss", cats)
    assert fleiss_kappa(p).value == pytest.approx(value, rel=1e-12)
    assert standard_error("fleiss", p).se == pytest.approx(se, rel=1e-10)


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("coders", [2, 3])
def test_weighted_patterns_equal_expanded_units(seed: int, coders: int) -> None:
    rng = random.Random(seed)
    p = tally(random_rows(rng, 40, coders, 4, 0.15))
    weights = {pattern: float(rng.randint(1, 9)) for pattern in p}
    expanded = tally(pattern for pattern, w in weights.items() for _i in range(int(w)))
    for name in ["percent", "pairwise", "cohen", "scott", "fleiss", "alpha", "bp", "ac1"]:
        if coders > 2 and name in ("cohen", "scott"):
            continue
        a = standard_error(name, weights, categories=4)
        b = standard_error(name, expanded, categories=4)
        assert (a.method, a.undefined) == (b.method, b.undefined)
        if a.defined:
            assert a.se == pytest.approx(b.se, rel=1e-12), name
            assert a.low == pytest.approx(b.low, rel=1e-12), name
            assert a.high == pytest.approx(b.high, rel=1e-12), name


def test_alpha_levels_of_measurement() -> None:
    p = tally(HAYES_2007)
    for metric in ("nominal", "ordinal", "interval", "ratio"):
        interval = standard_error("alpha", p, metric=metric)
        value = krippendorff_alpha(p, metric).value
        assert interval.low is not None and interval.high is not None and value is not None
        assert interval.low < value < interval.high
        assert "t with 39 df" in interval.method
    two = tally(row[:2] for row in HAYES_2007)  # two coders: krippen2.table, weighted
    for metric in ("nominal", "interval"):
        interval = standard_error("alpha", two, metric=metric)
        assert "krippen2.table" in interval.method and interval.se is not None


def test_population_correction() -> None:
    plain = standard_error("cohen", ABSTRACTORS)
    finite = standard_error("cohen", ABSTRACTORS, population=400)
    assert plain.se is not None and finite.se is not None
    assert finite.se == pytest.approx(plain.se * math.sqrt(1 - 100 / 400), rel=1e-12)
    assert "N = 400" in finite.method
    whole = standard_error("cohen", ABSTRACTORS, population=100)
    assert not whole.defined and whole.se == 0.0 and "standard error is 0" in whole.undefined
    with pytest.raises(ValueError, match="smaller than the sample"):
        standard_error("cohen", ABSTRACTORS, population=99)
    alpha = standard_error("alpha", tally(RAW4RATERS), population=24)  # alpha: f = 12 units / N
    assert alpha.se == pytest.approx(
        (standard_error("alpha", tally(RAW4RATERS)).se or 0) * math.sqrt(0.5)
    )


def test_undefined_cases_say_why() -> None:
    no_variation = standard_error("cohen", {("a", "a"): 5.0})
    assert not no_variation.defined and "no variation" in no_variation.undefined
    one_unit = standard_error("ac1", {("a", "b", "a"): 1.0})
    assert not one_unit.defined and one_unit.undefined == FEW_UNITS
    perfect = standard_error("percent", {("a", "a"): 3.0, ("b", "b"): 4.0})
    assert not perfect.defined and perfect.se == 0.0 and "0" in perfect.undefined
    assert not standard_error("alpha", {}).defined
    assert standard_error("cohen", tally(RAW4RATERS)).undefined.startswith(
        "Cohen's kappa compares exactly 2"
    )
    with pytest.raises(ValueError, match="number of categories"):
        standard_error("bp", ABSTRACTORS)
    with pytest.raises(ValueError, match="unknown coefficient"):
        standard_error("kappa", ABSTRACTORS)
    with pytest.raises(ValueError, match="level"):
        standard_error("cohen", ABSTRACTORS, level=95)


def test_two_coders_with_single_values_use_raw_ac1() -> None:
    p = dict(ABSTRACTORS)
    p[("AIU", None)] = 3.0
    ac1 = standard_error("ac1", p)
    assert "gwet.ac1.raw" in ac1.method and "t with 102 df" in ac1.method
    assert (ac1.low or 0) < (gwet_ac1(p).value or 0) < (ac1.high or 0)
    kappa = standard_error("cohen", p)  # the table of units both judged, as cohen_kappa uses
    assert kappa.se == pytest.approx(standard_error("cohen", ABSTRACTORS).se, rel=1e-12)
    assert cohen_kappa(p).value == cohen_kappa(ABSTRACTORS).value


# ------------------------------------------------------------ KALPHA bootstrap of alpha


def kalpha_macro(rows: Sequence[Row], level: str, resamples: int, seed: int) -> np.ndarray:
    """The bootstrap loop of Hayes's KALPHA macro for SPSS (v3.0), read statement by statement
    and run on per-unit data: uniform numbers looked up in the cumulative pair probabilities
    (pmat), numsum of their deltas, alpha = 1 - numsum/(expdis M), the -1 floor and the
    correction of alpha = 1 (with the macro's own exponent, the number of pairs)."""
    judges = len(rows[0])
    rows = [row for row in rows if sum(v is not None for v in row) > 1]
    values = sorted({v for row in rows for v in row if v is not None})  # type: ignore[type-var]
    k = len(values)
    coinc = np.zeros((k, k))
    for row in rows:
        present = [values.index(v) for v in row if v is not None]
        for i, a in enumerate(present):
            for j, b in enumerate(present):
                if i != j:
                    coinc[a, b] += 1 / (len(present) - 1)
    nc, n = coinc.sum(axis=1), coinc.sum()
    pairs = sum(
        len([v for v in row if v is not None]) * (len([v for v in row if v is not None]) - 1) / 2
        for row in rows
    )
    delta = np.zeros((k, k))
    for i in range(k):
        for j in range(k):
            if level == "nominal":
                delta[i, j] = float(i != j)
            elif level == "ordinal" and i != j:
                lo, hi = min(i, j), max(i, j)
                delta[i, j] = (nc[lo : hi + 1].sum() - nc[i] / 2 - nc[j] / 2) ** 2
            elif level == "interval":
                delta[i, j] = (float(values[i]) - float(values[j])) ** 2  # type: ignore[arg-type]
    expect = np.outer(nc, nc) / (n - 1) - np.diag(nc) / (n - 1)
    expdis = (expect * delta).sum() / n
    pcoinc = 2 * coinc / n - np.diag(np.diag(coinc)) / n
    cumulative, cost = [], []
    for i in range(k):
        for j in range(i, k):
            cumulative.append((cumulative[-1] if cumulative else 0.0) + pcoinc[j, i])
            cost.append(delta[j, i])
    m = int(min(25 * np.count_nonzero(coinc), (judges - 1) * n / 2))
    rng = np.random.default_rng(seed)
    draws = rng.random((resamples, m))
    index = np.minimum(np.searchsorted(np.array(cumulative), draws), len(cost) - 1)
    boot = 1 - np.array(cost)[index].sum(axis=1) / (expdis * m)
    boot = np.maximum(boot, -1)
    filled = int(np.count_nonzero(np.diag(coinc)))
    nx = round(resamples * float(((np.diag(coinc) / n) ** pairs).sum()))
    ones = np.flatnonzero(boot == 1)
    boot[ones[: len(ones) if filled == 1 else nx]] = 0
    return boot


def test_hayes_krippendorff_example_point_estimate() -> None:
    """Hayes & Krippendorff (2007) print alpha = .7598 (ordinal) for Table 1. Their bootstrap
    interval and q are Monte Carlo results of the macro (10,000 resamples); they are checked
    below against the macro's own loop rather than against the printed digits."""
    p = tally(HAYES_2007)
    assert round(krippendorff_alpha(p, "ordinal").value or 0, 4) == 0.7598
    interval = alpha_bootstrap(p, "ordinal", resamples=10_000)
    assert interval.low is not None and interval.high is not None
    assert interval.low < 0.7598 < interval.high
    assert "318 pairs" in interval.method  # M = min(25 Q, (5 - 1) 159 / 2) = 318


@pytest.mark.parametrize("level", ["nominal", "ordinal", "interval"])
def test_kalpha_distribution_matches_the_macro_loop(level: str) -> None:
    """Multinomial counts per cell (this module) and the macro's M uniform look-ups per resample
    (kalpha_macro above) draw from the same distribution: their quantiles agree within Monte
    Carlo error and one step of the discrete distribution (20,000 resamples each; the sd of a
    2.5% quantile is below 0.001 here, a step of nominal alpha* 1/(M D_e) = 0.0044)."""
    p = tally(HAYES_2007)
    macro = kalpha_macro(HAYES_2007, level, 20_000, seed=1)
    for confidence in (0.5, 0.9, 0.95):
        ours = alpha_bootstrap(p, level, resamples=20_000, seed=2, level=confidence)
        a = (1 - confidence) / 2
        expected = np.quantile(macro, [a, 1 - a])
        assert ours.low == pytest.approx(expected[0], abs=0.01)
        assert ours.high == pytest.approx(expected[1], abs=0.01)
    ours = alpha_bootstrap(p, level, resamples=20_000, seed=3, minimums=(0.5, 0.7, 0.8))
    for minimum, q in ours.below.items():
        assert q == pytest.approx(float(np.mean(macro < minimum)), abs=0.02)


def test_kalpha_seed_resamples_and_q() -> None:
    p = tally(HAYES_2007)
    first = alpha_bootstrap(p, "ordinal", resamples=1234, seed=7)
    assert first == alpha_bootstrap(p, "ordinal", resamples=1234, seed=7)
    assert first != alpha_bootstrap(p, "ordinal", resamples=1234, seed=8)
    assert first.resamples == 1234 and first.seed == 7 and "1234 resamples" in first.method
    assert "seed 7" in first.method
    minimums = (0.5, 0.667, 0.7, 0.76, 0.8, 0.9)
    q = alpha_bootstrap(p, "ordinal", resamples=1234, seed=7, minimums=minimums).below
    assert list(q) == list(minimums)
    assert all(abs(v * 1234 - round(v * 1234)) < 1e-9 for v in q.values())  # counts of 1234
    assert list(q.values()) == sorted(q.values())
    assert q[0.5] == 0.0 and q[0.9] == 1.0 and 0.3 < q[0.76] < 0.7
    assert set(alpha_bootstrap(p).below) == {0.667, 0.8}  # the default minimums


def test_kalpha_percentiles_are_the_macros_order_statistics() -> None:
    """With R = 1000 the 95% limits are the 25th and 976th smallest values (trunc(.025 R) and
    trunc(.975 R) + 1 in the macro)."""
    p = tally(HAYES_2007)
    interval = alpha_bootstrap(p, "ordinal", resamples=1000, seed=11, minimums=())
    wider = alpha_bootstrap(p, "ordinal", resamples=1000, seed=11, level=0.99)
    assert wider.low is not None and wider.high is not None
    assert interval.low is not None and interval.high is not None
    assert wider.low <= interval.low < interval.high <= wider.high
    tiny = alpha_bootstrap(p, "ordinal", resamples=1, seed=11)
    assert tiny.low == tiny.high


def test_kalpha_corrections() -> None:
    # One filled diagonal cell: a resample of agreeing pairs only holds one value, so it is
    # alpha = 0, not 1 (Krippendorff 2013, step 4): nothing is left at 1.
    one_value = {("a", "a"): 30.0, ("a", "b"): 2.0, ("b", "c"): 1.0}
    assert alpha_bootstrap(one_value, resamples=2000, minimums=(1.0,)).below[1.0] == 1.0
    # Two filled cells and tiny data: some resamples agree perfectly and stay at 1, except the
    # expected share that holds one value only.
    two_values = {("a", "a"): 6.0, ("b", "b"): 6.0, ("a", "b"): 1.0}
    q = alpha_bootstrap(two_values, resamples=5000, minimums=(1.0,)).below[1.0]
    assert 0.0 < 1 - q < 0.5
    # Alpha* below -1 is set to -1.
    disagree = {("a", "b"): 5.0, ("b", "a"): 5.0, ("a", "a"): 1.0}
    low = alpha_bootstrap(disagree, resamples=2000).low
    assert low is not None and low >= -1.0


def test_kalpha_undefined_and_bad_arguments() -> None:
    none = alpha_bootstrap({("a", "a"): 5.0})
    assert not none.defined and "no variation" in none.undefined
    with pytest.raises(ValueError, match="resamples"):
        alpha_bootstrap(tally(HAYES_2007), resamples=0)
    with pytest.raises(ValueError, match="level"):
        alpha_bootstrap(tally(HAYES_2007), level=1.0)


def test_kalpha_cancel_stops_it() -> None:
    polls: list[int] = []

    def cancel() -> bool:
        polls.append(1)
        return len(polls) == 3

    with pytest.raises(Cancelled):
        alpha_bootstrap(tally(HAYES_2007), resamples=10_000, cancel=cancel)
    assert len(polls) == 3  # polled every 256 resamples, stopped at the third poll


def test_kalpha_cost_does_not_grow_with_units() -> None:
    """500,000 units in a few hundred patterns: the resamples draw from the coincidence cells,
    so ten times the units (same proportions) give the same interval with the same seed, up to
    expected disagreement's n / (n - 1) (the time is measured in bench/, not here)."""
    rng = random.Random(5)
    p: dict[Pattern, float] = {}
    while sum(p.values()) < 500_000:
        pattern = tuple(rng.choice([0, 1, 2, 3, 4, 5, None]) for _c in range(4))
        p[pattern] = p.get(pattern, 0.0) + rng.randint(500, 3000)
    assert 200 < len(p) < 1000
    interval = alpha_bootstrap(p, resamples=1000)
    bigger = alpha_bootstrap({k: 10 * w for k, w in p.items()}, resamples=1000)
    assert interval.defined
    assert bigger.low == pytest.approx(interval.low, abs=1e-5)
    assert bigger.high == pytest.approx(interval.high, abs=1e-5)
    assert dict(bigger.below) == dict(interval.below)


# ------------------------------------------------------------ unit and document bootstraps


def naive_unit_bootstrap(rows: Sequence[Row], stat: Callable[[Patterns], Result],
                         resamples: int, seed: int) -> np.ndarray:  # fmt: skip
    """Resample the unit rows themselves with replacement and recompute, one unit at a time."""
    rng = random.Random(seed)
    values = []
    for _i in range(resamples):
        value = stat(tally(rng.choices(rows, k=len(rows)))).value
        if value is not None:
            values.append(value)
    return np.array(values)


def test_unit_bootstrap_matches_naive_resampling_of_units() -> None:
    """Multinomial counts over patterns = resampling units: the percentile limits agree within
    Monte Carlo error (4,000 resamples each; sd of a 5% quantile here about 0.006)."""

    def stat(x: Patterns) -> Result:
        return krippendorff_alpha(x, "ordinal")

    naive = naive_unit_bootstrap(HAYES_2007, stat, 4000, seed=1)
    for confidence in (0.5, 0.9):
        ours = unit_bootstrap(stat, tally(HAYES_2007), resamples=4000, seed=2, level=confidence)
        a = (1 - confidence) / 2
        expected = np.quantile(naive, [a, 1 - a])
        assert ours.low == pytest.approx(expected[0], abs=0.03)
        assert ours.high == pytest.approx(expected[1], abs=0.03)


def test_unit_bootstrap_seed_dropped_cancel_and_weights() -> None:
    p = tally(HAYES_2007)
    stat = krippendorff_alpha
    a = unit_bootstrap(stat, p, resamples=300, seed=4, minimums=(0.5,))
    assert a == unit_bootstrap(stat, p, resamples=300, seed=4, minimums=(0.5,))
    assert a.resamples == 300 and "unit bootstrap (40 units" in a.method
    # two units of one kind, one of another: some resamples have no variation
    tiny = unit_bootstrap(
        cohen_kappa, {("a", "a"): 2.0, ("b", "b"): 1.0, ("a", "b"): 1.0}, resamples=200
    )
    assert 0 < tiny.dropped < 200
    polls: list[int] = []

    def cancel() -> bool:
        polls.append(1)
        return len(polls) == 2

    with pytest.raises(Cancelled):
        unit_bootstrap(stat, p, resamples=1000, cancel=cancel)
    assert len(polls) == 2
    with pytest.raises(ValueError, match="whole-number weights"):
        unit_bootstrap(stat, {("a", "a"): 1.5, ("a", "b"): 1.0}, resamples=10)
    assert unit_bootstrap(stat, {("a", "a"): 2.0}).undefined.startswith("no variation")


def test_group_bootstrap_resamples_documents() -> None:
    p = tally(HAYES_2007)
    single = [tally([row]) for row in HAYES_2007]  # one unit per document: a unit bootstrap
    by_unit = unit_bootstrap(krippendorff_alpha, p, resamples=4000, seed=1)
    by_doc = group_bootstrap(krippendorff_alpha, single, resamples=4000, seed=2)
    assert by_doc.low == pytest.approx(by_unit.low, abs=0.03)
    assert by_doc.high == pytest.approx(by_unit.high, abs=0.03)
    assert "40 documents" in by_doc.method
    # units of one document agree with each other: resampling documents widens the interval
    rng = random.Random(3)
    docs: list[Patterns] = []
    for _d in range(30):
        good = rng.random() < 0.5
        rows = [
            (v, v if good or rng.random() < 0.3 else (v + 1) % 3)
            for v in (rng.randrange(3) for _u in range(20))
        ]
        docs.append(tally(rows))
    whole = tally(row for doc in docs for row, w in doc.items() for _i in range(int(w)))
    clustered = group_bootstrap(cohen_kappa, docs, resamples=1000)
    independent = unit_bootstrap(cohen_kappa, whole, resamples=1000)
    assert clustered.low is not None and clustered.high is not None
    assert independent.low is not None and independent.high is not None
    assert clustered.high - clustered.low > 1.5 * (independent.high - independent.low)
    assert group_bootstrap(fleiss_kappa, docs[:3], seed=9) == group_bootstrap(
        fleiss_kappa, docs[:3], seed=9
    )
    assert not group_bootstrap(fleiss_kappa, []).defined


def test_vectorised_document_bootstrap_of_alpha_equals_the_general_one() -> None:
    """Same seed, same draws: the vectorised nominal-alpha bootstrap gives the interval, the
    chances below the minimums and the dropped count of group_bootstrap(krippendorff_alpha)."""
    rng = random.Random(11)
    groups = []
    for _ in range(12):
        doc: dict[Pattern, float] = {}
        for _ in range(rng.randint(5, 40)):
            pattern = tuple(rng.choice([0, 1, 1, 2, None]) for _c in range(3))
            doc[pattern] = doc.get(pattern, 0.0) + 1
        groups.append(doc)
    groups.append({(0, 0, 0): 3.0})  # a document where alpha alone would be undefined
    general = group_bootstrap(
        krippendorff_alpha, groups, resamples=500, seed=3, minimums=(0.2, 0.5)
    )
    fast = alpha_group_bootstrap(groups, resamples=500, seed=3, minimums=(0.2, 0.5))
    assert fast.low == pytest.approx(general.low, abs=1e-12)
    assert fast.high == pytest.approx(general.high, abs=1e-12)
    assert dict(fast.below) == pytest.approx(dict(general.below))
    assert fast.dropped == general.dropped
    assert fast.resamples == 500 and fast.seed == 3
    none = alpha_group_bootstrap([{(1, 1): 4.0}, {(1, 1): 2.0}])
    assert none.low is None and "variation" in none.undefined
