"""The spaCy pipeline per language, and the per-document analysis that search and auto-coding use.

Offline only: an installed trained pipeline (e.g. ``en_core_web_sm``) is used when there is one,
otherwise a blank pipeline with a sentencizer and the lookup lemmatizer of
``spacy-lookups-data``. Nothing is ever downloaded. spaCy is imported on first use only, so that
the app and the command line start fast.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Iterator, Sized
from dataclasses import dataclass, field
from itertools import islice
from typing import TYPE_CHECKING, Any

from qualbench.errors import UserError
from qualbench.progress import CancelCheck, Cancelled, Progress, never, no_progress

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc, Token

# Trained pipelines tried in this order (small first: we only need tags, lemmas and sentences).
_TRAINED = (
    "core_web_sm",
    "core_news_sm",
    "core_web_md",
    "core_news_md",
    "core_web_lg",
    "core_news_lg",
)
# Components that cost time and that the analysis does not use.
_UNNEEDED = ("parser", "ner")
# Transcripts can be long; without parser and NER the memory per character is small.
_MAX_LENGTH = 50_000_000
_LANG_CODE = re.compile(r"[a-z]{2,3}")

_lock = threading.Lock()
_pipelines: dict[str, Language] = {}
# Lookup lemma tables of blank pipelines, by language, for the lower-cased fallback in `lemma`.
_tables: dict[str, Any] = {}


@dataclass(frozen=True)
class Analysis:
    """What one text is made of, with offsets in code points of the text as given.

    ``sentences`` are (start, end) with surrounding whitespace left out; ``tokens`` are
    (start, end, lemma, is_stop), without whitespace tokens, lemmas lower-cased.
    """

    sentences: list[tuple[int, int]] = field(default_factory=list)
    tokens: list[tuple[int, int, str, bool]] = field(default_factory=list)


def load_pipeline(lang: str = "en") -> Language:
    """The pipeline for ``lang`` (an ISO code such as "en"), built once per language and cached."""
    with _lock:
        nlp = _pipelines.get(lang)
        if nlp is None:
            nlp = _build(lang)
            _pipelines[lang] = nlp
        return nlp


def _build(lang: str) -> Language:
    if not _LANG_CODE.fullmatch(lang):
        raise UserError(f"Unsupported language code {lang!r}: expected a code such as 'en' or 'de'")
    import spacy
    import spacy.util

    for suffix in _TRAINED:
        name = f"{lang}_{suffix}"
        if spacy.util.is_package(name):
            return _trained(spacy.load(name, exclude=list(_UNNEEDED)))
    try:
        nlp = spacy.blank(lang)
    except ImportError as exc:  # unknown to spaCy, or a tokenizer library it needs is missing
        raise UserError(
            f"Unsupported language code {lang!r}: spaCy cannot process it here"
        ) from exc
    nlp.add_pipe("sentencizer")
    nlp.max_length = _MAX_LENGTH
    try:
        lemmatizer = nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
        nlp.initialize()
    except ValueError:  # no lookup table for this language: lemmas fall back to lower-cased words
        nlp.remove_pipe("lemmatizer")
        nlp.initialize()
    else:
        _tables[lang] = lemmatizer.lookups.get_table("lemma_lookup")  # type: ignore[attr-defined]
    return nlp


def _trained(nlp: Language) -> Language:
    """Keep sentence boundaries in a trained pipeline whose parser was left out."""
    if "senter" in nlp.component_names:
        if "senter" in nlp.disabled:
            nlp.enable_pipe("senter")
    elif "sentencizer" not in nlp.pipe_names:
        nlp.add_pipe("sentencizer", first=True)
    nlp.max_length = _MAX_LENGTH
    return nlp


def lemma(token: Token) -> str:
    """The lower-cased lemma of ``token``, so that "Arrests" and "arrested" both give "arrest".

    The lookup tables are case-sensitive ("Arrests" is missing, "arrests" is there), so a word
    the lemmatizer left as it was is looked up again in lower case.
    """
    found: str = token.lemma_
    text: str = token.text
    if found and found != text:
        return found.lower()
    lower = text.lower()
    table = _tables.get(token.lang_)
    if table is not None and lower != text:
        lowered = table.get(lower)
        if lowered:
            return str(lowered).lower()
    return lower


def analyse(
    texts: Iterable[str],
    *,
    lang: str = "en",
    batch_size: int = 64,
    progress: Progress = no_progress,
    cancel: CancelCheck = never,
) -> Iterator[Analysis]:
    """Analyse ``texts`` in order, one `Analysis` each, in batches with progress and cancel.

    ``cancel`` is polled before each batch (raising `Cancelled`); ``progress`` gets the number of
    texts done after each batch, and the total when ``texts`` has a length (else 0).
    """
    if batch_size < 1:
        raise UserError(f"Batch size must be at least 1, not {batch_size}")
    total = len(texts) if isinstance(texts, Sized) else 0
    nlp = load_pipeline(lang)
    items = iter(texts)
    done = 0
    progress(done, total, "Analysing texts")
    while batch := list(islice(items, batch_size)):
        if cancel():
            raise Cancelled
        for doc in nlp.pipe(batch, batch_size=batch_size):
            yield _analysis(doc)
        done += len(batch)
        progress(done, max(total, done), "Analysing texts")


def _analysis(doc: Doc) -> Analysis:
    sentences = []
    for sent in doc.sents:
        text: str = sent.text
        stripped = text.strip()
        if stripped:
            start = sent.start_char + (len(text) - len(text.lstrip()))
            sentences.append((start, start + len(stripped)))
    tokens = [
        (token.idx, token.idx + len(token.text), lemma(token), bool(token.is_stop))
        for token in doc
        if not token.is_space
    ]
    return Analysis(sentences=sentences, tokens=tokens)
