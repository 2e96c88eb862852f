"""Coding queries: AND / OR / NOT of codes, on the coded text or within units, as excerpts.

An expression names codes by path or unique name (``"Police fear" AND ("Housing" OR
Employment) AND NOT Gratitude``). Unquoted words side by side form one name, so ``Police fear
AND Housing`` works too; a name holding AND, OR, NOT, brackets or quotes goes in quotes
(straight, typographic or guillemets). ``NOT`` binds tighter than ``AND``, ``AND`` tighter than
``OR``; keywords are case-insensitive.

``within``:

- ``span``: the expression is evaluated on characters: a character satisfies ``A`` when a
  coding of A covers it, so ``A AND B`` is the text coded with both, ``A OR B`` the text coded
  with either, ``A AND NOT B`` the text coded A but not B. Each hit is a maximal run of such
  characters (outer white space trimmed).
- ``sentence``, ``paragraph``, ``turn``, ``document``: ``A`` holds in a unit when any character
  of the unit is coded A; each hit is a whole unit in which the expression holds.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlmodel import Session

from qualbench.db import CASES, CODER, CODING, DOCUMENT
from qualbench.errors import UserError
from qualbench.progress import CancelCheck, Cancelled, Progress, never, no_progress
from qualbench.reports.cooccurrence import Layout, layout, units_touched
from qualbench.reports.excerpts import Excerpt
from qualbench.reports.filters import EVERYTHING, Filters, Selection
from qualbench.services.cases import values_of
from qualbench.services.codes import code_paths, descendants, resolve_code
from qualbench.services.documents import NotFound

WITHIN = ("span", "sentence", "paragraph", "turn", "document")
KEYWORDS = ("AND", "OR", "NOT")
QUOTES = {'"': '"', "'": "'", "“": "”", "„": "“", "«": "»"}

Span = tuple[int, int]


class QueryError(UserError):
    """The expression cannot be read; the message names the position (1 = first character)."""


# --- the expression -----------------------------------------------------------------------------


@dataclass(frozen=True)
class CodeTerm:
    """A code named in the expression, at ``position`` (1-based character)."""

    ref: str
    position: int


@dataclass(frozen=True)
class Not:
    operand: Expr


@dataclass(frozen=True)
class And:
    operands: tuple[Expr, ...]


@dataclass(frozen=True)
class Or:
    operands: tuple[Expr, ...]


Expr = CodeTerm | Not | And | Or


@dataclass(frozen=True)
class _Token:
    kind: str  # "code", "AND", "OR", "NOT", "(", ")", "end"
    text: str
    position: int  # 1-based


def _tokens(expression: str) -> list[_Token]:
    out: list[_Token] = []
    i, n = 0, len(expression)
    while i < n:
        ch = expression[i]
        if ch.isspace():
            i += 1
        elif ch in "()":
            out.append(_Token(ch, ch, i + 1))
            i += 1
        elif ch in QUOTES:
            close = QUOTES[ch]
            j = expression.find(close, i + 1)
            if j < 0:
                raise QueryError(f"at character {i + 1}: the quote {ch} is never closed")
            name = " ".join(expression[i + 1 : j].split())
            if not name:
                raise QueryError(f"at character {i + 1}: empty code name in quotes")
            out.append(_Token("code", name, i + 1))
            i = j + 1
        else:
            j = i
            while (
                j < n
                and not expression[j].isspace()
                and expression[j] not in "()" + "".join(QUOTES)
            ):
                j += 1
            word = expression[i:j]
            upper = word.upper()
            if upper in KEYWORDS:
                out.append(_Token(upper, word, i + 1))
            elif out and out[-1].kind == "code" and out[-1].text and _bare(out[-1], expression):
                last = out.pop()  # unquoted words side by side are one name: Police fear
                out.append(_Token("code", f"{last.text} {word}", last.position))
            else:
                out.append(_Token("code", word, i + 1))
            i = j
    out.append(_Token("end", "", n + 1))
    return out


def _bare(token: _Token, expression: str) -> bool:
    """True when a code token was written without quotes."""
    return expression[token.position - 1] not in QUOTES


def _describe(t: _Token) -> str:
    if t.kind == "end":
        return "the end of the query"
    if t.kind == "code":
        return f"the code {t.text!r}"
    return repr(t.text)


class _Parser:
    """expr := or; or := and (OR and)*; and := not (AND not)*; not := NOT not | atom;
    atom := CODE | '(' or ')'."""

    def __init__(self, expression: str) -> None:
        self.tokens = _tokens(expression)
        self.i = 0

    def peek(self) -> _Token:
        return self.tokens[self.i]

    def take(self) -> _Token:
        t = self.tokens[self.i]
        self.i += 1
        return t

    def parse(self) -> Expr:
        if self.peek().kind == "end":
            raise QueryError("the query is empty: name at least one code")
        e = self.or_()
        t = self.peek()
        if t.kind == ")":
            raise QueryError(f"at character {t.position}: ')' without a matching '('")
        if t.kind != "end":
            raise QueryError(
                f"at character {t.position}: expected AND, OR or the end of the query, "
                f"found {_describe(t)}"
            )
        return e

    def or_(self) -> Expr:
        parts = [self.and_()]
        while self.peek().kind == "OR":
            self.take()
            parts.append(self.and_())
        return parts[0] if len(parts) == 1 else Or(tuple(parts))

    def and_(self) -> Expr:
        parts = [self.not_()]
        while self.peek().kind == "AND":
            self.take()
            parts.append(self.not_())
        return parts[0] if len(parts) == 1 else And(tuple(parts))

    def not_(self) -> Expr:
        if self.peek().kind == "NOT":
            self.take()
            return Not(self.not_())
        return self.atom()

    def atom(self) -> Expr:
        t = self.take()
        if t.kind == "code":
            return CodeTerm(t.text, t.position)
        if t.kind == "(":
            e = self.or_()
            close = self.take()
            if close.kind != ")":
                raise QueryError(
                    f"at character {close.position}: expected ')' to close the '(' at character "
                    f"{t.position}, found {_describe(close)}"
                )
            return e
        raise QueryError(
            f"at character {t.position}: expected a code, '(' or NOT, found {_describe(t)}"
        )


def parse_query(expression: str) -> Expr:
    """Parse an expression (recursive descent); QueryError names the position and problem."""
    return _Parser(expression).parse()


def terms(e: Expr) -> list[CodeTerm]:
    """The codes an expression names, in order."""
    if isinstance(e, CodeTerm):
        return [e]
    if isinstance(e, Not):
        return terms(e.operand)
    return [t for o in e.operands for t in terms(o)]


def render(e: Expr, name: Callable[[CodeTerm], str] = lambda t: t.ref) -> str:
    """The expression written out with every code quoted and parentheses where needed."""

    def go(x: Expr, parent: int) -> str:
        if isinstance(x, CodeTerm):
            return '"' + name(x).replace('"', "'") + '"'
        if isinstance(x, Not):
            return "NOT " + go(x.operand, 3)
        level, word = (2, " AND ") if isinstance(x, And) else (1, " OR ")
        text = word.join(go(o, level) for o in x.operands)
        return f"({text})" if parent > level else text

    return go(e, 0)


def _truth(e: Expr, present: Callable[[CodeTerm], bool]) -> bool:
    if isinstance(e, CodeTerm):
        return present(e)
    if isinstance(e, Not):
        return not _truth(e.operand, present)
    if isinstance(e, And):
        return all(_truth(o, present) for o in e.operands)
    return any(_truth(o, present) for o in e.operands)


# --- spans as sorted disjoint interval lists --------------------------------------------------


def _union(spans: Iterable[Span]) -> list[Span]:
    out: list[Span] = []
    for a, b in sorted(spans):
        if out and a <= out[-1][1]:
            if b > out[-1][1]:
                out[-1] = (out[-1][0], b)
        else:
            out.append((a, b))
    return out


def _intersect(x: list[Span], y: list[Span]) -> list[Span]:
    out, i, j = [], 0, 0
    while i < len(x) and j < len(y):
        a, b = max(x[i][0], y[j][0]), min(x[i][1], y[j][1])
        if a < b:
            out.append((a, b))
        if x[i][1] < y[j][1]:
            i += 1
        else:
            j += 1
    return out


def _complement(x: list[Span], length: int) -> list[Span]:
    out, pos = [], 0
    for a, b in x:
        if a > pos:
            out.append((pos, a))
        pos = max(pos, b)
    if pos < length:
        out.append((pos, length))
    return out


def _spans(e: Expr, coded: Callable[[CodeTerm], list[Span]], length: int) -> list[Span]:
    if isinstance(e, CodeTerm):
        return coded(e)
    if isinstance(e, Not):
        return _complement(_spans(e.operand, coded, length), length)
    parts = [_spans(o, coded, length) for o in e.operands]
    if isinstance(e, Or):
        return _union(s for p in parts for s in p)
    out = parts[0]
    for p in parts[1:]:
        out = _intersect(out, p)
    return out


# --- running a query ----------------------------------------------------------------------------


@dataclass
class QueryResult:
    """Hits of a query as excerpts: ``code_path`` of each is ``label`` (the expression with
    code paths written with "/"), ``coder`` the coders whose codings of the named codes touch
    the hit."""

    expression: str  # as written out with code paths
    label: str
    within: str
    unit_description: str
    excerpts: list[Excerpt]
    documents: int  # documents with at least one hit
    notes: list[str] = field(default_factory=list)
    filters: list[str] = field(default_factory=list)


def run_query(
    session: Session,
    expression: str,
    *,
    within: str = "span",
    filters: Filters = EVERYTHING,
    rollup: bool = False,
    progress: Progress = no_progress,
    cancel: CancelCheck = never,
) -> QueryResult:
    """Evaluate ``expression`` (see the module docstring) over the documents the filters allow.

    ``rollup``: a code also stands for its sub-codes. Filters on coders, origins, documents,
    kinds and attributes choose the codings and documents; a participant filter keeps only
    what matching participants say (span hits are cut to their turns; a unit belongs to the
    speaker of its first character). ``filters.code_ids`` is ignored: the expression names the
    codes. One progress step per document.
    """
    if within not in WITHIN:
        raise UserError(f"within must be one of {', '.join(WITHIN)}, not {within!r}")
    tree = parse_query(expression)
    paths = code_paths(session)
    ids: dict[CodeTerm, int] = {}
    for t in terms(tree):
        try:
            ids[t] = resolve_code(session, t.ref)
        except NotFound as exc:
            raise QueryError(f"at character {t.position}: {exc}") from None
    members = {t: (set(descendants(session, i)) if rollup else {i}) for t, i in ids.items()}
    wanted = sorted(set().union(*members.values()))
    sel = dataclasses.replace(filters, code_ids=()).select(session)
    written = render(tree, lambda t: paths[ids[t]])
    label = "Query: " + render(tree, lambda t: paths[ids[t]].replace(" > ", "/"))
    codings: defaultdict[int, list[tuple[int, int, int, int]]] = defaultdict(list)
    for doc_id, start, end, code_id, coder_id in session.execute(
        select(
            CODING.c.document_id, CODING.c.start, CODING.c.end, CODING.c.code_id, CODING.c.coder_id
        )
        .where(sel.where)
        .where(CODING.c.code_id.in_(wanted))
        .order_by(CODING.c.document_id, CODING.c.start)
    ):
        codings[doc_id].append((start, end, code_id, coder_id))
    everywhere = _truth(tree, lambda t: False)  # NOT ...: true where nothing is coded
    doc_rows = session.execute(
        select(DOCUMENT.c.id, DOCUMENT.c.name, DOCUMENT.c.kind).order_by(
            DOCUMENT.c.position, DOCUMENT.c.id
        )
    ).all()
    docs = [r for r in doc_rows if sel.document_allowed(r.id) and (everywhere or r.id in codings)]
    coder_names = dict(session.execute(select(CODER.c.id, CODER.c.name)).all())
    make = _ExcerptMaker(session, sel, label, [r.id for r in docs], coder_names)
    hits: list[Excerpt] = []
    descriptions: set[str] = set()
    with_hits = 0
    for done, (doc_id, name, kind) in enumerate(docs, start=1):
        if cancel():
            raise Cancelled
        doc = layout(session, doc_id, "document" if within == "span" else within)
        descriptions.add(doc.description)
        rows = codings.get(doc_id, [])
        found = (
            _span_hits(tree, members, rows, doc, sel)
            if within == "span"
            else _unit_hits(tree, members, rows, doc, sel)
        )
        with_hits += bool(found)
        hits.extend(make(doc_id, name, kind, doc, span, rows) for span in found)
        progress(done, len(docs), "documents")
    if within == "span":
        description = "coded text (characters satisfying the expression)"
    else:
        description = next(
            (d for d in sorted(descriptions) if "no speaker turns" not in d), within
        ) + (
            "; paragraphs in documents without speaker turns"
            if any("no speaker turns" in d for d in descriptions)
            else ""
        )
    notes = [f"within {description}"]
    if rollup:
        notes.append("each code includes its sub-codes")
    if sel.case_ids is not None:
        notes.append("only what the matching participants say")
    return QueryResult(
        expression=written,
        label=label,
        within=within,
        unit_description=description,
        excerpts=hits,
        documents=with_hits,
        notes=notes,
        filters=list(sel.conditions),
    )


def _allowed_turns(doc: Layout, sel: Selection) -> list[Span]:
    return [(t[0], t[1]) for t in doc.turns if sel.case_allowed(t[2])]


def _span_hits(
    tree: Expr,
    members: dict[CodeTerm, set[int]],
    rows: Sequence[tuple[int, int, int, int]],
    doc: Layout,
    sel: Selection,
) -> list[Span]:
    by_code: defaultdict[int, list[Span]] = defaultdict(list)
    for start, end, code_id, _ in rows:
        by_code[code_id].append((start, end))
    merged: dict[CodeTerm, list[Span]] = {}

    def coded(t: CodeTerm) -> list[Span]:
        if t not in merged:
            merged[t] = _union(s for c in members[t] for s in by_code.get(c, ()))
        return merged[t]

    found = _spans(tree, coded, len(doc.text))
    if sel.case_ids is not None:
        found = _intersect(found, _union(_allowed_turns(doc, sel)))
    out = []
    text = doc.text
    for a, b in found:
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if a < b:
            out.append((a, b))
    return out


def _unit_hits(
    tree: Expr,
    members: dict[CodeTerm, set[int]],
    rows: Sequence[tuple[int, int, int, int]],
    doc: Layout,
    sel: Selection,
) -> list[Span]:
    units = doc.units
    if sel.case_ids is not None:
        units = [u for u in units if sel.case_allowed(doc.speaker_at(u[0]))]
    starts = [a for a, _ in units]
    ends = [b for _, b in units]
    present: defaultdict[int, set[int]] = defaultdict(set)
    for start, end, code_id, _ in rows:
        for k in units_touched(starts, ends, start, end):
            present[k].add(code_id)
    nothing: set[int] = set()
    out = []
    for k, u in enumerate(units):
        codes = present.get(k, nothing)
        if _truth(tree, lambda t: not members[t].isdisjoint(codes)):  # noqa: B023 (called at once)
            out.append(u)
    return out


class _ExcerptMaker:
    """Builds an Excerpt for a hit with the speaker, participant, attributes, timestamp and
    paragraph number a quote needs."""

    def __init__(
        self,
        session: Session,
        sel: Selection,
        label: str,
        doc_ids: list[int],
        coder_names: dict[int, str],
    ) -> None:
        self.label = label
        self.coder_names = coder_names
        self.doc_attrs = values_of(session, scope="document", owner_ids=doc_ids)
        self.case_attrs = values_of(session, scope="case")
        self.case_names = dict(session.execute(select(CASES.c.id, CASES.c.name)).all())

    def __call__(
        self,
        doc_id: int,
        name: str,
        kind: str,
        doc: Layout,
        span: Span,
        rows: Sequence[tuple[int, int, int, int]],
    ) -> Excerpt:
        start, end = span
        i = doc.turn_at(start)
        turn = doc.turns[i] if i is not None else None
        case_id = turn[2] if turn else None
        coders = sorted(
            {self.coder_names.get(r[3], "") for r in rows if r[0] < end and start < r[1]}
        )
        return Excerpt(
            coding_id=0,
            coding_uuid="",
            code_id=0,
            code_path=self.label,
            document=name,
            document_kind=kind.replace("_", " "),
            start=start,
            end=end,
            text=doc.text[start:end],
            coder=", ".join(c for c in coders if c),
            origin="query",
            created="",
            speaker=turn[3] if turn else "",
            participant=self.case_names.get(case_id, "") if case_id else "",
            timestamp_ms=turn[4] if turn else None,
            paragraph=doc.paragraph_at(start),
            document_attributes=self.doc_attrs.get(doc_id, {}),
            participant_attributes=self.case_attrs.get(case_id, {}) if case_id else {},
            memo="",
            document_id=doc_id,
            case_id=case_id,
        )
