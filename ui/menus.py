"""The menu bar. Every action is in a menu with its shortcut; the keys that act on the text
(1–9, Delete, Esc, Ctrl+R ...) only work while the transcript has the focus, so typing in a memo
or a table never codes anything."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QWidget

from ui import actions as file_actions
from ui import basket_actions, explore, refi, reports, server_open, team
from ui.settings import settings

if TYPE_CHECKING:
    from ui.main_window import MainWindow

Shortcut = str | QKeySequence.StandardKey | None


def add(
    window: MainWindow,
    menu: QMenu,
    text: str,
    slot: Callable[[], object],
    shortcut: Shortcut = None,
    *,
    scope: QWidget | None = None,
    tip: str = "",
) -> QAction:
    """A menu action; with ``scope`` its shortcut works only while that widget has the focus."""
    action = QAction(text, window)
    if shortcut is not None:
        action.setShortcut(QKeySequence(shortcut))
    if scope is not None:
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        scope.addAction(action)
    if tip:
        action.setStatusTip(tip)
    action.triggered.connect(lambda checked=False: slot())
    menu.addAction(action)
    return action


def build_menus(w: MainWindow) -> None:
    bar = w.menuBar()
    c = w.coding
    text = w.view  # the transcript: scope of the text shortcuts

    m = bar.addMenu("&File")
    add(w, m, "&New project…", lambda: file_actions.new_project(w), QKeySequence.StandardKey.New)
    add(
        w,
        m,
        "&Open project…",
        lambda: file_actions.open_project_dialog(w),
        QKeySequence.StandardKey.Open,
    )
    add(
        w,
        m,
        "Open &server project…",
        lambda: server_open.open_server_dialog(w),
        tip="A team project on a PostgreSQL server: everyone codes in it at once",
    )
    add(
        w,
        m,
        "New project from REFI-QDA fi&le…",
        lambda: refi.new_project(w),
        tip="A new project holding a .qdpx project or .qdc codebook from NVivo, ATLAS.ti, MAXQDA …",
    )
    w.recent_menu = m.addMenu("Open &recent")
    w.recent_menu.aboutToShow.connect(lambda: file_actions.fill_recent(w, w.recent_menu))
    m.addSeparator()
    add(w, m, "&Import files…", lambda: file_actions.import_files(w, folder=False), "Ctrl+Shift+I")
    add(w, m, "Import &folder…", lambda: file_actions.import_files(w, folder=True))
    add(w, m, "Import &attributes (CSV/XLSX)…", lambda: file_actions.import_attributes(w))
    add(w, m, "Import &codebook…", lambda: file_actions.import_codebook(w))
    add(
        w,
        m,
        "Import REFI-Q&DA project or codebook…",
        lambda: refi.import_file(w),
        tip="A .qdpx or .qdc into this project, after a preview of what would be added and lost",
    )
    m.addSeparator()
    add(w, m, "Export code&book…", lambda: file_actions.export_codebook(w))
    add(w, m, "Export &excerpts…", lambda: file_actions.export_excerpts(w), "Ctrl+E")
    add(w, m, "Export theme &table…", lambda: file_actions.export_table(w))
    add(
        w,
        m,
        "Export REFI-QDA &project (.qdpx)…",
        lambda: refi.export_project(w),
        tip="For NVivo, ATLAS.ti, MAXQDA, QualCoder …, with positions counted as the tool expects",
    )
    add(w, m, "Export codeboo&k (.qdc)…", lambda: refi.export_codebook(w))
    m.addSeparator()
    w.change_coder_action = add(w, m, "Change &coder name…", w.change_coder)
    m.addSeparator()
    add(w, m, "&Quit", w.close, "Ctrl+Q")

    m = bar.addMenu("&Edit")
    w.undo_action = add(w, m, "Undo", w.session.undo, QKeySequence.StandardKey.Undo)
    w.redo_action = add(w, m, "Redo", w.session.redo, "Ctrl+Shift+Z")
    w.redo_action.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
    m.addSeparator()
    add(w, m, "Copy", lambda: w.view.text_edit.copy(), QKeySequence.StandardKey.Copy, scope=text)
    add(w, m, "Find in the document…", w.find_bar.start, QKeySequence.StandardKey.Find)
    add(w, m, "Find next", w.find_bar.next, QKeySequence.StandardKey.FindNext)

    m = bar.addMenu("&Code")
    add(
        w,
        m,
        "Apply code… (quick-code palette)",
        c.open_palette,
        "Ctrl+K",
        tip="Search codes by name or definition",
    )
    add(w, m, "Apply selected code(s) to the selection", c.apply_selected, "Ctrl+Return")
    add(w, m, "In-vivo code (a new code from the words)", c.in_vivo, "Ctrl+I")
    m.addSeparator()
    add(w, m, "Select speaker turn", lambda: c.select_unit("turn"), "Ctrl+T", scope=text)
    add(w, m, "Select paragraph", lambda: c.select_unit("paragraph"), "Ctrl+Shift+P", scope=text)
    add(
        w,
        m,
        "Code the turn with the selected code(s)",
        lambda: c.code_unit("turn"),
        "Ctrl+Shift+T",
        scope=text,
    )
    add(
        w,
        m,
        "Code the paragraph with the selected code(s)",
        lambda: c.code_unit("paragraph"),
        "Ctrl+Alt+P",
        scope=text,
    )
    m.addSeparator()
    add(w, m, "Remove the selected coding", c.remove, "Delete", scope=text)
    add(w, m, "Recode the selected coding…", c.recode, "Ctrl+R", scope=text)
    add(
        w,
        m,
        "Set the selected coding's span to the selection",
        c.respan,
        "Ctrl+Shift+R",
        scope=text,
    )
    add(w, m, "Clear the selection", lambda: c.key_escape(), "Esc", scope=text)
    m.addSeparator()
    pins = m.addMenu("Apply pinned code (keys 1–9)")
    for number in range(1, 10):
        add(
            w,
            pins,
            f"Pinned code {number}",
            partial(c.apply_pinned, number),
            str(number),
            scope=text,
        )
    snap = QAction("Snap selections to whole words", w, checkable=True)
    snap.setChecked(c.snap)

    def toggle_snap(on: bool) -> None:
        c.snap = on
        settings().setValue("snap", "true" if on else "false")

    snap.toggled.connect(toggle_snap)
    m.addAction(snap)
    w.snap_action = snap

    m = bar.addMenu("Code&book")
    panel = w.codes
    w.codebook_actions = [
        add(w, m, "New code…", panel.new_code, "Ctrl+Shift+N"),
        add(w, m, "New sub-code of the selected code…", panel.new_subcode),
        add(w, m, "Rename the selected code", panel.rename_selected, "F2", scope=panel),
        add(w, m, "Colour…", panel.recolour_selected),
        add(w, m, "Merge the selected codes into…", panel.merge_selected),
        add(w, m, "Delete the selected codes…", panel.delete_selected),
    ]
    m.addSeparator()
    add(w, m, "Pin the selected code to a key…", panel.pin_selected)

    m = bar.addMenu("&Team")
    add(
        w,
        m,
        "Make coder copies…",
        lambda: team.make_copies(w),
        tip="One project file per coder, without codings",
    )
    add(w, m, "Merge coders' projects…", lambda: team.merge(w), "Ctrl+Shift+M")
    m.addSeparator()
    add(w, m, "Intercoder agreement…", lambda: team.agreement(w), "Ctrl+Shift+A")
    add(w, m, "Reconcile disagreements…", lambda: team.reconcile(w))

    m = bar.addMenu("&Reports")
    add(
        w,
        m,
        "Theme table…",
        lambda: reports.open_reports(w, "themes"),
        "Ctrl+Alt+R",
        tip="Codes by document, participant or attribute; sortable, exported as CSV/XLSX/DOCX",
    )
    add(w, m, "Chart of the theme table…", lambda: reports.open_reports(w, "chart"))
    add(w, m, "Verify quotes in a manuscript…", lambda: reports.open_reports(w, "verify"))
    add(w, m, "Export coded excerpts…", lambda: reports.open_reports(w, "excerpts"))
    basket_actions.install(w)  # Add to quote basket (Ctrl+Alt+Q), from the start

    m = bar.addMenu("&Search")
    add(
        w,
        m,
        "Search all documents (keyword in context)…",
        lambda: explore.open_explore(w, "search"),
        "Ctrl+Shift+F",
        tip="Every form of a word, phrases, patterns; code the hits",
    )
    add(w, m, "Word frequencies…", lambda: explore.open_explore(w, "words"))
    add(
        w,
        m,
        "Auto-code and review suggestions…",
        lambda: explore.open_explore(w, "autocode"),
        tip="Codebook keywords, speakers or patterns propose codings for you to accept or reject",
    )

    m = bar.addMenu("&View")
    for dock in w.docks.values():
        toggle = dock.toggleViewAction()
        toggle.setText(dock.windowTitle())
        m.addAction(toggle)
    m.addSeparator()
    w.coders_menu = m.addMenu("Show codings of")
    w.coders_menu.aboutToShow.connect(w.fill_coders_menu)
    only = QAction("Show only the selected codes' codings", w, checkable=True)
    only.toggled.connect(w.show_only_selected_codes)
    m.addAction(only)
    w.only_selected_action = only
    add(w, m, "Focus on the transcript", w.toggle_focus, "F11")
    m.addSeparator()
    add(w, m, "Next excerpt", lambda: w.retrieval.step(1), "F8")
    add(w, m, "Previous excerpt", lambda: w.retrieval.step(-1), "Shift+F8")

    m = bar.addMenu("&Help")
    add(w, m, "Keyboard shortcuts", w.show_shortcuts, "F1")
    add(w, m, "About QualBench", w.show_about)
