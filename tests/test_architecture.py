"""The layering rules, enforced: Qt only in ui/, importers/ a leaf, the core runs without Qt."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
QT = ("PySide6", "PyQt5", "PyQt6", "shiboken6", "qtpy")


def _imports(package: str) -> list[tuple[Path, int, str]]:
    found = []
    for path in sorted((ROOT / package).rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                found += [(path, node.lineno, alias.name) for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.append((path, node.lineno, node.module))
    return found


def _top(name: str) -> str:
    return name.split(".")[0]


@pytest.mark.parametrize("package", ["qualbench", "importers", "codebooks"])
def test_no_qt_outside_ui(package: str) -> None:
    bad = [
        f"{p.relative_to(ROOT)}:{line} imports {mod}"
        for p, line, mod in _imports(package)
        if _top(mod) in QT
    ]
    assert not bad, "\n".join(bad)


def test_importers_is_a_leaf() -> None:
    bad = [
        f"{p.relative_to(ROOT)}:{line} imports {mod}"
        for p, line, mod in _imports("importers")
        if _top(mod) in {"qualbench", "ui"}
    ]
    assert not bad, "\n".join(bad)


def test_core_does_not_import_ui() -> None:
    bad = [
        f"{p.relative_to(ROOT)}:{line} imports {mod}"
        for p, line, mod in _imports("qualbench")
        if _top(mod) == "ui"
    ]
    assert not bad, "\n".join(bad)


def test_rules_detect_a_violation(tmp_path: Path) -> None:
    """The scanner itself finds a Qt import (so the tests above cannot pass vacuously)."""
    (tmp_path / "m.py").write_text("from PySide6.QtCore import QObject\nimport qualbench.store\n")
    tree = ast.parse((tmp_path / "m.py").read_text())
    mods = [n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
    mods += [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
    assert "PySide6.QtCore" in mods and "qualbench.store" in mods
    assert _imports("qualbench"), "the scanner found no imports at all in qualbench/"


def test_core_and_cli_run_with_qt_blocked(tmp_path: Path) -> None:
    """Import every core module and run a CLI command with PySide6 made unimportable."""
    script = (
        "import sys, importlib, pkgutil\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        f"        if name.split('.')[0] in {QT!r}: raise ImportError('Qt blocked: ' + name)\n"
        "sys.meta_path.insert(0, Block())\n"
        "import qualbench, importers\n"
        "for pkg in (qualbench, importers):\n"
        "    for m in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + '.'):\n"
        "        if not m.name.endswith('__main__'): importlib.import_module(m.name)\n"
        "from qualbench.cli import main\n"
        f"sys.exit(main(['create', {str(tmp_path / 'p.qualbench')!r}]))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "p.qualbench").exists()
