"""Pseudonymisation on export: names in exported text replaced, the project's text untouched.

Two sources of names: the speakers of the transcripts (a speaker label that is a personal name,
``Aigerim``, becomes the participant's pseudonym) and a list the user keeps in the project
(each name with its replacement, or the placeholder). Matching is whole-word, case-insensitive,
Unicode-aware and longest-name-first, so ``Anna Petrova`` wins over ``Anna``. Every exporter
builds one :class:`Pseudonymiser` per export (:func:`project_pseudonymiser`) and passes text
through :func:`pseudonymise`, so the same name gets the same replacement everywhere.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import select
from sqlmodel import Session

from qualbench.changes import Changes
from qualbench.db import CASES, DOCUMENT, NAME_REPLACEMENT, TURN, inserted_id
from qualbench.errors import UserError
from qualbench.model import new_uuid, utcnow
from qualbench.reports.excerpts import PSEUDONYM_KEYS, Excerpt
from qualbench.services.cases import values_of

PLACEHOLDER = "[name]"
MAX_NAME = 200

# Speaker labels that are roles or codes, not names: left as they are.
_ROLE_LABEL = re.compile(
    r"(?:interviewer|interviewee|moderator|facilitator|respondent|participant|speaker|researcher"
    r"|informant|host|guest|translator|interpreter|note[- ]?taker|observer|unknown|all|several"
    r"|group|audience|voice|man|woman|male|female|child|int|resp|iv|ip|mod|q|a)"
    r"(?:\s*[-#]?\s*\d+|\s+[A-Z])?",
    re.IGNORECASE,
)
_APOSTROPHES = str.maketrans(dict.fromkeys("’‘ʼ`´", "'"))


class NameListError(UserError):
    """A name cannot be added to or removed from the list; nothing was changed."""


def name_key(name: str) -> str:
    """How names are compared: NFC, case-folded, straight apostrophes, single spaces."""
    return " ".join(unicodedata.normalize("NFC", name).translate(_APOSTROPHES).casefold().split())


def is_personal_name(label: str) -> bool:
    """Whether a speaker label looks like a person's name (``Anna``, ``Dr. van Dijk``) rather
    than a role or code (``Interviewer``, ``P3``, ``Speaker 2``, ``Q``)."""
    label = label.strip()
    if not label or any(c.isdigit() for c in label) or _ROLE_LABEL.fullmatch(label):
        return False
    return any(c.isalpha() for c in label) and len(label) > 1


def _pattern(name: str) -> str:
    """A name as a regex: its words with any white space between, any apostrophe for one."""
    words = []
    for word in unicodedata.normalize("NFC", name).split():
        words.append("".join("['’‘ʼ`´]" if c in "'’‘ʼ`´" else re.escape(c) for c in word))
    return r"\s+".join(words)


class Pseudonymiser:
    """Replaces names in text: a speaker's name in their own document by their participant's
    pseudonym, the names of the user's list by their replacement, other names by the
    placeholder.

    ``names`` maps a name to its replacement ('' = ``placeholder``); ``speakers`` maps a
    document id to ``{speaker name: pseudonym}`` (pseudonym '' = ``placeholder``).
    """

    def __init__(
        self,
        names: Mapping[str, str] | None = None,
        *,
        speakers: Mapping[int, Mapping[str, str]] | None = None,
        placeholder: str = PLACEHOLDER,
    ) -> None:
        self.placeholder = placeholder
        self._listed = {name_key(k): v.strip() for k, v in (names or {}).items() if name_key(k)}
        self._by_document: dict[tuple[int, str], str] = {}
        seen: dict[str, set[str]] = {}
        spelled: dict[str, str] = {name_key(k): k for k in names or {}}
        for doc_id, people in (speakers or {}).items():
            for label, pseudonym in people.items():
                key = name_key(label)
                if key:
                    self._by_document[doc_id, key] = pseudonym.strip()
                    seen.setdefault(key, set()).add(pseudonym.strip())
                    spelled.setdefault(key, label)
        # A speaker name met in another document: its pseudonym if it is the same everywhere.
        self._speakers = {k: next(iter(v)) if len(v) == 1 else "" for k, v in seen.items()}
        keys = sorted(spelled, key=lambda k: (-len(k), k))
        self._regex = (
            re.compile(
                r"(?<!\w)(?:" + "|".join(_pattern(spelled[k]) for k in keys) + r")(?!\w)",
                re.IGNORECASE,
            )
            if keys
            else None
        )

    @property
    def listed(self) -> int:
        """How many names the user's list holds."""
        return len(self._listed)

    @property
    def speaker_names(self) -> int:
        """How many distinct speaker names are replaced."""
        return len(self._speakers)

    def describe(self) -> str:
        """One line for an export's About: what was replaced and by what."""
        return (
            f"Pseudonymised: {self.speaker_names} speaker name(s) replaced by the participant's "
            f"pseudonym (or {self.placeholder}) and {self.listed} listed name(s) by their "
            "replacement; the project's transcripts are unchanged."
        )

    def replacement(self, name: str, *, document_id: int | None = None) -> str:
        """What ``name`` becomes in text from ``document_id`` (None: from no one document): in
        a document where it is a speaker with a pseudonym, that pseudonym; else its listed
        replacement; else the pseudonym it has as a speaker everywhere else; else the
        placeholder."""
        key = name_key(name)
        found = self._by_document.get((document_id, key), "") if document_id is not None else ""
        if not found:
            found = self._listed[key] if key in self._listed else self._speakers.get(key, "")
        return found or self.placeholder

    def __call__(self, text: str, *, document_id: int | None = None) -> str:
        if self._regex is None or not text:
            return text
        return self._regex.sub(lambda m: self.replacement(m.group(), document_id=document_id), text)

    def excerpt(self, e: Excerpt) -> Excerpt:
        """A copy of an excerpt with every text field pseudonymised: the quote, the speaker and
        participant (their pseudonym), attribute values, the memo and the document name."""
        doc = e.document_id or None

        def clean(values: Mapping[str, str]) -> dict[str, str]:
            return {k: self(v, document_id=doc) for k, v in values.items()}

        people = clean(e.participant_attributes)
        pseudonym = next(
            (
                v.strip()
                for k, v in e.participant_attributes.items()
                if k.casefold() in PSEUDONYM_KEYS
            ),
            "",
        )
        speaker = e.speaker
        if is_personal_name(speaker):
            speaker = pseudonym or self.replacement(speaker, document_id=doc)
        participant = e.participant
        if participant and participant != f"{e.document}: {e.speaker}":
            participant = pseudonym or self(participant, document_id=doc)
        document = self(e.document, document_id=doc)
        if e.participant == f"{e.document}: {e.speaker}":
            participant = f"{document}: {speaker}"
        return dataclasses.replace(
            e,
            text=self(e.text, document_id=doc),
            speaker=speaker,
            participant=participant,
            document=document,
            participant_attributes=people,
            document_attributes=clean(e.document_attributes),
            memo=self(e.memo, document_id=doc),
        )


def pseudonymise(
    text: str, names: Pseudonymiser | Mapping[str, str], *, document_id: int | None = None
) -> str:
    """``text`` with the names replaced (see :class:`Pseudonymiser`). Pass a Pseudonymiser
    built once per export; a plain ``{name: replacement}`` works for one-off calls."""
    p = names if isinstance(names, Pseudonymiser) else Pseudonymiser(names)
    return p(text, document_id=document_id)


def speaker_pseudonyms(session: Session) -> dict[int, dict[str, str]]:
    """``{document id: {speaker name: pseudonym or ''}}`` for speaker labels that are names.

    The pseudonym is the participant's ``pseudonym`` attribute, else the participant's name if
    it was renamed (an attribute table's pseudonym column does that), else ''.
    """
    rows = session.execute(
        select(TURN.c.document_id, TURN.c.speaker, TURN.c.case_id, CASES.c.name, DOCUMENT.c.name)
        .outerjoin(CASES, CASES.c.id == TURN.c.case_id)
        .join(DOCUMENT, DOCUMENT.c.id == TURN.c.document_id)
        .distinct()
    ).all()
    attrs = values_of(session, scope="case")
    out: dict[int, dict[str, str]] = {}
    for doc_id, label, case_id, case_name, doc_name in rows:
        if not is_personal_name(label):
            continue
        values = attrs.get(case_id, {}) if case_id is not None else {}
        pseudonym = next(
            (v.strip() for k, v in values.items() if k.casefold() in PSEUDONYM_KEYS and v.strip()),
            "",
        )
        if not pseudonym and case_name and case_name not in (label, f"{doc_name}: {label}"):
            pseudonym = case_name
        if name_key(pseudonym) == name_key(label):
            pseudonym = ""  # the "pseudonym" is the name itself
        out.setdefault(doc_id, {})[label] = pseudonym
    return out


def project_pseudonymiser(
    session: Session, *, placeholder: str = PLACEHOLDER, speakers: bool = True
) -> Pseudonymiser:
    """The pseudonymiser of a project: its list of names, and its speakers' names."""
    return Pseudonymiser(
        {n.name: n.replacement for n in list_names(session)},
        speakers=speaker_pseudonyms(session) if speakers else None,
        placeholder=placeholder,
    )


# --- the list of names ----------------------------------------------------------------------------


@dataclass(frozen=True)
class NameRow:
    """A name to replace on export and what replaces it ('' = the placeholder)."""

    id: int
    uuid: str
    name: str
    replacement: str


def list_names(session: Session) -> list[NameRow]:
    """The project's list of names, alphabetically."""
    rows = session.execute(
        select(
            NAME_REPLACEMENT.c.id,
            NAME_REPLACEMENT.c.uuid,
            NAME_REPLACEMENT.c.name,
            NAME_REPLACEMENT.c.replacement,
        )
    ).all()
    return sorted((NameRow(*r) for r in rows), key=lambda n: (name_key(n.name), n.id))


def _clean_name(name: str) -> str:
    name = " ".join(unicodedata.normalize("NFC", name).split())
    if not any(c.isalnum() for c in name):
        raise NameListError("a name to replace needs at least one letter or digit")
    if len(name) > MAX_NAME:
        raise NameListError(f"a name is at most {MAX_NAME} characters")
    return name


def set_name(
    session: Session, name: str, replacement: str = "", *, uuid: str | None = None
) -> tuple[int, Changes]:
    """Add a name to the list, or change the replacement of a name already there (the same
    name in any case). ``replacement`` '' means the placeholder."""
    name = _clean_name(name)
    replacement = " ".join(unicodedata.normalize("NFC", replacement).split())
    if len(replacement) > MAX_NAME:
        raise NameListError(f"a replacement is at most {MAX_NAME} characters")
    if name_key(replacement) == name_key(name):
        raise NameListError("the replacement is the name itself")
    key = name_key(name)
    found = session.execute(
        select(NAME_REPLACEMENT.c.id).where(NAME_REPLACEMENT.c.match_key == key)
    ).scalar()
    if found is not None:
        session.execute(
            NAME_REPLACEMENT.update()
            .where(NAME_REPLACEMENT.c.id == found)
            .values(name=name, replacement=replacement)
        )
        return int(found), Changes(names=frozenset({int(found)}))
    result = session.execute(
        NAME_REPLACEMENT.insert().values(
            uuid=uuid or new_uuid(),
            name=name,
            match_key=key,
            replacement=replacement,
            created=utcnow(),
        )
    )
    new_id = inserted_id(result)
    return new_id, Changes(names=frozenset({new_id}))


def resolve_name(session: Session, name: str) -> int:
    """The id of a listed name (any case)."""
    found = session.execute(
        select(NAME_REPLACEMENT.c.id).where(NAME_REPLACEMENT.c.match_key == name_key(name))
    ).scalar()
    if found is None:
        raise NameListError("that name is not in the list of names to replace")
    return int(found)


def remove_name(session: Session, name_id: int) -> Changes:
    """Take a name off the list."""
    found = session.execute(
        select(NAME_REPLACEMENT.c.id).where(NAME_REPLACEMENT.c.id == name_id)
    ).scalar()
    if found is None:
        raise NameListError(f"name {name_id} is not in the list")
    session.execute(NAME_REPLACEMENT.delete().where(NAME_REPLACEMENT.c.id == name_id))
    return Changes(names=frozenset({name_id}))
