"""Builders of REFI-QDA files for the tests: archives, and one project in the manner of each tool.

Each ``*_like`` builder writes the quirks research found in that tool's real exports (see
../shared/research/peers-refi-agreement.md section 1) and returns the file with the phrases its
selections are meant to cover, so that a test can check every coding lands on its words.
Positions are computed here by hand (UTF-16 units by encoding, line breaks by counting), not
with the code under test.
"""

from __future__ import annotations

import io
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

LF = "\n"


def qdpx(path: Path, qde: str | bytes, files: dict[str, bytes] | None = None) -> Path:
    """A .qdpx with ``project.qde`` (or the name given as a ``files`` key) and members."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("project.qde", qde.encode("utf-8") if isinstance(qde, str) else qde)
        for name, data in (files or {}).items():
            zf.writestr(name, data)
    return path


def cp(text: str, i: int) -> int:
    return i


def utf16(text: str, i: int) -> int:
    return len(text[:i].encode("utf-16-le")) // 2


def crlf_once(text: str, i: int) -> int:
    return len(text[:i].replace("\r\n", "\n"))


@dataclass
class Fixture:
    path: Path
    expected: list[tuple[str, str, str]] = field(default_factory=list)  # (source, code, phrase)


def project_xml(origin: str, body: str, *, ns: str = "urn:QDA-XML:project:1.0") -> str:
    xmlns = f' xmlns="{ns}"' if ns else ""
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        f'<Project name="fixture" origin="{origin}"{xmlns}>{body}</Project>'
    )


def selections(raw: str, body: str, phrases: list[tuple[str, str]], count, user: str,
               coder: str, guid: str, *, names: bool = False) -> str:  # fmt: skip
    """PlainTextSelection elements for phrases of ``body`` (the text after any BOM)."""
    out = []
    for n, (code, phrase) in enumerate(phrases):
        i = body.index(phrase)
        name = f' name="{phrase.replace(chr(13), "").replace(LF, " ")}"' if names else ""
        out.append(
            f'<PlainTextSelection guid="{guid}{n:04d}-0000-4000-8000-000000000001"{name} '
            f'startPosition="{count(body, i)}" endPosition="{count(body, i + len(phrase))}" '
            f'creatingUser="{user}"><Description/>'
            f'<Coding guid="{guid}{n:04d}-0000-4000-8000-000000000002" creatingUser="{coder}">'
            f'<CodeRef targetGUID="{code}"/></Coding></PlainTextSelection>'
        )
    return "".join(out)


# --- NVivo for Windows: BOM, CR LF, UTF-16 units, "Sources/", lower-case GUIDs -----------------

NVIVO_TEXT = (
    "Interviewer: How was the first week after release?\r\n"
    "P1: The police 🚓 stopped me twice 😞 and I was scared to carry the kit.\r\n"
    "Interviewer: And the training?\r\n"
    "P1: It taught me the nai\u0308ve rules were wrong 👍 and naloxone works.\r\n"
    "P1: My friend 👨‍👩‍👧 was saved at the café on Monday.\r\n"
)
POLICE = "aaaaaaaa-0000-4000-8000-00000000000a"
NALOXONE = "bbbbbbbb-0000-4000-8000-00000000000b"
RISKS = "cccccccc-0000-4000-8000-00000000000c"
NVIVO_PHRASES = [
    (POLICE, "The police 🚓 stopped me twice 😞"),
    (POLICE, "scared to carry the kit"),
    (NALOXONE, "nai\u0308ve rules were wrong 👍"),
    (NALOXONE, "naloxone works"),
    (NALOXONE, "friend 👨‍👩‍👧 was saved"),
    (RISKS, "the first week after release"),
    (RISKS, "kit.\r\nInterviewer: And"),
    (RISKS, "café on Monday"),
]


def nvivo_windows_like(folder: Path, *, origin: str = "NVivo 12 (12.6.0.959)") -> Fixture:
    guid = "5f1c3a9e-1b2c-4d3e-8f4a-5b6c7d8e9f01"
    owner, coder = "11111111-aaaa-4bbb-8ccc-000000000001", "22222222-aaaa-4bbb-8ccc-000000000002"
    sels = selections(NVIVO_TEXT, NVIVO_TEXT, NVIVO_PHRASES, utf16, owner, coder, "d0c0")
    body = (
        f'<Users><User guid="{owner}" id="OW" name="owner"/><User guid="{coder}" id="CO" name="coder b"/></Users>'
        "<CodeBook><Codes>"
        f'<Code guid="{RISKS}" name="Release risks" isCodable="true" color="#3366cc">'
        "<Description>Risks\r\nafter release</Description>"
        f'<Code guid="{POLICE}" name="Police fear" isCodable="true"><Description/></Code></Code>'
        f'<Code guid="{NALOXONE}" name="Naloxone" isCodable="true"/>'
        "</Codes></CodeBook>"
        f'<Sources><TextSource guid="{guid}" name="Interview 1" plainTextPath="internal://{guid}.txt" '
        f'creatingUser="{owner}"><Description/>{sels}</TextSource></Sources>'
    )
    data = b"\xef\xbb\xbf" + NVIVO_TEXT.encode("utf-8")
    path = qdpx(folder / "nvivo.qdpx", project_xml(origin, body), {f"Sources/{guid}.txt": data})
    fx = Fixture(path)
    fx.expected = [("Interview 1", c, p) for c, p in NVIVO_PHRASES]
    return fx


# --- ATLAS.ti: CR LF in the text, each line break counted once, "::" names, upper-case GUIDs ----

ATLAS_TEXT = (
    "Moderator: What did you eat for breakfast?\r\n"
    "Mabel: Coke. Diet Coke, every morning.\r\n"
    "Simon: Bacon and eggs at the hotel, then a cornflakes bowl.\r\n"
    "Mabel: Oh, that was great. See you tomorrow? Eleven thirty. Mm.\r\n"
)
DIET = "D299EFAE-5779-46DC-9827-A3D1A5D544BC"
COKE = "7496BA52-9C8D-4396-8FAB-CC438614E453"
BREAKFAST = "E3AABCC1-84E7-48D4-B059-50FF914ED1E2"
ATLAS_PHRASES = [
    (DIET, "Diet Coke, every morning"),
    (COKE, "Coke."),
    (BREAKFAST, "Bacon and eggs at the hotel"),
    (BREAKFAST, "cornflakes bowl.\r\nMabel: Oh"),
    (DIET, "Oh, that was great. See you tomorrow? Eleven thirty. Mm."),
]


def atlas_like(folder: Path) -> Fixture:
    user = "AD68FBE7-E1EE-4A82-A279-23CC698C89EB"
    guid = "57C6099B-934F-4C86-90F2-CC6C2F2A3CC3"
    sels = selections(ATLAS_TEXT, ATLAS_TEXT, ATLAS_PHRASES, crlf_once, user, user, "A71A",
                      names=True)  # fmt: skip
    sels = sels.replace("<Description/>", "<Description>why Coke for breakfast?</Description>", 1)
    body = (
        f'<Users><User guid="C32A2BD5-537F-4838-8B17-DF9EFBAFDF4B" name="ATLAS.ti"/>'
        f'<User guid="{user}" name="Friedrich Markgraf"/></Users>'
        "<CodeBook><Codes>"
        f'<Code color="#966450" isCodable="true" name="Coke::diet Coke" guid="{DIET}">'
        "<Description>non sucré</Description></Code>"
        f'<Code color="#966450" isCodable="true" name="Coke" guid="{COKE}">'
        "<Description>the breakfast of champions</Description></Code>"
        f'<Code color="#46AA00" isCodable="true" name="Breakfast food" guid="{BREAKFAST}"/>'
        "</Codes></CodeBook>"
        f'<Sources><TextSource plainTextPath="internal://01106019-2518-43DD-BBD1-8F0252BACB30.txt" '
        f'guid="{guid}" name="1994 Diet Coke break.docx" creatingUser="{user}">{sels}</TextSource></Sources>'
    )
    path = qdpx(
        folder / "atlas.qdpx",
        project_xml("ATLAS.ti 23.2.3 for Windows", body),
        # the archive spells the file in capitals, the XML in lower case (spec Annex A.2)
        {"Sources/01106019-2518-43DD-BBD1-8F0252BACB30.TXT": ATLAS_TEXT.encode("utf-8")},
    )
    fx = Fixture(path)
    fx.expected = [("1994 Diet Coke break", c, p) for c, p in ATLAS_PHRASES]
    return fx


# --- MAXQDA: "sources/", CR LF counted twice, braced GUIDs, variables on a nameless Case,
#     selections without a Coding, two sources with one name --------------------------------------

MAXQDA_TEXTS = (
    "Q: Where did you sleep?\r\nA: At my sister's flat, on the floor.\r\n",
    "Q: And work?\r\nA: Nobody hires you with a record. Nobody.\r\n",
)
HOUSING = "{0DCEF2F5-E55C-49DA-8C33-9B0803C7AEB4}"
WORK = "{D7AA29DA-519B-4946-9B90-253B6DB8FD0A}"


def maxqda_like(folder: Path) -> Fixture:
    user = "{2C5846FE-C0B7-4124-9256-794A5742CEBA}"
    phrases = [[(HOUSING, "At my sister's flat")], [(WORK, "Nobody hires you with a record")]]
    sources, files, cases = [], {}, []
    for n, text in enumerate(MAXQDA_TEXTS):
        guid = f"{{A{n}000000-0000-4000-8000-000000000000}}"
        sels = selections(text, text, phrases[n], cp, user, user, f"E{n}00")
        if n == 0:
            i = text.index("on the floor")
            sels += (
                f'<PlainTextSelection guid="{{F0000000-0000-4000-8000-00000000000F}}" '
                f'startPosition="{i}" endPosition="{i + 12}" creatingUser="{user}">'
                "<Description>check: whose floor?</Description></PlainTextSelection>"
            )
        sources.append(
            f'<TextSource guid="{guid}" name="Interview" plainTextPath="internal://{guid[1:-1]}.txt">'
            f"{sels}</TextSource>"
        )
        files[f"sources/{guid[1:-1]}.txt"] = text.encode("utf-8")
        cases.append(
            f'<Case guid="{{C{n}000000-0000-4000-8000-000000000000}}">'
            f'<VariableValue><VariableRef targetGUID="{{B1000000-0000-4000-8000-000000000000}}"/>'
            f"<IntegerValue>{30 + n}</IntegerValue></VariableValue>"
            f'<VariableValue><VariableRef targetGUID="{{B2000000-0000-4000-8000-000000000000}}"/>'
            f"<TextValue>{'Almaty' if n == 0 else 'Bishkek'}</TextValue></VariableValue>"
            f'<SourceRef targetGUID="{guid}"/></Case>'
        )
    body = (
        f'<Users><User name="Francesca" guid="{user}"/></Users>'
        "<CodeBook><Codes>"
        f'<Code isCodable="true" name="Housing" color="#2364a2" guid="{HOUSING}"/>'
        f'<Code isCodable="true" name="Work" color="#a22364" guid="{WORK}"/>'
        "</Codes></CodeBook>"
        "<Variables>"
        '<Variable guid="{B1000000-0000-4000-8000-000000000000}" name="age" typeOfVariable="Integer"/>'
        '<Variable guid="{B2000000-0000-4000-8000-000000000000}" name="city" typeOfVariable="Text"/>'
        "</Variables>"
        f"<Cases>{''.join(cases)}</Cases><Sources>{''.join(sources)}</Sources>"
    )
    path = qdpx(folder / "maxqda.qdpx", project_xml("MAXQDA 2022 (Release 22.4.0)", body), files)
    fx = Fixture(path)
    fx.expected = [
        ("Interview", HOUSING, "At my sister's flat"),
        ("Interview (2)", WORK, "Nobody hires you with a record"),
    ]
    return fx


# --- QualCoder: UTF-8 with BOM, LF, code points; cases over whole sources; notes ----------------

QUALCODER_TEXT = "I carry naloxone everywhere now 💊.\nMy mother keeps one in the kitchen.\n"


def qualcoder_like(folder: Path) -> Fixture:
    user = "3b8e5a3c-1d2e-4f50-8a9b-0c1d2e3f4a5b"
    code = "9e0f1a2b-3c4d-4e5f-8a6b-7c8d9e0f1a2b"
    guid = "0f1e2d3c-4b5a-4968-8776-655443322110"
    phrases = [(code, "carry naloxone everywhere now 💊"), (code, "My mother keeps one")]
    sels = selections(QUALCODER_TEXT, QUALCODER_TEXT, phrases, cp, user, user, "9c0d")
    body = (
        f'<Users><User guid="{user}" name="default"/></Users>'
        f'<CodeBook><Codes><Code guid="{code}" name="Naloxone carrying" isCodable="true" color="#F0E442">'
        '<NoteRef targetGUID="77777777-0000-4000-8000-000000000001"/></Code></Codes></CodeBook>'
        '<Variables><Variable guid="88888888-0000-4000-8000-000000000001" name="gender" '
        'typeOfVariable="Text"/></Variables>'
        '<Cases><Case guid="66666666-0000-4000-8000-000000000001" name="Participant A">'
        '<VariableValue><VariableRef targetGUID="88888888-0000-4000-8000-000000000001"/>'
        "<TextValue>female</TextValue></VariableValue>"
        f'<SourceRef targetGUID="{guid}"/></Case></Cases>'
        f'<Sources><TextSource guid="{guid}" name="carrier.txt" plainTextPath="internal://{guid}.txt">{sels}</TextSource></Sources>'
        f'<Notes><Note guid="77777777-0000-4000-8000-000000000001" name="code memo" creatingUser="{user}">'
        "<PlainTextContent>Carrying is\r\nidentity work.</PlainTextContent></Note>"
        f'<Note guid="77777777-0000-4000-8000-000000000002" name="journal" creatingUser="{user}">'
        "<PlainTextContent>Day one.</PlainTextContent></Note></Notes>"
        '<NoteRef targetGUID="77777777-0000-4000-8000-000000000002"/>'
    )
    data = b"\xef\xbb\xbf" + QUALCODER_TEXT.encode("utf-8")
    path = qdpx(
        folder / "qualcoder.qdpx", project_xml("QualCoder 3.5", body), {f"sources/{guid}.txt": data}
    )
    fx = Fixture(path)
    fx.expected = [("carrier", code, p) for code, p in phrases]
    return fx


def taguette_qdc(folder: Path) -> Path:
    """Taguette's codebook export: flat tag paths as names, no colours, no descriptions."""
    body = "".join(
        f'<Code guid="{g}" name="{n}" isCodable="true"/>'
        for g, n in (
            ("1B9D2D33-5C3E-5A7B-9B6D-3E4F5A6B7C8D", "interesting"),
            ("2B9D2D33-5C3E-5A7B-9B6D-3E4F5A6B7C8D", "people/family"),
            ("3B9D2D33-5C3E-5A7B-9B6D-3E4F5A6B7C8D", "people/police"),
        )
    )
    path = folder / "taguette.qdc"
    path.write_text(
        '<?xml version="1.0" encoding="utf-8"?>\n'
        f'<CodeBook xmlns="urn:QDA-XML:codebook:1.0" origin="Taguette 1.5.2"><Codes>{body}</Codes><Sets/></CodeBook>',
        encoding="utf-8",
    )
    return path


def nvivo_mac_like(folder: Path) -> Fixture:
    """NVivo for Mac 15: ``sources/.root``, a one-byte plain text, the words in the DOCX."""
    guid = "d097e6fd-7671-4d95-a8b6-7795fa4a72e1"
    code = "34653336-3766-3235-6466-363134396437"
    user = "1b0b1791-be46-4557-9957-7333544cfaf2"
    words = ["Interviewer: Why computing?", "Respondent: Every student should learn to program."]
    start = "\n\n".join(words).index("Every student")
    body = (
        f'<Users><User guid="{user}" id="CP" name="chrisp"/></Users>'
        f'<CodeBook><Codes><Code guid="{code}" isCodable="true" name="equity"/></Codes></CodeBook>'
        f'<Sources><TextSource guid="{guid}" name="interview" plainTextPath="internal://{guid}.txt" '
        f'richTextPath="internal://{guid}.docx" creatingUser="{user}">'
        f'<PlainTextSelection guid="11111111-2222-4333-8444-555555555555" startPosition="{start}" '
        f'endPosition="{start + 13}"><Coding guid="11111111-2222-4333-8444-666666666666" '
        f'creatingUser="{user}"><CodeRef targetGUID="{code}"/></Coding></PlainTextSelection>'
        "</TextSource></Sources>"
    )
    files = {
        "sources/.root": b"",
        f"sources/{guid}.txt": b"\n",
        f"sources/{guid}.docx": docx_bytes(words),
    }
    path = qdpx(folder / "mac.qdpx", project_xml("NVivo for Mac 15.0.0", body), files)
    return Fixture(path, [("interview", code, "Every student")])


def docx_bytes(paragraphs: list[str]) -> bytes:
    import docx

    d = docx.Document()
    for p in paragraphs:
        d.add_paragraph(p)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text.replace("\r\n", "\n"))
