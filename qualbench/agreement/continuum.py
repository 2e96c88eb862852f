"""Agreement on the text itself: Krippendorff's unitized alphas of a project's codings.

The same selection as unit-based agreement (coders, codes, documents, origins; see
``compute.AgreementOptions``), but nothing is cut into units: each document's text is a
continuum of code points and the coders' spans are compared as they are (``unitized``). The
semantic domains behind Cuα are the top-level codes of the codebook (a code and everything under
it); when a domain of mutually exclusive codes is chosen, only its codes are compared. Intervals come from a
bootstrap that resamples whole documents (``family_from_parts`` with resampling weights).
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field

import numpy as np
from sqlalchemy import func, select
from sqlmodel import Session

from qualbench.agreement.compute import AgreementOptions, select_codings
from qualbench.agreement.confidence import Interval, _interval
from qualbench.agreement.stats import Result
from qualbench.agreement.unitized import (
    RULES,
    Continuum,
    StudyParts,
    UnitizedResult,
    family_from_parts,
    study_parts,
)
from qualbench.db import DOCUMENT
from qualbench.progress import CancelCheck, Cancelled, Progress, never, no_progress

# The study-wide coefficients, in the order tables show them, with what each measures.
FAMILY = {
    "u_alpha": ("uα", "codes and uncoded gaps as values of one variable: where and what"),
    "binary": ("|uα", "coded vs not coded, whatever the code: where the relevant text is"),
    "cu_alpha": ("cuα", "which code, where the coders' coded spans overlap: what, given where"),
    "Cu_alpha": ("Cuα", "which semantic domain (top-level code), where coded spans overlap"),
    "u1995_overall": ("u-α (1995)", "Krippendorff's earlier unitizing alpha, over the codes"),
}
PER_CODE = {
    "binary": ("|uα", "this code vs everything else: do the coders mark the same stretches?"),
    "k": ("(k)uα", "agreement on this code where coded spans overlap"),
    "u1995": ("u-α (1995)", "Krippendorff (1995; 2004, ch. 11), as other software reports it"),
}
SOURCES = (
    "Krippendorff, Mathet, Bouvry & Widlöcher (2016), On the reliability of unitizing textual "
    "continua: Further developments, Quality & Quantity 50:2347-2364; Krippendorff (2019), "
    "Content Analysis, 4th ed., sec. 12.6; the 1995 u-α: Krippendorff (1995), Sociological "
    "Methodology 25:47-76, and Content Analysis, 2nd ed. (2004), ch. 11"
)


@dataclass
class UnitizedReport:
    options: AgreementOptions
    coders: list[str]
    documents: list[str]
    documents_left_out: list[str]
    length: int  # code points of all compared documents
    codes: list[tuple[int, str]]  # (id, path) in codebook order
    domains: dict[str, list[str]]  # domain (top-level code path) -> code paths in it
    result: UnitizedResult
    # "family:<key>" and "<code id>:<key>" -> bootstrap interval over documents
    intervals: dict[str, Interval] = field(default_factory=dict)
    coded: dict[str, int] = field(default_factory=dict)  # code points each coder coded
    notes: list[str] = field(default_factory=list)


def unitized_agreement(
    session: Session,
    options: AgreementOptions,
    *,
    progress: Progress = no_progress,
    cancel: CancelCheck = never,
) -> UnitizedReport:
    """Krippendorff's unitized alphas (2016/2019 family and the 1995 u-α) of ``options``'
    selection, with bootstrap intervals over documents when ``options.resamples`` > 0."""
    sel = select_codings(session, options)
    codes = list(options.domain) or sel.code_ids
    wanted = set(codes)
    index = {cid: i for i, cid in enumerate(sel.coder_ids)}
    continua: list[Continuum] = []
    coded = [0] * len(sel.names)
    # code points (SQLite's and PostgreSQL's length() count characters, not bytes)
    lengths = dict(
        session.execute(
            select(DOCUMENT.c.id, func.length(DOCUMENT.c.text)).where(
                DOCUMENT.c.id.in_(sel.documents)
            )
        ).all()
    )
    for n, doc_id in enumerate(sel.documents):
        if cancel():
            raise Cancelled
        progress(n, len(sel.documents), sel.all_documents[doc_id])
        length = lengths[doc_id]
        layers: list[list[tuple[int, int, Hashable]]] = [[] for _ in sel.coder_ids]
        for a, z, code, coder in sel.by_document.get(doc_id, []):
            if code in wanted:
                layers[index[coder]].append((a, z, code))
                coded[index[coder]] += z - a
        continua.append(Continuum(int(length), layers))
    nodes = sel.nodes
    top = {}  # code -> its semantic domain, the top-level code above it
    for c in codes:
        node = nodes[c]
        while node.parent_id is not None:
            node = nodes[node.parent_id]
        top[c] = node.path
    progress(len(sel.documents), len(sel.documents), "coefficients")
    parts = study_parts(continua, values=codes, domains=top)
    report = UnitizedReport(
        options=options,
        coders=sel.names,
        documents=[sel.all_documents[d] for d in sel.documents],
        documents_left_out=sel.left_out,
        length=sum(c.length for c in continua),
        codes=[(c, nodes[c].path) for c in codes],
        domains={
            d: [nodes[c].path for c in codes if top[c] == d] for d in dict.fromkeys(top.values())
        },
        result=family_from_parts(parts),
        coded=dict(zip(sel.names, coded, strict=True)),
    )
    if options.intervals and options.resamples:
        report.intervals = _bootstrap(parts, report, options, cancel)
    report.notes = _notes(report)
    return report


def _bootstrap(
    parts: StudyParts, report: UnitizedReport, options: AgreementOptions, cancel: CancelCheck
) -> dict[str, Interval]:
    """Percentile intervals from resampling the documents with replacement (Davison & Hinkley
    1997, sec. 3.8), with the share of resampled values below each minimum."""
    docs = len(parts.lengths)
    keys = [f"family:{k}" for k in FAMILY] + [f"{c}:{k}" for c, _ in report.codes for k in PER_CODE]
    if docs < 2:
        why = "a bootstrap over documents needs at least 2 documents"
        return {k: Interval(None, None, options.level, undefined=why) for k in keys}
    rng = np.random.default_rng(options.seed)
    found: dict[str, list[float]] = {k: [] for k in keys}
    for i in range(options.resamples):
        if i % 8 == 0 and cancel():
            raise Cancelled
        weights = rng.multinomial(docs, np.full(docs, 1 / docs)).astype(np.float64)
        r = family_from_parts(parts, weights)
        for k in FAMILY:
            _keep(found[f"family:{k}"], getattr(r, k))
        for c, _ in report.codes:
            for k in PER_CODE:
                _keep(found[f"{c}:{k}"], r.per_code[c][k])
    method = (
        f"bootstrap over documents: {options.resamples:,} resamples of the {docs} documents "
        f"drawn with replacement, seed {options.seed}, percentile interval"
    )
    out = {}
    for key, values in found.items():
        out[key] = _percentile(values, options, method)
    return out


def _keep(values: list[float], r: Result) -> None:
    if r.value is not None:
        values.append(r.value)


def _percentile(values: list[float], options: AgreementOptions, method: str) -> Interval:
    """The same order statistics as the other bootstraps (``confidence._interval``)."""
    dropped = options.resamples - len(values)
    if not values:
        why = "the coefficient was undefined in every resample"
        return Interval(None, None, options.level, method, None, options.resamples,
                        options.seed, {}, why, dropped)  # fmt: skip
    return _interval(np.asarray(values), options.level, method, options.resamples, options.seed,
                     options.minimums, dropped)  # fmt: skip


def _notes(report: UnitizedReport) -> list[str]:
    r, names = report.result, report.coders
    notes = [
        f"Continuum: {report.length:,} code points in {len(report.documents)} documents coded by "
        "every coder"
        + (
            f"; {len(report.documents_left_out)} left out because not every coder coded them"
            if report.documents_left_out
            else ""
        )
        + ".",
        *RULES,
        "Semantic domains (for Cuα): "
        + (
            "the chosen domain of mutually exclusive codes."
            if report.options.domain
            else "each top-level code with the codes under it (" + ", ".join(report.domains) + ")."
        ),
        "Segments per coder: "
        + ", ".join(f"{n} {s:,}" for n, s in zip(names, r.segments, strict=True))
        + "; overlapping codings of the same code joined: "
        + ", ".join(f"{n} {s:,}" for n, s in zip(names, r.unioned, strict=True))
        + "; overlaps between different codes by one coder: "
        + ", ".join(f"{n} {s:,}" for n, s in zip(names, r.conflicts, strict=True))
        + ".",
        *(n[0].upper() + n[1:] + "." for n in r.notes if not n.startswith("coder ")),
        f"Sources: {SOURCES}.",
    ]
    if report.options.resamples and report.intervals:
        notes.append(
            f"Intervals ({report.options.level:.0%}): {report.options.resamples:,} bootstrap "
            "resamples of whole documents (drawn with replacement), seed "
            f"{report.options.seed}; P(alpha < m) is the share of resampled values below m. "
            "Resamples where a coefficient is undefined are left out and counted."
        )
    origins = report.options.origins
    if "auto" not in origins:
        notes.append(
            f"Codings of origin {', '.join(origins)} only (auto-coding suggestions are not "
            "judgements)."
        )
    return notes
