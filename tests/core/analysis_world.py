"""A two-document project small enough to count by hand, for the analysis tests (theme measures,
co-occurrence, queries, presence matrices).

fg_a (focus group, country Kazakhstan)      interview_b (interview, country Belgium)
  MODERATOR (woman)  What worries you?        INTERVIEWER (woman)  Tell me about release.
  P1 (man, 34)       The police stop us. ...  RESPONDENT (man, 41) I had no room after prison. ...
  P2 (woman, 29)     No room to live. ...
  P1                 My friend has naloxone. Police took it.

Codings (coder: span):
  fg_a        Police fear  ana "The police stop us. I fear them."   ben "I fear them."
              Housing      ana "No room to live."
              Employment   ana "No job either."
                           ben "No job either." ... "My friend has naloxone." (P2 into P1's turn)
              Naloxone     ben "My friend has naloxone."
              Police fear  ana "Police took it."
  interview_b Housing      ana "I had no room after prison."
              Police fear  ana "The police watched the shelter."
                           ben "I had no room after prison. The police watched the shelter."
              Gratitude    ana "I was grateful for the nurse."
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from importers import Transcript
from importers.speakers import find_turns
from qualbench.services.cases import set_values
from qualbench.services.codes import create_code
from qualbench.services.coding import apply_code, get_or_create_coder
from qualbench.services.documents import add_transcript
from qualbench.store import Project, create_project

FG_A = (
    "Focus group A\n"
    "\n"
    "MODERATOR: What worries you?\n"
    "\n"
    "P1: The police stop us. I fear them.\n"
    "\n"
    "P2: No room to live. No job either.\n"
    "\n"
    "P1: My friend has naloxone. Police took it.\n"
)
INTERVIEW_B = (
    "INTERVIEWER: Tell me about release.\n"
    "\n"
    "RESPONDENT: I had no room after prison. The police watched the shelter. "
    "I was grateful for the nurse.\n"
)
# Words of text (speaker labels are no one's words): fg_a 3 (heading) + 3 + 7 + 7 + 7 = 27,
# interview_b 4 + 17 = 21.
WORDS = {"Kazakhstan": 27, "Belgium": 21}


@dataclass
class Analysis:
    fg_a: int
    interview_b: int
    risks: int
    housing: int
    employment: int
    police: int
    naloxone: int
    gratitude: int


def between(text: str, first: str, last: str) -> tuple[int, int]:
    """The span from the start of ``first`` to the end of ``last``."""
    start = text.index(first)
    return start, text.index(last, start) + len(last)


def build(project: Project) -> Analysis:
    with project.write() as s:
        fg_a, _ = add_transcript(
            s,
            Transcript(text=FG_A, turns=find_turns(FG_A), source_name="fg_a.txt"),
            kind="focus_group",
        )
        b, _ = add_transcript(
            s,
            Transcript(
                text=INTERVIEW_B, turns=find_turns(INTERVIEW_B), source_name="interview_b.txt"
            ),
            kind="interview",
        )
        set_values(s, scope="document", owner_id=fg_a, values={"country": "Kazakhstan"})
        set_values(s, scope="document", owner_id=b, values={"country": "Belgium"})
        from sqlalchemy import select

        from qualbench.db import CASES

        people = dict(s.execute(select(CASES.c.name, CASES.c.id)).all())
        for name, gender, age in (
            ("fg_a: MODERATOR", "woman", ""),
            ("fg_a: P1", "man", "34"),
            ("fg_a: P2", "woman", "29"),
            ("interview_b: INTERVIEWER", "woman", ""),
            ("interview_b: RESPONDENT", "man", "41"),
        ):
            set_values(
                s, scope="case", owner_id=people[name], values={"gender": gender, "age": age}
            )
        ana, _ = get_or_create_coder(s, "ana")
        ben, _ = get_or_create_coder(s, "ben")
        risks, _ = create_code(s, name="Release risks")
        housing, _ = create_code(s, name="Housing", parent_id=risks)
        employment, _ = create_code(s, name="Employment", parent_id=risks)
        police, _ = create_code(s, name="Police fear")
        naloxone, _ = create_code(s, name="Naloxone")
        gratitude, _ = create_code(s, name="Gratitude")

        def code(doc: int, text: str, first: str, last: str, code_id: int, coder: int) -> None:
            start, end = between(text, first, last)
            apply_code(s, document_id=doc, start=start, end=end, code_id=code_id, coder_id=coder)

        code(fg_a, FG_A, "The police", "fear them.", police, ana)
        code(fg_a, FG_A, "I fear", "them.", police, ben)
        code(fg_a, FG_A, "No room", "live.", housing, ana)
        code(fg_a, FG_A, "No job", "either.", employment, ana)
        code(fg_a, FG_A, "No job", "has naloxone.", employment, ben)
        code(fg_a, FG_A, "My friend", "has naloxone.", naloxone, ben)
        code(fg_a, FG_A, "Police took", "it.", police, ana)
        code(b, INTERVIEW_B, "I had", "prison.", housing, ana)
        code(b, INTERVIEW_B, "The police", "shelter.", police, ana)
        code(b, INTERVIEW_B, "I had", "shelter.", police, ben)
        code(b, INTERVIEW_B, "I was", "nurse.", gratitude, ana)
    return Analysis(fg_a, b, risks, housing, employment, police, naloxone, gratitude)


def build_file(path: Path) -> Path:
    """The same project as a closed file, for command-line tests."""
    with create_project(path, name="Analysis") as p:
        build(p)
    return path
