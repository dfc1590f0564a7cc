"""Lets a bare `spacy.load("models/lettermine_themes")` read the shipped pipeline.

spaCy imports this module through the `spacy_factories` entry points in pyproject.toml when it
meets a component it does not know; importing it registers lettermine's components. lettermine
itself loads the pipeline with `lettermine.classify.load_pipeline`.
"""

from lettermine.classify import (
    _make_features,
    _make_polarity,
    _make_sentences,
    _make_themes,
    _register,
)

_register()

make_features = _make_features
make_themes = _make_themes
make_sentences = _make_sentences
make_polarity = _make_polarity
