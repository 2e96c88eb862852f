"""Quote sub-commands: the quote basket, citations, names replaced on export."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from qualbench.cli import terminal
from qualbench.cli.commands import _command, _open
from qualbench.cli.terminal import Bar, cancellable, plural, print_json, print_table
from qualbench.errors import UserError

CITATION_HELP = (
    "fields in braces: {participant} (pseudonym), {speaker}, {document}, {kind}, {timestamp}, "
    "{paragraph}, {place} (time, else paragraph), {code}, {code_path}, and any participant or "
    "document attribute ({gender}, {country}; {case:NAME} or {document:NAME} to say which). "
    "A part whose fields are all empty is left out with its comma"
)


def add_arguments(sub: Any) -> None:
    """Declare ``basket``, ``names`` and ``citation``."""
    p = sub.add_parser(
        "basket",
        help="the quote basket: candidate quotes for the paper, with edited display text",
        description="Collect quotes (a coding, or any span of a document), edit how each is "
        "printed ([...] for left-out words, [brackets] for clarifications; the original stays "
        "linked and unchanged), sort them into sections and export them with citations.",
    )
    bsub = p.add_subparsers(dest="basket_command", metavar="ACTION", required=True)

    q = _sub(bsub, "add", "basket_add", "put a coding or a span of a document in the basket")
    src = q.add_mutually_exclusive_group(required=True)
    src.add_argument("--coding", help="a coding's id (uuid, as exports and 'code --json' show)")
    src.add_argument(
        "--document", help="a document's name (give the span with --quote or --start/--end)"
    )
    q.add_argument("--quote", help="the exact text of the span, instead of offsets")
    q.add_argument("--occurrence", type=int, help="which occurrence of --quote (1 = first)")
    q.add_argument("--start", type=int, help="first character (code points, from 0)")
    q.add_argument("--end", type=int, help="end character, exclusive")
    _item_options(q)
    q.add_argument("--position", type=int, help="place in the basket (1 = first; default: last)")
    q.add_argument("--json", action="store_true", help="print the new quote as JSON")

    q = _sub(bsub, "list", "basket_list", "list the basket's quotes, numbered, with their check")
    q.add_argument("--json", action="store_true", help="print JSON (includes the quotes' text)")

    q = _sub(bsub, "edit", "basket_edit", "change a quote's display text, section, note or place")
    q.add_argument("quote", help="the quote's number in 'basket list' (or its id)")
    _item_options(q)
    q.add_argument("--move-to", type=int, help="move it to this place (1 = first)")

    q = _sub(bsub, "remove", "basket_remove", "take a quote out of the basket")
    q.add_argument("quote", help="the quote's number in 'basket list' (or its id)")

    q = _sub(
        bsub,
        "export",
        "basket_export",
        "write the basket: .docx (block quotes with citations, by section), .md, .csv, .xlsx",
    )
    q.add_argument("out", type=Path, help="output file: .docx, .md, .csv or .xlsx")
    q.add_argument("--section", action="append", default=[], help="only this section (repeatable)")
    q.add_argument("--title", default="Quotes", help="the document's title (default: Quotes)")
    q.add_argument("--notes", action="store_true", help="print the notes under the quotes too")
    _citation_options(q, default_on=True)
    _pseudonym_options(q)

    p = sub.add_parser(
        "names",
        help="names replaced in pseudonymised exports (with --pseudonymise)",
        description="The project's list of names to replace on export (a first name a "
        "participant mentions, a place, an organisation), each by its replacement or by a "
        "placeholder. Speakers' names are replaced by their participant's pseudonym anyway. "
        "Matching ignores case and takes whole words, longest names first; the transcripts "
        "never change.",
    )
    nsub = p.add_subparsers(dest="names_command", metavar="ACTION", required=True)
    q = _sub(nsub, "add", "names_add", "add a name (or change the replacement of one)")
    q.add_argument("name", help="the name as it appears in the transcripts")
    q.add_argument(
        "--as",
        dest="replacement",
        default="",
        help="its replacement, e.g. 'P3' or '[a brother]' (default: the placeholder [name])",
    )
    q = _sub(nsub, "list", "names_list", "list the names and their replacements")
    q.add_argument("--json", action="store_true", help="print JSON")
    q = _sub(nsub, "remove", "names_remove", "take a name off the list")
    q.add_argument("name", help="the name (any case)")

    p = sub.add_parser(
        "citation",
        help="the project's citation template, e.g. '({participant}, {gender}, {age})'",
        description="The citation printed after each quote. " + CITATION_HELP + ".",
    )
    csub = p.add_subparsers(dest="citation_command", metavar="ACTION", required=True)
    q = _sub(csub, "set", "citation_set", "make a template the project's default ('' resets)")
    q.add_argument("template", help=CITATION_HELP)
    q = _sub(csub, "show", "citation_show", "show the template, its fields and an example")
    q.add_argument("--json", action="store_true", help="print JSON")


def _sub(sub: Any, name: str, handler: str, what: str) -> argparse.ArgumentParser:
    q: argparse.ArgumentParser = sub.add_parser(name, help=what, description=what)
    q.set_defaults(handler=handler)
    q.add_argument("project", help="project file (.qualbench)")
    return q


def _item_options(q: argparse.ArgumentParser) -> None:
    q.add_argument(
        "--text",
        help="the text as the paper prints it: [...] for left-out words, [the police] for a "
        "clarification (default: the original)",
    )
    q.add_argument("--section", help="section or theme it belongs to (default: the coding's code)")
    q.add_argument("--note", help="a note for yourself")
    q.add_argument(
        "--force",
        action="store_true",
        help="keep a display text that is not a faithful edit of the original (a translation)",
    )


def _citation_options(q: argparse.ArgumentParser, *, default_on: bool) -> None:
    if default_on:
        group = q.add_mutually_exclusive_group()
        group.add_argument(
            "--citation", metavar="TEMPLATE", help="this template instead of the project's"
        )
        group.add_argument("--no-citation", action="store_true", help="print no citations")
    else:
        q.add_argument(
            "--citation",
            nargs="?",
            const="",
            metavar="TEMPLATE",
            help="reference lines and a citation column from this template (alone: the "
            "project's template, see 'qualbench citation show')",
        )


def export_arguments(q: argparse.ArgumentParser) -> None:
    """``--citation [TEMPLATE]``, ``--pseudonymise`` and ``--placeholder`` for an export."""
    _citation_options(q, default_on=False)
    _pseudonym_options(q)


def _pseudonym_options(q: argparse.ArgumentParser) -> None:
    q.add_argument(
        "--pseudonymise",
        "--pseudonymize",
        action="store_true",
        help="replace speakers' names by their participant's pseudonym and the names of "
        "'qualbench names' by their replacement (the project is unchanged)",
    )
    q.add_argument(
        "--placeholder",
        default="[name]",
        help="what replaces a name with no pseudonym or replacement (default: [name])",
    )


def export_options(session: Any, args: argparse.Namespace) -> tuple[Any, Any]:
    """(citation or None, pseudonymiser or None) from the export options of a command."""
    from qualbench.pseudonyms import project_pseudonymiser
    from qualbench.quotes import citation

    template = getattr(args, "citation", None)
    if getattr(args, "no_citation", False):
        cite = None
    elif template is None and not hasattr(args, "no_citation"):
        cite = None  # excerpts: only when asked
    else:
        cite = citation(session, template or None)
    names = (
        project_pseudonymiser(session, placeholder=args.placeholder) if args.pseudonymise else None
    )
    return cite, names


def _flat(text: str, width: int = 60) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 3] + "..."


# --- basket ------------------------------------------------------------------------------------


@_command
def basket_add(args: argparse.Namespace) -> int:
    from sqlalchemy import select

    from qualbench.db import CODING, QUOTE
    from qualbench.quotes import add_quote, basket
    from qualbench.services.coding import CodingError, find_quote
    from qualbench.services.documents import NotFound, document_text, resolve_document

    with _open(args, write=True) as project, project.write() as s:
        kwargs: dict[str, Any] = {}
        if args.coding:
            if args.quote is not None or args.start is not None or args.end is not None:
                raise UserError("--coding takes the coding's span; leave out --quote/--start/--end")
            found = s.execute(
                select(CODING.c.id).where(CODING.c.uuid == args.coding.strip().lower())
            ).scalar()
            if found is None:
                raise NotFound(f"no coding {args.coding!r} in the project")
            kwargs["coding_id"] = int(found)
        else:
            doc_id = resolve_document(s, args.document)
            if args.quote is not None:
                if args.start is not None or args.end is not None:
                    raise CodingError("give either --quote or --start/--end, not both")
                start, end = find_quote(
                    document_text(s, doc_id), args.quote, occurrence=args.occurrence
                )
            elif args.start is not None and args.end is not None:
                start, end = args.start, args.end
            else:
                raise CodingError("give --start and --end, or --quote")
            kwargs.update(document_id=doc_id, start=start, end=end)
        quote_id, _ = add_quote(
            s,
            display=args.text,
            section=args.section,
            note=args.note or "",
            position=None if args.position is None else args.position - 1,
            force=args.force,
            **kwargs,
        )
        uid = s.execute(select(QUOTE.c.uuid).where(QUOTE.c.id == quote_id)).scalar_one()
        item = next(i for i in basket(s) if i.id == quote_id)
    if args.json:
        print_json(_item_json(item))
    else:
        terminal.note(
            f"added quote {item.number} ({item.context.document} {item.start}-{item.end}"
            + (f", section {item.section!r}" if item.section else "")
            + f"; id {uid})"
        )
        if not item.fidelity.faithful:
            terminal.note(f"note: not a faithful edit of the original: {item.fidelity.message}")
    return terminal.OK


def _item_json(item: Any) -> dict[str, Any]:
    return {
        "number": item.number,
        "id": item.uuid,
        "section": item.section,
        "text": item.display,
        "original": item.original,
        "faithful": item.fidelity.faithful,
        "check": item.fidelity.message,
        "document": item.context.document,
        "start": item.start,
        "end": item.end,
        "coding": item.coding_uuid,
        "coding_exists": item.coding_id is not None,
        "speaker": item.context.speaker,
        "participant": item.context.who,
        "timestamp": item.context.timestamp,
        "paragraph": item.context.paragraph,
        "note": item.note,
    }


@_command
def basket_list(args: argparse.Namespace) -> int:
    from qualbench.quotes import basket, citation

    with _open(args, write=False) as project, project.read() as s:
        items = basket(s)
        try:
            cite = citation(s)
        except UserError:
            cite = None  # an attribute the template names is gone: 'citation show' says which
    if args.json:
        print_json([{**_item_json(i), "citation": cite(i.context) if cite else ""} for i in items])
        return terminal.OK
    if not items:
        print("the quote basket is empty: qualbench basket add PROJECT --coding ID")
        return terminal.OK
    print_table(
        ["#", "section", "quote", "citation", "check"],
        [
            [
                i.number,
                i.section or ".",
                _flat(i.display, 50),
                cite(i.context) if cite else ".",
                "ok" if i.fidelity.faithful else "EDITED",
            ]
            for i in items
        ],
        right=[True, False, False, False, False],
    )
    for i in items:
        if not i.fidelity.faithful:
            print(f"\n#{i.number}: not a faithful edit: {i.fidelity.message}")
        if i.coding_uuid and i.coding_id is None:
            print(f"\n#{i.number}: its coding was removed (the quote keeps its span)")
    return terminal.OK


@_command
def basket_edit(args: argparse.Namespace) -> int:
    from qualbench.quotes import edit_quote, move_quote, resolve_quote

    with _open(args, write=True) as project, project.write() as s:
        quote_id = resolve_quote(s, args.quote)
        if args.text is None and args.section is None and args.note is None:
            if args.move_to is None:
                raise UserError("nothing to change: give --text, --section, --note or --move-to")
        else:
            edit_quote(
                s,
                quote_id,
                display=args.text,
                section=args.section,
                note=args.note,
                force=args.force,
            )
        if args.move_to is not None:
            move_quote(s, quote_id, args.move_to - 1)
    terminal.note(f"quote {args.quote} changed")
    return terminal.OK


@_command
def basket_remove(args: argparse.Namespace) -> int:
    from qualbench.quotes import remove_quote, resolve_quote

    with _open(args, write=True) as project, project.write() as s:
        remove_quote(s, resolve_quote(s, args.quote))
    terminal.note(f"quote {args.quote} removed from the basket")
    return terminal.OK


@_command
def basket_export(args: argparse.Namespace) -> int:
    from qualbench.exports.quotes import write_basket
    from qualbench.quotes import basket

    with _open(args, write=False) as project, project.read() as s:
        items = basket(s)
        if args.section:
            wanted = {" ".join(x.split()).casefold() for x in args.section}
            missing = wanted - {i.section.casefold() for i in items}
            if missing:
                raise UserError(f"no quotes in section {sorted(missing)[0]!r}")
            items = [i for i in items if i.section.casefold() in wanted]
        cite, names = export_options(s, args)
        name = project.info().name
    with cancellable() as token:
        bar = Bar("Exporting")
        try:
            write_basket(
                items,
                args.out,
                project=name,
                citation=cite,
                pseudonymiser=names,
                title=args.title,
                notes=args.notes,
                progress=bar,
                cancel=token.is_set,
            )
        finally:
            bar.close()
    terminal.note(
        f"wrote {plural(len(items), 'quote')} to {args.out} (contains transcript text"
        + ("; names pseudonymised)" if names else ")")
    )
    return terminal.OK


# --- names -------------------------------------------------------------------------------------


@_command
def names_add(args: argparse.Namespace) -> int:
    from qualbench.pseudonyms import PLACEHOLDER, set_name

    with _open(args, write=True) as project, project.write() as s:
        set_name(s, args.name, args.replacement)
    terminal.note(f"the name will be replaced by {args.replacement or PLACEHOLDER} on export")
    return terminal.OK


@_command
def names_list(args: argparse.Namespace) -> int:
    from qualbench.pseudonyms import PLACEHOLDER, list_names

    with _open(args, write=False) as project, project.read() as s:
        rows = list_names(s)
    if args.json:
        print_json([{"name": r.name, "replacement": r.replacement, "id": r.uuid} for r in rows])
    elif not rows:
        print("no names listed: qualbench names add PROJECT NAME --as REPLACEMENT")
    else:
        print_table(["name", "replaced by"], [[r.name, r.replacement or PLACEHOLDER] for r in rows])
    return terminal.OK


@_command
def names_remove(args: argparse.Namespace) -> int:
    from qualbench.pseudonyms import remove_name, resolve_name

    with _open(args, write=True) as project, project.write() as s:
        remove_name(s, resolve_name(s, args.name))
    terminal.note("name removed from the list")
    return terminal.OK


# --- citation ----------------------------------------------------------------------------------


@_command
def citation_set(args: argparse.Namespace) -> int:
    from qualbench.quotes import citation_template, set_citation_template

    with _open(args, write=True) as project, project.write() as s:
        set_citation_template(s, args.template)
        now = citation_template(s)
    terminal.note(f"citation template: {now}")
    return terminal.OK


@_command
def citation_show(args: argparse.Namespace) -> int:
    from qualbench.quotes import basket, citation, citation_fields, citation_template

    with _open(args, write=False) as project, project.read() as s:
        template = citation_template(s)
        fields = citation_fields(s)
        problem, example = "", ""
        try:
            cite = citation(s)
        except UserError as exc:
            problem = str(exc)
        else:
            items = basket(s)
            example = cite(items[0].context) if items else ""
    if args.json:
        print_json(
            {
                "template": template,
                "problem": problem,
                "example": example,
                "fields": [{"field": f, "what": w} for f, w in fields],
            }
        )
        return terminal.OK
    print(f"template: {template}")
    if problem:
        print(f"problem:  {problem}")
    if example:
        print(f"example:  {example}  (the basket's first quote)")
    print()
    print_table(["field", "what"], [[f"{{{f}}}", w] for f, w in fields])
    return terminal.OK
