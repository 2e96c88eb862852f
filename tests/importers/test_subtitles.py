"""WebVTT and SubRip captions (webvtt-py): Zoom names, Teams voices, pauses, bad files."""

from __future__ import annotations

from pathlib import Path

import pytest

from importers import ImportProblem, read_transcript
from tests.importers.builders import assert_problem, labels_of, turns_of

ZOOM = """WEBVTT

1
00:00:01.000 --> 00:00:04.500
Aigerim Bekova: Good morning, can you hear me?

2
00:00:05.000 --> 00:00:07.000
Tom: Yes, I can.

3
00:00:07.200 --> 00:00:09.000
Tom: The sound is fine.

4
00:01:10.000 --> 00:01:12.000
Aigerim Bekova: Let&apos;s begin &amp; record.
"""

TEAMS = """WEBVTT

00:00:00.000 --> 00:00:03.000
<v Smith, John>Welcome to the call.</v>

00:00:03.500 --> 00:00:06.000
<v Nurpeisova, Aliya>Thanks for having me.</v>

00:00:06.000 --> 00:00:08.000
<v Smith, John>Shall we start?</v><v Nurpeisova, Aliya>Sure.</v>

00:00:08.000 --> 00:00:09.000
<v.loud Smith, John>Good.
"""


def _write(tmp_path: Path, text: str, name: str) -> Path:
    path = tmp_path / name
    path.write_text(text, "utf-8")
    return path


def test_zoom_names_at_the_start_of_cues(tmp_path: Path) -> None:
    t = read_transcript(_write(tmp_path, ZOOM, "zoom.vtt"))
    assert t.format == "vtt"
    assert t.metadata["cues"] == "4"
    assert t.text == (
        "[00:00:01] Aigerim Bekova: Good morning, can you hear me?\n\n"
        "[00:00:05] Tom: Yes, I can. The sound is fine.\n\n"
        "[00:01:10] Aigerim Bekova: Let's begin & record."
    )
    assert turns_of(t) == [
        ("Aigerim Bekova", "Good morning, can you hear me?", 1_000),
        ("Tom", "Yes, I can. The sound is fine.", 5_000),
        ("Aigerim Bekova", "Let's begin & record.", 70_000),
    ]
    assert labels_of(t)[0] == "[00:00:01] Aigerim Bekova: "


def test_teams_voices_including_two_in_one_cue(tmp_path: Path) -> None:
    t = read_transcript(_write(tmp_path, TEAMS, "teams.vtt"))
    assert turns_of(t) == [
        ("Smith, John", "Welcome to the call.", 0),
        ("Nurpeisova, Aliya", "Thanks for having me.", 3_500),
        ("Smith, John", "Shall we start?", 6_000),
        ("Nurpeisova, Aliya", "Sure.", 6_000),
        ("Smith, John", "Good.", 8_000),
    ]


def test_a_sentence_with_a_colon_is_not_a_zoom_speaker(tmp_path: Path) -> None:
    vtt = (
        "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nAnna: Then he said: go away.\n\n"
        "00:00:02.000 --> 00:00:03.000\nhe said: nothing else.\n\n"
        "00:00:03.000 --> 00:00:04.000\nBen: Really?\n"
    )
    t = read_transcript(_write(tmp_path, vtt, "colon.vtt"))
    assert turns_of(t) == [
        ("Anna", "Then he said: go away. he said: nothing else.", 1_000),
        ("Ben", "Really?", 3_000),
    ]


def test_cues_without_speakers_become_paragraphs_at_pauses(tmp_path: Path) -> None:
    vtt = (
        "WEBVTT\n\n"
        "00:00:01.000 --> 00:00:02.000\nFirst line\nwraps here.\n\n"
        "00:00:02.500 --> 00:00:03.000\n<i>Still</i> the same paragraph.\n\n"
        "00:00:09.000 --> 00:00:10.000\nAfter a pause.\n"
    )
    t = read_transcript(_write(tmp_path, vtt, "plain.vtt"))
    assert t.text == (
        "[00:00:01] First line wraps here. Still the same paragraph.\n\n[00:00:09] After a pause."
    )
    assert t.turns == ()
    assert t.warnings == ("no speaker turns recognised",)


def test_srt_with_speakers(tmp_path: Path) -> None:
    srt = (
        "1\n00:00:01,000 --> 00:00:03,000\nInterviewer: How long have you lived here?\n\n"
        "2\n00:00:03,500 --> 00:00:06,250\nP1: Since 1998.\n\n"
        "3\n00:00:06,300 --> 00:00:07,000\nAbout twenty-five years.\n"
    )
    t = read_transcript(_write(tmp_path, srt, "talk.srt"))
    assert t.format == "srt"
    assert turns_of(t) == [
        ("Interviewer", "How long have you lived here?", 1_000),
        ("P1", "Since 1998. About twenty-five years.", 3_500),
    ]


def test_speaker_names_and_words_are_nfc_and_offsets_hold(tmp_path: Path) -> None:
    vtt = (
        "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n"
        "<v Rene\u0301e>Caf\u00e9\u0301? \U0001f600</v>\n\n"
        "00:00:02.000 --> 00:00:03.000\n<v Jo\u0308rg>Ja.</v>\n\n"
        "00:00:03.000 --> 00:00:04.000\n<v J\u00f6rg>Nein.</v>\n"
    )
    t = read_transcript(_write(tmp_path, vtt, "nfc.vtt"))
    assert turns_of(t) == [
        ("Ren\u00e9e", "Caf\u00e9\u0301? \U0001f600", 1_000),
        ("J\u00f6rg", "Ja. Nein.", 2_000),
    ]


def test_utf8_bom_and_crlf(tmp_path: Path) -> None:
    path = tmp_path / "bom.vtt"
    path.write_bytes(("\ufeff" + ZOOM.replace("\n", "\r\n")).encode())
    assert read_transcript(path).speakers == ("Aigerim Bekova", "Tom")


@pytest.mark.parametrize(
    ("content", "name", "cause"),
    [
        ("This is not a subtitle file.\nInterviewer: hello\n", "notes.vtt", "not a valid VTT"),
        ("WEBVTT\n\n00:00:01.000 --> garbage\nInterviewer: hello\n", "broken.vtt", "no VTT cues"),
        ("1\nnot a time line\nInterviewer: hello\n", "broken.srt", "not a valid SRT"),
        ("<html>Interviewer: hello</html>", "page.srt", "not a valid SRT"),
    ],
)
def test_invalid_subtitles(tmp_path: Path, content: str, name: str, cause: str) -> None:
    path = _write(tmp_path, content, name)
    with pytest.raises(ImportProblem) as excinfo:
        read_transcript(path)
    assert_problem(excinfo, path, cause, secret="hello")


def test_vtt_without_cues(tmp_path: Path) -> None:
    path = _write(tmp_path, "WEBVTT\n\nNOTE nothing else here\n", "empty.vtt")
    with pytest.raises(ImportProblem) as excinfo:
        read_transcript(path)
    assert_problem(excinfo, path, "no VTT cues")
