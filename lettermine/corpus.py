"""Where the shared corpus of real Ofsted letters lives, for training, tests and benchmarks.

`$LETTERMINE_CORPUS` if set (an empty or missing folder means "no corpus": CI sets it so to run
the suite as a fresh clone with nothing beside it), else `../shared/corpus` beside the project.
"""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def corpus_dir() -> Path:
    """The corpus folder (it may not exist: callers check and skip)."""
    configured = os.environ.get("LETTERMINE_CORPUS")
    return Path(configured) if configured else ROOT.parent / "shared" / "corpus"


def gold_dir() -> Path:
    """The labelled units: `<corpus>/gold`."""
    return corpus_dir() / "gold"


def council_of(name: str) -> str:
    """The council a corpus file or gold file is about, from its name (`<urn>_<slug>_<date>...`).

    The canonical authority name (lettermine.authorities) where the slug names a known council,
    so units of the same council group together whichever folder they come from and whatever
    the database calls it; otherwise `<urn>_<slug>`.
    """
    from lettermine.authorities import canonical_authority

    parts = Path(name).name.split("_")
    if len(parts) < 2:
        return Path(name).stem
    slug = parts[1]
    for printed in (slug, slug.replace("-", " "), slug.replace("-", " and ")):
        known = canonical_authority(printed)
        if known:
            return known
    return f"{parts[0]}_{slug}"
