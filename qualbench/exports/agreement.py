"""Agreement results to CSV, XLSX and JSON. Counts and coefficients only: no transcript text
(disagreements are given by document and character positions)."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path
from typing import Any

from qualbench.agreement.compute import COEFFICIENTS, AgreementReport
from qualbench.agreement.stats import Result
from qualbench.agreement.text import methods_paragraph
from qualbench.exports import ExportError, atomic_path

FORMATS = (".csv", ".xlsx", ".json")
CONTENTS = "Intercoder agreement: coefficients and counts; no transcript text"


def _result(r: Result) -> dict[str, Any]:
    return {"value": r.value, "undefined": r.undefined or None, "n": r.n, "detail": dict(r.detail)}


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
        "overall": {k: _result(v) for k, v in report.overall.items()},
        "codes": [
            {
                "code": r.path,
                "coded": r.coded,
                "coefficients": {k: _result(v) for k, v in r.coefficients.items()},
                "confusion": r.confusion,
            }
            for r in report.per_code
        ],
        "domain": {
            "categories": report.domain_categories,
            "coefficients": {k: _result(v) for k, v in report.domain.items()},
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
                why(report.domain),
            ]
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


def write_agreement(report: AgreementReport, path: str | Path, *, project: str) -> Path:
    """Write the report: CSV (the per-code table), XLSX (table, confusion tables, disagreements,
    methods and notes), or JSON (everything)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise ExportError(f"{path}: unknown format {suffix!r}; use {', '.join(FORMATS)}")
    header, rows = agreement_grid(report)
    with atomic_path(path) as tmp:
        if suffix == ".json":
            data = {"project": project, **report_dict(report)}
            tmp.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
        elif suffix == ".csv":
            with tmp.open("w", encoding="utf-8-sig", newline="") as f:
                w = csv.writer(f)
                w.writerow(header)
                w.writerows(["" if v is None else v for v in row] for row in rows)
        else:
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
    return path
