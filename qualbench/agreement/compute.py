"""Intercoder agreement on a project: per code (present or absent in each unit), pooled over
codes, across a domain of mutually exclusive codes, and by matching coded segments.

Every result says what was counted: the unit, how uncoded text was counted, the documents used,
and each coefficient's chance model. Undefined values stay undefined, with the reason.
"""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, select
from sqlmodel import Session

from qualbench.agreement import stats
from qualbench.agreement.confidence import (
    DEFAULT_SEED,
    MINIMUMS,
    Interval,
    alpha_bootstrap,
    alpha_group_bootstrap,
    group_draws,
    standard_error,
)
from qualbench.agreement.patterns import covered_units, sweep
from qualbench.db import CODER, CODING, DOCUMENT, TURN
from qualbench.errors import UserError
from qualbench.progress import CancelCheck, Cancelled, Progress, never, no_progress
from qualbench.segments import UNITS, unit_spans
from qualbench.services.codes import CodeNode, code_tree
from qualbench.services.documents import NotFound

NONE = "(none)"
# The coefficients, in the order tables show them.
COEFFICIENTS = {
    "percent": "Percent agreement",
    "cohen": "Cohen's kappa",
    "scott": "Scott's pi",
    "fleiss": "Fleiss' kappa",
    "alpha": "Krippendorff's alpha (nominal)",
    "bp": "Brennan-Prediger kappa",
    "ac1": "Gwet's AC1",
}  # the value of a unit no code of the domain covers
CHANCE = {
    "percent": "none (raw share of agreeing units)",
    "cohen": "each coder's own distribution of values (Cohen 1960)",
    "scott": "the coders' pooled distribution (Scott 1955)",
    "fleiss": "the coders' pooled distribution (Fleiss 1971)",
    "alpha": "the pooled distribution of all values, missing data allowed (Krippendorff 2004/2011)",
    "bp": "uniform over the possible values (Brennan & Prediger 1981; MAXQDA's model)",
    "ac1": "Gwet's (2008) chance model, robust to rare codes",
}


@dataclass(frozen=True)
class AgreementOptions:
    """What to compare. Validated without Qt (the GUI binds its dialog to it)."""

    coders: tuple[str, ...]
    code_ids: tuple[int, ...] = ()  # () = every code the coders used
    domain: tuple[int, ...] = ()  # mutually exclusive codes compared as one variable
    document_ids: tuple[int, ...] = ()  # () = every document all the coders coded
    unit: str = "sentence"
    uncoded: str = (
        "category"  # domain: an uncoded unit is the value "(none)" ("missing": not judged)
    )
    origins: tuple[str, ...] = ("manual", "imported")  # auto-coding left out unless asked
    overlap: float = 0.9  # segment matching: intersection over union needed for a match
    resamples: int = 1000  # bootstrap of alpha (Hayes & Krippendorff 2007); 0 = none
    seed: int = DEFAULT_SEED
    minimums: tuple[float, ...] = MINIMUMS  # report the probability that alpha falls below each
    level: float = 0.95  # confidence level of the intervals
    intervals: bool = True  # False: coefficients only (reconciliation needs no intervals)

    def problems(self) -> list[str]:
        out = []
        if len(set(self.coders)) < 2:
            out.append("choose at least two coders")
        if self.unit not in UNITS:
            out.append(f"the unit must be one of {', '.join(UNITS)}")
        if self.uncoded not in ("category", "missing"):
            out.append("uncoded text in a domain is either a category or missing")
        if not 0 < self.overlap <= 1:
            out.append("the overlap threshold is a share between 0 and 1")
        if self.domain and len(self.domain) < 2:
            out.append("a domain needs at least two codes")
        if self.resamples < 0:
            out.append("the number of bootstrap resamples cannot be negative")
        if not 0 < self.level < 1:
            out.append("the confidence level is a share between 0 and 1, e.g. 0.95")
        if any(not -1 <= m <= 1 for m in self.minimums):
            out.append("a minimum alpha lies between -1 and 1")
        return out


@dataclass
class CodeResult:
    code_id: int
    path: str
    coded: dict[str, float]  # units (or characters) each coder coded
    coefficients: dict[str, stats.Result]
    confusion: list[list[float]] | None = (
        None  # 2 coders: rows = first coder, cols = second; absent, present
    )
    # coefficient -> interval from its standard error; "alpha_boot": the bootstrap of alpha
    intervals: dict[str, Interval] = field(default_factory=dict)


@dataclass
class SegmentResult:
    code_id: int
    path: str
    segments: dict[str, int]
    matched: dict[str, int]
    percent: stats.Result


@dataclass
class Disagreement:
    document_id: int
    document: str
    start: int
    end: int
    code_id: int
    coded_by: tuple[str, ...]
    not_coded_by: tuple[str, ...]


@dataclass
class AgreementReport:
    options: AgreementOptions
    coders: list[str]
    unit: str
    unit_description: str
    documents: list[str]
    documents_left_out: list[str]
    total: float  # units (or characters) per code
    per_code: list[CodeResult]
    overall: dict[str, stats.Result]
    domain: dict[str, stats.Result] = field(default_factory=dict)
    overall_intervals: dict[str, Interval] = field(default_factory=dict)
    domain_intervals: dict[str, Interval] = field(default_factory=dict)
    domain_categories: list[str] = field(default_factory=list)
    domain_confusion: list[list[float]] | None = None
    domain_conflicts: int = 0  # units where a coder applied two codes of the domain
    segments: list[SegmentResult] = field(default_factory=list)
    disagreements: list[Disagreement] = field(default_factory=list)
    # (document id, start, end, code id) of units every coder coded; only when asked for
    agreed: list[tuple[int, int, int, int]] | None = None
    notes: list[str] = field(default_factory=list)


@dataclass
class Selection:
    """The codings an agreement run compares: coders, codes, and the documents every chosen
    coder coded, with each document's codings as (start, end, code id, coder id)."""

    names: list[str]
    coder_ids: list[int]
    nodes: dict[int, CodeNode]  # code id -> node (path, depth), in tree order
    documents: list[int]
    all_documents: dict[int, str]  # id -> name, every document in project order
    left_out: list[str]
    code_ids: list[int]
    by_document: dict[int, list[tuple[int, int, int, int]]]


def select_codings(session: Session, options: AgreementOptions) -> Selection:
    """Resolve ``options`` against the project: raises UserError/NotFound with a clear message."""
    if problems := options.problems():
        raise UserError("; ".join(problems))
    names = list(dict.fromkeys(options.coders))
    ids = dict(
        session.execute(select(CODER.c.name, CODER.c.id).where(CODER.c.name.in_(names))).all()
    )
    if missing := [n for n in names if n not in ids]:
        raise NotFound(f"no coder {missing[0]!r} in the project")
    coder_ids = [ids[n] for n in names]
    nodes = {n.id: n for n in code_tree(session)}
    for cid in (*options.code_ids, *options.domain):
        if cid not in nodes:
            raise NotFound(f"code {cid} does not exist")

    where = and_(CODING.c.coder_id.in_(coder_ids), CODING.c.origin.in_(list(options.origins)))
    if options.document_ids:
        where = and_(where, CODING.c.document_id.in_(list(options.document_ids)))
    rows = session.execute(
        select(
            CODING.c.document_id, CODING.c.start, CODING.c.end, CODING.c.code_id, CODING.c.coder_id
        ).where(where)
    ).all()
    by_doc_coder: dict[int, set[int]] = {}
    by_doc: dict[int, list[tuple[int, int, int, int]]] = {}
    for d, a, z, code, coder in rows:
        by_doc_coder.setdefault(d, set()).add(coder)
        by_doc.setdefault(d, []).append((a, z, code, coder))
    all_docs = dict(
        session.execute(
            select(DOCUMENT.c.id, DOCUMENT.c.name).order_by(DOCUMENT.c.position, DOCUMENT.c.id)
        ).all()
    )
    wanted = [d for d in all_docs if not options.document_ids or d in options.document_ids]
    docs = [d for d in wanted if by_doc_coder.get(d, set()) >= set(coder_ids)]
    left_out = [all_docs[d] for d in wanted if d not in docs]
    order = {cid: i for i, cid in enumerate(nodes)}
    chosen = set(docs)
    code_ids = list(options.code_ids) or sorted(
        {r[3] for r in rows if r[0] in chosen}, key=order.__getitem__
    )
    return Selection(names, coder_ids, nodes, docs, all_docs, left_out, code_ids, by_doc)


def _coefficients(p: stats.Patterns, coders: int, categories: int) -> dict[str, stats.Result]:
    out = {"percent": stats.percent_agreement(p)}
    if coders == 2:
        out["cohen"] = stats.cohen_kappa(p)
        out["scott"] = stats.scott_pi(p)
    out["fleiss"] = stats.fleiss_kappa(p)
    out["alpha"] = stats.krippendorff_alpha(p)
    out["bp"] = stats.brennan_prediger(p, categories=categories)
    out["ac1"] = stats.gwet_ac1(p)
    return out


CHARACTERS_NOT_INDEPENDENT = (
    "no interval at character level: neighbouring characters are not independent judgements, "
    "so a standard error over characters would be far too small (choose sentences, paragraphs, "
    "turns or documents, or the unitized coefficients)"
)


def _intervals(
    p: stats.Patterns,
    results: dict[str, stats.Result],
    categories: int,
    options: AgreementOptions,
    documents: Sequence[stats.Patterns],
    cancel: CancelCheck,
    draws: dict[tuple[int, int, int], Any],
) -> dict[str, Interval]:
    """Each coefficient's interval from Gwet's variance formulas (irrCAC); for alpha also a
    bootstrap that resamples whole documents ("alpha_boot"), and Hayes & Krippendorff's (2007)
    bootstrap of pairable values ("alpha_kalpha"), each with the chance of falling below the
    minimums."""
    level = options.level
    if not options.intervals:
        return {}
    if options.unit == "character":
        out = {
            k: Interval(None, None, level, undefined=CHARACTERS_NOT_INDEPENDENT)
            for k in [*results, "alpha_kalpha"]
        }
    else:
        out = {
            key: standard_error(key, p, categories=categories if key == "bp" else None, level=level)
            for key in results
        }
    if not options.resamples:
        return out
    groups = [g for g in documents if g]
    if len(groups) < 2:
        out["alpha_boot"] = Interval(
            None, None, level, undefined="a bootstrap over documents needs at least 2 documents"
        )
    else:
        key = (len(groups), options.resamples, options.seed)
        if key not in draws:  # the same resampled documents serve every code
            draws[key] = group_draws(*key)
        out["alpha_boot"] = alpha_group_bootstrap(
            groups,
            draws=draws[key],
            resamples=options.resamples,
            seed=options.seed,
            minimums=options.minimums,
            level=level,
            cancel=cancel,
        )
    if options.unit != "character":
        out["alpha_kalpha"] = alpha_bootstrap(
            p,
            resamples=options.resamples,
            seed=options.seed,
            minimums=options.minimums,
            level=level,
            cancel=cancel,
        )
    return out


def agreement(
    session: Session,
    options: AgreementOptions,
    *,
    progress: Progress = no_progress,
    cancel: CancelCheck = never,
    keep_agreed: bool = False,
) -> AgreementReport:
    """Compare the coders' codings as ``options`` says; ``keep_agreed`` also lists the units
    every coder coded with a code (reconciliation seeds its consensus layer with them)."""
    sel = select_codings(session, options)
    names, coder_ids, nodes, docs, all_docs = (
        sel.names,
        sel.coder_ids,
        sel.nodes,
        sel.documents,
        sel.all_documents,
    )
    by_doc, left_out, code_ids = sel.by_document, sel.left_out, sel.code_ids
    report = AgreementReport(
        options=options, coders=names, unit=options.unit, unit_description="", documents=[all_docs[d] for d in docs],
        documents_left_out=left_out, total=0, per_code=[], overall={},
    )  # fmt: skip
    if keep_agreed:
        report.agreed = []
    draws: dict[tuple[int, int, int], Any] = {}  # resampled documents, shared by the codes
    per_code: dict[int, Counter[tuple[Hashable | None, ...]]] = {c: Counter() for c in code_ids}
    domain: Counter[tuple[Hashable | None, ...]] = Counter()
    # the same patterns document by document: the bootstrap resamples whole documents
    doc_groups: dict[int, list[Counter[tuple[Hashable | None, ...]]]] = {c: [] for c in code_ids}
    domain_groups: list[Counter[tuple[Hashable | None, ...]]] = []
    seg_counts = {c: (dict.fromkeys(names, 0), dict.fromkeys(names, 0)) for c in code_ids}
    descriptions = set()
    index = {cid: i for i, cid in enumerate(coder_ids)}
    for n, doc_id in enumerate(docs):
        if cancel():
            raise Cancelled
        progress(n, len(docs), all_docs[doc_id])
        text = session.execute(select(DOCUMENT.c.text).where(DOCUMENT.c.id == doc_id)).scalar_one()
        layers: dict[int, list[list[tuple[int, int, Hashable]]]] = {}
        for a, z, code, coder in by_doc.get(doc_id, []):
            layers.setdefault(code, [[] for _ in coder_ids])[index[coder]].append((a, z, code))
        doc_codes: dict[int, Counter[tuple[Hashable | None, ...]]] = {
            c: Counter() for c in code_ids
        }
        doc_domain: Counter[tuple[Hashable | None, ...]] = Counter()
        if options.unit == "character":
            descriptions.add("characters (every character of the text counts, uncoded text too)")
            report.total += len(text)
            _character_patterns(
                text,
                code_ids,
                coder_ids,
                layers,
                doc_codes,
                options,
                doc_domain,
                report,
                doc_id,
                all_docs[doc_id],
            )
        else:
            turns = session.execute(  # the units need them; characters do not
                select(TURN.c.start, TURN.c.body_start, TURN.c.end).where(
                    TURN.c.document_id == doc_id
                )
            ).all()
            units, description = unit_spans(text, [(t[0], t[1], t[2]) for t in turns], options.unit)
            descriptions.add(description)
            report.total += len(units)
            _unit_patterns(
                units,
                code_ids,
                coder_ids,
                layers,
                doc_codes,
                options,
                doc_domain,
                report,
                doc_id,
                all_docs[doc_id],
            )
        for c in code_ids:
            per_code[c].update(doc_codes[c])
            doc_groups[c].append(doc_codes[c])
        domain.update(doc_domain)
        domain_groups.append(doc_domain)
        _match_segments(code_ids, coder_ids, names, layers, seg_counts, options.overlap)
    progress(len(docs), len(docs), "coefficients")
    report.unit_description = "; ".join(sorted(descriptions)) or options.unit

    pooled: Counter[tuple[Hashable | None, ...]] = Counter()
    for code in code_ids:
        p = per_code[code]
        pooled.update(p)
        coded = {
            name: float(sum(w for pat, w in p.items() if pat[i] == 1))
            for i, name in enumerate(names)
        }
        confusion = None
        if len(names) == 2:
            confusion = [
                [p.get((0, 0), 0.0), p.get((0, 1), 0.0)],
                [p.get((1, 0), 0.0), p.get((1, 1), 0.0)],
            ]
        results = _coefficients(dict(p), len(names), 2)
        report.per_code.append(
            CodeResult(
                code,
                nodes[code].path,
                coded,
                results,
                confusion,
                _intervals(dict(p), results, 2, options, doc_groups[code], cancel, draws),
            )
        )
        found, matched = seg_counts[code]
        total_segments = sum(found.values())
        percent = (
            stats.Result(sum(matched.values()) / total_segments, n=total_segments)
            if total_segments
            else stats.Result(None, "no coded segments of this code", 0)
        )
        report.segments.append(
            SegmentResult(code, nodes[code].path, dict(found), dict(matched), percent)
        )
    report.overall = _coefficients(dict(pooled), len(names), 2)
    pooled_groups = [sum((g[i] for g in doc_groups.values()), Counter()) for i in range(len(docs))]
    report.overall_intervals = _intervals(
        dict(pooled), report.overall, 2, options, pooled_groups, cancel, draws
    )
    if options.domain:
        categories = [nodes[c].path for c in options.domain] + (
            [NONE] if options.uncoded == "category" else []
        )
        report.domain = _coefficients(dict(domain), len(names), len(categories))
        report.domain_intervals = _intervals(
            dict(domain), report.domain, len(categories), options, domain_groups, cancel, draws
        )
        report.domain_categories = categories
        if len(names) == 2:
            keys = list(options.domain) + ([NONE] if options.uncoded == "category" else [])
            report.domain_confusion = [[float(domain.get((a, b), 0.0)) for b in keys] for a in keys]
    report.notes = _notes(report, options)
    return report


def _unit_patterns(
    units: Sequence[tuple[int, int]],
    code_ids: Sequence[int],
    coder_ids: Sequence[int],
    layers: dict[int, list[list[tuple[int, int, Hashable]]]],
    per_code: dict[int, Counter[tuple[Hashable | None, ...]]],
    options: AgreementOptions,
    domain: Counter[tuple[Hashable | None, ...]],
    report: AgreementReport,
    doc_id: int,
    doc_name: str,
) -> None:
    starts = [u[0] for u in units]
    m = len(coder_ids)
    for code in code_ids:
        per_coder = [
            covered_units(units, starts, [(a, z) for a, z, _ in spans])
            for spans in layers.get(code, [[]] * m)
        ]
        touched = set().union(*per_coder) if per_coder else set()
        for u in touched:
            pattern = tuple(1 if u in c else 0 for c in per_coder)
            per_code[code][pattern] += 1
            if len(set(pattern)) > 1:
                a, z = units[u]
                report.disagreements.append(
                    _disagreement(doc_id, doc_name, a, z, code, pattern, report.coders)
                )
            elif report.agreed is not None:
                report.agreed.append((doc_id, *units[u], code))
        per_code[code][(0,) * m] += len(units) - len(touched)
    if options.domain:
        covered = {
            code: [
                covered_units(units, starts, [(a, z) for a, z, _ in spans])
                for spans in layers.get(code, [[]] * m)
            ]
            for code in options.domain
        }
        for u in range(len(units)):
            values = []
            for i in range(m):
                here = [code for code in options.domain if u in covered[code][i]]
                values.append(_domain_value(here, options, report))
            domain[tuple(values)] += 1


def _domain_value(
    here: Sequence[Hashable], options: AgreementOptions, report: AgreementReport
) -> Hashable | None:
    if len(here) > 1:
        report.domain_conflicts += 1
        return None  # two codes of a mutually exclusive domain: the coder's judgement is unusable
    if here:
        return here[0]
    return NONE if options.uncoded == "category" else None


def _character_patterns(
    text: str,
    code_ids: Sequence[int],
    coder_ids: Sequence[int],
    layers: dict[int, list[list[tuple[int, int, Hashable]]]],
    per_code: dict[int, Counter[tuple[Hashable | None, ...]]],
    options: AgreementOptions,
    domain: Counter[tuple[Hashable | None, ...]],
    report: AgreementReport,
    doc_id: int,
    doc_name: str,
) -> None:
    m = len(coder_ids)
    length = len(text)
    for code in code_ids:
        spans = layers.get(code, [[] for _ in range(m)])
        if all(0 <= a < z <= length for layer in spans for a, z, _ in layer):
            weights, stretches = _code_sweep(length, spans)
        else:  # spans outside the text (a damaged project): the general, clamping sweeps
            weights = Counter()
            for sets, weight in sweep(length, spans).items():
                weights[tuple(1 if s else 0 for s in sets)] += weight
            stretches = _stretches(length, spans)
        for pattern, weight in weights.items():
            per_code[code][pattern] += weight
        for a, z, covered in stretches:
            if not all(covered):
                pattern = tuple(int(c) for c in covered)
                report.disagreements.append(
                    _disagreement(doc_id, doc_name, a, z, code, pattern, report.coders)
                )
            elif report.agreed is not None:
                report.agreed.append((doc_id, a, z, code))
    if options.domain:
        merged: list[list[tuple[int, int, Hashable]]] = [[] for _ in range(m)]
        for code in options.domain:
            for i, layer in enumerate(layers.get(code, [])):
                merged[i].extend(layer)
        for sets, weight in sweep(len(text), merged).items():
            domain[tuple(_domain_value(sorted(s, key=str), options, report) for s in sets)] += (
                weight
            )


def _code_sweep(
    length: int, spans: Sequence[Sequence[tuple[int, int, Hashable]]]
) -> tuple[Counter[tuple[Hashable | None, ...]], list[tuple[int, int, tuple[bool, ...]]]]:
    """One code's spans (within ``[0, length)``) in one pass: characters by which coders cover
    them, as :func:`sweep` counts them (patterns of 0/1 in order of first appearance), and the
    stretches :func:`_stretches` returns."""
    events = sorted(
        (p, step, i)
        for i, layer in enumerate(spans)
        for a, z, _ in layer
        for p, step in ((a, 1), (z, -1))
    )
    depth = [0] * len(spans)
    weights: Counter[tuple[Hashable | None, ...]] = Counter()
    out: list[tuple[int, int, tuple[bool, ...]]] = []
    pos, k = 0, 0
    while k < len(events):
        at = events[k][0]
        if at > pos:
            covered = tuple(d > 0 for d in depth)
            weights[tuple(1 if c else 0 for c in covered)] += at - pos
            if any(covered):
                if out and out[-1][1] == pos and out[-1][2] == covered:
                    out[-1] = (out[-1][0], at, covered)
                else:
                    out.append((pos, at, covered))
            pos = at
        while k < len(events) and events[k][0] == at:
            depth[events[k][2]] += events[k][1]
            k += 1
    if length > pos:
        weights[(0,) * len(spans)] += length - pos
    return weights, out


def _stretches(
    length: int, spans: Sequence[Sequence[tuple[int, int, Hashable]]]
) -> list[tuple[int, int, tuple[bool, ...]]]:
    """Maximal stretches of text some coder covers with the code, with who covers each."""
    events = sorted(
        (p, step, i)
        for i, layer in enumerate(spans)
        for a, z, _ in layer
        for p, step in ((max(0, a), 1), (min(length, z), -1))
    )
    depth = [0] * len(spans)
    out: list[tuple[int, int, tuple[bool, ...]]] = []
    pos, k = 0, 0
    while k < len(events):
        at = events[k][0]
        covered = tuple(d > 0 for d in depth)
        if at > pos and any(covered):
            if out and out[-1][1] == pos and out[-1][2] == covered:
                out[-1] = (out[-1][0], at, covered)
            else:
                out.append((pos, at, covered))
        pos = max(pos, at)
        while k < len(events) and events[k][0] == at:
            depth[events[k][2]] += events[k][1]
            k += 1
    return out


def _disagreement(
    doc_id: int,
    doc: str,
    a: int,
    z: int,
    code: int,
    pattern: tuple[Hashable | None, ...],
    names: list[str],
) -> Disagreement:
    return Disagreement(
        doc_id, doc, a, z, code,
        tuple(n for n, v in zip(names, pattern, strict=True) if v == 1),
        tuple(n for n, v in zip(names, pattern, strict=True) if v != 1),
    )  # fmt: skip


def _match_segments(
    code_ids: Sequence[int],
    coder_ids: Sequence[int],
    names: Sequence[str],
    layers: dict[int, list[list[tuple[int, int, Hashable]]]],
    counts: dict[int, tuple[dict[str, int], dict[str, int]]],
    threshold: float,
) -> None:
    """MAXQDA/QDA Miner style: a coder's segment matches when another coder has a segment of
    the same code overlapping it by at least ``threshold`` (intersection over union).

    Only the other segments that could reach the threshold are compared: a segment [s, e)
    matching [a, z) has e - s <= (z - a) / threshold (the union is at least its length, the
    intersection at most z - a) and overlaps it, so it starts after a - (z - a) / threshold and
    before z; the window searched is twice as wide, so rounding cannot matter."""
    for code in code_ids:
        spans = layers.get(code)
        if not spans:
            continue
        found, matched = counts[code]
        for i, mine in enumerate(spans):
            others = sorted((s, e) for j, layer in enumerate(spans) if j != i for s, e, _ in layer)
            same = set(others)
            starts = [s for s, _ in others]
            for a, z, _ in mine:
                found[names[i]] += 1
                if (a, z) in same:  # identical segments overlap entirely (1 >= any threshold)
                    matched[names[i]] += 1
                    continue
                k = bisect.bisect_left(starts, a - 2 * (z - a) / threshold - 1)
                while k < len(others) and starts[k] < z:
                    s, e = others[k]
                    if max(0, min(z, e) - max(a, s)) / (max(z, e) - min(a, s)) >= threshold:
                        matched[names[i]] += 1
                        break
                    k += 1


def _notes(report: AgreementReport, options: AgreementOptions) -> list[str]:
    notes = [
        f"Unit: {report.unit_description}. A unit counts as coded with a code when at least one of its characters is.",
        "Uncoded units count as agreement that the code is absent (present/absent judgements per unit and code).",
        "Overall values pool every code's present/absent judgements (each unit once per code).",
        f"Documents: {len(report.documents)} coded by every coder"
        + (
            f"; {len(report.documents_left_out)} left out because not every coder coded them"
            if report.documents_left_out
            else ""
        ),
        f"Codings of origin {', '.join(options.origins)} only (auto-coding suggestions are not judgements)"
        if "auto" not in options.origins
        else "Auto-coded codings are included.",
        "Segment matching: a coder's segment matches when another coder has the same code on a "
        f"segment overlapping it by at least {options.overlap:.0%} (intersection over union); "
        "percent = matched segments / all segments.",
    ]
    if options.domain:
        notes.append(
            "Domain: the codes "
            + ", ".join(report.domain_categories)
            + (
                " (an uncoded unit is the value '(none)')"
                if options.uncoded == "category"
                else " (uncoded units are missing data)"
            )
            + "; units where a coder used two codes of the domain count as missing for that coder "
            + f"({report.domain_conflicts})."
        )
    notes += [f"Chance model of {COEFFICIENTS[k]}: {v}." for k, v in CHANCE.items()]
    if options.unit == "character":
        notes.append("Intervals: none; " + CHARACTERS_NOT_INDEPENDENT + ".")
    else:
        notes.append(
            f"Intervals ({options.level:.0%}): from each coefficient's standard error as Gwet "
            "(2008; Handbook of Inter-Rater Reliability, 2014, ch. 5) and the irrCAC package "
            "compute it, with Student's t on n - 1 degrees of freedom, treating the units as a "
            "simple random sample (units within one document are not independent, so read "
            "them as lower bounds of the uncertainty)."
        )
        if options.resamples:
            notes.append(
                "Krippendorff's alpha (Hayes & Krippendorff 2007 bootstrap, as in KALPHA): "
                f"{options.resamples:,} resamples of pairable values drawn from the observed "
                "coincidences; it draws at most 25 pairs per filled cell of the coincidence "
                "matrix, so its interval stays wide however many units there are."
            )
    if options.resamples:
        minimums = ", ".join(f"{m:g}" for m in options.minimums)
        notes.append(
            f"Krippendorff's alpha bootstrap over documents: {options.resamples:,} resamples of "
            "the compared documents drawn with replacement (units of one transcript stay "
            f"together), seed {options.seed}, percentile interval; P(alpha < m) for m = "
            f"{minimums} is the share of resampled alphas below m. Resamples where alpha is "
            "undefined (e.g. no document with the code drawn) are left out and counted."
        )
    return notes
