"""Memos and speaker turns on the command line: ``memo``, ``memos``, ``turns``."""

from __future__ import annotations

import argparse

from qualbench.cli import terminal
from qualbench.cli.commands import _coder_name, _command, _first_words, _open
from qualbench.cli.terminal import print_json, print_table


@_command
def memo(args: argparse.Namespace) -> int:
    from sqlalchemy import select

    from qualbench.db import CASES
    from qualbench.services.codes import resolve_code
    from qualbench.services.coding import CodingError, get_or_create_coder
    from qualbench.services.documents import NotFound, resolve_document
    from qualbench.services.memos import add_memo

    if not args.text.strip():
        raise CodingError("the memo is empty")
    with _open(args, write=True) as project, project.write() as s:
        coder_id, _ = get_or_create_coder(s, _coder_name(args))
        if args.document:
            target, target_id = "document", resolve_document(s, args.document)
        elif args.code:
            target, target_id = "code", resolve_code(s, args.code)
        elif args.case:
            found = s.execute(select(CASES.c.id).where(CASES.c.name == args.case)).scalar()
            if found is None:
                raise NotFound(f"no participant {args.case!r} in the project")
            target, target_id = "case", int(found)
        else:
            target, target_id = "project", None
        add_memo(s, target=target, target_id=target_id, text=args.text, coder_id=coder_id)
    terminal.note(f"memo added to the {'participant' if target == 'case' else target}")
    return terminal.OK


@_command
def memos(args: argparse.Namespace) -> int:
    from sqlalchemy import select

    from qualbench.db import CASES, CODE, CODER, CODING, DOCUMENT, MEMO

    with _open(args, write=False) as project, project.read() as s:
        docs = dict(s.execute(select(DOCUMENT.c.id, DOCUMENT.c.name)).all())
        codes = dict(s.execute(select(CODE.c.id, CODE.c.name)).all())
        cases = dict(s.execute(select(CASES.c.id, CASES.c.name)).all())
        coders = dict(s.execute(select(CODER.c.id, CODER.c.name)).all())
        coding_docs = dict(s.execute(select(CODING.c.id, CODING.c.document_id)).all())
        rows = s.execute(select(MEMO).order_by(MEMO.c.created, MEMO.c.id)).all()
    out = []
    for r in rows:
        if r.document_id is not None:
            on = f"document {docs[r.document_id]}"
        elif r.code_id is not None:
            on = f"code {codes[r.code_id]}"
        elif r.case_id is not None:
            on = f"participant {cases[r.case_id]}"
        elif r.coding_id is not None:
            on = f"coding in {docs[coding_docs[r.coding_id]]}"
        else:
            on = "project"
        out.append(
            {
                "on": on,
                "author": coders.get(r.coder_id, ""),
                "created": r.created.isoformat(timespec="seconds"),
                "title": r.title,
                "text": r.text,
                "id": r.uuid,
            }
        )
    if args.json:
        print_json(out)
    else:
        for m in out:
            print(
                f"[{m['on']}] {m['author']} {m['created']}"
                + (f" {m['title']}" if m["title"] else "")
            )
            print("  " + m["text"].replace("\n", "\n  ") + "\n")
    return terminal.OK


@_command
def turns(args: argparse.Namespace) -> int:
    from sqlalchemy import select

    from qualbench.db import CASES, TURN
    from qualbench.reports import format_ms
    from qualbench.services.documents import document_text, resolve_document

    with _open(args, write=False) as project, project.read() as s:
        doc_id = resolve_document(s, args.document)
        text = document_text(s, doc_id)
        rows = s.execute(
            select(
                TURN.c.start,
                TURN.c.body_start,
                TURN.c.end,
                TURN.c.speaker,
                TURN.c.timestamp_ms,
                CASES.c.name,
            )
            .outerjoin(CASES, CASES.c.id == TURN.c.case_id)
            .where(TURN.c.document_id == doc_id)
            .order_by(TURN.c.ordinal)
        ).all()
    if args.json:
        print_json(
            [
                {
                    "start": r.start,
                    "words_start": r.body_start,
                    "end": r.end,
                    "speaker": r.speaker,
                    "participant": r.name,
                    "timestamp_ms": r.timestamp_ms,
                }
                for r in rows
            ]
        )
        return terminal.OK
    print_table(
        ["words start-end", "time", "speaker", "participant", "begins with"],
        [
            [
                f"{r.body_start}-{r.end}",
                format_ms(r.timestamp_ms),
                r.speaker,
                r.name or "",
                _first_words(text[r.body_start : r.end]),
            ]
            for r in rows
        ],
    )
    terminal.note(f"{len(text)} characters; offsets are code points from 0, end exclusive")
    return terminal.OK
