"""Speaker turns in the conventions transcripts are written in; offsets slice exact words."""

from __future__ import annotations

from pathlib import Path

import pytest

from importers import Transcript, read_transcript
from importers.speakers import find_turns, parse_timestamp
from tests.importers.builders import labels_of, turns_of


def _read(text: str) -> Transcript:
    """The transcript as find_turns sees it (text is already normalised)."""
    return Transcript(text=text, turns=find_turns(text))


def test_uppercase_role_labels() -> None:
    t = _read(
        "INTERVIEWER: Tell me about the first week.\n\n"
        "RESPONDENT: It rained every day.\n\n"
        "INTERVIEWER: Every day?\n\n"
        "RESPONDENT: Yes.\n"
    )
    assert turns_of(t) == [
        ("INTERVIEWER", "Tell me about the first week.", None),
        ("RESPONDENT", "It rained every day.", None),
        ("INTERVIEWER", "Every day?", None),
        ("RESPONDENT", "Yes.", None),
    ]
    assert labels_of(t) == ["INTERVIEWER: ", "RESPONDENT: "] * 2


def test_participant_numbers() -> None:
    t = _read("P1: I agree.\nP2: I do not.\nP12: Neither do I.\nP1: Fine.\n")
    assert turns_of(t) == [
        ("P1", "I agree.", None),
        ("P2", "I do not.", None),
        ("P12", "Neither do I.", None),
        ("P1", "Fine.", None),
    ]


def test_moderator_and_participant_with_number() -> None:
    t = _read(
        "Moderator: Welcome to the group.\n"
        "Participant 3: Thank you.\n"
        "Participant 10: Glad to be here.\n"
        "Moderator: Let us begin.\n"
    )
    assert turns_of(t) == [
        ("Moderator", "Welcome to the group.", None),
        ("Participant 3", "Thank you.", None),
        ("Participant 10", "Glad to be here.", None),
        ("Moderator", "Let us begin.", None),
    ]


def test_bracketed_timestamp_before_name() -> None:
    t = _read(
        "[00:01:23] Aigerim: We met at the bazaar.\n"
        "[00:01:30] Daniyar: Which one?\n"
        "[01:02:03.5] Aigerim: The green one.\n"
    )
    assert turns_of(t) == [
        ("Aigerim", "We met at the bazaar.", 83_000),
        ("Daniyar", "Which one?", 90_000),
        ("Aigerim", "The green one.", 3_723_500),
    ]
    assert labels_of(t)[0] == "[00:01:23] Aigerim: "


def test_timestamp_in_brackets_after_name() -> None:
    t = _read(
        "Aigerim (00:01:23): We met at the bazaar.\n"
        "Daniyar (00:01:30): Which one?\n"
        "Aigerim [00:02:05]: The green one.\n"
    )
    assert turns_of(t) == [
        ("Aigerim", "We met at the bazaar.", 83_000),
        ("Daniyar", "Which one?", 90_000),
        ("Aigerim", "The green one.", 125_000),
    ]


def test_bare_timestamp_before_name() -> None:
    t = _read(
        "00:01:23 Aigerim: We met at the bazaar.\n"
        "00:01:30 Daniyar: Which one?\n"
        "00:02:05 - Aigerim: The green one.\n"
    )
    assert turns_of(t) == [
        ("Aigerim", "We met at the bazaar.", 83_000),
        ("Daniyar", "Which one?", 90_000),
        ("Aigerim", "The green one.", 125_000),
    ]


def test_otter_header_lines() -> None:
    t = _read(
        "Speaker 1  0:03\n"
        "So how long have you lived here?\n\n"
        "Speaker 2  0:07\n"
        "About six years.\nMaybe seven.\n\n"
        "Speaker 1  1:15\n"
        "Okay.\n"
    )
    assert turns_of(t) == [
        ("Speaker 1", "So how long have you lived here?", 3_000),
        ("Speaker 2", "About six years.\nMaybe seven.", 7_000),
        ("Speaker 1", "Okay.", 75_000),
    ]
    assert labels_of(t) == ["Speaker 1  0:03\n", "Speaker 2  0:07\n", "Speaker 1  1:15\n"]


def test_zoom_text_header_lines() -> None:
    t = _read(
        "[Aigerim Bekova] 10:15:31\nGood morning.\n\n"
        "[Tom] 10:15:36\nMorning!\n\n"
        "[Aigerim Bekova] 10:16:02\nShall we?\n"
    )
    assert turns_of(t) == [
        ("Aigerim Bekova", "Good morning.", 36_931_000),
        ("Tom", "Morning!", 36_936_000),
        ("Aigerim Bekova", "Shall we?", 36_962_000),
    ]


def test_time_first_header_lines_and_parenthesised_times() -> None:
    t = _read("00:00:04 Dana\nHello.\n00:00:09 Interviewer\nHi Dana.\n(01:23) Dana: Bye.\n")
    assert turns_of(t) == [
        ("Dana", "Hello.", 4_000),
        ("Interviewer", "Hi Dana.", 9_000),
        ("Dana", "Bye.", 83_000),
    ]


def test_teams_header_lines_with_comma_names() -> None:
    t = _read(
        "Smith, John   00:01:23\n"
        "Can everyone hear me?\n\n"
        "Nurpeisova, Aliya   00:01:27\n"
        "Yes, loud and clear.\n\n"
        "Smith, John   00:01:31\n"
        "Great, let's start.\n"
    )
    assert turns_of(t) == [
        ("Smith, John", "Can everyone hear me?", 83_000),
        ("Nurpeisova, Aliya", "Yes, loud and clear.", 87_000),
        ("Smith, John", "Great, let's start.", 91_000),
    ]


def test_question_and_answer() -> None:
    t = _read("Q: How old were you?\nA: Nine, I think.\nQ: And your sister?\nA: Eleven.\n")
    assert turns_of(t) == [
        ("Q", "How old were you?", None),
        ("A", "Nine, I think.", None),
        ("Q", "And your sister?", None),
        ("A", "Eleven.", None),
    ]


def test_markdown_bold_labels() -> None:
    t = _read("**Facilitator:** Shall we start?\n\n**P4:** Sure.\n\n__Facilitator__: Good.\n")
    assert turns_of(t) == [
        ("Facilitator", "Shall we start?", None),
        ("P4", "Sure.", None),
        ("Facilitator", "Good.", None),
    ]


def test_continuation_paragraphs_belong_to_the_turn() -> None:
    text = (
        "Interviewer: Describe the harvest.\n\n"
        "Participant: First we cut the wheat.\n\n"
        "Then we dried it for a week.\n\n"
        "And then, finally, the mill.\n\n"
        "Interviewer: Thank you.\n"
    )
    t = _read(text)
    assert turns_of(t) == [
        ("Interviewer", "Describe the harvest.", None),
        (
            "Participant",
            "First we cut the wheat.\n\nThen we dried it for a week.\n\n"
            "And then, finally, the mill.",
            None,
        ),
        ("Interviewer", "Thank you.", None),
    ]


def test_each_label_opens_a_turn_even_for_the_same_speaker() -> None:
    stamped = _read(
        "[00:00:05] Interviewer: Hello.\n"
        "[00:00:09] Interviewer: Can you hear me?\n"
        "[00:00:12] P1: Yes.\n"
    )
    # Each stamped turn keeps its own time: it is where to look in the recording.
    assert turns_of(stamped) == [
        ("Interviewer", "Hello.", 5_000),
        ("Interviewer", "Can you hear me?", 9_000),
        ("P1", "Yes.", 12_000),
    ]
    plain = _read("Interviewer: Hello.\nInterviewer: Can you hear me?\nP1: Yes.\n")
    assert turns_of(plain) == [
        ("Interviewer", "Hello.", None),
        ("Interviewer", "Can you hear me?", None),
        ("P1", "Yes.", None),
    ]
    # A label with no words before the same label with words is one turn.
    empty = _read("P2:\nP2: Words at last.\nP1: Fine.\n")
    assert turns_of(empty) == [("P2", "Words at last.", None), ("P1", "Fine.", None)]


def test_label_case_differences_are_one_speaker() -> None:
    t = _read("Interviewer: Hi.\nP1: Hello.\nINTERVIEWER: Ready?\ninterviewer : Sure?\nP1: Yes.\n")
    assert [s for s, _, _ in turns_of(t)] == [
        "Interviewer",
        "P1",
        "Interviewer",
        "Interviewer",
        "P1",
    ]


def test_preamble_lines_are_not_speakers() -> None:
    text = (
        "Date: 3 May 2024\n"
        "Location: Almaty\n"
        "Duration: 00:45:10\n"
        "Transcriber: K. O.\n\n"
        "Interviewer: Shall we begin?\n"
        "Respondent: Yes, go ahead.\n"
    )
    t = _read(text)
    assert turns_of(t) == [
        ("Interviewer", "Shall we begin?", None),
        ("Respondent", "Yes, go ahead.", None),
    ]
    assert t.turns[0].start == text.index("Interviewer")


def test_reported_speech_inside_a_turn_is_not_a_speaker() -> None:
    t = _read(
        "Interviewer: What happened next?\n"
        "P1: The guard came over.\n"
        "He said: go away.\n"
        "So we left.\n"
        "Interviewer: Did he say anything else?\n"
        "P1: No.\n"
        "he said: nothing more.\n"
    )
    assert turns_of(t) == [
        ("Interviewer", "What happened next?", None),
        ("P1", "The guard came over.\nHe said: go away.\nSo we left.", None),
        ("Interviewer", "Did he say anything else?", None),
        ("P1", "No.\nhe said: nothing more.", None),
    ]


def test_repeated_reported_speech_is_still_not_a_speaker() -> None:
    t = _read(
        "Interviewer: And the neighbours?\n"
        "P1: They were kind.\n"
        "She said: come in.\n"
        "Interviewer: And then?\n"
        "P1: Every morning.\n"
        "She said: come in.\n"
    )
    assert t.speakers == ("Interviewer", "P1")


def test_a_line_ending_with_a_time_is_not_a_header() -> None:
    t = _read(
        "Interviewer: When does your shift start?\n"
        "P1: Early. We begin at 9:30\n"
        "and the bus leaves at 07:15\n"
        "Interviewer: That is early.\n"
    )
    assert turns_of(t) == [
        ("Interviewer", "When does your shift start?", None),
        ("P1", "Early. We begin at 9:30\nand the bus leaves at 07:15", None),
        ("Interviewer", "That is early.", None),
    ]


def test_a_speaker_who_speaks_once_is_found() -> None:
    t = _read(
        "Moderator: Who wants to start?\n"
        "P1: Me.\n"
        "Moderator: Go on.\n"
        "P1: We moved in spring.\n"
        "Gulnara: Can I add something? We moved too.\n"
        "Moderator: Please.\n"
    )
    assert t.speakers == ("Moderator", "P1", "Gulnara")
    assert turns_of(t)[4] == ("Gulnara", "Can I add something? We moved too.", None)


def test_url_and_clock_lines_are_not_speakers() -> None:
    t = _read(
        "Interviewer: Where did you see it?\n"
        "P1: Online.\n"
        "https://example.org/page\n"
        "12:45 was the time\n"
    )
    assert turns_of(t)[1] == ("P1", "Online.\nhttps://example.org/page\n12:45 was the time", None)


def test_indented_labels_start_at_the_label() -> None:
    t = _read("  Interviewer: Hi.\n\t P1 : Hello.\n Interviewer: Bye.\n")
    assert labels_of(t) == ["Interviewer: ", "P1 : ", "Interviewer: "]
    assert turns_of(t) == [
        ("Interviewer", "Hi.", None),
        ("P1", "Hello.", None),
        ("Interviewer", "Bye.", None),
    ]


def test_space_before_colon_and_numbered_interviewers() -> None:
    t = _read(
        "Interviewer1 : Bonjour.\n"
        "Interviewee1 : Bonjour à vous.\n"
        "Interviewer2 : Une question.\n"
        "Interviewee1 : Oui.\n"
    )
    assert t.speakers == ("Interviewer1", "Interviewee1", "Interviewer2")
    assert labels_of(t)[1] == "Interviewee1 : "


def test_a_known_label_alone_on_its_line_opens_a_turn() -> None:
    t = _read(
        "Interviewer 1: Anything to add?\n\n"
        "Interviewee: Not really.\n\n"
        "Interviewer 1: Sure?\n\n"
        "Interviewee\n"
        "Well, maybe one thing.\n\n"
        "Interviewer 1: Go on.\n"
    )
    assert turns_of(t)[3] == ("Interviewee", "Well, maybe one thing.", None)


def test_a_label_with_no_words_has_an_empty_body() -> None:
    t = _read("P1: Hello.\nP2:\nP1: Still there?\n")
    assert turns_of(t) == [("P1", "Hello.", None), ("P2", "", None), ("P1", "Still there?", None)]


def test_an_empty_turn_merged_with_the_next_starts_at_its_words() -> None:
    t = _read("P1: Hello.\nP2: \n\nP2: Sorry, I was muted.\nP1: Fine.\n")
    assert turns_of(t) == [
        ("P1", "Hello.", None),
        ("P2", "Sorry, I was muted.", None),
        ("P1", "Fine.", None),
    ]
    assert labels_of(t)[1] == "P2: \n\nP2: "


def test_text_before_the_first_speaker_is_outside_every_turn() -> None:
    text = "Focus group, second session\n\nP1: First.\nP2: Second.\n"
    t = _read(text)
    assert t.turns[0].start == text.index("P1")


def test_no_speakers() -> None:
    assert find_turns("") == ()
    assert find_turns("Just notes.\nNothing said by anyone: here.\n") == ()


def test_turns_through_read_transcript(tmp_path: Path) -> None:
    path = tmp_path / "otter.txt"
    path.write_text("Speaker 1  0:03\r\nHello.\r\n\r\nSpeaker 2  0:05\r\nHi.\r\n", "utf-8")
    t = read_transcript(path)
    assert turns_of(t) == [("Speaker 1", "Hello.", 3_000), ("Speaker 2", "Hi.", 5_000)]


@pytest.mark.parametrize(
    ("value", "millis"),
    [
        ("0:03", 3_000),
        ("00:01:23", 83_000),
        ("1:02:03.5", 3_723_500),
        ("00:00:05,120", 5_120),
        ("10:15:31", 36_931_000),
        ("00:61", None),
        ("Time", None),
        ("", None),
        ("1:xx", None),
    ],
)
def test_parse_timestamp(value: str, millis: int | None) -> None:
    assert parse_timestamp(value) == millis
