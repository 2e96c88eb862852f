"""Small builders for core tests: a project with a known transcript, codes and a coder."""

from __future__ import annotations

from dataclasses import dataclass

from importers import Transcript
from importers.speakers import find_turns
from qualbench.services.codes import create_code
from qualbench.services.coding import get_or_create_coder
from qualbench.services.documents import add_transcript
from qualbench.store import Project

INTERVIEW = (
    "Interview 7, recorded at the drop-in centre\n"
    "\n"
    "INTERVIEWER: What happened in the first days after release?\n"
    "\n"
    "RESPONDENT: I had no room, no papers. The police stopped me twice the first week.\n"
    "I was scared to carry the kit because of them.\n"
    "\n"
    "INTERVIEWER: Did you have naloxone with you?\n"
    "\n"
    "RESPONDENT: Yes, they gave me one at the gate. I showed my cousin how to use it.\n"
)


@dataclass
class World:
    doc: int
    coder: int
    other_coder: int
    housing: int
    police: int
    naloxone: int
    risks: int


def span(text: str, phrase: str) -> tuple[int, int]:
    start = text.index(phrase)
    return start, start + len(phrase)


def make_world(project: Project, text: str = INTERVIEW) -> World:
    with project.write() as s:
        doc, _ = add_transcript(
            s, Transcript(text=text, turns=find_turns(text), source_name="interview07.txt")
        )
        coder, _ = get_or_create_coder(s, "ana")
        other, _ = get_or_create_coder(s, "ben")
        risks, _ = create_code(s, name="Release risks")
        housing, _ = create_code(s, name="Housing", parent_id=risks)
        police, _ = create_code(
            s, name="Police fear", color="#1F77B4", definition="Fear of police contact"
        )
        naloxone, _ = create_code(s, name="Naloxone")
    return World(doc, coder, other, housing, police, naloxone, risks)
