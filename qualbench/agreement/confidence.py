"""Standard errors, confidence intervals and bootstraps for the coefficients of ``stats``.

Everything works on weighted patterns (one value per coder, None where a coder did not judge the
unit, weight = units or characters showing the pattern), so the cost follows the number of
distinct patterns, not of units, and the result equals that of the expanded per-unit data.

* ``alpha_bootstrap``: Krippendorff's alpha bootstrapped as in Hayes & Krippendorff (2007),
  "Answering the call for a standard reliability measure for coding data", Communication Methods
  and Measures 1(1):77-89, and Hayes's KALPHA macro (v3.0, 2011).
* ``unit_bootstrap`` / ``group_bootstrap``: nonparametric bootstraps of any coefficient that
  resample units or whole documents with replacement.
* ``standard_error``: Gwet's linearised variances (Gwet 2008, "Computing inter-rater reliability
  and its variance in the presence of high agreement", Br J Math Stat Psychol 61:29-48; Handbook
  of Inter-Rater Reliability, 4th ed. 2014, ch. 5) as implemented in the irrCAC R package.
* ``t_quantile``: Student's t quantile (scipy is not a dependency).

An interval that cannot be computed has ``low``/``high`` None and the reason in ``undefined``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from statistics import NormalDist

import numpy as np
from numpy.typing import NDArray

from qualbench.agreement import DEFAULT_SEED, MINIMUMS
from qualbench.agreement.stats import (
    Level,
    Pattern,
    Patterns,
    Result,
    _metric,
    _ordered,
    _rows,
    brennan_prediger,
    cohen_kappa,
    fleiss_kappa,
    gwet_ac1,
    krippendorff_alpha,
    percent_agreement,
    scott_pi,
)
from qualbench.progress import Cancelled

__all__ = [
    "DEFAULT_SEED",
    "MINIMUMS",
    "NAMES",
    "Interval",
    "alpha_bootstrap",
    "alpha_group_bootstrap",
    "group_bootstrap",
    "group_draws",
    "standard_error",
    "t_quantile",
    "unit_bootstrap",
]

Array = NDArray[np.float64]
Stat = Callable[[Patterns], Result]
Draw = Callable[[np.random.Generator, int], Array]

NAMES = ("percent", "pairwise", "cohen", "scott", "fleiss", "alpha", "bp", "ac1")
FEW_UNITS = "fewer than 2 units: a standard error needs at least 2"


@dataclass(frozen=True)
class Interval:
    """A confidence interval, or None bounds and the reason (``undefined``) there is none.

    ``method`` says in plain words how it was made; ``se`` is the standard error (variance
    formulas only). Bootstraps fill ``resamples``, ``seed``, ``dropped`` (resamples where the
    coefficient was undefined, left out) and ``below`` (minimum -> share of resampled values
    under it: Hayes & Krippendorff's q, the probability of failing to reach that minimum).
    """

    low: float | None
    high: float | None
    level: float = 0.95
    method: str = ""
    se: float | None = None
    resamples: int = 0
    seed: int | None = None
    below: Mapping[float, float] = field(default_factory=dict, hash=False)
    undefined: str = ""
    dropped: int = 0

    @property
    def defined(self) -> bool:
        return self.low is not None


# ----------------------------------------------------------------------------- Student's t


def _fraction(a: float, b: float, x: float) -> float:
    """Continued fraction of I_x(a, b) by the modified Lentz method (Press et al., Numerical
    Recipes, 2nd ed., sec. 6.4); converges fast for x < (a + 1)/(a + b + 2)."""
    tiny = 1e-300
    c, d = 1.0, 1.0 - (a + b) * x / (a + 1)
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 100_000):
        for aa in (
            m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)),
            -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1)),
        ):
            d = 1.0 + aa * d
            d = 1.0 / (d if abs(d) > tiny else tiny)
            c = 1.0 + aa / c
            c = c if abs(c) > tiny else tiny
            h *= c * d
        if abs(c * d - 1.0) < 1e-16:
            break
    return h


def _log_gamma_half(a: float) -> float:
    """log Gamma(a + 1/2) - log Gamma(a); for a >= 100 by its asymptotic series (Bernoulli
    numbers, DLMF 5.11.8), where the difference of two large lgamma values loses digits."""
    if a < 100:
        return math.lgamma(a + 0.5) - math.lgamma(a)
    return (
        0.5 * math.log(a) - 1 / (8 * a) + 1 / (192 * a**3) - 1 / (640 * a**5) + 17 / (14336 * a**7)
    )


def _t_upper(t: float, df: float) -> float:
    """P(T > t) for t >= 0: half the regularised incomplete beta I_x(df/2, 1/2), x = df/(df+t^2)."""
    a, b, x, y = df / 2, 0.5, df / (df + t * t), t * t / (df + t * t)
    if y <= 0:
        return 0.5
    log_front = _log_gamma_half(a) - 0.5 * math.log(math.pi) - a * math.log1p(t * t / df)
    front = math.exp(log_front + b * math.log(y))
    if x < (a + 1) / (a + b + 2):
        return 0.5 * front * _fraction(a, b, x) / a
    return 0.5 * (1.0 - front * _fraction(b, a, y) / b)


def t_quantile(prob: float, df: float) -> float:
    """The ``prob`` quantile of Student's t with ``df`` > 0 (fractional or inf) degrees of
    freedom, to about 1e-13: safeguarded Newton steps on the exact tail probability, started
    from the Cornish-Fisher expansion (Abramowitz & Stegun 26.7.5), used alone for df >= 1e5."""
    if not 0 < prob < 1:
        raise ValueError(f"prob must lie strictly between 0 and 1, not {prob}")
    if not df > 0:
        raise ValueError(f"degrees of freedom must be positive, not {df}")
    if prob < 0.5:
        return -t_quantile(1 - prob, df)
    upper, z = 1 - prob, NormalDist().inv_cdf(prob)
    if prob == 0.5 or math.isinf(df):
        return z
    if df == 1:
        return 1 / math.tan(math.pi * upper)
    if df == 2:
        return (2 * prob - 1) / math.sqrt(2 * prob * upper)
    g = (
        (z**3 + z) / 4,
        (5 * z**5 + 16 * z**3 + 3 * z) / 96,
        (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / 384,
        (79 * z**9 + 776 * z**7 + 1482 * z**5 - 1920 * z**3 - 945 * z) / 92160,
    )
    t = z + sum(gi / df ** (i + 1) for i, gi in enumerate(g))
    if df >= 1e5:
        return t
    log_c = _log_gamma_half(df / 2) - 0.5 * math.log(df * math.pi)
    lo, hi = 0.0, max(2 * t, 1.0)
    while _t_upper(hi, df) > upper:
        lo, hi = hi, 2 * hi
    t = min(max(t, lo), hi)
    for _ in range(200):
        excess = _t_upper(t, df) - upper  # > 0: t is too small
        lo, hi = (t, hi) if excess > 0 else (lo, t)
        step = t + excess / math.exp(log_c - (df + 1) / 2 * math.log1p(t * t / df))
        step = step if lo < step < hi else (lo + hi) / 2
        if abs(step - t) <= 1e-15 * max(1.0, t):
            return step
        t = step
    return t


# ----------------------------------------------------------------------------- bootstraps


def _check(resamples: int, level: float) -> None:
    if resamples < 1:
        raise ValueError(f"resamples must be at least 1, not {resamples}")
    if not 0 < level < 1:
        raise ValueError(f"level must lie strictly between 0 and 1, not {level}")


def _interval(boot: Array, level: float, method: str, resamples: int, seed: int,
              minimums: Sequence[float], dropped: int = 0) -> Interval:  # fmt: skip
    """Percentile interval by KALPHA's order statistics (1-based, of R sorted values, a = 1 -
    level): the floor(R a/2)-th (at least the 1st) and the (floor(R (1 - a/2)) + 1)-th (at most
    the R-th), i.e. the 25th and 976th of 1000; and q = share of values below each minimum."""
    ordered, r, a = np.sort(boot), len(boot), 1 - level
    low = max(math.floor(r * a / 2 + 1e-9), 1)
    high = min(math.floor(r * (1 - a / 2) + 1e-9) + 1, r)
    below = {float(m): float(np.mean(boot < m)) for m in minimums}
    return Interval(float(ordered[low - 1]), float(ordered[high - 1]), level, method, None,
                    resamples, seed, below, "", dropped)  # fmt: skip


def _poll(cancel: Callable[[], bool] | None) -> None:
    if cancel is not None and cancel():
        raise Cancelled("bootstrap cancelled")


def alpha_bootstrap(
    p: Patterns,
    metric: Level = "nominal",
    *,
    order: Sequence[Hashable] | None = None,
    resamples: int = 1000,
    seed: int = DEFAULT_SEED,
    minimums: Sequence[float] = MINIMUMS,
    level: float = 0.95,
    cancel: Callable[[], bool] | None = None,
) -> Interval:
    """Bootstrap interval of Krippendorff's alpha by KALPHA's algorithm (Hayes & Krippendorff
    2007; Krippendorff, "Algorithm for bootstrapping a distribution of alpha", 2006, rev. 2011).

    Pairs of values are resampled, not units: each resample draws M pairs with replacement from
    the unordered cells of the coincidence matrix (P = o_cc/n for c = k, 2 o_ck/n for c < k),
    M = min(25 Q, n (m - 1)/2), Q = non-empty cells of the matrix, n = pairable values, m =
    coders, and gives alpha* = 1 - sum(delta^2)/(M D_e) with the data's expected disagreement
    D_e. alpha* < -1 becomes -1; of the resamples with alpha* = 1, as many as expected to hold a
    single value (R sum_c P_cc^M) become 0, all of them when one diagonal cell is filled. The M
    draws are one multinomial count per cell: cost R x cells, whatever the number of units.
    Because M is capped at 25 Q, the interval does not narrow as units grow beyond that.
    ``level`` is the confidence level, ``metric`` the level of measurement (``order`` as in
    ``krippendorff_alpha``); ``cancel`` is polled every 256 resamples (raises ``Cancelled``).

    Deviations from KALPHA for SPSS: any number of resamples (it truncates to a multiple of
    1000, at least 1000, and by default does none); the expected count of one-value resamples
    raises to M (Krippendorff's algorithm, Stata kalpha) where the SPSS macro uses the pairs,
    the same whenever M equals it; the minimums are the caller's (KALPHA prints .9 .8 .7 .67
    .6 .5); draws are numpy's, seeded, so a seed gives the same interval every time.
    """
    _check(resamples, level)
    result = krippendorff_alpha(p, metric, order=order)
    method = f"bootstrap of Krippendorff's alpha ({metric}), Hayes & Krippendorff (2007)"
    if result.value is None:
        return Interval(None, None, level, method, undefined=result.undefined)
    coders, rows = _rows(p)
    values, o = _coincidences(rows, metric, order)
    n = float(o.sum())
    upper = np.triu_indices(len(values))
    on_diagonal = upper[0] == upper[1]
    prob = np.where(on_diagonal, 1.0, 2.0) * o[upper] / n
    cells = prob > 0
    prob, cost = prob[cells] / prob[cells].sum(), _delta(metric, values, o)[upper][cells]
    draws = max(1, min(25 * int(np.count_nonzero(o)), math.floor(n * (coders - 1) / 2 + 0.5)))
    rng = np.random.default_rng(seed)
    boot = np.empty(resamples)
    for start in range(0, resamples, 256):
        _poll(cancel)
        counts = rng.multinomial(draws, prob, size=min(256, resamples - start))
        boot[start : start + len(counts)] = 1 - counts @ cost / (draws * result.detail["expected"])
    np.maximum(boot, -1.0, out=boot)
    ones = np.flatnonzero(boot == 1.0)
    filled = int(np.count_nonzero(np.diag(o)))
    single = round(resamples * float(np.sum(prob[on_diagonal[cells]] ** draws)))
    boot[ones[: len(ones) if filled == 1 else single]] = 0.0
    method += f": {resamples} resamples of {draws} pairs drawn from the coincidences, seed {seed}"
    return _interval(boot, level, method + ", percentile interval", resamples, seed, minimums)


def _run(stat: Stat, keys: Sequence[Pattern], draw: Draw, what: str, resamples: int,
         seed: int, level: float, minimums: Sequence[float],
         cancel: Callable[[], bool] | None) -> Interval:  # fmt: skip
    """Recompute ``stat`` on ``resamples`` weight vectors over ``keys`` (32 per poll)."""
    rng, found = np.random.default_rng(seed), list[float]()
    for start in range(0, resamples, 32):
        _poll(cancel)
        for row in draw(rng, min(32, resamples - start)):
            value = stat({k: float(c) for k, c in zip(keys, row, strict=True) if c > 0}).value
            if value is not None:
                found.append(value)
    method = f"{what}, {resamples} resamples, seed {seed}, percentile interval"
    if not found:
        reason = "the coefficient was undefined in every resample"
        return Interval(None, None, level, method, None, resamples, seed, {}, reason, resamples)
    dropped = resamples - len(found)
    return _interval(np.array(found), level, method, resamples, seed, minimums, dropped)


def unit_bootstrap(
    stat: Stat,
    p: Patterns,
    *,
    resamples: int = 1000,
    seed: int = DEFAULT_SEED,
    minimums: Sequence[float] = (),
    level: float = 0.95,
    cancel: Callable[[], bool] | None = None,
) -> Interval:
    """Nonparametric bootstrap of any coefficient (Efron & Tibshirani 1993, ch. 6 and 13,
    percentile interval): the N units are resampled with replacement, i.e. each resample is
    one multinomial draw of N over the distinct patterns, and ``stat`` is recomputed. Weights
    must be whole numbers; at character level each character is a unit, which ignores that
    neighbouring characters are coded together, so prefer ``group_bootstrap`` by document
    there. Resamples where ``stat`` is undefined are left out and counted in ``dropped``."""
    _check(resamples, level)
    result = stat(p)
    if result.value is None:
        return Interval(None, None, level, "unit bootstrap", undefined=result.undefined)
    rows = _rows(p)[1]
    w = np.array([weight for _, weight in rows])
    size = round(float(w.sum()))
    if abs(float(w.sum()) - size) > 1e-9 * max(1, size):
        raise ValueError(f"a unit bootstrap needs whole-number weights, not {float(w.sum())}")

    def draw(rng: np.random.Generator, k: int) -> Array:
        return rng.multinomial(size, w / w.sum(), size=k).astype(np.float64)

    what = f"unit bootstrap ({size} units resampled with replacement)"
    keys = [pattern for pattern, _ in rows]
    return _run(stat, keys, draw, what, resamples, seed, level, minimums, cancel)


def group_bootstrap(
    stat: Stat,
    groups: Sequence[Patterns],
    *,
    resamples: int = 1000,
    seed: int = DEFAULT_SEED,
    minimums: Sequence[float] = (),
    level: float = 0.95,
    cancel: Callable[[], bool] | None = None,
) -> Interval:
    """Cluster bootstrap (Davison & Hinkley 1997, sec. 3.8): the G groups (documents) are
    resampled with replacement and ``stat`` is recomputed on each resample's summed patterns,
    which keeps the dependence between units of one document. Resamples where ``stat`` is
    undefined are left out and counted in ``dropped``."""
    _check(resamples, level)
    keys: dict[Pattern, int] = {}
    for g in groups:
        for pattern, _ in _rows(g)[1]:
            keys.setdefault(pattern, len(keys))
    table = np.zeros((len(groups), len(keys)))
    for i, g in enumerate(groups):
        for pattern, weight in _rows(g)[1]:
            table[i, keys[pattern]] += weight
    result = stat(dict(zip(keys, table.sum(axis=0).tolist(), strict=True)))
    if result.value is None:
        return Interval(None, None, level, "group bootstrap", undefined=result.undefined)

    def draw(rng: np.random.Generator, k: int) -> Array:
        return _drawn_groups(rng, len(groups), k) @ table

    what = f"group bootstrap ({len(groups)} documents resampled with replacement)"
    return _run(stat, list(keys), draw, what, resamples, seed, level, minimums, cancel)


def alpha_group_bootstrap(
    groups: Sequence[Patterns],
    *,
    resamples: int = 1000,
    seed: int = DEFAULT_SEED,
    minimums: Sequence[float] = MINIMUMS,
    level: float = 0.95,
    cancel: Callable[[], bool] | None = None,
    draws: Array | None = None,
) -> Interval:
    """``group_bootstrap(krippendorff_alpha, groups)`` for nominal alpha, all resamples at once.

    ``draws`` (``group_draws(len(groups), resamples, seed)``) lets several coefficients share
    one set of resampled documents instead of drawing the same ones again.

    A unit's contribution to the coincidence matrix is linear in its weight, so each document's
    coincidences are summed once (documents x cells) and a resample's matrix is the product of
    its draw counts with that table; alpha = 1 - (n - 1) sum_c!=k o_ck / sum_c!=k n_c n_k, as
    ``krippendorff_alpha``. The same draws (same seed) as ``group_bootstrap``, so the same
    interval up to rounding, without recomputing the coefficient in Python per resample."""
    _check(resamples, level)
    method = f"group bootstrap ({len(groups)} documents resampled with replacement)"
    rows = [_rows(g)[1] for g in groups]
    pooled: dict[Pattern, float] = {}
    for group in rows:
        for pattern, weight in group:
            pooled[pattern] = pooled.get(pattern, 0.0) + weight
    result = krippendorff_alpha(pooled)
    if result.value is None:
        return Interval(None, None, level, method, undefined=result.undefined)
    values = _ordered(v for pattern in pooled for v in pattern if v is not None)
    index = {v: i for i, v in enumerate(values)}
    k = len(values)
    cells: dict[Pattern, list[tuple[int, float]]] = {}  # pattern -> (cell, pairs / (m - 1))
    for pattern in pooled:
        present = [index[v] for v in pattern if v is not None]
        pairs: dict[int, float] = {}
        if len(present) >= 2:
            for i, a in enumerate(present):
                for j, b in enumerate(present):
                    if i != j:
                        pairs[a * k + b] = pairs.get(a * k + b, 0.0) + 1 / (len(present) - 1)
        cells[pattern] = list(pairs.items())
    table = np.zeros((len(groups), k * k))
    for gi, group in enumerate(rows):
        for pattern, weight in group:
            for cell, share in cells[pattern]:
                table[gi, cell] += weight * share
    if draws is None:
        draws = group_draws(len(groups), resamples, seed)
    if draws.shape != (resamples, len(groups)):
        raise ValueError(f"draws must be {resamples} x {len(groups)}, not {draws.shape}")
    off = ~np.eye(k, dtype=bool).ravel()
    found: list[Array] = []
    for start in range(0, resamples, 256):
        _poll(cancel)
        o = draws[start : start + 256] @ table  # coincidences of 256 resamples
        n_c = o.reshape(-1, k, k).sum(axis=2)
        n = n_c.sum(axis=1)
        expected = n**2 - (n_c**2).sum(axis=1)  # sum over c != k of n_c n_k
        observed = o[:, off].sum(axis=1)
        ok = (n > 1) & (expected > 0)
        alpha = 1 - (n[ok] - 1) * observed[ok] / expected[ok]
        found.append(alpha)
    boot = np.concatenate(found) if found else np.empty(0)
    dropped = resamples - len(boot)
    method += f", {resamples} resamples, seed {seed}, percentile interval"
    if not len(boot):
        reason = "the coefficient was undefined in every resample"
        return Interval(None, None, level, method, None, resamples, seed, {}, reason, resamples)
    return _interval(boot, level, method, resamples, seed, minimums, dropped)


def group_draws(groups: int, resamples: int, seed: int = DEFAULT_SEED) -> Array:
    """(resamples x groups) counts of how often each group is drawn, as ``group_bootstrap``
    draws them with this seed."""
    rng = np.random.default_rng(seed)
    return (
        np.concatenate(
            [
                _drawn_groups(rng, groups, min(32, resamples - start))
                for start in range(0, resamples, 32)
            ]
        )
        if resamples
        else np.zeros((0, groups))
    )


def _drawn_groups(rng: np.random.Generator, groups: int, draws: int) -> Array:
    """How often each of ``groups`` is drawn in each of ``draws`` resamples of ``groups`` drawn
    with replacement (a multinomial with equal shares, counted from uniform indices: much
    faster than numpy's multinomial when there are many groups)."""
    picks = rng.integers(0, groups, size=(draws, groups))
    picks += np.arange(draws)[:, None] * groups
    return (
        np.bincount(picks.ravel(), minlength=draws * groups)
        .reshape(draws, groups)
        .astype(np.float64)
    )


# ----------------------------------------------------------------------------- variances


def _coincidences(
    rows: list[tuple[Pattern, float]], metric: Level, order: Sequence[Hashable] | None
) -> tuple[list[Hashable], Array]:
    """The values (ranked as ``krippendorff_alpha`` ranks them) and the coincidence matrix."""
    units = [([v for v in pattern if v is not None], w) for pattern, w in rows]
    units = [(vs, w) for vs, w in units if len(vs) >= 2]
    values = _ordered(v for vs, _ in units for v in vs)
    if metric == "ordinal" and order is not None:
        values = list(dict.fromkeys(order))
    index = {v: i for i, v in enumerate(values)}
    o = np.zeros((len(values), len(values)))
    for vs, w in units:
        for i, a in enumerate(vs):
            for j, b in enumerate(vs):
                o[index[a], index[b]] += w / (len(vs) - 1) if i != j else 0.0
    return values, o


def _delta(metric: Level, values: list[Hashable], o: Array) -> Array:
    d = _metric(metric, values, dict(zip(values, o.sum(axis=1).tolist(), strict=True)))
    return np.array([[d(i, j) for j in range(len(values))] for i in range(len(values))])


def _counts(rows: list[tuple[Pattern, float]], values: list[Hashable]) -> tuple[Array, Array]:
    """Per pattern, how many coders chose each value (irrCAC's r_ik), and the weights."""
    index = {v: i for i, v in enumerate(values)}
    a = np.zeros((len(rows), len(values)))
    for row, (pattern, _) in enumerate(rows):
        for v in pattern:
            if v is not None:
                a[row, index[v]] += 1
    return a, np.array([w for _, w in rows])


def _raw(name: str, a: Array, w: Array, q: int) -> tuple[float, float]:
    """(variance without 1 - f, n) of irrCAC's pa.coeff.raw, gwet.ac1.raw, fleiss.kappa.raw,
    bp.coeff.raw (Gwet 2008; 2014, ch. 5): var = sum_i (c*_i - c)^2 / (n (n - 1)) over
    the n units with a value, c*_i = (n/n2)(pa_i - pe [r_i >= 2])/(1 - pe) - 2 (1 - c)(pe_i -
    pe)/(1 - pe) with pe_i = sum_k (r_ik/r_i) pe_k, pe_k the unit's share of chance agreement.
    For "percent" pa_i is 1 when the unit is unanimous (pairwise share of agreeing pairs else)."""
    r = a.sum(axis=1)
    two = r >= 2
    n, n2 = float(w.sum()), float(w[two].sum())
    if name == "percent":
        pa_i = np.where(two & (a.max(axis=1) == r), 1.0, 0.0)
    else:
        pa_i = np.where(two, (a * (a - 1)).sum(axis=1) / np.where(two, r * (r - 1), 1.0), 0.0)
    pi = (w @ (a / r[:, None])) / n
    pe_k = {"ac1": (1 - pi) / (q - 1), "fleiss": pi}.get(name, np.zeros(len(pi)))
    pe = 1 / q if name == "bp" else float(pi @ pe_k)
    c = (float(w @ pa_i) / n2 - pe) / (1 - pe)
    pe_i = (a @ pe_k) / r if name in ("ac1", "fleiss") else pe
    terms = (n / n2) * (pa_i - pe * two) / (1 - pe) - 2 * (1 - c) * (pe_i - pe) / (1 - pe)
    return (float(w @ (terms - c) ** 2) / (n * (n - 1)) if n > 1 else math.nan), n


def _alpha_raw(a: Array, w: Array, weights: Array) -> tuple[float, float, float]:
    """(variance without 1 - f, n pairable units, n0 units with a value) of irrCAC's
    krippen.alpha.raw (release of 31 August 2021; Gwet 2014, ch. 5). With rb the mean number of
    values per pairable unit, pa_i = sum_k r_ik (r*_ik - 1)/(rb (r_i - 1)), pa' its mean, alpha'
    = (pa' - pe)/(1 - pe): a*_i = (pa_i - pa' (r_i - rb)/rb - pe)/(1 - pe) - 2 (1 - alpha')
    (pe_i - pe)/(1 - pe), pe_i = sum_k r_ik pibar_k/rb - pe (r_i - rb)/rb, var = sum_i (a*_i -
    alpha')^2/(n (n - 1)); r*_ik = sum_l w_kl r_il and pibar = (W + W')pi/2 for the weights W."""
    r = a.sum(axis=1)
    n0 = float(w[r >= 1].sum())
    a, w, r = a[r >= 2], w[r >= 2], r[r >= 2]
    n = float(w.sum())
    if n <= 1:
        return math.nan, n, n0
    rb = float(w @ r) / n
    agree = (a * (a @ weights.T - 1)).sum(axis=1) / (rb * (r - 1))
    pa = float(w @ agree) / n
    pi = (w @ a) / (n * rb)
    pe = float(pi @ weights @ pi)
    alpha = (pa - pe) / (1 - pe)
    pe_i = a @ ((weights + weights.T) @ pi / 2) / rb - pe * (r - rb) / rb
    terms = (agree - pa * (r - rb) / rb - pe) / (1 - pe) - 2 * (1 - alpha) * (pe_i - pe) / (1 - pe)
    return float(w @ (terms - alpha) ** 2) / (n * (n - 1)), n, n0


def _table(name: str, t: Array, weights: Array, q: int) -> tuple[float, float]:
    """(variance without 1 - f, n) of irrCAC's pa2.table, kappa2.table, scott2.table,
    gwet.ac1.table, bp2.table and krippen2.table (Gwet 2014, ch. 5): var = (sum_kl p_kl (w_kl -
    b_kl)^2 - (pa - 2 (1 - c) pe)^2)/(n (1 - pe)^2), b_kl = (1 - c)(pbar_k + pbar_l) for kappa,
    pi and alpha (c = Scott's pi there), 2 (1 - c)(1 - (pi_k + pi_l)/2)/(q - 1) for AC1."""
    n = float(t.sum())
    if n <= 1:
        return math.nan, n
    p = t / n
    rows, cols = p.sum(axis=1), p.sum(axis=0)
    pi = (rows + cols) / 2
    pa = float((weights * p).sum())
    if name in ("percent", "pairwise", "bp"):
        pe = 1 / q if name == "bp" else 0.0
        return (float((p * weights**2).sum()) - pa**2) / (n * (1 - pe) ** 2), n
    if name == "ac1":
        pe = float(pi @ (1 - pi)) / (q - 1)
        c = (pa - pe) / (1 - pe)
        b = 2 * (1 - c) * (1 - (pi[:, None] + pi[None, :]) / 2) / (q - 1)
    else:
        first, second = (rows, cols) if name == "cohen" else (pi, pi)
        pe = float(first @ weights @ second)
        c = (pa - pe) / (1 - pe)
        left, right = weights @ second, weights.T @ first
        if name != "cohen":
            left = right = (left + right) / 2
        b = (1 - c) * (left[:, None] + right[None, :])
    sum1 = float((p * (weights - b) ** 2).sum())
    return (sum1 - (pa - 2 * (1 - c) * pe) ** 2) / (n * (1 - pe) ** 2), n


_TABLE = {"percent": "pa2.table", "pairwise": "pa2.table", "cohen": "kappa2.table",
          "scott": "scott2.table", "alpha": "krippen2.table", "bp": "bp2.table",
          "ac1": "gwet.ac1.table"}  # fmt: skip
_RAW = {"percent": "pa.coeff.raw", "pairwise": "pa.coeff.raw", "fleiss": "fleiss.kappa.raw",
        "alpha": "krippen.alpha.raw", "bp": "bp.coeff.raw", "ac1": "gwet.ac1.raw"}  # fmt: skip


def standard_error(
    name: str,
    p: Patterns,
    *,
    categories: int | None = None,
    population: float | None = None,
    level: float = 0.95,
    metric: Level = "nominal",
    order: Sequence[Hashable] | None = None,
) -> Interval:
    """Standard error and t interval of a coefficient of ``stats``, as irrCAC computes them.

    ``name``: "percent" (``percent_agreement``), "pairwise" (its mean share of agreeing pairs,
    irrCAC's pa), "cohen", "scott", "fleiss", "alpha" (``metric``/``order`` as for
    ``krippendorff_alpha``), "bp" (needs ``categories``), "ac1" (``categories`` optional).
    Interval c -/+ t_{(1 + level)/2, n - 1} se, the upper end capped at 1 as in irrCAC; with a
    ``population`` N the variance has irrCAC's finite population factor 1 - n/N.

    Two coders: the two-rater table formulas on the units both judged (gwet.ac1.table only if
    no unit has a single value, since AC1's pi_k counts those). Otherwise the raw formulas;
    Fleiss' kappa on the units every coder judged, as ``fleiss_kappa`` (irrCAC's generalised
    version keeps incomplete ones); "percent" with 3+ coders puts unanimity in pa.coeff.raw's
    formula. Alpha follows the current krippen.alpha.raw, with t on (units with a value - 1)
    df; its README, made with an earlier release, prints SE 0.14557 on 10 df for cac.raw4raters
    where the current code gives 0.14548 on 11. Non-nominal alpha uses w = 1 - delta^2/max
    delta^2 from Krippendorff's metric (not irrCAC's ordinal weights), which gives his alpha.
    """
    if name not in NAMES:
        raise ValueError(f"unknown coefficient {name!r}: use one of {', '.join(NAMES)}")
    if not 0 < level < 1:
        raise ValueError(f"level must lie strictly between 0 and 1, not {level}")
    compute: dict[str, Stat] = {
        "percent": percent_agreement,
        "pairwise": percent_agreement,
        "cohen": cohen_kappa,
        "scott": scott_pi,
        "fleiss": fleiss_kappa,
        "alpha": lambda x: krippendorff_alpha(x, metric, order=order),
        "bp": lambda x: brennan_prediger(x, categories=_required(categories)),
        "ac1": lambda x: gwet_ac1(x, categories=categories),
    }
    point = compute[name](p)
    value = point.detail["pairwise"] if name == "pairwise" and point.defined else point.value
    if value is None:
        return Interval(None, None, level, "", undefined=point.undefined)
    coders, rows = _rows(p)
    rows = [(pattern, w) for pattern, w in rows if any(v is not None for v in pattern)]
    if population is not None and population < sum(w for _, w in rows):
        raise ValueError(f"population {population} is smaller than the sample")
    complete = [(pattern, w) for pattern, w in rows if None not in pattern]
    values = _ordered(v for pattern, _ in rows for v in pattern if v is not None)
    q, weights = categories or len(values), np.eye(len(values))
    if name == "alpha":
        values, o = _coincidences(rows, metric, order)
        delta = _delta(metric, values, o)
        weights = 1 - delta / delta.max()
    table = coders == 2 and name != "fleiss" and (name != "ac1" or len(complete) == len(rows))
    if table:
        index = {v: i for i, v in enumerate(values)}
        t = np.zeros((len(values), len(values)))
        for (x, y), weight in complete:
            t[index[x], index[y]] += weight
        var, n = _table(name, t, weights, q)
        df = n - 1
    elif name == "alpha":
        var, _, n = _alpha_raw(*_counts(rows, values), weights)
        df = n - 1
    else:
        var, n = _raw(name, *_counts(complete if name == "fleiss" else rows, values), q)
        df = n - 1
    method = f"Gwet (2008) variance as in irrCAC {(_TABLE if table else _RAW)[name]}"
    if name == "percent" and not table and coders > 2:
        method += " (with unanimity as the unit's agreement)"
    method += f", t with {df:g} df"
    if population is not None:
        var *= 1 - n / population
        method += f", finite population correction for N = {population:g}"
    if df < 1 or math.isnan(var):
        return Interval(None, None, level, method, undefined=FEW_UNITS)
    se = math.sqrt(max(var, 0.0))
    if se < 1e-12:
        reason = "the standard error is 0 (every unit adds the same), so there is no interval"
        return Interval(None, None, level, method, se=0.0, undefined=reason)
    half = se * t_quantile((1 + level) / 2, df)
    return Interval(value - half, min(1.0, value + half), level, method, se)


def _required(categories: int | None) -> int:
    if categories is None:
        raise ValueError("Brennan-Prediger needs the number of categories")
    return categories
