"""Putting passages in the quote basket from anywhere: the transcript's selection or selected
coding (Ctrl+Alt+Q), rows of the retrieval list, results of a coding query. Every addition is one
undoable command (several quotes at once are one step); spans already in the basket are skipped
with a word, not refused with a dialog. :func:`install` adds the actions to the main window."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu

from qualbench import undo
from qualbench.changes import Changes
from qualbench.quotes import basket
from qualbench.undo import Command
from qualbench.workspace import coding_details
from ui.session import ProjectSession

if TYPE_CHECKING:
    from sqlmodel import Session

    from ui.main_window import MainWindow

SHORTCUT = "Ctrl+Alt+Q"
Span = tuple[int, int, int]  # document id, start, end


def together(label: str, commands: Sequence[Command]) -> Command:
    """Several commands as one undo step: run in order in one transaction, over the union of
    their scopes (so undo restores everything any of them touched)."""
    if len(commands) == 1:
        return commands[0]

    def run(s: Session) -> Changes:
        return functools.reduce(lambda a, c: a | c.run(s), commands, Changes())

    return Command(label, run, lambda s: [x for c in commands for x in c.scope(s)])


def _in_basket(items: Sequence[tuple[int, int, int]], span: Span) -> bool:
    """Whether a span is in the basket already. A quote's start may have been moved past a
    speaker label, so a quote in the same document that ends where the span ends and starts
    within it counts as the same."""
    doc, start, end = span
    return any(d == doc and z == end and start <= a < end for d, a, z in items)


def add_spans(
    session: ProjectSession,
    spans: Sequence[Span],
    *,
    coding_ids: Sequence[int | None] | None = None,
) -> str:
    """Put spans (or, where ``coding_ids`` names one, the coding) in the basket as one undoable
    step; returns what happened, for the status line."""
    with session.read() as s:
        present = [(i.document_id, i.start, i.end) for i in basket(s)]
        before = len(present)
    commands, skipped = [], 0
    seen: list[tuple[int, int, int]] = []
    for k, span in enumerate(spans):
        if _in_basket(present, span) or _in_basket(seen, span):
            skipped += 1
            continue
        coding = coding_ids[k] if coding_ids is not None else None
        if coding:
            commands.append(undo.add_quote(coding_id=coding))
        else:
            doc, start, end = span
            commands.append(undo.add_quote(document_id=doc, start=start, end=end))
        seen.append(span)
    already = (
        f"{skipped} already in the basket" if skipped > 1 else "already in the basket"
    ) if skipped else ""  # fmt: skip
    if not commands:
        return f"Not added: {already}." if already else "Nothing to add to the quote basket."
    n = len(commands)
    label = "Add quote to basket" if n == 1 else f"Add {n} quotes to basket"
    if not session.run(together(label, commands)):
        return "Not added to the quote basket."
    numbers = f"quote {before + 1}" if n == 1 else f"quotes {before + 1}–{before + n}"
    return f"Added {numbers} to the quote basket" + (f" ({already})." if already else ".")


def add_codings(session: ProjectSession, coding_ids: Sequence[int]) -> str:
    """Put codings in the basket (each with its code path as the section)."""
    with session.read() as s:
        details = [coding_details(s, c) for c in coding_ids]
    return add_spans(
        session,
        [(d.document_id, d.start, d.end) for d in details],
        coding_ids=[d.id for d in details],
    )


def add_from_workspace(window: MainWindow) -> str:
    """The selected coding (when nothing else is selected, or its own text is) or else the
    selected text, into the basket."""
    doc = window.document
    message = "Select some text or a coding first, then add it to the quote basket."
    if doc is not None:
        focused = window.view.focused_coding()
        raw = window.view.selected_span()
        coding = None
        if focused is not None:
            with window.session.read() as s:
                d = coding_details(s, focused)
            if raw is None or raw == (d.start, d.end):
                coding = d
        span = window.coding.span()  # snapped to whole words when that is on
        if coding is not None:
            message = add_codings(window.session, [coding.id])
        elif span is not None:
            message = add_spans(window.session, [(doc.id, *span)])
    window.statusBar().showMessage(message, 6000)
    return message


def install(window: MainWindow) -> QAction:
    """Add "Add to quote basket" (Ctrl+Alt+Q) to the window, and the new report tabs to its
    Reports menu; done once per window."""
    found = window.findChild(QAction, "add-to-basket")
    if isinstance(found, QAction):
        return found
    from ui.reports import open_reports

    action = QAction("Add to quote basket", window)
    action.setObjectName("add-to-basket")
    action.setShortcut(QKeySequence(SHORTCUT))
    action.setStatusTip("The selected text, or the selected coding, becomes a candidate quote")
    action.triggered.connect(lambda checked=False: add_from_workspace(window))
    window.addAction(action)  # the shortcut works in the whole window
    menu = _reports_menu(window)
    if menu is not None:
        menu.addSeparator()
        for text, page in (
            ("Code co-occurrence…", "cooccurrence"),
            ("Coding query…", "query"),
            ("Quote basket…", "basket"),
        ):
            item = menu.addAction(text)
            item.triggered.connect(lambda checked=False, p=page: open_reports(window, p))
        menu.addAction(action)
    return action


def _reports_menu(window: MainWindow) -> QMenu | None:
    for a in window.menuBar().actions():
        if a.text().replace("&", "") == "Reports" and a.menu() is not None:
            menu = a.menu()
            return menu if isinstance(menu, QMenu) else None
    return None
