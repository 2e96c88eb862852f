"""The ``qualbench`` command: create projects, import transcripts, code, export, report.

Run ``qualbench COMMAND --help`` for each command. Exit codes: 0 success; 1 the command failed
(bad input; the project is unchanged); 2 wrong arguments; 3 some files could not be imported
(the others were); 4 the project cannot be opened; 130 cancelled with Ctrl-C.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from qualbench.cli import terminal
from qualbench.cli.commands import COMMANDS
from qualbench.cli.parser import add_arguments


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="qualbench",
        description="QualBench: offline workbench for qualitative research.",
        epilog=(
            "exit codes: 0 ok; 1 failed (project unchanged); 2 bad arguments; 3 some files not "
            "imported; 4 project cannot be opened; 130 cancelled"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    from qualbench import __version__

    parser.add_argument("--version", action="version", version=f"qualbench {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    add_arguments(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``qualbench`` script; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.command:
        return _gui(None)
    handler = COMMANDS[args.handler]
    try:
        return handler(args)
    except KeyboardInterrupt:
        terminal.error("interrupted")
        return terminal.CANCELLED
    except BrokenPipeError:
        return terminal.OK
    except Exception as exc:
        from qualbench.cli.commands import known_error

        code = known_error(exc)
        if code is None:
            # Unexpected: never print the message, it may quote data (SQL parameters, text).
            if os.environ.get("QUALBENCH_DEBUG"):
                raise
            terminal.error(
                f"internal error ({type(exc).__name__}); rerun with QUALBENCH_DEBUG=1 for details"
            )
            return terminal.FAILED
        terminal.error(str(exc))
        return code


def _gui(path: str | None) -> int:
    """Open the desktop app. The core does not import it: the app registers itself as the
    ``desktop`` entry point of the ``qualbench.frontends`` group (see pyproject.toml)."""
    from importlib.metadata import entry_points

    found = [e for e in entry_points(group="qualbench.frontends") if e.name == "desktop"]
    if not found:
        terminal.error("the desktop app is not installed; the command line works: qualbench --help")
        return terminal.FAILED
    try:
        start = found[0].load()
    except ImportError as exc:
        terminal.error(
            f"the desktop app cannot start ({exc}); the command line works: qualbench --help"
        )
        return terminal.FAILED
    return int(start(path))


if __name__ == "__main__":
    sys.exit(main())
