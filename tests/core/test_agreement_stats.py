"""Agreement coefficients against published worked examples, the `krippendorff` package, and
their own properties (weights equal expanded units, coder order, undefined cases)."""

from __future__ import annotations

import itertools
import random
import subprocess
import sys
from collections.abc import Callable, Hashable, Sequence

import pytest

from qualbench.agreement.stats import (
    FEW_CODERS,
    NO_UNITS,
    NOT_PAIRABLE,
    Pattern,
    Patterns,
    Result,
    brennan_prediger,
    cohen_kappa,
    confusion,
    fleiss_kappa,
    gwet_ac1,
    krippendorff_alpha,
    percent_agreement,
    scott_pi,
    tally,
)

_ = None  # a missing value in the tables below

# ------------------------------------------------------------------------------ published data


def by_coder(*coders: Sequence[Hashable | None]) -> dict[Pattern, float]:
    """Patterns from one row per coder (the layout Krippendorff prints)."""
    return tally(zip(*coders, strict=True))


def from_table(
    labels: Sequence[Hashable], table: Sequence[Sequence[float]]
) -> dict[Pattern, float]:
    """Two-coder patterns from a contingency table (rows coder 1, columns coder 2)."""
    return {
        (labels[i], labels[j]): float(w)
        for i, row in enumerate(table)
        for j, w in enumerate(row)
        if w
    }


def from_counts(table: Sequence[Sequence[int]]) -> dict[Pattern, float]:
    """Patterns from 'raters per category' rows: which rater gave which value is arbitrary,
    which is all Fleiss' kappa, AC1, alpha and Brennan-Prediger assume of such data."""
    return tally(tuple(c for c, n in enumerate(row) for _ in range(n)) for row in table)


# Krippendorff, K. (2011). "Computing Krippendorff's Alpha-Reliability". Annenberg School for
# Communication, University of Pennsylvania (repository.upenn.edu/asc_papers/43), section
# "C. Nominal data, any number of observers, missing data" and its sequels: 4 observers
# A-D, 12 units. Reported: alpha nominal .743, ordinal .815, interval .849, ratio .797.
# The same data are `cac.raw4raters` in Gwet's irrCAC R package (README and vignette
# "Calculating Chance-corrected Agreement Coefficients", cran.r-project.org/package=irrCAC),
# which reports for them: percent agreement .8181818, AC1 .77544 (pe .1903212),
# Brennan-Prediger .77273 (pe 0.2), Krippendorff's alpha .74342.
KRIPPENDORFF_2011 = by_coder(
    [1, 2, 3, 3, 2, 1, 4, 1, 2, _, _, _],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, _, 3],
    [_, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, _],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, _],
)

# Wikipedia, "Krippendorff's alpha", section "A computational example" (3 coders, 15 units,
# missing values): alpha nominal 0.691, interval 0.811. (The `krippendorff` package's own tests
# assert 0.691358 and 0.810845 on these data.)
WIKIPEDIA_ALPHA = by_coder(
    [_, _, _, _, _, 3, 4, 1, 2, 1, 1, 3, 3, _, 3],
    [1, _, 2, 1, 3, 3, 4, 3, _, _, _, _, _, _, _],
    [_, _, 2, 1, 3, 4, 4, _, 2, 1, 1, 3, 3, _, 4],
)

# Gwet, K. L. (2014) Handbook of Inter-Rater Reliability, 4th ed., data set `cont3x3abstractors`
# as printed with its results in the irrCAC README/vignette (Gwet 2019, cran.r-project.org/
# package=irrCAC): two abstractors, 100 cases, 3 categories. Cohen's kappa 0.7964094, Scott's pi
# 0.7962397, AC1 0.8493305, Brennan-Prediger 0.835, Krippendorff's alpha 0.7972585, percent
# agreement 0.89.
ABSTRACTORS = from_table(
    ["Ectopic", "AIU", "NIU"],
    [[13, 0, 0], [0, 20, 7], [0, 4, 56]],
)

# irrCAC README/vignette (as above), data set `distrib.6raters` (psychiatric diagnoses from
# Fleiss 1971): 15 subjects, 6 raters, 5 categories. Fleiss' kappa 0.4139265 (pa 0.5511111,
# pe 0.2340741), AC1 0.4448007 (pe 0.1914815), Krippendorff's alpha 0.4204384, Brennan-Prediger
# 0.4388889 (pe 0.2).
SIX_RATERS = from_counts(
    [
        [0, 0, 0, 6, 0],
        [0, 3, 0, 0, 3],
        [0, 1, 4, 0, 1],
        [0, 0, 0, 0, 6],
        [0, 3, 0, 3, 0],
        [2, 0, 4, 0, 0],
        [0, 0, 4, 0, 2],
        [2, 0, 3, 1, 0],
        [2, 0, 0, 4, 0],
        [0, 0, 0, 0, 6],
        [1, 0, 0, 5, 0],
        [1, 1, 0, 4, 0],
        [0, 3, 3, 0, 0],
        [1, 0, 0, 5, 0],
        [0, 2, 0, 3, 1],
    ]
)

# Wikipedia, "Fleiss' kappa", section "Worked example" (after Fleiss 1971's formulas): 10
# subjects, 14 raters, 5 categories. P-bar = 0.378, P-bar_e = 0.213, kappa = 0.210.
WIKIPEDIA_FLEISS = from_counts(
    [
        [0, 0, 0, 0, 14],
        [0, 2, 6, 4, 2],
        [0, 0, 3, 5, 6],
        [0, 3, 9, 2, 0],
        [2, 2, 8, 1, 1],
        [7, 7, 0, 0, 0],
        [3, 2, 6, 3, 0],
        [2, 5, 3, 2, 2],
        [6, 5, 2, 1, 0],
        [0, 2, 2, 3, 7],
    ]
)

# Wikipedia, "Cohen's kappa", section "Simple example": 50 grant proposals, readers A and B;
# yes/yes 20, A yes B no 5, A no B yes 10, no/no 15. p_o = 0.7, p_e = 0.5, kappa = 0.4.
WIKIPEDIA_COHEN = from_table(["Yes", "No"], [[20, 5], [10, 15]])

# Wikipedia, "Scott's Pi", section "Worked example": 45 items, 3 categories. Published steps:
# joint proportions (12+6)/90 = 0.2, (15+15)/90 = 0.333, (18+24)/90 = 0.467; Pr(e) is the sum
# of their squares, 0.369; Pr(a) = (1+5+9)/45 = 0.333. Pi follows from Scott's (1955) formula.
WIKIPEDIA_SCOTT = from_table(["Yes", "No", "Maybe"], [[1, 2, 3], [4, 5, 6], [7, 8, 9]])


def approx(value: float | None, expected: float, tol: float) -> bool:
    return value is not None and abs(value - expected) <= tol


# ------------------------------------------------------------------------------ published values


@pytest.mark.parametrize(
    ("level", "expected"),
    [("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849), ("ratio", 0.797)],
)
def test_krippendorff_2011_example(level: str, expected: float) -> None:
    result = krippendorff_alpha(KRIPPENDORFF_2011, level)  # type: ignore[arg-type]
    assert approx(result.value, expected, 5e-4)
    # unit 12 has a single value: not pairable, dropped; 40 pairable values remain
    assert result.n == 11
    assert result.detail["excluded"] == 1
    assert result.detail["pairable"] == pytest.approx(40)


def test_krippendorff_2011_nominal_parts() -> None:
    # irrCAC reports this alpha to five decimals (0.74342); of the 40 pairable values, 8
    # coincidences disagree (Krippendorff 2011's coincidence matrix for these data)
    result = krippendorff_alpha(KRIPPENDORFF_2011)
    assert approx(result.value, 0.74342, 5e-6)
    assert result.detail["observed"] == pytest.approx(8 / 40)


def test_krippendorff_wikipedia_example() -> None:
    assert approx(krippendorff_alpha(WIKIPEDIA_ALPHA).value, 0.691358, 5e-7)
    assert approx(krippendorff_alpha(WIKIPEDIA_ALPHA, "interval").value, 0.810845, 5e-7)


def test_gwet_package_raw_ratings_with_missing_values() -> None:
    # irrCAC on cac.raw4raters (= Krippendorff 2011's data)
    ac1 = gwet_ac1(KRIPPENDORFF_2011)
    assert approx(ac1.value, 0.77544, 5e-6)
    assert ac1.detail["observed"] == pytest.approx(0.8181818, abs=5e-8)
    assert ac1.detail["expected"] == pytest.approx(0.1903212, abs=5e-8)
    bp = brennan_prediger(KRIPPENDORFF_2011, categories=5)
    assert approx(bp.value, 0.77273, 5e-6)
    assert bp.detail["expected"] == 0.2
    assert percent_agreement(KRIPPENDORFF_2011).detail["pairwise"] == pytest.approx(
        0.8181818, abs=5e-8
    )


def test_gwet_package_two_abstractors() -> None:
    assert approx(cohen_kappa(ABSTRACTORS).value, 0.7964094, 5e-8)
    assert approx(scott_pi(ABSTRACTORS).value, 0.7962397, 5e-8)
    assert approx(gwet_ac1(ABSTRACTORS).value, 0.8493305, 5e-8)
    assert approx(brennan_prediger(ABSTRACTORS, categories=3).value, 0.835, 5e-8)
    assert approx(krippendorff_alpha(ABSTRACTORS).value, 0.7972585, 5e-8)
    assert approx(percent_agreement(ABSTRACTORS).value, 0.89, 1e-12)


def test_gwet_package_six_raters() -> None:
    fleiss = fleiss_kappa(SIX_RATERS)
    assert approx(fleiss.value, 0.4139265, 5e-8)
    assert fleiss.detail["observed"] == pytest.approx(0.5511111, abs=5e-8)
    assert fleiss.detail["expected"] == pytest.approx(0.2340741, abs=5e-8)
    ac1 = gwet_ac1(SIX_RATERS)
    assert approx(ac1.value, 0.4448007, 5e-8)
    assert ac1.detail["expected"] == pytest.approx(0.1914815, abs=5e-8)
    assert approx(krippendorff_alpha(SIX_RATERS).value, 0.4204384, 5e-8)
    assert approx(brennan_prediger(SIX_RATERS, categories=5).value, 0.4388889, 5e-8)


def test_fleiss_wikipedia_example() -> None:
    result = fleiss_kappa(WIKIPEDIA_FLEISS)
    assert approx(result.value, 0.210, 5e-4)
    assert result.detail["observed"] == pytest.approx(0.378, abs=5e-4)
    assert result.detail["expected"] == pytest.approx(0.213, abs=5e-4)
    assert result.n == 10
    assert result.detail["excluded"] == 0


def test_cohen_wikipedia_example() -> None:
    result = cohen_kappa(WIKIPEDIA_COHEN)
    assert approx(result.value, 0.4, 1e-12)
    assert result.detail["observed"] == pytest.approx(0.7)
    assert result.detail["expected"] == pytest.approx(0.5)
    assert result.n == 50


def test_scott_wikipedia_example() -> None:
    result = scott_pi(WIKIPEDIA_SCOTT)
    assert result.detail["observed"] == pytest.approx(15 / 45)
    assert result.detail["expected"] == pytest.approx(0.369, abs=5e-4)
    assert result.detail["expected"] == pytest.approx(0.2**2 + (30 / 90) ** 2 + (42 / 90) ** 2)
    assert approx(result.value, (15 / 45 - 0.368889) / (1 - 0.368889), 1e-6)
    assert result.value is not None and result.value < 0  # worse than chance


def test_brennan_prediger_formula_and_maxqda_chance_model() -> None:
    # Brennan, R. L. & Prediger, D. J. (1981) "Coefficient kappa: some uses, misuses, and
    # alternatives", Educational and Psychological Measurement 41, 687-699: kappa_n =
    # (p_o - 1/q) / (1 - 1/q). MAXQDA's intercoder agreement takes q = number of codes in the
    # result table (MAXQDA manual, "Intercoder agreement"; shared/research/
    # peers-refi-agreement.md section 4). On Wikipedia's 2x2 (p_o = 0.7):
    assert approx(brennan_prediger(WIKIPEDIA_COHEN, categories=2).value, 0.4, 1e-12)
    # the same agreement read against 4 codes: (0.7 - 0.25) / 0.75
    four = brennan_prediger(WIKIPEDIA_COHEN, categories=4)
    assert approx(four.value, 0.6, 1e-12)
    assert four.detail == {"observed": 0.7, "expected": 0.25, "excluded": 0, "categories": 4}


def test_percent_agreement_all_coders_versus_pairs() -> None:
    # Krippendorff 2011: of the 11 pairable units, 8 have no dissenting value
    result = percent_agreement(KRIPPENDORFF_2011)
    assert result.value == pytest.approx(8 / 11)
    assert result.n == 11
    assert result.detail["excluded"] == 1


# ------------------------------------------------------------------------------ krippendorff package


def _random_reliability_data(
    seed: int, *, coders: int, units: int, values: Sequence[int], missing: float
) -> list[list[int | None]]:
    rng = random.Random(seed)
    truth = [rng.choice(values) for _ in range(units)]
    return [
        [
            None
            if rng.random() < missing
            else (truth[u] if rng.random() < 0.6 else rng.choice(values))
            for u in range(units)
        ]
        for _ in range(coders)
    ]


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("level", ["nominal", "ordinal", "interval", "ratio"])
def test_alpha_matches_krippendorff_package(seed: int, level: str) -> None:
    krippendorff = pytest.importorskip("krippendorff")
    data = _random_reliability_data(
        seed, coders=2 + seed % 4, units=30 + 7 * seed, values=[1, 2, 3, 5, 8], missing=0.25
    )
    nan = float("nan")
    theirs = krippendorff.alpha(
        reliability_data=[[nan if v is None else v for v in row] for row in data],
        level_of_measurement=level,
    )
    ours = krippendorff_alpha(by_coder(*data), level)  # type: ignore[arg-type]
    assert approx(ours.value, theirs, 1e-9)


# ------------------------------------------------------------------------------ weights = units

ALL: list[tuple[str, Callable[[Patterns], Result]]] = [
    ("percent", percent_agreement),
    ("cohen", cohen_kappa),
    ("scott", scott_pi),
    ("fleiss", fleiss_kappa),
    ("alpha nominal", krippendorff_alpha),
    ("alpha interval", lambda p: krippendorff_alpha(p, "interval")),
    ("alpha ordinal", lambda p: krippendorff_alpha(p, "ordinal")),
    ("bp", lambda p: brennan_prediger(p, categories=4)),
    ("ac1", gwet_ac1),
]


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize(("name", "coefficient"), ALL)
def test_weighted_patterns_equal_expanded_units(
    seed: int, name: str, coefficient: Callable[[Patterns], Result]
) -> None:
    rng = random.Random(seed)
    coders = 2 if name in ("cohen", "scott") else 2 + seed % 3
    patterns: dict[Pattern, float] = {}
    for _ in range(12):
        pattern = tuple(rng.choice([1, 2, 3, 4, None]) for _ in range(coders))
        patterns[pattern] = patterns.get(pattern, 0) + rng.randint(1, 40)
    expanded = [pattern for pattern, w in patterns.items() for _ in range(int(w))]
    rng.shuffle(expanded)
    weighted, units = coefficient(patterns), coefficient(tally(expanded))
    assert weighted.undefined == units.undefined
    assert weighted.n == units.n
    if units.value is not None:
        assert weighted.value == pytest.approx(units.value, abs=1e-12)
        assert weighted.detail == pytest.approx(units.detail)


def test_character_weights_cost_nothing_and_scale() -> None:
    # presence/absence of one code per character: 10 million characters in four patterns
    chars = {(True, True): 1_200_000, (True, False): 30_000, (False, True): 20_000}
    chars[(False, False)] = 10_000_000 - sum(chars.values())
    small = {pattern: w / 10_000 for pattern, w in chars.items()}
    for coefficient in (percent_agreement, cohen_kappa, scott_pi, gwet_ac1, fleiss_kappa):
        big = coefficient(chars)
        assert big.n == 10_000_000
        assert big.value == pytest.approx(coefficient(small).value, abs=1e-12)
    # alpha's small-sample correction (n - 1) fades with size: close to Scott's pi at scale
    assert krippendorff_alpha(chars).value == pytest.approx(scott_pi(chars).value, abs=1e-6)


# ------------------------------------------------------------------------------ properties


def _random_patterns(seed: int, coders: int, *, missing: bool = True) -> dict[Pattern, float]:
    rng = random.Random(seed)
    choices: list[Hashable | None] = ["a", "b", "c"] + ([None] if missing else [])
    return {
        tuple(rng.choice(choices) for _ in range(coders)): float(rng.randint(1, 9))
        for _ in range(15)
    }


def test_identical_coders_with_variation_agree_perfectly() -> None:
    same = {("a", "a"): 3.0, ("b", "b"): 5.0, ("c", "c"): 1.0}
    for coefficient in (cohen_kappa, scott_pi, fleiss_kappa, krippendorff_alpha, gwet_ac1):
        assert coefficient(same).value == pytest.approx(1.0)
    assert brennan_prediger(same, categories=3).value == pytest.approx(1.0)
    assert percent_agreement(same).value == 1.0
    three = {("a", "a", "a"): 2.0, ("b", "b", None): 1.0}
    assert krippendorff_alpha(three).value == pytest.approx(1.0)
    assert gwet_ac1(three).value == pytest.approx(1.0)


@pytest.mark.parametrize("seed", range(6))
def test_coder_order_does_not_matter(seed: int) -> None:
    patterns = _random_patterns(seed, 4)
    for permutation in itertools.islice(itertools.permutations(range(4)), 1, None, 5):
        shuffled: dict[Pattern, float] = {}
        for pattern, w in patterns.items():
            key = tuple(pattern[i] for i in permutation)
            shuffled[key] = shuffled.get(key, 0) + w
        for coefficient in (krippendorff_alpha, fleiss_kappa, gwet_ac1, percent_agreement):
            assert coefficient(shuffled).value == pytest.approx(coefficient(patterns).value)
    pair = _random_patterns(seed, 2)
    swapped = {(b, a): w for (a, b), w in pair.items()}
    for coefficient in (cohen_kappa, scott_pi):
        assert coefficient(swapped).value == pytest.approx(coefficient(pair).value)


@pytest.mark.parametrize("seed", range(6))
def test_relations_between_coefficients(seed: int) -> None:
    pair = _random_patterns(seed, 2, missing=False)
    pi = scott_pi(pair).value
    assert pi is not None
    # Fleiss' kappa of 2 coders is Scott's pi (Fleiss 1971)
    assert fleiss_kappa(pair).value == pytest.approx(pi)
    # alpha corrects pi for sample size: alpha = 1 - (1 - pi)(n - 1)/n, n = 2N values
    n = 2 * sum(pair.values())
    assert krippendorff_alpha(pair).value == pytest.approx(1 - (1 - pi) * (n - 1) / n)


def test_kappa_of_a_coder_who_never_varies_is_zero_not_undefined() -> None:
    # coder 2 says "a" throughout: chance agreement equals observed agreement
    result = cohen_kappa({("a", "a"): 6.0, ("b", "a"): 4.0})
    assert result.value == pytest.approx(0.0)


def test_missing_values_are_excluded_and_reported() -> None:
    data = {("a", "a"): 4.0, ("b", "b"): 4.0, ("a", "b"): 2.0, ("a", None): 7.0, (None, None): 1.0}
    for coefficient in (cohen_kappa, scott_pi, fleiss_kappa):
        result = coefficient(data)
        assert result.n == 10
        assert result.detail["excluded"] == 8
    assert krippendorff_alpha(data).detail["excluded"] == 8
    assert percent_agreement(data).value == pytest.approx(0.8)


def test_gwet_ac1_categories_option() -> None:
    # p_e = sum pi_k (1 - pi_k) / (q - 1) (Gwet 2008, eq. for AC1): pi = (0.5, 0.5) -> 0.5 / (q - 1)
    data = {("a", "a"): 4.0, ("b", "b"): 4.0, ("a", "b"): 1.0, ("b", "a"): 1.0}
    assert gwet_ac1(data).detail["expected"] == pytest.approx(0.5)
    three = gwet_ac1(data, categories=3)
    assert three.detail["expected"] == pytest.approx(0.25)
    assert three.value == pytest.approx((0.8 - 0.25) / 0.75)
    with pytest.raises(ValueError, match="2 distinct values"):
        gwet_ac1(data, categories=1)


def test_ordinal_alpha_with_labelled_order() -> None:
    labels = ["low", "mid", "high"]
    numbers = by_coder([1, 2, 3, 3, 2, 1, 2], [1, 2, 3, 2, 2, 1, 3], [1, 3, 3, 2, _, 1, 3])
    named = {tuple(labels[v - 1] if v else None for v in p): w for p, w in numbers.items()}
    expected = krippendorff_alpha(numbers, "ordinal").value
    assert krippendorff_alpha(named, "ordinal", order=labels).value == pytest.approx(expected)


# ------------------------------------------------------------------------------ undefined cases

EVERY = [
    percent_agreement,
    cohen_kappa,
    scott_pi,
    fleiss_kappa,
    krippendorff_alpha,
    gwet_ac1,
    lambda p: brennan_prediger(p, categories=3),
]


def _undefined(result: Result, *words: str) -> bool:
    return result.value is None and all(w in result.undefined for w in words)


@pytest.mark.parametrize("coefficient", EVERY)
def test_no_units(coefficient: Callable[[Patterns], Result]) -> None:
    for empty in ({}, {("a", "b"): 0.0}):
        result = coefficient(empty)
        assert _undefined(result)
        assert result.undefined == NO_UNITS


@pytest.mark.parametrize("coefficient", EVERY)
def test_one_coder(coefficient: Callable[[Patterns], Result]) -> None:
    assert coefficient({("a",): 3.0, ("b",): 2.0}).undefined == FEW_CODERS


@pytest.mark.parametrize(
    "coefficient", [cohen_kappa, scott_pi, fleiss_kappa, krippendorff_alpha, gwet_ac1]
)
def test_no_variation(coefficient: Callable[[Patterns], Result]) -> None:
    result = coefficient({("a", "a"): 10.0})
    assert _undefined(result, "no variation") or _undefined(result, "one category")
    assert result.value is None


def test_no_variation_with_three_coders_and_missing_values() -> None:
    data = {("x", "x", None): 5.0, ("x", "x", "x"): 2.0}
    assert _undefined(krippendorff_alpha(data), "no variation", "0/0")
    assert _undefined(fleiss_kappa(data), "no variation")
    assert _undefined(gwet_ac1(data), "one category")
    assert percent_agreement(data).value == 1.0  # defined: every unit agrees


def test_brennan_prediger_with_one_category() -> None:
    result = brennan_prediger({("a", "a"): 1.0}, categories=1)
    assert _undefined(result, "only one category")
    # with two categories available, uniform chance is 1/2 and perfect agreement is 1
    assert brennan_prediger({("a", "a"): 1.0}, categories=2).value == 1.0


@pytest.mark.parametrize("coefficient", [percent_agreement, krippendorff_alpha, gwet_ac1])
def test_nothing_pairable(coefficient: Callable[[Patterns], Result]) -> None:
    result = coefficient({("a", None, None): 2.0, (None, "b", None): 1.0})
    assert result.undefined == NOT_PAIRABLE
    assert result.detail["excluded"] == 3


def test_two_coder_coefficients_refuse_other_counts() -> None:
    three = {("a", "a", "b"): 1.0, ("b", "b", "b"): 1.0}
    assert _undefined(cohen_kappa(three), "exactly 2 coders", "3")
    assert _undefined(scott_pi(three), "exactly 2 coders")
    assert _undefined(cohen_kappa({("a", None): 1.0, (None, "b"): 1.0}), "both coders")
    assert _undefined(fleiss_kappa({("a", None, "b"): 1.0}), "all 3 coders")


def test_alpha_with_fractional_weights_below_one_value() -> None:
    result = krippendorff_alpha({("a", "b"): 0.25})
    assert _undefined(result, "fewer than 2 pairable values")


# ------------------------------------------------------------------------------ confusion


def test_confusion_table() -> None:
    table = confusion(WIKIPEDIA_SCOTT, categories=["Yes", "No", "Maybe"])
    assert table.categories == ["Yes", "No", "Maybe"]
    assert table.matrix == [[1, 2, 3], [4, 5, 6], [7, 8, 9]]
    categories, matrix = confusion(WIKIPEDIA_COHEN)  # sorted by default
    assert categories == ["No", "Yes"]
    assert matrix == [[15, 10], [5, 20]]
    # missing values are left out; unused categories get empty rows and columns
    cats, m = confusion({("a", None): 3.0, ("a", "b"): 2.0}, categories=["a", "b", "z"])
    assert cats == ["a", "b", "z"]
    assert m == [[0, 2, 0], [0, 0, 0], [0, 0, 0]]
    assert confusion({}) == ([], [])


def test_confusion_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match="not among the categories"):
        confusion(WIKIPEDIA_COHEN, categories=["Yes"])
    with pytest.raises(ValueError, match="2 coders"):
        confusion({("a", "b", "c"): 1.0})
    mixed = confusion({(1, "a"): 1.0, ("a", 1): 2.0})  # unsortable: order of appearance
    assert mixed.categories == [1, "a"]


# ------------------------------------------------------------------------------ bad input


def test_malformed_patterns_raise() -> None:
    with pytest.raises(ValueError, match="differ in length"):
        cohen_kappa({("a", "b"): 1.0, ("a",): 1.0})
    with pytest.raises(ValueError, match="finite"):
        cohen_kappa({("a", "b"): -1.0})
    with pytest.raises(ValueError, match="finite"):
        cohen_kappa({("a", "b"): float("inf")})
    with pytest.raises(ValueError, match="None"):
        krippendorff_alpha({(1.0, float("nan")): 1.0})
    with pytest.raises(ValueError, match="unknown level"):
        krippendorff_alpha(WIKIPEDIA_COHEN, "circular")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="needs numbers"):
        krippendorff_alpha(WIKIPEDIA_COHEN, "interval")
    with pytest.raises(ValueError, match="order"):
        krippendorff_alpha({(1, "a"): 1.0, ("a", "a"): 1.0}, "ordinal")
    with pytest.raises(ValueError, match="not in the given order"):
        krippendorff_alpha(WIKIPEDIA_COHEN, "ordinal", order=["Yes"])
    with pytest.raises(ValueError, match="at least 1"):
        brennan_prediger(WIKIPEDIA_COHEN, categories=0)
    with pytest.raises(ValueError, match="distinct values"):
        brennan_prediger(ABSTRACTORS, categories=2)


def test_result_is_a_value() -> None:
    result = cohen_kappa(WIKIPEDIA_COHEN)
    assert result.defined and not result.undefined
    assert not Result(None, "why").defined
    with pytest.raises(AttributeError):
        result.value = 1.0  # type: ignore[misc]


def test_stats_import_no_qt() -> None:
    code = "import sys, qualbench.agreement.stats; sys.exit('PySide6' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
