"""Plain text and Markdown: encodings, line ends, Unicode normalisation, code-point offsets."""

from __future__ import annotations

import codecs
import hashlib
import unicodedata
from pathlib import Path

import pytest

from importers import content_hash, normalise_text, read_transcript
from importers.plaintext import decode_bytes, markdown_to_text
from tests.importers.builders import turns_of

INTERVIEW = (
    "Interviewer: Where did you grow up?\n"
    "Participant: In a small town near the river. We moved when I was twelve.\n"
    "Interviewer: And school?\n"
    "Participant: School was fine.\n"
)
EXPECTED = [
    ("Interviewer", "Where did you grow up?", None),
    ("Participant", "In a small town near the river. We moved when I was twelve.", None),
    ("Interviewer", "And school?", None),
    ("Participant", "School was fine.", None),
]
# Typography a Windows word processor writes: curly quotes, dashes, accents, ellipsis, euro.
WESTERN = (
    "Interviewer: So you opened the café in 2019?\n"
    "Participant: \u201cYes,\u201d I said. It\u2019s na\u00efve \u2014 "
    "but it cost 500 \u20ac\u2026\n"
    "Interviewer: Was it d\u00e9j\u00e0 vu? \u00c7a va?\n"
    "Participant: Gr\u00fc\u00dfe, se\u00f1or. \u00abTr\u00e8s bien\u00bb.\n"
)


def _write(tmp_path: Path, data: bytes, name: str = "interview.txt") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    ("prefix", "codec", "label"),
    [
        (b"", "utf-8", "utf-8"),
        (codecs.BOM_UTF8, "utf-8", "utf-8 (BOM)"),
        (codecs.BOM_UTF16_LE, "utf-16-le", "utf-16-le (BOM)"),
        (codecs.BOM_UTF16_BE, "utf-16-be", "utf-16-be (BOM)"),
        (b"", "utf-16-le", "utf-16-le"),
        (b"", "utf-16-be", "utf-16-be"),
        (codecs.BOM_UTF32_LE, "utf-32-le", "utf-32-le (BOM)"),
    ],
)
def test_unicode_encodings_decode_to_the_same_text(
    tmp_path: Path, prefix: bytes, codec: str, label: str
) -> None:
    path = _write(tmp_path, prefix + WESTERN.encode(codec))
    t = read_transcript(path)
    assert t.text == WESTERN
    assert t.metadata["encoding"] == label
    assert t.content_sha256 == content_hash(WESTERN)
    assert t.speakers == ("Interviewer", "Participant")


def test_utf16_without_bom_is_not_mistaken_for_utf8(tmp_path: Path) -> None:
    # ASCII plus U+2019 in UTF-16 LE is also valid UTF-8 (NULs and a control byte).
    text = "Interviewer: It\u2019s late.\nP1: I don\u2019t mind.\n"
    path = _write(tmp_path, text.encode("utf-16-le"))
    assert read_transcript(path).text == text


CYRILLIC = "Интервьюер: Расскажите о работе.\nУчастник: Я работаю учителем уже 10 лет.\n"
CHINESE = "采访者：你好。\n参与者：我很好，谢谢。我在学校工作了十年。\n"


@pytest.mark.parametrize("text", [CYRILLIC, CHINESE])
@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom_in_other_scripts(tmp_path: Path, text: str, codec: str) -> None:
    decoded, encoding = decode_bytes(text.encode(codec), Path("x.txt"))
    assert decoded == text
    assert encoding == codec


def test_a_stray_nul_does_not_make_utf8_utf16(tmp_path: Path) -> None:
    text = ("Interviewer: Caf\u00e9 at noon?\nP1: Yes.\n" * 40).replace("noon", "no\x00on", 1)
    t = read_transcript(_write(tmp_path, text.encode("utf-8")))
    assert t.metadata["encoding"] == "utf-8"
    assert t.text == text.replace("\x00", "")


@pytest.mark.parametrize("codec", ["cp1252", "latin-1"])
def test_western_legacy_code_pages(tmp_path: Path, codec: str) -> None:
    text = (
        WESTERN
        if codec == "cp1252"
        else (
            "Interviewer: Caf\u00e9 or cr\u00e8me br\u00fbl\u00e9e?\n"
            "P1: Je ne sais pas, \u00e7a d\u00e9pend. \u00abTr\u00e8s\u00bb bien.\n"
        )
    )
    path = _write(tmp_path, text.encode(codec))
    t = read_transcript(path)
    assert t.text == text
    assert t.metadata["encoding"] == "cp1252"


@pytest.mark.parametrize(
    "text",
    [
        "P1: \u201cCaf\u00e9\u201d\n",
        "Interviewer: What did you think?\nP2: It\u2019s fine, I\u2019d say.\n",
        "Q: R\u00e9sum\u00e9?\nA: Oui, d\u00e9j\u00e0 vu.\n",
        "Interviewer: Wie war die Schule?\nP1: Sch\u00f6n, aber gr\u00f6\u00dfer als gedacht.\n",
    ],
)
def test_short_cp1252_files_are_not_guessed_as_asian_or_baltic(text: str) -> None:
    decoded, encoding = decode_bytes(text.encode("cp1252"), Path("short.txt"))
    assert decoded == text
    assert encoding == "cp1252"


def test_cyrillic_code_page_is_detected() -> None:
    text = (
        "Интервьюер: Расскажите, пожалуйста, о своей работе в школе.\n"
        "Участник: Я работаю учителем уже десять лет, в основном с младшими классами.\n"
        "Интервьюер: Что вам нравится больше всего?\n"
        "Участник: Дети, конечно. И то, что каждый день не похож на предыдущий.\n"
    )
    decoded, encoding = decode_bytes(text.encode("cp1251"), Path("ru.txt"))
    assert decoded == text
    assert encoding.replace("_", "").replace("-", "") in {"cp1251", "windows1251"}


@pytest.mark.parametrize("newline", ["\r\n", "\r", "\n"])
def test_line_ends_become_lf(tmp_path: Path, newline: str) -> None:
    path = _write(tmp_path, INTERVIEW.replace("\n", newline).encode())
    t = read_transcript(path)
    assert t.text == INTERVIEW
    assert turns_of(t) == EXPECTED


def test_mixed_line_ends_and_separators(tmp_path: Path) -> None:
    raw = "P1: one\r\ntwo\rthree\u2028four\n\u2029P2: five\fsix\x00\n"
    t = read_transcript(_write(tmp_path, raw.encode()))
    assert t.text == "P1: one\ntwo\nthree\nfour\n\n\nP2: five\nsix\n"
    assert "\r" not in t.text


def test_text_is_nfc_and_offsets_count_composed_characters(tmp_path: Path) -> None:
    decomposed = (
        "Rene\u0301e: C\u0327a s\u2019est pass\u00e9 vite.\nInterviewer: Vraiment?\n"
        "Rene\u0301e: Oui.\n"
    )
    assert not unicodedata.is_normalized("NFC", decomposed)
    t = read_transcript(_write(tmp_path, decomposed.encode()))
    assert t.text == unicodedata.normalize("NFC", decomposed)
    assert t.text.startswith("Ren\u00e9e: \u00c7a")
    assert turns_of(t) == [
        ("Ren\u00e9e", "\u00c7a s\u2019est pass\u00e9 vite.", None),
        ("Interviewer", "Vraiment?", None),
        ("Ren\u00e9e", "Oui.", None),
    ]
    assert t.text[t.turns[1].start : t.turns[1].body_start] == "Interviewer: "


def test_astral_characters_and_uncomposable_marks_keep_code_point_offsets(
    tmp_path: Path,
) -> None:
    text = (
        "Interviewer: How did it feel? \U0001f914\n"
        "P1: \U0001f602\U0001f602 honestly great \U0001f44d\U0001f3fd and q\u0307 too\n"
        "Interviewer: \U0001d54f marks the spot.\n"
        "P1: Okay \U0001f600\n"
    )
    for codec in ("utf-8", "utf-16"):
        t = read_transcript(_write(tmp_path, text.encode(codec), f"emoji-{codec}.txt"))
        assert t.text == text
        assert turns_of(t) == [
            ("Interviewer", "How did it feel? \U0001f914", None),
            (
                "P1",
                "\U0001f602\U0001f602 honestly great \U0001f44d\U0001f3fd and q\u0307 too",
                None,
            ),
            ("Interviewer", "\U0001d54f marks the spot.", None),
            ("P1", "Okay \U0001f600", None),
        ]
        # Offsets are code points: the same as counting characters in Python.
        assert t.turns[1].body_start == len("Interviewer: How did it feel? \U0001f914\nP1: ")


def test_transcript_records_source_and_hashes(tmp_path: Path) -> None:
    data = ("\ufeff" + INTERVIEW.replace("\n", "\r\n")).encode()
    path = _write(tmp_path, data, "Interview 7.TXT")
    t = read_transcript(path)
    assert t.source_name == "Interview 7.TXT"
    assert t.source_sha256 == hashlib.sha256(data).hexdigest()
    assert t.content_sha256 == hashlib.sha256(INTERVIEW.encode()).hexdigest()
    assert t.format == "text"
    assert t.warnings == ()


def test_text_without_speakers_warns(tmp_path: Path) -> None:
    t = read_transcript(_write(tmp_path, b"Field notes.\n\nThe market was busy; nobody spoke.\n"))
    assert t.turns == ()
    assert t.warnings == ("no speaker turns recognised",)
    assert t.speakers == ()


def test_normalise_text_is_idempotent() -> None:
    raw = "\ufeffa\r\nb\rc\u2028d\u2029e\ff\x00g e\u0301"
    once = normalise_text(raw)
    assert once == "a\nb\nc\nd\n\ne\nfg \u00e9"
    assert normalise_text(once) == once


def test_normalise_text_pairs_utf16_halves_and_replaces_lone_ones() -> None:
    assert normalise_text("a\ud83d\ude00b\ud83dc") == "a\U0001f600b\ufffdc"


# --- Markdown -----------------------------------------------------------------------------------


def test_markdown_bold_labels_headings_links_and_quotes(tmp_path: Path) -> None:
    source = (
        "# Focus group 2\n\n"
        "**Facilitator:** Welcome, everyone. See [the guide](guide.md).\n\n"
        "**P1:** Thanks. I read __all__ of it.\n\n"
        "> **P2:** Quoted answer here.\n\n"
        "**Facilitator**: Last question.\n"
    )
    path = _write(tmp_path, source.encode(), "group.md")
    t = read_transcript(path)
    assert t.format == "markdown"
    assert t.text.startswith("Focus group 2\n\nFacilitator: Welcome, everyone. See the guide.")
    assert "**" not in t.text
    assert turns_of(t) == [
        ("Facilitator", "Welcome, everyone. See the guide.", None),
        ("P1", "Thanks. I read all of it.", None),
        ("P2", "Quoted answer here.", None),
        ("Facilitator", "Last question.", None),
    ]


def test_markdown_with_old_mac_line_ends(tmp_path: Path) -> None:
    source = "# Title\r\r**Facilitator:** Hello.\r> **P1:** Hi.\r"
    t = read_transcript(_write(tmp_path, source.encode(), "cr.md"))
    assert t.text == "Title\n\nFacilitator: Hello.\nP1: Hi.\n"
    assert t.speakers == ("Facilitator", "P1")


def test_markdown_bold_labels_in_a_txt_file_keep_their_stars(tmp_path: Path) -> None:
    source = "**Facilitator:** Hello there.\n**P1:** Hi.\n"
    t = read_transcript(_write(tmp_path, source.encode()))
    assert t.text == source
    assert turns_of(t) == [("Facilitator", "Hello there.", None), ("P1", "Hi.", None)]
    assert [t.text[x.start : x.body_start] for x in t.turns] == ["**Facilitator:** ", "**P1:** "]


def test_markdown_to_text_keeps_plain_words() -> None:
    assert markdown_to_text("a * b * c and 2**3") == "a * b * c and 2**3"
    assert markdown_to_text("![photo](x.png) and [link](http://x)") == "photo and link"
