"""The quote basket and citations: candidate quotes for a paper, each linked to its span.

A basket item keeps the span it came from (document, start, end, and the coding, if any) and
the text as the paper prints it: the writer may leave words out with ``[...]``, clarify with
``[the police]``, change the case of the first letter and the punctuation at the ends; anything
else is reported by :func:`check_display` (and refused unless forced, e.g. for a translation).
The document text never changes.

A citation template such as ``({participant}, {gender}, {age}, focus group {group})`` names
built-in fields and participant or document attributes; a missing value drops its part of the
citation (no "None", no dangling commas). The project keeps a default template.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select, update
from sqlmodel import Session

from qualbench.changes import Changes
from qualbench.db import ATTRIBUTE, CODING, DOCUMENT, META, QUOTE, TURN, inserted_id
from qualbench.errors import UserError
from qualbench.model import new_uuid, utcnow
from qualbench.reports.excerpts import Excerpt, Span, span_excerpts
from qualbench.services.codes import code_paths
from qualbench.services.coding import check_span
from qualbench.services.documents import NotFound, document_text

MAX_SECTION = 400


class QuoteError(UserError):
    """A basket action or citation template cannot be done as asked; nothing was changed."""


# --- is the display text a faithful edit? ---------------------------------------------------------

_BRACKETS = re.compile(r"\[[^\[\]]*\]")
_ELISION = re.compile(r"\[\s*(?:(?:\.\s*){3}|…\s*)\]")
_FOLD = str.maketrans(
    dict.fromkeys("‘’‚‛ʼ´`′", "'")
    | dict.fromkeys("“”„‟«»″", '"')
    | dict.fromkeys("‐‑‒–—―−", "-")
    | dict.fromkeys("\u00a0\u2009\u202f\u2007", " ")
    | {"…": "..."}
)
_WORDS = re.compile(r"\w+")
BRACKET_CHARS = 120  # at most this much original text one [clarification] may stand for
HINT = (
    "only left-out words marked [...], clarifications in [brackets], the case of the first "
    "letter and the punctuation at the ends may differ from the original"
)


@dataclass(frozen=True)
class Fidelity:
    """Whether a display text is a faithful edit of its original span. ``message`` says what
    is wrong without quoting any text; ``where`` is the part of the display text concerned
    (start, end offsets) when one part is."""

    faithful: bool
    message: str = ""
    where: tuple[int, int] | None = None


FAITHFUL = Fidelity(True)


@dataclass
class _Chunk:
    """The display text between two elisions: literal runs and [clarifications]."""

    start: int
    end: int
    parts: list[tuple[bool, int, int]] = field(default_factory=list)  # (is bracket, start, end)


def _chunks(display: str) -> tuple[list[_Chunk], bool, bool]:
    """Chunks of the display text, and whether it starts / ends with an elision."""
    chunks = [_Chunk(0, 0)]
    pos = 0
    for m in _BRACKETS.finditer(display):
        if m.start() > pos:
            chunks[-1].parts.append((False, pos, m.start()))
        if _ELISION.fullmatch(m.group()):
            chunks[-1].end = m.start()
            chunks.append(_Chunk(m.end(), m.end()))
        else:
            chunks[-1].parts.append((True, m.start(), m.end()))
        pos = m.end()
    if pos < len(display):
        chunks[-1].parts.append((False, pos, len(display)))
    chunks[-1].end = len(display)
    kept = [c for c in chunks if any(bracket or display[s:e].strip() for bracket, s, e in c.parts)]
    lead = bool(kept) and kept[0] is not chunks[0]
    trail = bool(kept) and kept[-1] is not chunks[-1]
    return kept, lead, trail


def _literal(text: str, *, free_case: bool) -> str:
    """A literal run as a regex: white space flexible, typographic marks folded; the first
    letter in either case when ``free_case``."""
    out = []
    for i, word in enumerate(text.translate(_FOLD).split()):
        pieces = [re.escape(c) for c in word]
        if free_case and i == 0:
            for j, c in enumerate(word):
                if c.isalpha():
                    pieces[j] = f"(?:{re.escape(c.upper())}|{re.escape(c.lower())})"
                if c.isalnum():
                    break
        out.append("".join(pieces))
    return r"\s+".join(out)


def _chunk_pattern(display: str, chunk: _Chunk, *, stop: int | None = None) -> str:
    """The regex a chunk's original must match. A chunk starts the quote or follows [...], so
    its first letter may change case, and the punctuation at both its ends may change (the
    caller lets the original have any there). ``stop`` cuts the chunk (to locate a mismatch)."""
    out = []
    parts = [(b, s, e if stop is None else min(e, stop)) for b, s, e in chunk.parts]
    parts = [p for p in parts if stop is None or p[1] < stop]
    for i, (bracket, s, e) in enumerate(parts):
        if bracket:
            out.append(rf"[\s\S]{{0,{BRACKET_CHARS}}}?")
            continue
        text = display[s:e]
        if i == 0:
            text = re.sub(r"^[\W_]+", "", text)
        if i == len(parts) - 1 and stop is None:
            text = re.sub(r"[\W_]+$", "", text)
        if text.strip():
            out.append(_literal(text.strip(), free_case=i == 0))
    return "".join(out)


def check_display(original: str, display: str) -> Fidelity:
    """Whether ``display`` is a faithful edit of ``original``: the same words in the same order,
    except words left out with ``[...]`` (also ``[…]``), clarifications in ``[brackets]``
    (standing for nothing or for a few words), the case of the first letter (of the quote and
    after each ``[...]``) and the punctuation at the ends of the quote and next to ``[...]``.
    Typographic and straight quotes, apostrophes and dashes count as the same; so does any
    white space. Words left out at the start or end need ``[...]`` too."""
    display = unicodedata.normalize("NFC", display)
    if not display.strip():
        return Fidelity(False, "the display text is empty")
    if _BRACKETS.sub("", display).count("[") or _BRACKETS.sub("", display).count("]"):
        at = next(
            i
            for i, c in enumerate(_BRACKETS.sub(lambda m: " " * len(m.group()), display))
            if c in "[]"
        )
        return Fidelity(False, "a [ has no matching ] (or the other way round)", (at, at + 1))
    chunks, lead, trail = _chunks(display)
    if not any(not b and _WORDS.search(display, s, e) for c in chunks for b, s, e in c.parts):
        return Fidelity(False, "the display text keeps none of the original's words")
    text = unicodedata.normalize("NFC", original).translate(_FOLD)
    pos = 0
    for n, chunk in enumerate(chunks):
        anchored_start = n == 0 and not lead
        anchored_end = n == len(chunks) - 1 and not trail
        regex = re.compile(
            (r"[\W_]*" if anchored_start else "")
            + _chunk_pattern(display, chunk)
            + (r"[\W_]*\Z" if anchored_end else "")
        )
        m = regex.match(text, pos) if anchored_start else regex.search(text, pos)
        if m is None:
            return _mismatch(
                display, chunk, text, pos, anchored=anchored_start, last=n == len(chunks) - 1
            )
        pos = m.end()
    return FAITHFUL


def _mismatch(
    display: str, chunk: _Chunk, text: str, pos: int, *, anchored: bool, last: bool
) -> Fidelity:
    """Locate the first word of a chunk that does not match the original, for the message."""
    words = [
        w for bracket, s, e in chunk.parts if not bracket for w in _WORDS.finditer(display, s, e)
    ]

    def matches(k: int, *, anchor: bool = anchored) -> bool:
        body = _chunk_pattern(display, chunk, stop=words[k - 1].end())
        regex = re.compile((r"[\W_]*" if anchor else "") + body)
        return bool(regex.match(text, pos) if anchor else regex.search(text, pos))

    lo, hi = 0, len(words)  # the longest prefix of words that still matches
    while lo < hi:
        mid = (lo + hi + 1) // 2
        lo, hi = (mid, hi) if matches(mid) else (lo, mid - 1)
    if lo < len(words):
        bad = words[lo]
        number = len(_WORDS.findall(display, 0, bad.start())) + 1
        if lo == 0 and anchored and matches(1, anchor=False):
            what = (
                "the quote starts later than the original (words left out at the start need [...])"
            )
        else:
            what = f"word {number} of the display text differs from the original there"
        return Fidelity(False, f"{what}; {HINT}", (bad.start(), bad.end()))
    what = "the quote ends" if last else "the text before a [...] ends"
    return Fidelity(
        False,
        f"{what} before the original does (words left out at the end need [...]); {HINT}",
        (chunk.start, chunk.end),
    )


# --- the basket ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BasketItem:
    """A quote in the basket with its context. ``number`` is its place in the basket (1 = first);
    ``context`` is the linked span as an :class:`Excerpt` (its ``text`` is the original);
    ``coding_id`` is None when the quote came from no coding or its coding is gone."""

    id: int
    uuid: str
    number: int
    document_id: int
    start: int
    end: int
    coding_uuid: str | None
    coding_id: int | None
    display: str
    section: str
    note: str
    fidelity: Fidelity
    context: Excerpt

    @property
    def original(self) -> str:
        return self.context.text


def basket(session: Session) -> list[BasketItem]:
    """Every quote in the basket, in its order."""
    rows = session.execute(select(QUOTE).order_by(QUOTE.c.position, QUOTE.c.id)).all()
    contexts = span_excerpts(
        session, [Span(r.document_id, r.start, r.end, r.coding_uuid) for r in rows]
    )
    return [
        BasketItem(
            r.id,
            r.uuid,
            n,
            r.document_id,
            r.start,
            r.end,
            r.coding_uuid,
            ctx.coding_id or None,
            r.display_text,
            r.section,
            r.note,
            check_display(ctx.text, r.display_text),
            ctx,
        )
        for n, (r, ctx) in enumerate(zip(rows, contexts, strict=True), start=1)
    ]


def resolve_quote(session: Session, ref: str | int) -> int:
    """The id of a basket quote given its number in the basket (1 = first) or its uuid."""
    text = str(ref).strip()
    if text.isdigit():
        ids = (
            session.execute(select(QUOTE.c.id).order_by(QUOTE.c.position, QUOTE.c.id))
            .scalars()
            .all()
        )
        n = int(text)
        if not 1 <= n <= len(ids):
            raise NotFound(f"there is no quote {n} in the basket (it holds {len(ids)})")
        return int(ids[n - 1])
    found = session.execute(select(QUOTE.c.id).where(QUOTE.c.uuid == text.lower())).scalar()
    if found is None:
        raise NotFound(f"no quote {text!r} in the basket")
    return int(found)


def _row(session: Session, quote_id: int) -> Any:
    row = session.execute(select(QUOTE).where(QUOTE.c.id == quote_id)).first()
    if row is None:
        raise NotFound(f"quote {quote_id} is not in the basket")
    return row


def _section(section: str) -> str:
    section = " ".join(section.split())
    if len(section) > MAX_SECTION:
        raise QuoteError(f"a section name is at most {MAX_SECTION} characters")
    return section


def _words_start(session: Session, document_id: int, start: int, end: int) -> int:
    """``start``, moved past a speaker label it falls in (``RESPONDENT: ``): a quote is words."""
    body = session.execute(
        select(TURN.c.body_start).where(
            TURN.c.document_id == document_id, TURN.c.start <= start, TURN.c.body_start > start
        )
    ).scalar()
    return int(body) if body is not None and body < end else start


def _checked(original: str, display: str, *, force: bool) -> None:
    if not display.strip():
        raise QuoteError("the display text is empty")
    verdict = check_display(original, display)
    if not verdict.faithful and not force:
        raise QuoteError(
            f"the display text is not a faithful edit of the original: {verdict.message}"
        )


def _renumber(session: Session, ids: Sequence[int]) -> None:
    """Give the quotes positions 0, 1, 2 ... in this order (only those that move are written)."""
    current = dict(session.execute(select(QUOTE.c.id, QUOTE.c.position)).all())
    for position, quote_id in enumerate(ids):
        if current.get(quote_id) != position:
            session.execute(update(QUOTE).where(QUOTE.c.id == quote_id).values(position=position))


def _order(session: Session) -> list[int]:
    return [
        int(i)
        for i in session.execute(
            select(QUOTE.c.id).order_by(QUOTE.c.position, QUOTE.c.id)
        ).scalars()
    ]


def add_quote(
    session: Session,
    *,
    document_id: int | None = None,
    start: int | None = None,
    end: int | None = None,
    coding_id: int | None = None,
    display: str | None = None,
    section: str | None = None,
    note: str = "",
    position: int | None = None,
    force: bool = False,
    uuid: str | None = None,
) -> tuple[int, Changes]:
    """Put a span in the basket: a coding (``coding_id``; its code path is the default section)
    or any span (``document_id``, ``start``, ``end``). The display text defaults to the
    original; ``position`` (0 = first) defaults to the end. A span already in the basket is
    refused; so is a display text that is not a faithful edit, unless ``force``."""
    default_section = ""
    coding_uuid = None
    if coding_id is not None:
        c = session.execute(
            select(
                CODING.c.uuid, CODING.c.document_id, CODING.c.start, CODING.c.end, CODING.c.code_id
            ).where(CODING.c.id == coding_id)
        ).first()
        if c is None:
            raise NotFound(f"coding {coding_id} does not exist")
        if document_id is not None and document_id != c.document_id:
            raise QuoteError("the coding is in another document")
        coding_uuid, document_id = c.uuid, c.document_id
        start = c.start if start is None else start
        end = c.end if end is None else end
        default_section = code_paths(session).get(c.code_id, "")
    if document_id is None or start is None or end is None:
        raise QuoteError("a quote needs a coding, or a document with a start and an end")
    text = session.execute(select(DOCUMENT.c.text).where(DOCUMENT.c.id == document_id)).scalar()
    if text is None:
        raise NotFound(f"document {document_id} does not exist")
    check_span(len(text), start, end, what="quote")
    start = _words_start(session, document_id, start, end)
    original = text[start:end]
    if not original.strip():
        raise QuoteError("the span holds only white space")
    clash = session.execute(
        select(QUOTE.c.id).where(
            QUOTE.c.document_id == document_id, QUOTE.c.start == start, QUOTE.c.end == end
        )
    ).scalar()
    if clash is not None:
        number = _order(session).index(int(clash)) + 1
        raise QuoteError(f"this span is already in the basket (quote {number})")
    display = original.strip() if display is None else unicodedata.normalize("NFC", display).strip()
    _checked(original, display, force=force)
    order = _order(session)
    now = utcnow()
    result = session.execute(
        QUOTE.insert().values(
            uuid=uuid or new_uuid(),
            document_id=document_id,
            start=start,
            end=end,
            coding_uuid=coding_uuid,
            display_text=display,
            section=_section(default_section if section is None else section),
            note=note.strip(),
            position=len(order),
            created=now,
            modified=now,
        )
    )
    quote_id = inserted_id(result)
    if position is not None and position < len(order):
        order.insert(max(0, position), quote_id)
        _renumber(session, order)
    return quote_id, Changes(quotes=frozenset({quote_id}))


def edit_quote(
    session: Session,
    quote_id: int,
    *,
    display: str | None = None,
    section: str | None = None,
    note: str | None = None,
    force: bool = False,
) -> Changes:
    """Change a quote's display text (checked against the original, unless ``force``), its
    section or its note; the span and the original stay as they are."""
    row = _row(session, quote_id)
    values: dict[str, object] = {}
    if display is not None:
        display = unicodedata.normalize("NFC", display).strip()
        original = document_text(session, row.document_id)[row.start : row.end]
        _checked(original, display, force=force)
        values["display_text"] = display
    if section is not None:
        values["section"] = _section(section)
    if note is not None:
        values["note"] = note.strip()
    if values:
        values["modified"] = utcnow()
        session.execute(update(QUOTE).where(QUOTE.c.id == quote_id).values(**values))
    return Changes(quotes=frozenset({quote_id}))


def remove_quote(session: Session, quote_id: int) -> Changes:
    """Take a quote out of the basket (the document and any coding are untouched)."""
    _row(session, quote_id)
    session.execute(QUOTE.delete().where(QUOTE.c.id == quote_id))
    _renumber(session, _order(session))
    return Changes(quotes=frozenset({quote_id}))


def move_quote(session: Session, quote_id: int, position: int) -> Changes:
    """Move a quote to ``position`` in the basket (0 = first; beyond the end = last)."""
    _row(session, quote_id)
    order = [i for i in _order(session) if i != quote_id]
    order.insert(max(0, min(position, len(order))), quote_id)
    _renumber(session, order)
    return Changes(quotes=frozenset(order))


# --- citations -------------------------------------------------------------------------------------

CITATION_KEY = "citation_template"  # in the meta table
DEFAULT_CITATION = "({participant}, {document}, {place})"
FIELDS: dict[str, str] = {
    "participant": "the participant's pseudonym (else their name, else the speaker label)",
    "speaker": "the speaker label as written in the transcript",
    "document": "the document's name",
    "kind": "the document's kind (interview, focus group, other)",
    "timestamp": "the time of the speaker turn (hh:mm:ss), where the transcript has one",
    "paragraph": "the paragraph number in the document",
    "place": "the turn's time, else ¶ and the paragraph number",
    "code": "the code of the coding the quote comes from",
    "code_path": "the code with its parents (Parent > Child)",
}
_TOKEN = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")
_EMPTY_BRACKETS = re.compile(r"\s*(?:\(\s*\)|\[\s*\])")  # "({age})" without an age
_SEPARATOR = re.compile(r"\s*[,;|·/]\s*|\s+[-–—]\s+")


def _key(name: str) -> str:
    return re.sub(r"[\s_-]+", "_", name.strip().casefold())


def _builtin(e: Excerpt, key: str) -> str:
    if key == "participant":
        return e.who
    if key == "speaker":
        return e.speaker
    if key == "document":
        return e.document
    if key == "kind":
        return e.document_kind
    if key == "timestamp":
        return e.timestamp
    if key == "paragraph":
        return str(e.paragraph) if e.paragraph else ""
    if key == "place":
        return e.timestamp or (f"¶{e.paragraph}" if e.paragraph else "")
    if key == "code":
        return e.code_levels[-1] if e.code_path else ""
    return e.code_path  # code_path


@dataclass(frozen=True)
class _Field:
    scope: str  # builtin | case | document
    name: str  # the built-in key or the attribute's name

    def value(self, e: Excerpt) -> str:
        if self.scope == "builtin":
            raw = _builtin(e, self.name)
        elif self.scope == "case":
            raw = e.participant_attributes.get(self.name, "")
        else:
            raw = e.document_attributes.get(self.name, "")
        return " ".join(str(raw or "").split())


@dataclass(frozen=True)
class _Segment:
    """Part of a citation between separators: dropped when all its fields are empty."""

    separator: str  # before it (unused for the first segment kept)
    items: tuple[str | _Field, ...]


@dataclass(frozen=True)
class Citation:
    """A checked citation template; call it with an excerpt (or a basket item's context)."""

    template: str
    prefix: str
    segments: tuple[_Segment, ...]
    suffix: str

    def __call__(self, e: Excerpt) -> str:
        kept: list[str] = []
        for seg in self.segments:
            values = [i.value(e) if isinstance(i, _Field) else i for i in seg.items]
            fields = [v for i, v in zip(seg.items, values, strict=True) if isinstance(i, _Field)]
            if fields and not any(fields):
                continue
            text = " ".join("".join(values).split())
            if text:
                kept.append((seg.separator if kept else "") + text)
        if not kept:
            return ""
        text = _EMPTY_BRACKETS.sub("", self.prefix + "".join(kept) + self.suffix)
        return " ".join(text.split())


def parse_citation(
    template: str, *, case_attributes: Sequence[str] = (), document_attributes: Sequence[str] = ()
) -> Citation:
    """Check a citation template against the built-in fields and the project's attributes.
    ``{gender}`` is a participant attribute, else a document attribute; ``{case:NAME}`` and
    ``{document:NAME}`` say which; names match ignoring case, spaces and underscores."""
    cases = {_key(a): a for a in case_attributes}
    docs = {_key(a): a for a in document_attributes}
    items: list[str | _Field] = []
    pos = 0
    for m in _TOKEN.finditer(template):
        if m.start() > pos:
            items.append(template[pos : m.start()])
        token = m.group()
        if token in ("{{", "}}"):
            items.append(token[0])
        elif m.group(1) is None:
            raise QuoteError(
                f"the citation template has a lone {token!r} (write {token * 2} for the character)"
            )
        else:
            items.append(_resolve_field(m.group(1), cases, docs))
        pos = m.end()
    if pos < len(template):
        items.append(template[pos:])
    return _segments(template, items)


def _resolve_field(raw: str, cases: dict[str, str], docs: dict[str, str]) -> _Field:
    scope, _, name = raw.partition(":") if ":" in raw else ("", "", raw)
    key, scope = _key(name), _key(scope)
    if scope in ("case", "participant") and key in cases:
        return _Field("case", cases[key])
    if scope == "document" and key in docs:
        return _Field("document", docs[key])
    if not scope:
        if key in FIELDS:
            return _Field("builtin", key)
        if key in cases:
            return _Field("case", cases[key])
        if key in docs:
            return _Field("document", docs[key])
    known = [*FIELDS, *cases.values()]
    known += [a if k not in cases and k not in FIELDS else f"document:{a}" for k, a in docs.items()]
    if scope not in ("", "case", "participant", "document"):
        raise QuoteError(
            f"unknown field {{{raw}}} in the citation template: {scope}: is neither case: nor document:"
        )
    raise QuoteError(
        f"unknown field {{{raw}}} in the citation template; known fields: "
        + ", ".join(f"{{{k}}}" for k in known)
    )


def _segments(template: str, items: list[str | _Field]) -> Citation:
    """Split items into prefix, segments (cut at separators between fields) and suffix."""
    fields = [i for i, item in enumerate(items) if isinstance(item, _Field)]
    if not fields:
        text = "".join(str(i) for i in items)
        return Citation(template, "", (_Segment("", (text,)),) if text else (), "")
    first, last = fields[0], fields[-1]
    head = "".join(str(i) for i in items[:first])
    tail = "".join(str(i) for i in items[last + 1 :])
    # Only the brackets and punctuation around the whole citation always show: the words of
    # "focus group {group}" or "{age} years" belong to their field's part.
    lead = re.match(r"[\W_]*", head)
    trail = re.search(r"[\W_]*\Z", tail)
    prefix = lead.group() if lead else ""
    suffix = trail.group() if trail else ""
    body = items[first : last + 1]
    if head[len(prefix) :]:
        body.insert(0, head[len(prefix) :])
    if tail[: len(tail) - len(suffix)]:
        body.append(tail[: len(tail) - len(suffix)])
    segments: list[_Segment] = []
    separator, current = "", list[str | _Field]()
    for item in body:
        if isinstance(item, _Field):
            current.append(item)
            continue
        m = _SEPARATOR.search(item)
        if m is None:
            current.append(item)
            continue
        if item[: m.start()]:
            current.append(item[: m.start()])
        segments.append(_Segment(separator, tuple(current)))
        separator, current = m.group(), [item[m.end() :]] if item[m.end() :] else []
    segments.append(_Segment(separator, tuple(current)))
    return Citation(template, prefix, tuple(segments), suffix)


def citation_template(session: Session) -> str:
    """The project's default citation template."""
    found = session.execute(select(META.c.value).where(META.c.key == CITATION_KEY)).scalar()
    return str(found) if found else DEFAULT_CITATION


def _attributes(session: Session, scope: str) -> list[str]:
    return list(
        session.execute(
            select(ATTRIBUTE.c.name)
            .where(ATTRIBUTE.c.scope == scope)
            .order_by(ATTRIBUTE.c.position)
        ).scalars()
    )


def citation(session: Session, template: str | None = None) -> Citation:
    """A citation template (the project's default if None), checked against the project's
    attributes: an unknown field is an error naming it."""
    return parse_citation(
        citation_template(session) if template is None else template,
        case_attributes=_attributes(session, "case"),
        document_attributes=_attributes(session, "document"),
    )


def citation_fields(session: Session) -> list[tuple[str, str]]:
    """``(field, what it is)`` for every field a template can use, for help texts and pickers."""
    out = list(FIELDS.items())
    cases = _attributes(session, "case")
    out += [(a, "participant attribute") for a in cases]
    out += [
        (
            a if _key(a) not in {_key(c) for c in cases} | set(FIELDS) else f"document:{a}",
            "document attribute",
        )
        for a in _attributes(session, "document")
    ]
    return out


def set_citation_template(session: Session, template: str) -> Changes:
    """Make ``template`` the project's default citation (checked first); '' restores the
    built-in default."""
    template = template.strip()
    if template:
        citation(session, template)
    session.execute(META.delete().where(META.c.key == CITATION_KEY))
    if template and template != DEFAULT_CITATION:
        session.execute(META.insert().values(key=CITATION_KEY, value=template))
    return Changes(project=True)
