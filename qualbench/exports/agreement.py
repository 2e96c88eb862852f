"""Agreement results to CSV, XLSX and JSON. Counts and coefficients only: no transcript text
(disagreements are given by document and character positions)."""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from qualbench.agreement.compute import COEFFICIENTS, AgreementReport
from qualbench.agreement.confidence import Interval
from qualbench.agreement.continuum import FAMILY, PER_CODE, UnitizedReport
from qualbench.agreement.stats import Result
from qualbench.agreement.text import methods_paragraph, unitized_paragraph
from qualbench.exports import ExportError, atomic_path

FORMATS = (".csv", ".xlsx", ".json")
CONTENTS = "Intercoder agreement: coefficients and counts; no transcript text"
BOOTSTRAPS = {
    "alpha_boot": "Krippendorff's alpha, bootstrap over documents",
    "alpha_kalpha": "Krippendorff's alpha, Hayes & Krippendorff (2007) bootstrap",
}


def _result(r: Result) -> dict[str, Any]:
    return {"value": r.value, "undefined": r.undefined or None, "n": r.n, "detail": dict(r.detail)}


def interval_dict(i: Interval) -> dict[str, Any]:
    return {
        "low": i.low,
        "high": i.high,
        "level": i.level,
        "standard_error": i.se,
        "method": i.method or None,
        "resamples": i.resamples or None,
        "seed": i.seed,
        "dropped_resamples": i.dropped or None,
        "probability_below": {str(k): v for k, v in i.below.items()} or None,
        "undefined": i.undefined or None,
    }


def _intervals(values: dict[str, Interval]) -> dict[str, Any]:
    return {k: interval_dict(v) for k, v in values.items()}


def report_dict(report: AgreementReport) -> dict[str, Any]:
    """Everything in the report, for JSON."""
    o = report.options
    paths = _paths(report)
    return {
        "contents": CONTENTS,
        "coders": report.coders,
        "unit": report.unit,
        "unit_description": report.unit_description,
        "uncoded": o.uncoded,
        "origins": list(o.origins),
        "segment_overlap": o.overlap,
        "documents": report.documents,
        "documents_left_out": report.documents_left_out,
        "units_per_code": report.total,
        "confidence": {
            "level": o.level,
            "bootstrap_resamples": o.resamples,
            "seed": o.seed,
            "minimums": list(o.minimums),
        },
        "overall": {k: _result(v) for k, v in report.overall.items()},
        "overall_intervals": _intervals(report.overall_intervals),
        "codes": [
            {
                "code": r.path,
                "coded": r.coded,
                "coefficients": {k: _result(v) for k, v in r.coefficients.items()},
                "intervals": _intervals(r.intervals),
                "confusion": r.confusion,
            }
            for r in report.per_code
        ],
        "domain": {
            "categories": report.domain_categories,
            "coefficients": {k: _result(v) for k, v in report.domain.items()},
            "intervals": _intervals(report.domain_intervals),
            "confusion": report.domain_confusion,
            "units_with_two_codes": report.domain_conflicts,
        }
        if report.domain
        else None,
        "segments": [
            {
                "code": s.path,
                "segments": s.segments,
                "matched": s.matched,
                "percent": _result(s.percent),
            }
            for s in report.segments
        ],
        "disagreements": [
            {
                "document": d.document,
                "start": d.start,
                "end": d.end,
                "code": paths.get(d.code_id, str(d.code_id)),
                "coded_by": list(d.coded_by),
                "not_coded_by": list(d.not_coded_by),
            }
            for d in report.disagreements
        ],
        "notes": report.notes,
        "methods": methods_paragraph(report),
    }


def _paths(report: AgreementReport) -> dict[int, str]:
    return {r.code_id: r.path for r in report.per_code}


def agreement_grid(report: AgreementReport) -> tuple[list[str], list[list[Any]]]:
    """One row per code (and the pooled and domain rows): units coded by each coder, every
    coefficient, segment matching, and why a value is undefined."""
    keys = [k for k in COEFFICIENTS if k in report.overall]
    coders = report.coders
    header = [
        "code",
        *(f"units coded by {c}" for c in coders),
        "units",
        *(COEFFICIENTS[k] for k in keys),
        *(f"segments of {c}" for c in coders),
        *(f"matched segments of {c}" for c in coders),
        "segments matched (share)",
        *_boot_header(report),
        "undefined values",
    ]
    segments = {s.code_id: s for s in report.segments}

    def why(values: dict[str, Result]) -> str:
        return "; ".join(
            f"{COEFFICIENTS[k]}: {v.undefined}" for k, v in values.items() if v.value is None
        )

    rows: list[list[Any]] = []
    for r in report.per_code:
        seg = segments.get(r.code_id)
        rows.append(
            [
                r.path,
                *(r.coded.get(c, 0) for c in coders),
                report.total,
                *(r.coefficients[k].value for k in keys),
                *((seg.segments.get(c, 0) if seg else 0) for c in coders),
                *((seg.matched.get(c, 0) if seg else 0) for c in coders),
                seg.percent.value if seg else None,
                *_boot_cells(report, r.intervals),
                why(r.coefficients),
            ]
        )
    blank = [""] * len(coders)
    total = sum(sum(s.segments.values()) for s in report.segments)
    matched = sum(sum(s.matched.values()) for s in report.segments)
    rows.append(
        [
            "(all codes, pooled)",
            *blank,
            report.total * len(report.per_code),
            *(report.overall[k].value for k in keys),
            *(sum(s.segments.get(c, 0) for s in report.segments) for c in coders),
            *(sum(s.matched.get(c, 0) for s in report.segments) for c in coders),
            matched / total if total else None,
            *_boot_cells(report, report.overall_intervals),
            why(report.overall),
        ]
    )
    if report.domain:
        rows.append(
            [
                "(domain: " + ", ".join(report.domain_categories) + ")",
                *blank,
                report.total,
                *(report.domain[k].value if k in report.domain else None for k in keys),
                *blank,
                *blank,
                None,
                *_boot_cells(report, report.domain_intervals),
                why(report.domain),
            ]
        )
    return header, rows


def _boot_header(report: AgreementReport) -> list[str]:
    o = report.options
    if not o.resamples:
        return []
    level = f"{o.level:.0%}"
    return [
        f"alpha {level} interval, low (bootstrap over documents)",
        f"alpha {level} interval, high (bootstrap over documents)",
        *(f"P(alpha < {m:g})" for m in o.minimums),
    ]


def _boot_cells(report: AgreementReport, intervals: dict[str, Interval]) -> list[Any]:
    o = report.options
    if not o.resamples:
        return []
    i = intervals.get("alpha_boot")
    if i is None:
        return [None] * (2 + len(o.minimums))
    return [i.low, i.high, *(i.below.get(m) for m in o.minimums)]


def interval_rows(report: AgreementReport) -> tuple[list[str], list[list[Any]]]:
    """One row per code (pooled, domain) and coefficient: value, standard error, interval,
    the method, and for the bootstrap of alpha the probability of falling below each minimum."""
    o = report.options
    header = [
        "code",
        "coefficient",
        "value",
        "standard error",
        f"{o.level:.0%} interval, low",
        f"{o.level:.0%} interval, high",
        "method",
        *(f"P(alpha < {m:g})" for m in o.minimums),
        "why no interval",
    ]
    scopes = [(r.path, r.coefficients, r.intervals) for r in report.per_code]
    scopes.append(("(all codes, pooled)", report.overall, report.overall_intervals))
    if report.domain:
        scopes.append(("(domain)", report.domain, report.domain_intervals))
    rows: list[list[Any]] = []
    for name, values, intervals in scopes:
        for key, i in intervals.items():
            base = "alpha" if key in BOOTSTRAPS else key
            value = values[base].value if base in values else None
            rows.append(
                [name, BOOTSTRAPS.get(key) or COEFFICIENTS[key], value, i.se, i.low, i.high]
                + [i.method or None]
                + [i.below.get(m) if key in BOOTSTRAPS else None for m in o.minimums]
                + [i.undefined or None]
            )
    return header, rows


def _confusion_rows(report: AgreementReport) -> tuple[list[str], list[list[Any]]]:
    a, b = report.coders[:2]
    header = [
        "code",
        "neither coded",
        f"only {b}",
        f"only {a}",
        "both coded",
    ]
    rows = [
        [r.path, r.confusion[0][0], r.confusion[0][1], r.confusion[1][0], r.confusion[1][1]]
        for r in report.per_code
        if r.confusion
    ]
    return header, rows


def _write(
    path: str | Path,
    header: list[str],
    rows: list[list[Any]],
    data: Callable[[], dict[str, Any]],
    xlsx: Callable[[Path], None],
) -> Path:
    """CSV (``header`` + ``rows``), JSON (``data()``) or XLSX (``xlsx(file)``) by the suffix,
    written atomically."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise ExportError(f"{path}: unknown format {suffix!r}; use {', '.join(FORMATS)}")
    with atomic_path(path) as tmp:
        if suffix == ".json":
            tmp.write_text(json.dumps(data(), ensure_ascii=False, indent=2), encoding="utf-8")
        elif suffix == ".csv":
            with tmp.open("w", encoding="utf-8-sig", newline="") as f:
                w = csv.writer(f)
                w.writerow(header)
                w.writerows(["" if v is None else v for v in row] for row in rows)
        else:
            xlsx(tmp)
    return path


def write_agreement(report: AgreementReport, path: str | Path, *, project: str) -> Path:
    """Write the report: CSV (the per-code table), XLSX (table, confusion tables, disagreements,
    methods and notes), or JSON (everything)."""
    header, rows = agreement_grid(report)

    def xlsx(tmp: Path) -> None:
        from qualbench.exports.xlsx import write_sheets

        sheets: list[tuple[str, list[str], list[list[Any]]]] = [("Agreement", header, rows)]
        if len(report.coders) == 2:
            sheets.append(("Confusion", *_confusion_rows(report)))
            if report.domain_confusion:
                a, b = report.coders
                sheets.append(
                    (
                        "Domain confusion",
                        [f"{a} \\ {b}", *report.domain_categories],
                        [
                            [c, *row]
                            for c, row in zip(
                                report.domain_categories, report.domain_confusion, strict=True
                            )
                        ],
                    )
                )
        sheets.append(("Intervals", *interval_rows(report)))
        paths = _paths(report)
        sheets.append(
            (
                "Disagreements",
                ["document", "start", "end", "code", "coded by", "not coded by"],
                [
                    [
                        d.document,
                        d.start,
                        d.end,
                        paths.get(d.code_id, str(d.code_id)),
                        ", ".join(d.coded_by),
                        ", ".join(d.not_coded_by),
                    ]
                    for d in report.disagreements
                ],
            )
        )
        sheets.append(
            ("Methods", ["text"], [[methods_paragraph(report)], *([n] for n in report.notes)])
        )
        about = [
            ("Contents", CONTENTS),
            ("Project", project),
            ("Coders", ", ".join(report.coders)),
            ("Unit", report.unit_description),
            (
                "Documents",
                f"{len(report.documents)} compared, {len(report.documents_left_out)} left out",
            ),
            ("Exported", dt.datetime.now(dt.UTC).isoformat(timespec="seconds")),
        ]
        write_sheets(tmp, sheets, about=about)

    return _write(path, header, rows, lambda: {"project": project, **report_dict(report)}, xlsx)


# ------------------------------------------------------------------------- unitized alphas


def unitized_dict(report: UnitizedReport) -> dict[str, Any]:
    """Everything in a unitized report, for JSON."""
    r, o = report.result, report.options
    return {
        "contents": CONTENTS,
        "coders": report.coders,
        "continuum": "each document's text in Unicode code points",
        "code_points": report.length,
        "documents": report.documents,
        "documents_left_out": report.documents_left_out,
        "coded_code_points": report.coded,
        "origins": list(o.origins),
        "confidence": {
            "level": o.level,
            "bootstrap_resamples": o.resamples,
            "seed": o.seed,
            "minimums": list(o.minimums),
        },
        "family": {
            key: {
                "name": label,
                "measures": what,
                **_result(getattr(r, key)),
                "interval": _maybe(report.intervals.get(f"family:{key}")),
            }
            for key, (label, what) in FAMILY.items()
        },
        "codes": [
            {
                "code": path,
                "domain": next((d for d, paths in report.domains.items() if path in paths), None),
                **{
                    key: {
                        "name": label,
                        **_result(r.per_code[code][key]),
                        "interval": _maybe(report.intervals.get(f"{code}:{key}")),
                    }
                    for key, (label, _) in PER_CODE.items()
                },
            }
            for code, path in report.codes
        ],
        "segments": dict(zip(report.coders, r.segments, strict=True)),
        "joined_same_code": dict(zip(report.coders, r.unioned, strict=True)),
        "overlaps_of_different_codes": dict(zip(report.coders, r.conflicts, strict=True)),
        "notes": report.notes,
        "methods": unitized_paragraph(report),
    }


def _maybe(i: Interval | None) -> dict[str, Any] | None:
    return interval_dict(i) if i is not None else None


def unitized_rows(report: UnitizedReport) -> tuple[list[str], list[list[Any]]]:
    """One row per coefficient: the study-wide ones first, then each code's."""
    o = report.options
    header = [
        "code",
        "coefficient",
        "value",
        f"{o.level:.0%} interval, low (bootstrap over documents)",
        f"{o.level:.0%} interval, high (bootstrap over documents)",
        *(f"P(value < {m:g})" for m in o.minimums),
        "observed disagreement",
        "expected disagreement",
        "undefined because",
    ]

    def row(scope: str, label: str, res: Result, i: Interval | None) -> list[Any]:
        return [
            scope,
            label,
            res.value,
            i.low if i else None,
            i.high if i else None,
            *((i.below.get(m) if i else None) for m in o.minimums),
            res.detail.get("observed"),
            res.detail.get("expected"),
            res.undefined or None,
        ]

    r = report.result
    rows = [
        row("(all codes)", label, getattr(r, key), report.intervals.get(f"family:{key}"))
        for key, (label, _) in FAMILY.items()
    ]
    for code, path in report.codes:
        rows += [
            row(path, label, r.per_code[code][key], report.intervals.get(f"{code}:{key}"))
            for key, (label, _) in PER_CODE.items()
        ]
    return header, rows


def write_unitized(report: UnitizedReport, path: str | Path, *, project: str) -> Path:
    """Write a unitized report: CSV (one row per coefficient), XLSX (that table, methods and
    notes, about) or JSON (everything)."""
    header, rows = unitized_rows(report)

    def xlsx(tmp: Path) -> None:
        from qualbench.exports.xlsx import write_sheets

        sheets: list[tuple[str, list[str], list[list[Any]]]] = [
            ("Unitized alphas", header, rows),
            ("Methods", ["text"], [[unitized_paragraph(report)], *([n] for n in report.notes)]),
        ]
        about = [
            ("Contents", CONTENTS),
            ("Project", project),
            ("Coders", ", ".join(report.coders)),
            ("Continuum", f"{report.length:,} code points"),
            (
                "Documents",
                f"{len(report.documents)} compared, {len(report.documents_left_out)} left out",
            ),
            ("Exported", dt.datetime.now(dt.UTC).isoformat(timespec="seconds")),
        ]
        write_sheets(tmp, sheets, about=about)

    return _write(path, header, rows, lambda: {"project": project, **unitized_dict(report)}, xlsx)
