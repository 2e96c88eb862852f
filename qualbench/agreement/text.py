"""Agreement results in words: values as people read them, and a methods paragraph for a paper."""

from __future__ import annotations

from qualbench import __version__
from qualbench.agreement.compute import AgreementReport, CodeResult
from qualbench.agreement.confidence import Interval
from qualbench.agreement.continuum import UnitizedReport
from qualbench.agreement.stats import Result

_NUMBERS = {2: "Two", 3: "Three", 4: "Four", 5: "Five", 6: "Six", 7: "Seven", 8: "Eight", 9: "Nine"}


def value_text(result: Result, *, percent: bool = False) -> str:
    """``0.712``, ``98.5%``, or ``undefined`` (the reason is in ``result.undefined``)."""
    if result.value is None:
        return "undefined"
    return f"{result.value:.1%}" if percent else f"{result.value:.3f}"


def _names(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _unit_words(report: AgreementReport) -> str:
    if report.unit == "character":
        return f"characters ({report.total:,.0f} per code)"
    words = {
        "sentence": "sentences",
        "paragraph": "paragraphs",
        "turn": "speaker turns",
        "document": "whole documents",
    }[report.unit]
    return f"{words} ({report.total:,.0f} units per code)"


def _range(rows: list[CodeResult], key: str) -> str:
    defined: list[tuple[float, str]] = []
    for r in rows:
        value = r.coefficients[key].value
        if value is not None:
            defined.append((value, r.path))
    if len(defined) < 2:
        return ""
    lo, hi = min(defined), max(defined)
    return f"from {_two(lo[0])} ({lo[1]}) to {_two(hi[0])} ({hi[1]})"


def _two(value: float) -> str:
    """Two decimals, without a minus sign on a value that rounds to zero."""
    text = f"{value:.2f}"
    return "0.00" if text == "-0.00" else text


def interval_text(i: Interval) -> str:
    """``[0.41, 0.52]`` or ``no interval`` (the reason is in ``i.undefined``)."""
    if i.low is None or i.high is None:
        return "no interval"
    return f"[{_two(i.low)}, {_two(i.high)}]"


def _interval_sentences(report: AgreementReport) -> list[str]:
    o, options = report.overall_intervals, report.options
    if report.unit == "character":
        return [
            "No confidence intervals are given at character level, because neighbouring "
            "characters are not independent judgements."
        ]
    out = []
    kappa = "cohen" if len(report.coders) == 2 else "fleiss"
    if kappa in o and "ac1" in o and o[kappa].low is not None:
        out.append(
            f"{options.level:.0%} confidence intervals from Gwet's (2008) variance formulas were "
            f"{interval_text(o[kappa])} for kappa and {interval_text(o['ac1'])} for AC1."
        )
    boot = o.get("alpha_boot")
    if boot is not None and boot.low is not None:
        below = "; ".join(
            f"the probability that alpha falls below {m:g} was {q:.3f}"
            for m, q in boot.below.items()
        )
        out.append(
            f"A bootstrap of the pooled alpha ({boot.resamples:,} resamples, Hayes & "
            f"Krippendorff 2007; seed {boot.seed}) gave a {options.level:.0%} interval of "
            f"{interval_text(boot)}" + (f"; {below}." if below else ".")
        )
    return out


def methods_paragraph(report: AgreementReport) -> str:
    """A short, factual paragraph describing how agreement was assessed and what it was."""
    n = len(report.coders)
    who = f"{_NUMBERS.get(n, str(n))} coders ({_names(report.coders)})"
    docs = len(report.documents)
    parts = [
        f"{who} independently coded {docs} document{'s' if docs != 1 else ''}."
        if docs
        else f"{who} were compared, but no document was coded by all of them."
    ]
    kappa = "cohen" if n == 2 else "fleiss"
    kappa_name = "Cohen's kappa" if n == 2 else "Fleiss' kappa"
    parts.append(
        f"Agreement was assessed for {len(report.per_code)} code{'s' if len(report.per_code) != 1 else ''} on "
        f"{_unit_words(report)}: for each code, each unit was judged present when a coder had coded any part "
        "of it and absent otherwise, so uncoded text counts as agreement on absence."
    )
    o = report.overall
    if o:
        parts.append(
            "Pooled over codes, percent agreement was "
            f"{value_text(o['percent'], percent=True)}, {kappa_name} {value_text(o[kappa])}, "
            f"Krippendorff's alpha (nominal) {value_text(o['alpha'])}, Brennan-Prediger kappa (q = 2, "
            f"uniform chance) {value_text(o['bp'])} and Gwet's AC1 {value_text(o['ac1'])}."
        )
    if o:
        parts.append(
            "Krippendorff's alpha is 1 - D_o/D_e, observed over expected disagreement among all "
            "pairable values (Krippendorff 2004, Content Analysis, 2nd ed., ch. 11; 2011); "
            f"{kappa_name} corrects percent agreement for chance "
            + (
                "from each coder's own distribution (Cohen 1960)"
                if n == 2
                else "from the pooled distribution (Fleiss 1971)"
            )
            + "; Gwet's AC1 uses a chance model that does not collapse for rare codes "
            "(Gwet 2008)."
        )
        parts += _interval_sentences(report)
    if spread := _range(report.per_code, "alpha"):
        parts.append(f"Per code, Krippendorff's alpha ranged {spread}.")
    undefined = [r.path for r in report.per_code if r.coefficients["alpha"].value is None]
    if undefined:
        parts.append(
            f"For {len(undefined)} code{'s' if len(undefined) != 1 else ''} alpha is undefined "
            "because the coders' judgements did not vary (e.g. nobody applied the code); "
            "those values are reported as undefined, not as 0 or 1."
        )
    if report.domain:
        d = report.domain
        uncoded = (
            "uncoded units counted as a category of their own"
            if report.options.uncoded == "category"
            else "uncoded units treated as missing data"
        )
        parts.append(
            f"Treating {_names(report.domain_categories)} as one variable of mutually exclusive "
            f"values ({uncoded}), Krippendorff's alpha was {value_text(d['alpha'])} and percent agreement "
            f"{value_text(d['percent'], percent=True)}."
        )
    matched = sum(sum(s.matched.values()) for s in report.segments)
    total = sum(sum(s.segments.values()) for s in report.segments)
    if total:
        parts.append(
            f"Of {total:,} coded segments, {matched:,} ({matched / total:.1%}) were matched by another "
            f"coder's segment of the same code overlapping it by at least {report.options.overlap:.0%}."
        )
    if report.documents_left_out:
        left = len(report.documents_left_out)
        were = (
            "documents not coded by every coder were"
            if left != 1
            else "document not coded by every coder was"
        )
        parts.append(f"{left} {were} left out.")
    parts.append(f"Coefficients were computed with QualBench {__version__}.")
    return " ".join(parts)


def unitized_paragraph(report: UnitizedReport) -> str:
    """A methods paragraph for Krippendorff's unitized alphas."""
    r, o = report.result, report.options
    n = len(report.coders)
    who = f"{_NUMBERS.get(n, str(n))} coders ({_names(report.coders)})"
    docs = len(report.documents)
    parts = [
        f"{who} independently marked and coded passages in {docs} document"
        f"{'s' if docs != 1 else ''} ({report.length:,} characters)."
        if docs
        else f"{who} were compared, but no document was coded by all of them."
    ]
    parts.append(
        "Agreement was assessed on the spans themselves with Krippendorff's unitizing alpha "
        "family (Krippendorff, Mathet, Bouvry & Widlöcher 2016; Krippendorff 2019, sec. 12.6): "
        "each document's text is a continuum of characters that every coder divides into coded "
        "segments and uncoded gaps, and alpha is 1 - D_o/D_e, the observed over the expected "
        "disagreement on the lengths where the coders' segments overlap. Text no coder touched "
        "counts as agreed gap; spans are compared only within their document."
    )
    parts.append(
        f"Over {len(report.codes)} code{'s' if len(report.codes) != 1 else ''}, uα (where and "
        f"which code) was {_v(r.u_alpha, report, 'family:u_alpha')}, |uα (coded vs not coded) "
        f"{_v(r.binary, report, 'family:binary')}, cuα (which code, where coded spans overlap) "
        f"{_v(r.cu_alpha, report, 'family:cu_alpha')} and Cuα (which top-level theme) "
        f"{_v(r.Cu_alpha, report, 'family:Cu_alpha')}; Krippendorff's earlier (1995) u-α was "
        f"{_v(r.u1995_overall, report, 'family:u1995_overall')}."
    )
    defined = [
        (v.value, path)
        for code, path in report.codes
        if (v := r.per_code[code]["binary"]).value is not None
    ]
    if len(defined) >= 2:
        lo, hi = min(defined), max(defined)
        parts.append(
            f"Per code, |uα ranged from {_two(lo[0])} ({lo[1]}) to {_two(hi[0])} ({hi[1]})."
        )
    boot = report.intervals.get("family:u_alpha")
    if boot is not None and boot.resamples:
        below = "; ".join(
            f"the probability that uα falls below {m:g} was {q:.3f}" for m, q in boot.below.items()
        )
        parts.append(
            f"Intervals ({o.level:.0%}) come from {boot.resamples:,} bootstrap resamples of whole "
            f"documents (seed {boot.seed})" + (f"; {below}." if below else ".")
        )
    undefined = [path for code, path in report.codes if r.per_code[code]["binary"].value is None]
    if undefined:
        parts.append(
            f"For {len(undefined)} code{'s' if len(undefined) != 1 else ''} the coefficients are "
            "undefined (e.g. nobody applied the code) and are reported as such, not as 0 or 1."
        )
    parts.append(f"Coefficients were computed with QualBench {__version__}.")
    return " ".join(parts)


def _v(result: Result, report: UnitizedReport, key: str) -> str:
    text = value_text(result)
    i = report.intervals.get(key)
    if result.value is not None and i is not None and i.low is not None:
        text += f" {interval_text(i)}"
    return text
