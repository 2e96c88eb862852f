"""Krippendorff's unitizing alphas (qualbench.agreement.unitized) against published worked
examples, a direct transcription of the formulas, and their properties.

Published data used here (the data are reproductions of published figures; where we took a
transcription from software, the test says so):

* Krippendorff (2019), Content Analysis 4th ed., §12.6, Fig. 12.11 (p. 340): three observers on a
  continuum of 60, uα = .510, |uα = .413, cuα = .724; transcribed in the tests of the quallmer R
  package (cran/quallmer, tests/testthat/test-alpha_u.R), which also gives its reading of the
  per-value (k)uα.
* Krippendorff (2004), Content Analysis 2nd ed., p. 254: the u-α example (DKPro Statistics,
  Krippendorff2004Test).
* Krippendorff (1995), "On the reliability of unitizing continuous data", Sociological
  Methodology 25, p. 57: the four pairs of coders A-D (DKPro Statistics, Krippendorff1995Test).
* The 2016 paper's own figures (Krippendorff, Mathet, Bouvry & Widlöcher, Quality & Quantity 50)
  were not available to us; the book's Fig. 12.11 example covers the same family.

Timing (no timing assertions here). 2 coders x 1,000 documents x 62,000 characters, 100,000
codings per coder over 20 codes, coder 2 a noisy copy of coder 1 — run with
``.venv/bin/python -c "from tests.core.test_unitized import timing; timing()"``; on the 2-core
development machine ``unitized`` takes 0.8-1.2 s (about 1.0-1.3 s with 20 codes in 5 semantic
domains), and ``family_from_parts`` recomputes the family for one bootstrap resample of the
documents in about 0.06 s.
"""

from __future__ import annotations

import random
import time
from collections import defaultdict
from collections.abc import Hashable, Sequence

import pytest

from qualbench.agreement.stats import FEW_CODERS
from qualbench.agreement.unitized import (
    EMPTY,
    NOT_USED,
    RULES,
    Continuum,
    UnitizedResult,
    family_from_parts,
    study_parts,
    unitized,
)

Coding = tuple[int, int, Hashable]


def one(*coders: Sequence[Coding], length: int) -> list[Continuum]:
    return [Continuum(length, [list(c) for c in coders])]


def closed(*spans: tuple[int, int, Hashable]) -> list[Coding]:
    """Spans printed 1-based and end-inclusive (as in the book and quallmer) -> our offsets."""
    return [(a - 1, b, v) for a, b, v in spans]


# --------------------------------------------------------------------- published worked examples

# Krippendorff (2019) Fig. 12.11, p. 340, as transcribed in quallmer's test-alpha_u.R
ALEX = closed((1, 7, 1), (8, 13, 2), (31, 32, 5), (33, 37, 6), (38, 44, 6), (45, 60, 7))
PAUL = closed((1, 7, 1), (8, 13, 3), (14, 21, 5), (33, 44, 6))
SUZAN = closed((1, 7, 1), (8, 13, 4), (14, 21, 5), (33, 37, 6), (38, 41, 6), (42, 44, 6))


def test_krippendorff_2019_figure_12_11() -> None:
    r = unitized(one(ALEX, PAUL, SUZAN, length=60))
    assert r.u_alpha.value == pytest.approx(0.510, abs=5e-4)
    assert r.cu_alpha.value == pytest.approx(0.724, abs=5e-4)
    # |uα: exact arithmetic gives 1 - 52/88.677 = 0.4136; the book prints .413, presumably from
    # expected coincidences rounded before the division (quallmer's own test allows ±0.002)
    assert r.binary.value == pytest.approx(0.4136, abs=1e-4)
    assert r.binary.value == pytest.approx(0.413, abs=1e-3)
    assert r.binary.detail["observed"] == pytest.approx(52 / 180)
    assert r.u_alpha.n == 60
    # (k)uα as read from the book by quallmer: values 1, 5, 6 agree perfectly, 2, 3, 4 (each used
    # by one observer) are at chance, 7 never meets another observer's unit; 8 of the 18 length
    # units of value 5 lie in coded intersections
    ks = {v: r.per_code[v]["k"] for v in range(1, 8)}
    assert [ks[v].value for v in (1, 5, 6)] == [1.0, 1.0, 1.0]
    assert [ks[v].value for v in (2, 3, 4)] == pytest.approx([0.0, 0.0, 0.0], abs=1e-12)
    assert ks[7].value is None and "overlaps" in ks[7].undefined
    assert ks[5].detail["coverage"] == pytest.approx(8 / 18)
    assert r.Cu_alpha == r.cu_alpha  # no domains: every code is its own domain
    assert r.conflicts == (0, 0, 0) and r.unioned == (0, 0, 0) and r.segments == (6, 4, 6)


def test_krippendorff_2004_page_254() -> None:
    """Continuum 150..450 (we shift it to 0..300), observers i and j, values c and k."""
    i = [(75, 145, "c"), (220, 250, "c"), (30, 90, "k"), (150, 200, "k")]
    j = [(70, 150, "c"), (205, 225, "c"), (250, 270, "c"), (30, 90, "k"), (150, 200, "k")]
    r = unitized(one(i, j, length=300))
    c, k = r.per_code["c"]["u1995"], r.per_code["k"]["u1995"]
    assert c.detail["observed"] == pytest.approx(0.0144, abs=5e-5)
    assert c.detail["expected"] == pytest.approx(0.0532, abs=5e-5)
    assert c.value == pytest.approx(0.7286, abs=5e-5)
    assert k.detail["observed"] == 0.0
    assert k.detail["expected"] == pytest.approx(0.0490, abs=5e-5)
    assert k.value == 1.0
    # printed .8591 = 1 - .0144/(.0532 + .0490), from the rounded parts; exact: 0.8587
    overall = r.u1995_overall
    assert overall.value == pytest.approx(1 - 0.014444 / (0.053222 + 0.048979), abs=1e-5)
    rounded = 1 - 0.0144 / (0.0532 + 0.0490)
    assert rounded == pytest.approx(0.8591, abs=5e-5)
    assert overall.value == pytest.approx(0.8591, abs=5e-4)


def k1995(stretch: int) -> list[Continuum]:
    """Krippendorff (1995) p. 57: pairs A (Bertha, Bill), B (John, Jill), C (Gerret, Gill) and
    D (Heather, Hill) on a continuum of 24, each pair as one code; ``stretch`` scales it."""
    spans = {  # (start, length) per coder, as in DKPro's Krippendorff1995Test
        "A": ([(2, 8), (14, 6)], [(4, 4), (15, 2)]),
        "B": ([(0, 18)], [(0, 2), (2, 1), (3, 1), (4, 1), (5, 1), (6, 3), (9, 1)]),
        "C": ([(2, 6), (10, 2), (14, 4), (20, 2)], [(0, 2), (4, 4), (10, 4), (16, 2), (20, 2)]),
        "D": ([(0, 2), (2, 8), (10, 4), (14, 6), (20, 4)], [(0, 4), (4, 4), (8, 7), (15, 2), (17, 7)]),
    }  # fmt: skip
    coders: list[list[Coding]] = [[], []]
    for code, pair in spans.items():
        for who, units in enumerate(pair):
            coders[who] += [(a * stretch, (a + n) * stretch, code) for a, n in units]
    return one(*coders, length=24 * stretch)


def test_krippendorff_1995_page_57() -> None:
    observed = {"A": 0.03125, "B": 2.26736, "C": 0.02777, "D": 0.38715}
    for stretch in (1, 50_000):  # D_o does not depend on the scale
        r = unitized(k1995(stretch))
        for code, d_o in observed.items():
            assert r.per_code[code]["u1995"].detail["observed"] == pytest.approx(d_o, abs=1e-5)
    # 1995 computes on a continuous scale: a fine grain (L = 1.2 million) approaches it.
    r = unitized(k1995(50_000))
    u = {code: r.per_code[code]["u1995"] for code in observed}
    assert u["A"].value == pytest.approx(0.553, abs=5e-4)
    assert u["A"].detail["expected"] == pytest.approx(0.06990, abs=5e-5)
    assert u["D"].value == pytest.approx(0.066, abs=5e-4)
    assert u["D"].detail["expected"] == pytest.approx(0.41445, abs=5e-5)
    # B and C: the paper prints -.926 and .679 (D_e 1.17731 and .08642); DKPro notes "a small
    # error in the computation of D_E in the original reference" and checks to ±0.02 / ±0.005,
    # which we meet with -.928 and .693 (D_e 1.1758 and .0905)
    assert u["B"].value == pytest.approx(-0.926, abs=0.02)
    assert u["C"].value == pytest.approx(0.679, abs=0.02)
    assert u["B"].detail["expected"] == pytest.approx(1.17731, abs=0.005)
    assert u["C"].detail["expected"] == pytest.approx(0.08642, abs=0.005)


def test_dkpro_own_unitizing_example() -> None:
    """DKPro's UnitizingAgreementTest (not a published figure): r0 -11111111-, r1 --1-1-1---."""
    r = unitized(one([(1, 9, "A")], [(2, 3, "A"), (4, 5, "A"), (6, 7, "A")], length=10))
    u = r.per_code["A"]["u1995"]
    assert u.detail["observed"] == pytest.approx(0.9100, abs=1e-4)
    assert u.detail["expected"] == pytest.approx(0.5351, abs=1e-4)
    assert u.value == pytest.approx(-0.7003, abs=1e-4)


# --------------------------------------------------------- the formulas written out, pair by pair


def partition(codings: Sequence[Coding], length: int) -> list[tuple[int, int, Hashable]]:
    out: list[tuple[int, int, Hashable]] = []
    at = 0
    for s, e, v in sorted(codings, key=lambda x: x[0]):
        if s > at:
            out.append((at, s, None))
        out.append((s, e, v))
        at = e
    return out + ([(at, length, None)] if at < length else [])


def reference(docs: Sequence[Continuum], full: bool = True) -> dict[str, float]:
    """uα, |uα, cuα, (k)uα, per-code |uα and 1995 u-α straight from the definitions, looping over
    every pair of segments (non-overlapping codings only); only uα unless ``full``."""
    m, total = len(docs[0].coders), sum(d.length for d in docs)
    u: defaultdict[tuple[Hashable, Hashable], float] = defaultdict(float)
    corr: defaultdict[Hashable, float] = defaultdict(float)
    cc: defaultdict[Hashable, float] = defaultdict(float)
    for d in docs:
        parts = [partition(c, d.length) for c in d.coders]
        for i, pi in enumerate(parts):
            for s, e, v in pi:
                corr[v] += (e - s) if v is None else (e - s) ** 2
                paired = 0.0
                for j, pj in enumerate(parts):
                    for s2, e2, v2 in pj if j != i else []:
                        x = max(0, min(e, e2) - max(s, s2))
                        u[v, v2] += x / (m - 1)
                        paired += x / (m - 1) if v is not None and v2 is not None else 0
                cc[v] += paired**2 if v is not None else 0
    vals = {a for a, _ in u}
    row = {c: sum(u[c, k] for k in vals) for c in vals}
    tot = sum(row.values())
    den = tot - sum(corr.values()) / tot
    ex = {(c, k): (row[c] * row[k] - (corr[c] if c == k else 0)) / den for c in vals for k in vals}
    out = {"u": 1 - sum(u[c, k] for c in vals for k in vals if c != k) / sum(
        ex[c, k] for c in vals for k in vals if c != k)}  # fmt: skip
    if not full:
        return out
    gap_off: list[tuple[Hashable, Hashable]] = [(None, k) for k in vals if k is not None]
    gap_off += [(k, None) for k in vals if k is not None]
    out["binary"] = 1 - sum(u[x] for x in gap_off) / sum(ex[x] for x in gap_off)
    coded = [v for v in vals if v is not None]
    rs = {c: sum(u[c, k] for k in coded) for c in coded}
    ts = sum(rs.values())
    dens = ts - sum(cc.values()) / ts
    es = {(c, k): (rs[c] * rs[k] - (cc[c] if c == k else 0)) / dens for c in coded for k in coded}
    out["cu"] = 1 - sum(u[c, k] for c in coded for k in coded if c != k) / sum(
        es[c, k] for c in coded for k in coded if c != k)  # fmt: skip
    for k in coded:
        ek = sum(es[c, k] for c in coded)
        if rs[k]:
            out[f"k:{k}"] = 1 - (ek / rs[k]) * (rs[k] - u[k, k]) / (ek - es[k, k])
        alone = [Continuum(d.length, [[x for x in c if x[2] == k] for c in d.coders]) for d in docs]
        out[f"binary:{k}"] = reference(alone, full=False)["u"]  # uα of k against gaps = |uα
        out[f"1995:{k}"] = reference_1995(alone, m, total)
    return out


def reference_1995(docs: Sequence[Continuum], m: int, length: int) -> float:
    """Krippendorff (2004) as implemented by DKPro, summed over documents (gaps end at them)."""
    s, units, gaps = 0.0, [], []
    for d in docs:
        parts = [partition(c, d.length) for c in d.coders]
        for p in parts:
            units += [e - b for b, e, v in p if v is not None]
            gaps += [e - b for b, e, v in p if v is None]
        for i in range(m):
            for j in range(m):
                for b1, e1, v1 in parts[i] if i != j else []:
                    for b2, e2, v2 in parts[j]:
                        if v1 is not None and v2 is not None and b1 < e2 and b2 < e1:
                            s += (b1 - b2) ** 2 + (e1 - e2) ** 2
                        elif v1 is not None and v2 is None and b2 <= b1 and e1 <= e2:
                            s += (e1 - b1) ** 2  # δ² is symmetric: a unit inside a gap counts
                        elif v1 is None and v2 is not None and b1 <= b2 and e2 <= e1:
                            s += (e2 - b2) ** 2  # from either side of the pair
    d_o = s / (m * (m - 1) * length**2)
    n = len(units)
    num = sum((n - 1) * (2 * x**3 - 3 * x**2 + x) / 3 + x * x * sum(g - x + 1 for g in gaps if g >= x)
              for x in units)  # fmt: skip
    d_e = 2 / length * num / (m * length * (m * length - 1) - sum(x * (x - 1) for x in units))
    return 1 - d_o / d_e


def random_study(rng: random.Random, coders: int, docs: int, codes: str = "ABC") -> list[Continuum]:
    """Documents where each coder's codings do not overlap one another."""
    out = []
    for _ in range(docs):
        length = rng.randrange(40, 120)
        coded = []
        for _ in range(coders):
            cuts = sorted(rng.sample(range(length + 1), 2 * rng.randrange(1, 6)))
            spans = zip(cuts[::2], cuts[1::2], strict=True)
            coded.append([(a, b, rng.choice(codes)) for a, b in spans if a < b])
        out.append(Continuum(length, coded))
    return out


@pytest.mark.parametrize("seed", range(6))
def test_matches_the_formulas_written_out(seed: int) -> None:
    rng = random.Random(seed)
    docs = random_study(rng, coders=2 + seed % 3, docs=1 + seed % 3)
    want, got = reference(docs), unitized(docs)
    assert got.u_alpha.value == pytest.approx(want["u"], abs=1e-9)
    assert got.binary.value == pytest.approx(want["binary"], abs=1e-9)
    assert got.cu_alpha.value == pytest.approx(want["cu"], abs=1e-9)
    for code, res in got.per_code.items():
        assert res["k"].value == pytest.approx(want.get(f"k:{code}"), abs=1e-9)
        assert res["binary"].value == pytest.approx(want[f"binary:{code}"], abs=1e-9)
        assert res["u1995"].value == pytest.approx(want[f"1995:{code}"], abs=1e-9)


# ------------------------------------------------------------------------------------ properties


def values(r: UnitizedResult) -> list[float | None]:
    """Every coefficient of a result, in a fixed order."""
    out = [r.u_alpha.value, r.binary.value, r.cu_alpha.value, r.Cu_alpha.value]
    out.append(r.u1995_overall.value)
    for code in sorted(r.per_code, key=str):
        out += [r.per_code[code][k].value for k in ("binary", "k", "u1995")]
    return out


def test_identical_codings_give_one() -> None:
    coding = [(0, 10, "A"), (10, 15, "B"), (20, 30, "A"), (40, 45, "C")]
    r = unitized(one(coding, coding, coding, length=60), domains={"A": "x", "B": "x", "C": "y"})
    assert values(r) == pytest.approx([1.0] * 14)
    assert r.per_domain["x"]["cu"].value == 1.0 and r.per_domain["x"]["binary"].value == 1.0
    assert r.per_domain["y"]["cu"].value is None  # one code in the domain: no variation


def test_coder_order_does_not_matter() -> None:
    docs = random_study(random.Random(7), coders=3, docs=3)
    base = values(unitized(docs))
    for order in ((2, 0, 1), (1, 2, 0)):
        shuffled = [Continuum(d.length, [d.coders[i] for i in order]) for d in docs]
        assert values(unitized(shuffled)) == pytest.approx(base, abs=1e-12)


def test_splitting_a_document_where_no_coding_crosses() -> None:
    """The 2016/2019 family is unchanged: gaps enter Σℓ² with ℓ, so a cut gap weighs the same.
    The 1995 D_o is unchanged too, but its D_e pairs units with whole gaps, so cutting a gap
    changes it (and the value)."""
    a = [(2, 10, "A"), (30, 40, "B"), (60, 70, "A")]
    b = [(3, 12, "A"), (31, 38, "A"), (62, 75, "A")]
    whole = unitized(one(a, b, length=100))
    halves = [Continuum(50, [a[:2], b[:2]]), Continuum(50, [[(10, 20, "A")], [(12, 25, "A")]])]
    split = unitized(halves)
    same = [whole.u_alpha, whole.binary, whole.cu_alpha, whole.per_code["A"]["binary"]]
    assert [x.value for x in same] == pytest.approx(
        [split.u_alpha.value, split.binary.value, split.cu_alpha.value,
         split.per_code["A"]["binary"].value])  # fmt: skip
    assert whole.per_code["A"]["k"].value == pytest.approx(split.per_code["A"]["k"].value)
    old, new = whole.per_code["A"]["u1995"], split.per_code["A"]["u1995"]
    assert old.detail["observed"] == pytest.approx(new.detail["observed"])
    assert old.detail["expected"] != pytest.approx(new.detail["expected"])


def test_touching_codings_of_one_code_stay_two_segments() -> None:
    two = unitized(one([(0, 5, "A"), (5, 10, "A")], [(0, 10, "A")], length=40))
    joined = unitized(one([(0, 10, "A")], [(0, 10, "A")], length=40))
    assert two.segments == (2, 1) and two.unioned == (0, 0)
    assert joined.per_code["A"]["u1995"].value == 1.0
    assert (two.per_code["A"]["u1995"].value or 1) < 1.0  # the inner boundary is a disagreement
    # uα compares values where segments intersect, so only its expected disagreement moves
    assert two.u_alpha.detail["expected"] != pytest.approx(joined.u_alpha.detail["expected"])


def test_overlapping_codings_of_one_code_are_joined_and_counted() -> None:
    r = unitized(one([(0, 6, "A"), (4, 10, "A"), (8, 12, "A")], [(0, 12, "A")], length=30))
    assert r.unioned == (2, 0) and r.segments == (1, 1)
    assert "2 overlapping codings of the same code were joined" in " ".join(r.notes)
    assert values(r) == pytest.approx(
        values(unitized(one([(0, 12, "A")], [(0, 12, "A")], length=30)))
    )


def test_overlapping_different_codes_form_a_combination() -> None:
    both = [(0, 10, "A"), (5, 15, "B")]
    r = unitized(one(both, both, length=40))
    assert r.conflicts == (1, 1) and r.segments == (3, 3)  # A, A+B, B
    assert r.u_alpha.value == 1.0 and r.cu_alpha.value == 1.0
    r = unitized(one(both, [(0, 10, "A"), (10, 15, "B")], length=40))
    assert (r.u_alpha.value or 1) < 1.0  # A+B does not agree with A
    assert r.per_code["A"]["binary"].value == 1.0  # per-code |uα looks at A alone
    assert (r.per_code["B"]["binary"].value or 1) < 1.0


def test_shifted_boundary_lowers_u_alpha() -> None:
    a = [(10, 20, "A"), (40, 55, "B"), (70, 80, "A")]
    base = unitized(one(a, a, length=100)).u_alpha.value
    shifted = unitized(one(a, [(10, 20, "A"), (43, 55, "B"), (70, 80, "A")], length=100))
    assert base == 1.0
    assert shifted.u_alpha.value is not None and shifted.u_alpha.value < base
    assert shifted.binary.value is not None and shifted.binary.value < 1.0


def test_domains_give_cu_alpha_on_domains() -> None:
    """Coders agree on the domain everywhere but disagree on the code within it."""
    a = [(0, 10, "warm"), (20, 30, "cold"), (40, 50, "red")]
    b = [(0, 10, "cold"), (20, 30, "cold"), (40, 50, "red")]
    domains = {"warm": "temperature", "cold": "temperature", "red": "colour"}
    r = unitized(one(a, b, length=60), domains=domains)
    assert r.cu_alpha.value is not None and r.cu_alpha.value < 1.0
    assert r.Cu_alpha.value == 1.0
    assert r.per_domain["temperature"]["cu"].value is not None
    assert r.per_domain["temperature"]["cu"].value < 1.0
    assert r.per_domain["temperature"]["binary"].value == 1.0
    assert not any("Cuα = cuα" in n for n in r.notes)


def test_undefined_values_say_why() -> None:
    a = [(0, 10, "A")]
    r = unitized(one(a, a, length=20), values=["A", "unused"])
    for res in r.per_code["unused"].values():
        assert res.value is None and res.undefined == NOT_USED
    assert r.cu_alpha.value is None and "one value" in r.cu_alpha.undefined
    lone = unitized(one(a, length=20))
    assert all(v is None for v in values(lone))
    assert lone.u_alpha.undefined == FEW_CODERS
    empty = unitized([Continuum(0, [[], []])])
    assert empty.u_alpha.undefined == EMPTY and empty.u1995_overall.undefined == EMPTY
    blank = unitized(one([], [], length=50))
    assert blank.u_alpha.value is None and "no variation" in blank.u_alpha.undefined
    assert blank.cu_alpha.value is None and "no two coders" in blank.cu_alpha.undefined
    assert blank.u1995_overall.value is None
    everything = unitized(one([(0, 50, "A")], [(0, 50, "A")], length=50))
    assert everything.u_alpha.value is None and everything.binary.value is None


def test_bootstrap_weights_equal_repeated_documents() -> None:
    docs = random_study(random.Random(3), coders=2, docs=3)
    parts = study_parts(docs)
    assert values(family_from_parts(parts)) == pytest.approx(values(unitized(docs)))
    weighted = family_from_parts(parts, [2, 0, 1])
    assert values(weighted) == pytest.approx(values(unitized([docs[0], docs[0], docs[2]])))
    with pytest.raises(ValueError, match="one per document"):
        family_from_parts(parts, [1, 1])


def test_bad_input_is_refused() -> None:
    with pytest.raises(ValueError, match="does not fit document 1"):
        unitized(one([(5, 30, "A")], [], length=20))
    with pytest.raises(ValueError, match="coders"):
        unitized([Continuum(10, [[], []]), Continuum(10, [[]])])
    r = unitized(one([(3, 3, "A"), (0, 5, "A")], [(0, 5, "A")], length=10))
    assert "1 empty codings" in " ".join(r.notes)


def test_cost_follows_codings_not_characters() -> None:
    """20,000 codings on a text of 10**9 characters: a per-character array would not fit."""
    rng = random.Random(11)
    coders: list[list[Coding]] = [[], []]
    for k in range(10_000):
        start = k * 100_000 + rng.randrange(1000)
        coders[0].append((start, start + 500, f"c{k % 20}"))
        coders[1].append((start + rng.randrange(-5, 6), start + 500, f"c{rng.randrange(20)}"))
    r = unitized(one(*coders, length=10**9))
    assert r.u_alpha.n == 10**9
    assert r.binary.value is not None and 0.9 < r.binary.value <= 1.0
    assert all(r.per_code[f"c{k}"]["u1995"].value is not None for k in range(20))


def test_rules_are_plain_sentences() -> None:
    assert all(rule.endswith(".") and "\n" not in rule for rule in RULES)


def timing() -> None:
    """The benchmark of the module docstring (prints, asserts nothing)."""
    rng = random.Random(1)
    docs = []
    for _ in range(1000):
        a, b = [], []
        for _ in range(100):
            s, n, code = rng.randrange(60_500), rng.randrange(50, 1500), f"c{rng.randrange(20)}"
            a.append((s, s + n, code))
            s2, e2 = max(0, s + rng.randrange(-30, 31)), min(62_000, s + n + rng.randrange(-30, 31))
            same = rng.random() < 0.85
            b.append((s2, max(e2, s2 + 1), code if same else f"c{rng.randrange(20)}"))
        docs.append(Continuum(62_000, [a, b]))
    t = time.perf_counter()
    r = unitized(docs)
    print(f"unitized: {time.perf_counter() - t:.2f} s; uα {r.u_alpha.value:.3f}")
    parts = study_parts(docs)
    t = time.perf_counter()
    family_from_parts(parts, [rng.randrange(3) for _ in docs])
    print(f"one bootstrap resample: {time.perf_counter() - t:.3f} s")
