"""Which errors are the user's to act on (a bad file, an unknown code), as opposed to bugs.

Their messages are one line, name the file or thing and the cause, and never quote transcript
text, so the command line and the desktop app show them as they are.
"""

from __future__ import annotations


class UserError(ValueError):
    """A request that cannot be done as asked (bad options, a number out of range)."""


def is_user_error(exc: BaseException) -> bool:
    """True for errors with a message meant for the user; the project is unchanged by them."""
    from importers import ImportProblem
    from qualbench.codebook_files import CodebookFileError
    from qualbench.codings_csv import CodingsFileError
    from qualbench.exports import ExportError
    from qualbench.services.cases import AttributeTableError
    from qualbench.services.codes import CodebookError
    from qualbench.services.coding import CodingError
    from qualbench.services.documents import NotFound
    from qualbench.store import ProjectError
    from qualbench.undo import UndoError

    kinds = (
        ImportProblem, CodebookFileError, CodingsFileError, ExportError, AttributeTableError,
        CodebookError, CodingError, NotFound, ProjectError, UndoError, UserError,
    )  # fmt: skip
    return isinstance(exc, kinds) or (isinstance(exc, OSError) and bool(exc.filename))
