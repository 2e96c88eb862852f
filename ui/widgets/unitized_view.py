"""The unitized alphas (Krippendorff's uα family on the spans themselves) in the agreement
dialog's table: the study-wide coefficients first, then each code's |uα, (k)uα and 1995 u-α,
each with its bootstrap interval; hovering a value shows its parts or why it is undefined."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import QHeaderView, QTableWidget, QTableWidgetItem

from qualbench.agreement.confidence import Interval
from qualbench.agreement.continuum import FAMILY, PER_CODE, UnitizedReport
from qualbench.agreement.stats import Result
from qualbench.agreement.text import interval_text, value_text

GREY = QBrush(QColor("#888888"))


def value_item(result: Result, interval: Interval | None = None) -> QTableWidgetItem:
    """A coefficient: its value, right-aligned; grey italics and the reason when undefined;
    its parts and interval on hover."""
    item = QTableWidgetItem(value_text(result))
    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    if result.value is None:
        item.setForeground(GREY)
        font = item.font()
        font.setItalic(True)
        item.setFont(font)
        item.setToolTip(f"Undefined: {result.undefined}")
        return item
    parts = [f"{k} = {v:.4g}" for k, v in result.detail.items()]
    if interval is not None:
        parts.append(interval_tip(interval))
    item.setToolTip("\n".join(parts))
    item.setData(Qt.ItemDataRole.UserRole, result.value)
    return item


def interval_tip(i: Interval) -> str:
    if i.low is None:
        return f"No interval: {i.undefined}"
    lines = [f"{i.level:.0%} interval {interval_text(i)}"]
    if i.se is not None:
        lines[0] += f", standard error {i.se:.3f}"
    if i.method:
        lines.append(i.method)
    lines += [f"P(value < {m:g}) = {q:.3f}" for m, q in i.below.items()]
    if i.dropped:
        lines.append(f"{i.dropped} resamples left out (value undefined in them)")
    return "\n".join(lines)


def interval_item(i: Interval | None) -> QTableWidgetItem:
    item = QTableWidgetItem(interval_text(i) if i is not None else "")
    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    if i is not None:
        item.setToolTip(interval_tip(i))
        if i.low is None:
            item.setForeground(GREY)
    return item


def fill(table: QTableWidget, report: UnitizedReport) -> None:
    """Rows: the study-wide coefficients (bold), then one per code."""
    r = report.result
    ci = f"{report.options.level:.0%} CI"
    header = ["Code / coefficient"]
    for label, _ in PER_CODE.values():
        header += [label, ci]
    header[1] = f"Value (codes: {header[1]})"  # the study-wide rows show their value there
    table.clear()
    table.setColumnCount(len(header))
    table.setHorizontalHeaderLabels(header)
    for col, (label, what) in enumerate(PER_CODE.values()):
        head = table.horizontalHeaderItem(1 + 2 * col)
        if head is not None:
            head.setToolTip(f"{label}: {what}")
    bold = QFont()
    bold.setBold(True)
    rows: list[list[QTableWidgetItem]] = []
    for key, (label, what) in FAMILY.items():
        name = QTableWidgetItem(f"All codes: {label}")
        name.setToolTip(what)
        i = report.intervals.get(f"family:{key}")
        value = value_item(getattr(r, key), i)
        row = [name, value, interval_item(i)]
        row += [QTableWidgetItem("") for _ in range(len(header) - len(row))]
        for item in row:
            item.setFont(bold)
        rows.append(row)
    for code, path in report.codes:
        name = QTableWidgetItem(path)
        name.setToolTip(path)
        name.setData(Qt.ItemDataRole.UserRole, code)
        row = [name]
        for key in PER_CODE:
            i = report.intervals.get(f"{code}:{key}")
            row += [value_item(r.per_code[code][key], i), interval_item(i)]
        rows.append(row)
    table.setRowCount(len(rows))
    for n, cells in enumerate(rows):
        for j, item in enumerate(cells):
            table.setItem(n, j, item)
    heading = table.horizontalHeader()
    for j in range(1, len(header)):
        heading.setSectionResizeMode(j, QHeaderView.ResizeMode.ResizeToContents)
    heading.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
    metrics = table.fontMetrics()
    widest = max((metrics.horizontalAdvance(p) for _, p in report.codes), default=160)
    table.setColumnWidth(0, min(widest + 16, 320))
