"""Language analysis for search and auto-coding: sentence spans, lemmas and stop words.

Importing this package does not import spaCy; it is loaded on first use.
"""

from __future__ import annotations

from qualbench.nlp.pipeline import Analysis, analyse, lemma, load_pipeline

__all__ = ["Analysis", "analyse", "lemma", "load_pipeline"]
