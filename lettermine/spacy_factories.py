"""Lets a bare `spacy.load("models/lettermine_themes")` read the shipped pipeline.

spaCy imports this module through the `spacy_factories` entry points in pyproject.toml when it
meets a component it does not know; importing it registers lettermine's components and model
architecture. lettermine itself loads the pipeline with `lettermine.classify.load_pipeline`.
"""

from lettermine.classify import _make_rules, _make_sentences, _register

_register()

make_rules = _make_rules
make_sentences = _make_sentences
