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
    return _resolve(token.text, token.lemma_, _tables.get(token.lang_))


def pipeline_name(lang: str = "en") -> str:
    """What analyses ``lang`` here, as stored with each analysis: another pipeline (a trained
    one installed later, a new spaCy) gives other lemmas, so the stored ones become stale."""
    import spacy.about

    nlp = load_pipeline(lang)
    if lang in _tables:
        from importlib.metadata import PackageNotFoundError, version

        try:
            lookups = version("spacy-lookups-data")
        except PackageNotFoundError:  # pragma: no cover - a dependency of ours
            lookups = "?"
        what = f"{lang} blank + lookup lemmas {lookups}"
    elif nlp.meta.get("name") and nlp.meta.get("name") != "pipeline":
        what = f"{nlp.meta.get('lang', lang)}_{nlp.meta['name']} {nlp.meta.get('version', '')}"
    else:
        what = f"{lang} blank, lower-cased words"
    return f"{what.strip()} (spaCy {spacy.about.__version__})"


@dataclass(frozen=True)
class Packed:
    """One text's analysis as the project stores it (`qualbench.model.TextAnalysis`):
    ``tokens`` and ``sentences`` are little-endian int32 (start, end) pairs, ``lemmas`` one
    lower-cased lemma per token joined by newlines, ``stops`` one byte per token."""

    tokens: bytes
    sentences: bytes
    lemmas: str
    stops: bytes
    count: int

    def unpack(self) -> Analysis:
        import numpy as np

        spans = np.frombuffer(self.tokens, dtype="<i4").reshape(-1, 2).tolist()
        sents = np.frombuffer(self.sentences, dtype="<i4").reshape(-1, 2).tolist()
        lemmas = self.lemmas.split("\n") if self.count else []
        return Analysis(
            sentences=[(a, z) for a, z in sents],
            tokens=[
                (a, z, lem, bool(stop))
                for (a, z), lem, stop in zip(spans, lemmas, self.stops, strict=True)
            ],
        )


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
    for packed in analyse_packed(
        texts, lang=lang, batch_size=batch_size, progress=progress, cancel=cancel
    ):
        yield packed.unpack()


def analyse_packed(
    texts: Iterable[str],
    *,
    lang: str = "en",
    batch_size: int = 64,
    processes: int = 1,
    progress: Progress = no_progress,
    cancel: CancelCheck = never,
) -> Iterator[Packed]:
    """`analyse`, giving the stored form; with ``processes`` > 1 batches are analysed in that
    many worker processes (each loads the pipeline once), still yielded in order."""
    if batch_size < 1:
        raise UserError(f"Batch size must be at least 1, not {batch_size}")
    total = len(texts) if isinstance(texts, Sized) else 0
    load_pipeline(lang)  # a bad language fails here, in this process, with its message
    items = iter(texts)
    batches: Iterator[list[str]] = iter(lambda: list(islice(items, batch_size)), [])
    done = 0
    progress(done, total, "Analysing texts")
    results = (
        _in_workers(batches, lang, processes, cancel)
        if processes > 1
        else (_pack_batch(lang, batch) for batch in _polled(batches, cancel))
    )
    for packed in results:
        yield from packed
        done += len(packed)
        progress(done, max(total, done), "Analysing texts")


def _polled(batches: Iterator[list[str]], cancel: CancelCheck) -> Iterator[list[str]]:
    for batch in batches:
        if cancel():
            raise Cancelled
        yield batch


def _in_workers(
    batches: Iterator[list[str]], lang: str, processes: int, cancel: CancelCheck
) -> Iterator[list[Packed]]:
    """Batches analysed in worker processes (spawned: safe beside Qt's threads), at most two per
    worker in flight, results in order; cancel drops the batches not yet started."""
    import multiprocessing
    from collections import deque
    from concurrent.futures import Future, ProcessPoolExecutor

    pending: deque[Future[list[Packed]]] = deque()
    with ProcessPoolExecutor(processes, mp_context=multiprocessing.get_context("spawn")) as pool:
        try:
            for batch in _polled(batches, cancel):
                pending.append(pool.submit(_pack_batch, lang, batch))
                if len(pending) >= 2 * processes:
                    yield pending.popleft().result()
            while pending:
                if cancel():
                    raise Cancelled
                yield pending.popleft().result()
        except BaseException:
            pool.shutdown(wait=True, cancel_futures=True)
            raise


def _pack_batch(lang: str, texts: list[str]) -> list[Packed]:
    nlp = load_pipeline(lang)
    table = _tables.get(lang)
    # Blank pipelines: the lookup is done here once per distinct word instead of per token.
    skip = ["lemmatizer"] if table is not None and "lemmatizer" in nlp.pipe_names else []
    return [_pack(doc, table) for doc in nlp.pipe(texts, batch_size=len(texts), disable=skip)]


def _pack(doc: Doc, table: Any) -> Packed:
    import numpy as np
    from spacy.attrs import IDX, IS_SPACE, IS_STOP, LEMMA, LENGTH, ORTH

    sentences = []
    for sent in doc.sents if len(doc) else ():
        text: str = sent.text
        stripped = text.strip()
        if stripped:
            start = sent.start_char + (len(text) - len(text.lstrip()))
            sentences.append((start, start + len(stripped)))
    sents = np.asarray(sentences, dtype="<i4").reshape(-1, 2).tobytes()
    if not len(doc):
        return Packed(b"", sents, "", b"", 0)
    arr = doc.to_array([IDX, LENGTH, ORTH, LEMMA, IS_STOP, IS_SPACE])
    arr = arr[arr[:, 5] == 0]
    if not len(arr):
        return Packed(b"", sents, "", b"", 0)
    starts = arr[:, 0].astype("<i4")
    spans = np.column_stack([starts, starts + arr[:, 1].astype("<i4")]).astype("<i4")
    # each distinct (word, lemma) pair is resolved once, then spread over the tokens
    pairs, inverse = np.unique(arr[:, 2:4], axis=0, return_inverse=True)
    strings = doc.vocab.strings
    resolved = [
        _resolve(strings[orth], strings[lem] if lem else "", table).replace("\n", " ")
        for orth, lem in pairs.tolist()
    ]
    lemmas = np.asarray(resolved, dtype=object)[inverse.ravel()].tolist()
    return Packed(
        tokens=spans.tobytes(),
        sentences=sents,
        lemmas="\n".join(lemmas),
        stops=arr[:, 4].astype(np.uint8).tobytes(),
        count=len(lemmas),
    )


def _resolve(text: str, found: str, table: Any) -> str:
    """`lemma` on strings. ``found`` is the lemmatizer's answer ('' when it did not run: the
    lookup table is then asked for the word as written, as spaCy's lookup mode does); a word
    left as it was is looked up again in lower case, and the result is lower-cased."""
    if not found and table is not None:
        found = str(table.get(text) or "")
    if found and found != text:
        return found.lower()
    lower = text.lower()
    if table is not None and lower != text:
        lowered = table.get(lower)
        if lowered:
            return str(lowered).lower()
    return lower
