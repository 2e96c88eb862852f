"""REFI-QDA interoperability: exchange projects (.qdpx) and codebooks (.qdc) with NVivo,
ATLAS.ti, MAXQDA, QualCoder, Taguette and any tool that follows the standard.

- :func:`export_qdpx` / :func:`export_qdc` write a project or its codebook (``exporter.py``);
- :func:`import_refi` imports a .qdpx or .qdc into an open project, :func:`create_from_refi`
  into a new project file (``importer.py``); ``dry_run=True`` previews;
- every call returns a :class:`RefiReport`, the data-loss report of the standard's section 7;
- a bad or hostile file raises :class:`RefiError` (one line naming the file and the problem)
  and changes nothing;
- :class:`ExportOptions` / :class:`ImportOptions` are the Qt-free state of the dialogs
  (``problems()`` to show, ``run()`` as a long task with ``progress`` and ``cancel``).

The conventions live where they are applied: criteria in descriptions (``descriptions.py``),
position profiles and their detection (``positions.py``), safety limits (``reader.py``),
sources' texts (``sources.py``), cases (``cases.py``), the mapping of each element
(``apply.py``, ``exporter.py``).
"""

from __future__ import annotations

from qualbench.refi.exporter import export_qdc, export_qdpx
from qualbench.refi.importer import create_from_refi, import_refi, prepare
from qualbench.refi.options import ExportOptions, ImportOptions
from qualbench.refi.positions import PROFILES, Convention, Profile
from qualbench.refi.reader import DEFAULT_LIMITS, Limits, RefiError
from qualbench.refi.report import Loss, RefiReport

__all__ = [
    "DEFAULT_LIMITS",
    "PROFILES",
    "Convention",
    "ExportOptions",
    "ImportOptions",
    "Limits",
    "Loss",
    "Profile",
    "RefiError",
    "RefiReport",
    "create_from_refi",
    "export_qdc",
    "export_qdpx",
    "import_refi",
    "prepare",
]
