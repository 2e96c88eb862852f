"""Krippendorff's unitizing alphas for spans that coders marked on texts, as pure functions.

Each document is a continuum of Unicode code points with end-exclusive offsets; a coder marks
spans ``(start, end, code)`` on it. The coefficients pool all documents as one study: every sum
below runs over documents, and the continuum length is the sum of their lengths.

**The 2016/2019 family** (Krippendorff, Mathet, Bouvry & Widlöcher 2016, "On the reliability of
unitizing textual continua: Further developments", Quality & Quantity 50(6):2347-2364, erratum
50(6):2365; Krippendorff 2019, Content Analysis 4th ed., §12.6, eq. 32-38 as numbered in
quallmer's ``reliability_alpha_u`` documentation). Each coder's codings and the gaps between them
partition the continuum into segments. Observed coincidences u_ck = 1/(m-1) Σ_i Σ_j≠i Σ_g Σ_h
|s_ig ∩ s_jh| over segments valued c (coder i) and k (coder j), gaps valued ∅ (eq. 32).
Expected e_ck = (u_c. u_.k - [c=k] Σ ℓ²) / (u.. - Σ ℓ²/u..), where Σ ℓ² runs over segments
(a gap of length ℓ adds ℓ: it is ℓ one-character pieces) (eq. 33). Then

* ``uα`` = 1 - Σ_c≠k u_ck / Σ_c≠k e_ck: codes and gaps as values of one variable (eq. 34);
* ``|uα`` = the same on the matrices collapsed to gap vs coded (eq. 35); per code, ``|uα`` of
  that code alone (its segments against everything else);
* ``cuα``: the matrices without the gap row and column; in e*_ck each coded segment g of coder i
  counts with its pairable length ℓ*_g = 1/(m-1) Σ_j≠i |g ∩ coded matter of j| (eq. 36-37).
  This reproduces the book's cuα = .724 for Fig. 12.11 (the tests), where other readings do not;
* ``(k)uα`` = 1 - (e*_.k / u*_.k)(u*_.k - u*_kk)/(e*_.k - e*_kk) for code k (eq. 38);
* ``Cuα`` as ATLAS.ti reports it ("Cu-α: across all semantic domains"; ATLAS.ti's ICA manual and
  González-Prieto et al., arXiv:2008.00977, who write ATLAS.ti's coefficients in one frame): cuα
  with every code replaced by its semantic domain, i.e. agreement on which domain was applied
  where coded units overlap. ``domains`` maps code -> domain; by default every code is its own
  domain and Cuα equals cuα. With ``domains``, ATLAS.ti's per-domain values are added too: cu-α
  among one domain's codes and |uα of the domain.

**The 1995/2004 u-α** (Krippendorff 1995, "On the reliability of unitizing continuous data",
Sociological Methodology 25:47-76; Content Analysis 2nd ed. 2004, ch. 11, example p. 254; as in
DKPro Statistics' KrippendorffAlphaUnitizingAgreement): per code c, units of c against gaps; D_o =
Σ_i Σ_j≠i Σ_g Σ_h δ²(g, h) / (m(m-1)L²) with δ² = (b_g-b_h)² + (e_g-e_h)² for overlapping units,
ℓ_g² for a unit inside the other coder's gap, else 0; D_e = (2/L) Σ_g [(N_c-1)(2ℓ³-3ℓ²+ℓ)/3 +
ℓ² Σ_h∈gaps, ℓ_h≥ℓ (ℓ_h-ℓ+1)] / [mL(mL-1) - Σ_g ℓ(ℓ-1)]; overall 1 - Σ_c D_o / Σ_c D_e.

Cost grows with the number of codings, never with the number of characters: everything is
computed from sorted segment boundaries (a merge of two coders' boundaries gives every
intersecting pair of segments), O(n log n), for all documents at once on one line where each
document (and, for per-code values, each code) has its own stretch.

Rules where the literature is silent are in ``RULES`` (printed by the callers). A coefficient that
cannot be computed comes back with ``value=None`` and the reason in plain words, never as 0 or 1.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from qualbench.agreement.stats import FEW_CODERS, Result, _ordered

__all__ = ["RULES", "Continuum", "StudyParts", "UnitizedResult", "family_from_parts",
           "study_parts", "unitized"]  # fmt: skip

Arr = npt.NDArray[Any]

RULES = [
    "Each document is a continuum of Unicode code points (end-exclusive offsets); spans are "
    "compared only within their document, and all documents are pooled as one study: the sums "
    "behind each coefficient run over documents and the continuum length is their total length.",
    "Text that no coder touched counts as agreed gap: it is part of the continuum length.",
    "Every coder is taken to have read every document: a coder with no codings in a document "
    "marked all of it as gap.",
    "Two touching codings with the same code by one coder stay two segments.",
    "Overlapping codings of the same code by one coder are joined into one segment (one partition "
    "cannot hold two overlapping units); how many were joined is reported.",
    "Where one coder's codings of different codes overlap, the overlapping stretch is a segment "
    "of its own whose value is that combination of codes, agreeing only with the same combination "
    "(uα, |uα, cuα, (k)uα, Cuα), so (k)uα of a code covers the text carrying that code alone; such "
    "overlaps are counted as conflicts.",
    "Per-code |uα and the 1995 u-α take one code at a time: its segments against everything else, "
    "other codes counting as gap, so overlaps with other codes do not affect them.",
    "Cuα is cuα with each code replaced by its semantic domain; without a domain mapping every "
    "code is its own domain and Cuα equals cuα.",
    "In the 1995/2004 u-α a document boundary ends a gap (a unit cannot be placed across "
    "documents), and the overall value is 1 - ΣD_o / ΣD_e over the codes.",
    "Empty codings (start = end) are ignored.",
    "A coefficient that cannot be computed (nobody used the code, no variation, fewer than two "
    "coders, empty continuum) is reported as undefined with the reason, never as 0 or 1.",
]

EMPTY = "empty continuum: the documents hold no text, so there is nothing to unitize"
NOT_USED = "nobody used this code"
NO_VARIATION = ("no variation: the continuum holds a single value for every coder, so expected "
                "disagreement is 0 and alpha is 0/0")  # fmt: skip
NO_PAIRS = "no two coders marked overlapping units, so there is no coding to compare"
ONE_VALUE = ("the overlapping units of different coders all carry one value (or are a single "
             "unit), so expected disagreement is 0 and alpha is 0/0")  # fmt: skip
K_NO_PAIRS = "no unit with this code alone overlaps a unit of another coder"


@dataclass(frozen=True)
class Continuum:
    """One document: its length in code points and, per coder (same coder order in every
    document), the codings ``(start, end, value)`` with 0 <= start <= end <= length."""

    length: int
    coders: Sequence[Sequence[tuple[int, int, Hashable]]]


@dataclass(frozen=True)
class UnitizedResult:
    """The whole family. ``per_code[code]`` holds "binary" (|uα of that code alone), "k"
    ((k)uα) and "u1995"; ``per_domain`` (only with ``domains``) holds "binary" and "cu".
    ``segments`` counts the coded segments each coder's partition has for uα, ``unioned`` the
    codings joined into another of the same code, ``conflicts`` the overlapping pairs of one
    coder's codings with different codes."""

    u_alpha: Result
    binary: Result
    cu_alpha: Result
    Cu_alpha: Result
    u1995_overall: Result
    per_code: dict[Hashable, dict[str, Result]]
    per_domain: dict[Hashable, dict[str, Result]]
    segments: tuple[int, ...]
    unioned: tuple[int, ...]
    conflicts: tuple[int, ...]
    notes: tuple[str, ...]


@dataclass(frozen=True, eq=False)
class _Block:
    """Additive sums of one variable over ``lines`` stretches with ``nvals`` values (0 = gap):
    entry t adds ``val[t]`` of document ``doc[t]`` to sum ``key[t]``. Per line and value: row
    u_c. (= Σ lengths of c-segments), diag u_cc, gap u_c∅, corr Σℓ², ccorr Σℓ*²; per line: off
    Σ_c≠k u_ck, offv (the same among coded values), S1995 Σδ². Nothing else is needed."""

    lines: int
    nvals: int
    doc: Arr
    key: Arr
    val: Arr

    def dense(self, w: Arr, *, resampling: bool = False) -> tuple[Arr, Arr]:
        """(5, lines, nvals) per-value sums and (3, lines) per-line sums, documents weighted.
        ``resampling``: many calls will follow (a bootstrap), so the sums are kept once per
        document and each call is one product with the weights (when that table is small)."""
        n, v = self.lines, self.nvals
        size = 5 * n * v + 3 * n
        table = self._per_document(len(w), size) if resampling else None
        flat = (
            w @ table if table is not None else np.bincount(self.key, self.val * w[self.doc], size)
        )
        return flat[: 5 * n * v].reshape(5, n, v), flat[5 * n * v :].reshape(3, n)

    def _per_document(self, docs: int, size: int) -> Arr | None:
        """Every document's sums as a (documents, size) table, built on first use; None when
        it would exceed ~80 MB (then each call sums the entries again)."""
        if docs * size > 10_000_000:
            return None
        cache = self.__dict__.setdefault("_table", {})
        if docs not in cache:
            flat = np.bincount(self.doc * size + self.key, self.val, docs * size)
            cache[docs] = flat.reshape(docs, size)
        table: Arr = cache[docs]
        return table


@dataclass(frozen=True, eq=False)
class _Lengths:
    """Units and gaps of the per-code continua for the 1995 D_e: gaps sorted by (code, length);
    a unit's gaps at least as long are gaps[pos:stop]."""

    unit_line: Arr
    unit_doc: Arr
    unit_len: Arr
    pos: Arr
    stop: Arr
    gap_doc: Arr
    gap_len: Arr


@dataclass(frozen=True, eq=False)
class StudyParts:
    """Per-document sums behind every coefficient, so that a document bootstrap can recompute
    the family from resampling weights (``family_from_parts``) in milliseconds, without the
    codings. The 2016 family is a function of sums over documents; the 1995 D_e pairs every unit
    with every gap of the study, so it is recomputed from the stored unit and gap lengths (with
    their sort order kept, O(number of segments) per resample)."""

    coders: int
    lengths: Arr
    codes: list[Hashable]
    domains: list[Hashable] | None
    blocks: dict[str, _Block]
    k95: _Lengths
    segments: tuple[int, ...]
    unioned: tuple[int, ...]
    conflicts: tuple[int, ...]
    notes: tuple[str, ...] = field(default=())


def _distinct(x: Arr) -> Arr:
    """Sorted distinct values (a stable sort merges sorted runs in linear time; np.unique's
    hashing is far slower on large integer arrays)."""
    x = np.sort(x, kind="stable")
    return x[np.concatenate(([True], x[1:] != x[:-1]))] if len(x) else x


def _partition(
    s: Arr, e: Arr, v: Arr, cuts: Arr, words: int, reg: dict[tuple[int, ...], int]
) -> tuple[Arr, Arr, int, int]:
    """One coder's partition (segment starts, values; 0 = gap) of the line cut at ``cuts``
    (whose last entry is the end): overlapping codings of one value are joined, and overlaps of
    different values become combination values, numbered in ``reg`` as -1, -2, ..."""
    order = np.lexsort((s, v))
    s, e, v = s[order], e[order], v[order]
    off = v * (cuts[-1] + 1)  # keeps the running end of one value from reaching the next
    new = np.ones(len(s), bool)
    new[1:] = (s + off)[1:] >= np.maximum.accumulate(e + off)[:-1]
    first = np.flatnonzero(new)
    joined = len(s) - len(first)
    s, v, e = s[first], v[first], (np.maximum.reduceat(e, first) if len(first) else e)
    # a run overlaps every earlier-starting run that ends after its start
    begun = np.sort(s)
    conflicts = int((np.arange(len(s)) - np.searchsorted(np.sort(e), begun, "right")).sum())
    bp = _distinct(np.concatenate((s, e, cuts)))
    if not conflicts:
        vals = np.zeros(len(bp), np.int64)
        vals[np.searchsorted(bp, s)] = v
        return bp[:-1], vals[:-1], joined, 0
    word, bit = (v - 1) // 62, np.left_shift(np.int64(1), (v - 1) % 62)
    delta = np.zeros((len(bp), words), np.int64)  # bit sets of the values covering each piece
    np.add.at(delta, (np.searchsorted(bp, s), word), bit)
    np.add.at(delta, (np.searchsorted(bp, e), word), -bit)
    mask = np.cumsum(delta, axis=0)[:-1]
    if words == 1:
        flat, inv = np.unique(mask[:, 0], return_inverse=True)
        uniq = flat[:, None]
    else:
        uniq, inv = np.unique(mask, axis=0, return_inverse=True)
    ids = []
    for row in uniq.tolist():
        members: list[int] = []
        for w, x in enumerate(row):
            while x:
                members.append(w * 62 + (x & -x).bit_length())
                x &= x - 1
        one = len(members) <= 1
        ids.append((members or [0])[0] if one else reg.setdefault(tuple(members), -1 - len(reg)))
    return bp[:-1], np.asarray(ids, np.int64)[inv.ravel()], joined, conflicts


def _merge(a: Arr, b: Arr) -> tuple[Arr, Arr, Arr]:
    """The distinct boundaries of two partitions (sorted starts, both holding every cut) and,
    for each piece between them, the index of the segment of ``a`` and of ``b`` holding it."""
    key = np.sort(np.concatenate((a * 2, b * 2 + 1)), kind="stable")  # merges two sorted runs
    ia, ib = np.cumsum(key % 2 == 0) - 1, np.cumsum(key % 2 == 1) - 1
    last = np.append(key[1:] // 2 != key[:-1] // 2, True)[: len(key)]  # last of equal positions
    return key[last] // 2, ia[last], ib[last]


def _variable(
    c: Arr, s: Arr, e: Arr, line: Arr, v: Arr, nbase: int, lines: int, m: int, lengths: Arr,
    k95: bool = False,
) -> tuple[_Block, list[int], list[int], list[int], _Lengths | None]:  # fmt: skip
    """Sums of one variable: coder ``c`` coded [s, e) (offsets on the documents laid end to
    end) with value ``v`` in 1..nbase, on stretch ``line`` of ``lines`` copies of that line;
    with ``k95`` also the 1995 D_o sums and the unit and gap lengths."""
    t, nd = int(lengths.sum()), max(len(lengths), 1)
    offsets = np.concatenate(([0], np.cumsum(lengths)[:-1])).astype(np.int64)
    starts = (np.arange(lines, dtype=np.int64)[:, None] * t + offsets[None, :]).ravel()
    cuts = np.concatenate((starts, [lines * t])).astype(np.int64)
    s, e = s + line * t, e + line * t
    reg: dict[tuple[int, ...], int] = {}
    words = (nbase - 1) // 62 + 1
    parts = [_partition(s[c == i], e[c == i], v[c == i], cuts, words, reg) for i in range(m)]
    nv = nbase + 1 + len(reg)
    st = [p[0] for p in parts]
    va = [np.where(p[1] < 0, nbase - p[1], p[1]) for p in parts]  # combinations after the codes
    end = [np.append(x[1:], cuts[-1]) for x in st]
    grp = [np.searchsorted(starts, x, "right") - 1 for x in st]  # (line, document) of segments
    per, empty = lines * nv, np.zeros(0, np.int64)
    out: list[tuple[Arr, Arr, Arr]] = [(empty, empty, empty)]  # (document, sum, value)

    def add(keep: Arr, doc: Arr, key: Arr, val: Arr) -> None:
        out.append((doc[keep], key[keep], val[keep]))

    acc = [np.zeros(len(x)) for x in st]
    for i in range(m):
        for j in range(i + 1, m):
            br, gi, gj = _merge(st[i], st[j])  # a piece per intersecting pair of segments
            ln = (np.append(br[1:], cuts[-1]) - br).astype(float)
            vi, vj, g = va[i][gi], va[j][gj], grp[i][gi]
            li, doc = g // nd, g % nd
            both, two = (vi > 0) & (vj > 0), 2 * ln / (m - 1)
            add(vi == vj, doc, per + li * nv + vi, two)
            add((vj == 0) & (vi > 0), doc, 2 * per + li * nv + vi, two / 2)
            add((vi == 0) & (vj > 0), doc, 2 * per + li * nv + vj, two / 2)
            add(vi != vj, doc, 5 * per + li, two)
            add((vi != vj) & both, doc, 5 * per + lines + li, two)
            acc[i] += np.bincount(gi, ln * both, len(st[i]))
            acc[j] += np.bincount(gj, ln * both, len(st[j]))
            if k95:
                bi, ei, bj, ej = st[i][gi], end[i][gi], st[j][gj], end[j][gj]
                d2 = np.where(both, (bi - bj) ** 2.0 + (ei - ej) ** 2.0, 0.0)
                d2 += np.where((vi > 0) & (vj == 0) & (bj <= bi) & (ei <= ej), (ei - bi) ** 2.0, 0)
                d2 += np.where((vj > 0) & (vi == 0) & (bi <= bj) & (ej <= ei), (ej - bj) ** 2.0, 0)
                add(d2 > 0, doc, 5 * per + 2 * lines + li, d2)
    units: list[tuple[Arr, Arr, Arr]] = [(empty, empty, empty)]
    gaps = list(units)
    for i in range(m):
        ln, x, coded = (end[i] - st[i]).astype(float), va[i], va[i] > 0
        li, doc = grp[i] // nd, grp[i] % nd
        key = li * nv + x
        out += [(doc, key, ln), (doc, 3 * per + key, np.where(coded, ln * ln, ln))]
        add(coded, doc, 4 * per + key, (acc[i] / max(m - 1, 1)) ** 2)
        units.append((li[coded], doc[coded], ln[coded]))
        gaps.append((li[~coded], doc[~coded], ln[~coded]))
    block = _Block(lines, nv, *(np.concatenate([o[k] for o in out]) for k in range(3)))
    counts = [int((x > 0).sum()) for x in va]
    if not k95:
        return block, counts, [p[2] for p in parts], [p[3] for p in parts], None
    ul, ud, uln = (np.concatenate([u[k] for u in units]) for k in range(3))
    gl, gd, gln = (np.concatenate([g[k] for g in gaps]) for k in range(3))
    o, big = np.lexsort((gln, gl)), t + 1.0
    gkey = gl[o] * big + gln[o]
    pos = np.searchsorted(gkey, ul * big + uln, "left")
    lens = _Lengths(ul, ud, uln, pos, np.searchsorted(gkey, (ul + 1) * big, "left"), gd[o], gln[o])
    return block, counts, [p[2] for p in parts], [p[3] for p in parts], lens


def study_parts(
    continua: Sequence[Continuum],
    *,
    values: Sequence[Hashable] | None = None,
    domains: Mapping[Any, Hashable] | None = None,
) -> StudyParts:
    """Validate the codings and compute every document's additive sums (see ``StudyParts``).
    ``values`` orders the codes reported per code and may name codes nobody used; ``domains``
    maps code -> semantic domain (codes not in it are their own domain)."""
    m = len(continua[0].coders) if continua else 0
    cs: list[int] = []
    ss: list[int] = []
    es: list[int] = []
    vs: list[Hashable] = []
    ds: list[int] = []
    for d, doc in enumerate(continua):
        if len(doc.coders) != m:
            raise ValueError(f"document {d + 1} has {len(doc.coders)} coders, document 1 has {m}")
        if doc.length < 0:
            raise ValueError(f"document {d + 1} has a negative length ({doc.length})")
        for i, codings in enumerate(doc.coders):
            if codings:
                s_, e_, v_ = zip(*codings, strict=True)
                ss += s_
                es += e_
                vs += v_
                cs += [i] * len(s_)
                ds += [d] * len(s_)
    lengths = np.asarray([x.length for x in continua], np.int64)
    c, s, e, dd = (np.asarray(x, np.int64) for x in (cs, ss, es, ds))
    bad = np.flatnonzero((s < 0) | (s > e) | (e > lengths[dd]))
    if len(bad):
        k = int(bad[0])
        raise ValueError(f"coding {(ss[k], es[k], vs[k])!r} of coder {cs[k] + 1} does not fit "
                         f"document {ds[k] + 1} of length {lengths[ds[k]]}: 0 <= start <= end <= length")  # fmt: skip
    codes = list(dict.fromkeys([*(values or []), *_ordered(vs)]))
    index = {x: k + 1 for k, x in enumerate(codes)}
    v = np.asarray([index[x] for x in vs], np.int64)
    keep = s < e
    offsets = np.concatenate(([0], np.cumsum(lengths)[:-1])).astype(np.int64)
    c, v, s, e = c[keep], v[keep], (s + offsets[dd])[keep], (e + offsets[dd])[keep]
    doms = None if domains is None else list(dict.fromkeys(domains.get(x, x) for x in codes))
    where = {x: k + 1 for k, x in enumerate(doms or [])}
    code_domain = np.asarray([0] + [where.get((domains or {}).get(x, x), 0) for x in codes])
    nc, zero = len(codes), np.zeros(len(s), np.int64)
    blocks: dict[str, _Block] = {}
    blocks["codes"], segs, joined, conflicts, _ = _variable(c, s, e, zero, v, nc, 1, m, lengths)
    ones, lines = np.ones_like(v), max(nc, 1)
    blocks["binary"], _, _, _, k95 = _variable(c, s, e, v - 1, ones, 1, lines, m, lengths, True)
    if doms is not None:
        dv = code_domain[v]
        blocks["domains"] = _variable(c, s, e, zero, dv, len(doms), 1, m, lengths)[0]
        blocks["per_domain"] = _variable(c, s, e, dv - 1, v, nc, max(len(doms), 1), m, lengths)[0]
    notes = [f"coder {i + 1}: {n} overlapping codings of the same code were joined"
             for i, n in enumerate(joined) if n]  # fmt: skip
    notes += [f"coder {i + 1}: {n} overlaps between codings of different codes (conflicts)"
              for i, n in enumerate(conflicts) if n]  # fmt: skip
    if not keep.all():
        notes.append(f"{int((~keep).sum())} empty codings (start = end) were ignored")
    if doms is None:
        notes.append("no semantic domains given: every code is its own domain, so Cuα = cuα")
    if blocks["codes"].nvals > nc + 1:
        notes.append(f"{blocks['codes'].nvals - nc - 1} combinations of codes that one coder put "
                     "on the same text are values of their own in uα, |uα, cuα and (k)uα")  # fmt: skip
    assert k95 is not None  # asked for above
    return StudyParts(m, lengths, codes, doms, blocks, k95, tuple(segs),
                      tuple(joined), tuple(conflicts), tuple(notes))  # fmt: skip


def _alpha(do: float, de: float, scale: float, n: float, **extra: float) -> Result:
    detail = {"observed": float(do / scale), "expected": float(de / scale), **extra}
    if de <= 0:
        return Result(None, NO_VARIATION, n, detail)
    return Result(float(1 - do / de), "", n, detail)


def _family(
    v: Arr, line: Arr, n: float, first: int | None = None
) -> tuple[Result, Result, Result, list[Result]]:
    """uα, |uα, cuα and (k)uα for values 1.. (only the ``first`` ones: combinations of codes
    need no (k)uα) from one line's sums ``v`` = (row, diag, gap, corr, ccorr) and ``line`` =
    (off, offv, S). Expected disagreements come from the margins:
    Σ_c≠k e_ck = Σ_c u_c.(u.. - u_c.) / (u.. - Σℓ²/u..)."""
    row, diag, gap, corr, cc = v
    tot = float(row.sum())
    den = tot - corr.sum() / tot if tot else 0.0
    ua = binary = Result(None, NO_VARIATION, n)
    if (row > 0).sum() >= 2 and den > 0:
        ua = _alpha(line[0], float((row * (tot - row)).sum()) / den, tot, n)
    if row[0] > 0 and row[1:].sum() > 0 and den > 0:
        binary = _alpha(2 * float(gap[1:].sum()), 2 * float(row[0] * row[1:].sum()) / den, tot, n)
    rs, cs = row[1:] - gap[1:], cc[1:]
    ts = float(rs.sum())
    dens = ts - cs.sum() / ts if ts > 0 else 0.0
    if ts <= 0 or (rs > 0).sum() < 2 or dens <= 0:
        why = ONE_VALUE if ts > 0 else NO_PAIRS
        none = Result(None, why, n, {"coverage": ts / tot if tot else 0.0})
        return (
            ua,
            binary,
            none,
            [none if x > 0 else Result(None, K_NO_PAIRS, n) for x in rs[:first]],
        )
    cu = _alpha(line[1], float((rs * (ts - rs)).sum()) / dens, ts, n, coverage=ts / tot)
    ks = []
    for k in range(len(rs) if first is None else min(first, len(rs))):
        lk = float(rs[k])
        if lk <= 0:
            ks.append(Result(None, K_NO_PAIRS, n))
            continue
        ek, ek_off = (lk * ts - cs[k]) / dens, lk * (ts - lk) / dens  # e*_.k and Σ_c≠k e*_ck
        do, de = (lk - diag[k + 1]) / lk, ek_off / ek
        ks.append(_alpha(float(do), float(de), 1.0, n, coverage=lk / float(row[k + 1])))
    return ua, binary, cu, ks


def _k95(p: StudyParts, w: Arr, s: Arr, n: float) -> tuple[list[Result], Result]:
    """1995/2004 u-α per code and overall from the weighted sums (Krippendorff 2004, ch. 11)."""
    k, m, nl = p.k95, p.coders, max(len(p.codes), 1)
    wu, wg = w[k.unit_doc], w[k.gap_doc]
    count = np.append(np.cumsum(wg[::-1])[::-1], 0.0)
    total = np.append(np.cumsum((wg * (k.gap_len + 1))[::-1])[::-1], 0.0)
    fit, room = count[k.pos] - count[k.stop], total[k.pos] - total[k.stop]
    ln, line = k.unit_len, k.unit_line
    units = np.bincount(line, wu, nl)
    f = np.bincount(line, wu * (2 * ln**3 - 3 * ln**2 + ln) / 3, nl)
    x = np.bincount(line, wu * ln * ln * (room - ln * fit), nl)
    q = np.bincount(line, wu * ln * (ln - 1), nl)
    de = 2 / n * ((units - 1) * f + x) / (m * n * (m * n - 1) - q)
    do = 2 * s / (m * (m - 1) * n * n)
    per = [Result(None, NOT_USED, n) if not units[c] else _alpha(do[c], de[c], 1.0, n)
           for c in range(len(p.codes))]  # fmt: skip
    used = units[: len(p.codes)] > 0
    if not used.any():
        return per, Result(None, "nobody coded anything", n)
    return per, _alpha(float(do[used].sum()), float(de[used].sum()), 1.0, n)


def family_from_parts(
    parts: StudyParts, weights: Sequence[float] | Arr | None = None
) -> UnitizedResult:
    """The whole family from the per-document sums, each document counted ``weights[d]`` times
    (default once): a document bootstrap passes how often each document was drawn."""
    nd = len(parts.lengths)
    w = np.ones(nd) if weights is None else np.asarray(weights, float)
    if w.shape != (nd,) or (w < 0).any():
        raise ValueError(f"weights must be {nd} numbers >= 0, one per document")
    n = float(w @ parts.lengths) if nd else 0.0
    fixed = FEW_CODERS if parts.coders < 2 else EMPTY if not n else ""

    def res(r: Result) -> Result:
        return Result(None, fixed, n) if fixed else r

    again = weights is not None  # a bootstrap: the per-document tables pay off
    v, line = parts.blocks["codes"].dense(w, resampling=again)
    ua, binary, cu, ks = _family(v[:, 0], line[:, 0], n, len(parts.codes))
    cu_dom = cu
    if "domains" in parts.blocks:
        dv, dline = parts.blocks["domains"].dense(w, resampling=again)
        cu_dom = _family(dv[:, 0], dline[:, 0], n)[2]
    bv, bline = parts.blocks["binary"].dense(w, resampling=again)
    k95, overall = _k95(parts, w, bline[2], n) if not fixed else ([], Result(None, fixed, n))
    per_code: dict[Hashable, dict[str, Result]] = {}
    for k, code in enumerate(parts.codes):
        used = bv[0, k, 1] > 0
        bin_k = _family(bv[:, k], bline[:, k], n)[0] if used else Result(None, NOT_USED, n)
        per_code[code] = {"binary": res(bin_k), "k": res(ks[k] if used else bin_k),
                          "u1995": res(k95[k] if k95 else bin_k)}  # fmt: skip
    per_domain: dict[Hashable, dict[str, Result]] = {}
    if parts.domains is not None:
        pv, pline = parts.blocks["per_domain"].dense(w, resampling=again)
        for k, dom in enumerate(parts.domains):
            if pv[0, k, 1:].sum() > 0:
                _, b, c, _ = _family(pv[:, k], pline[:, k], n)
            else:
                b = c = Result(None, "nobody used a code of this domain", n)
            per_domain[dom] = {"binary": res(b), "cu": res(c)}
    return UnitizedResult(res(ua), res(binary), res(cu), res(cu_dom), res(overall), per_code,
                          per_domain, parts.segments, parts.unioned, parts.conflicts, parts.notes)  # fmt: skip


def unitized(
    continua: Sequence[Continuum],
    *,
    values: Sequence[Hashable] | None = None,
    domains: Mapping[Any, Hashable] | None = None,
) -> UnitizedResult:
    """Krippendorff's unitizing alphas of the codings on ``continua`` (see the module docstring
    and ``RULES``). ``values`` orders the per-code results (and may add codes nobody used);
    ``domains`` maps code -> semantic domain for Cuα (default: every code its own domain)."""
    return family_from_parts(study_parts(continua, values=values, domains=domains))
