"""A unit's text as weighted terms for finding peers: what the area asks, not how Ofsted says it.

Pure: no database. Terms are stemmed words and pairs of adjacent words ("pathway_plan",
"return_home"), after
- the common spellings of one thing are made one ("LADO" -> designated officer, "workloads" ->
  caseload, "RHI" -> return home interview), so councils told the same in other words match;
- function words and the words nearly every area holds ("children", "social work", "practice",
  "quality", "ensure", "improve") are dropped: they say nothing about which ask it is;
- each term is weighted by where it stands: the concern itself (the words before "so that", "to
  enable", "including"... in the first sentence) counts twice, its purpose or detail once, and later
  sentences (narrative areas of joint inspections run to a paragraph) 0.3 times as much.

The kinds of failing an area's concern names (timeliness, recording, capacity, oversight...) are
read from its words too (`failing_kinds`): two areas on the same practice area with different
failings ("IRO caseloads" and "IRO challenge of delay") are different asks, and the search ranks a
candidate whose failing conflicts lower (`kind_factor`).

Measured on 30 random areas judged by hand (bench/peers.py), against the choices left out: word
pairs, the domain's stop words, the concern's double weight, one spelling per thing and the
failing-kind conflict each added precision; a person-like theme overlap did not (see
bench/peers.py).
"""

from __future__ import annotations

import functools
import re
import unicodedata

from lettermine.recurrence import stem as _stem

stem = functools.lru_cache(maxsize=65536)(_stem)

# Bump when the terms a text gives change: the stored index is then rebuilt.
TERMS_VERSION = 1

HEAD_WEIGHT = 2.0  # the concern itself
DETAIL_WEIGHT = 1.0  # its purpose or detail
LATER_SENTENCE = 0.3  # sentences after the first

# Function words, and the verbs every area opens with.
ENGLISH = frozenset(
    """a about above after all also an and any are as at be been being between both but by can
    could do does for from further has have how in into is it its may might more most must not
    of on or other shall should so such than that the their them there these they this those
    through to under until up very was well were what when where whether which while who whom
    whose will with within without would ensure ensuring improve improved improving improvement
    improvements make makes making""".split()
)
# Words in nearly every area: kept out of single terms, and out of pairs made only of them.
DOMAIN = frozenset(
    """child children childrens young people person persons family families social work worker
    workers practice quality effective effectiveness consistent consistency consistently sure
    need needs timely timeliness level levels range number local authority authorities
    including particular particularly""".split()
)
# One spelling for things written several ways (in lower-cased text, hyphens within words gone).
SPELLINGS: dict[str, str] = {
    r"lados?": "designated officer",
    r"cse": "child sexual exploitation",
    r"cce": "child criminal exploitation",
    r"iros?": "independent reviewing officer",
    r"rhis?": "return home interview",
    r"plo": "public law outline",
    r"preproceedings?": "preproceedings public law outline",
    r"neet": "not in education employment or training",
    r"workloads?": "caseload",
    r"case ?loads?": "caseload",
    r"numbers? of cases": "caseload",
    r"cin": "child in need",
    r"icpcs?": "initial child protection conference",
    r"mash": "multiagency safeguarding hub front door",
    r"peps?": "personal education plan",
}
_SPELLING = re.compile("|".join(rf"\b(?P<s{i}>{p})\b" for i, p in enumerate(SPELLINGS)))
_REPLACEMENTS = list(SPELLINGS.values())
# Where the concern ends and its purpose or detail begins (as recurrence.py reads a head).
_HEAD_END = re.compile(
    r"[,;:]| to enable | to ensure | so that | in order | to demonstrate | to inform | to help "
    r"| including | particularly | which "
)
# Since 2025 ILACS areas end with "(outcome 3, national framework)": a cross-reference.
_FRAMEWORK_NOTE = re.compile(r"\((?:[^()]*national framework|\s*enabler)[^()]*\)")
# The kinds of failing a concern can name, each as the words that name it (in normalised text).
# "Quality" is left out: nearly every area asks for it, so it tells no two asks apart (measured).
FAILING_KINDS: dict[str, str] = {
    "timeliness": r"timel\w*|delays?|drift|prompt\w*|swift\w*|pace|timescales?|quickly|waiting"
    r"|backlogs?|speed|urgen\w*",
    "recording": r"record\w*|documentation|case notes|chronolog\w*|written",
    "capacity": r"capacity|caseloads?|staffing|resourc\w*|recruit\w*|retention|retain\w*"
    r"|turnover|vacanc\w*|workforce|sufficient time",
    "oversight": r"oversight|supervis\w*|scrutiny|challeng\w*|escalat\w*|grip|monitor\w*"
    r"|track\w*",
    "consistency": r"consisten\w*|variab\w*",
    "voice": r"voices?|views|wishes|participat\w*|involve\w*|engage\w*|represent\w*|feedback"
    r"|lived experiences?|daily experiences?",
    "sufficiency": r"sufficien\w*|access\w*|availab\w*|choice|range of|provision|offer",
    "identification": r"identif\w*|recogni\w*|awareness|understand\w*",
    "sharing": r"information shar\w*|sharing of information|share information|communicat\w*",
    "attendance": r"attend\w*",
    "evaluation": r"impact|evaluat\w*|measur\w*|audit\w*|performance",
}
_FAILING = {kind: re.compile(rf"\b(?:{words})\b") for kind, words in FAILING_KINDS.items()}
# A candidate whose concern names failings, none of them the query's, keeps this share of its score.
CONFLICT = 0.6
_SENTENCE_END = re.compile(r"(?<=[a-z0-9)])\.\s+(?=[A-Z])")
_WORD = re.compile(r"[a-z]+")
_REPEAT = re.compile(r"\b(.+?)(?: \1\b)+")


def normalise(text: str) -> str:
    """Lower case, one form of each character, the framework note and possessives dropped."""
    text = unicodedata.normalize("NFKC", text).replace("\ufffe", "").lower()
    text = text.replace("\u2019", "'").replace("\u2018", "'")
    text = _FRAMEWORK_NOTE.sub(" ", text)
    text = re.sub(r"'s\b", "", text)
    text = re.sub(r"(?<=[a-z])-(?=[a-z])", "", text)  # multi-agency, pre-birth: one word
    return _SPELLING.sub(lambda m: _REPLACEMENTS[int(str(m.lastgroup)[1:])], text)


def _words(text: str) -> list[tuple[str, str]]:
    """(word, stem) of each word that is not a function word."""
    return [(w, stem(w)) for w in _WORD.findall(text) if len(w) > 2 and w not in ENGLISH]


def part_terms(text: str) -> list[tuple[str, str]]:
    """(term, the words it was made from) of a stretch of normalised text, in order."""
    found = _words(text)
    out = [(s, w) for w, s in found if w not in DOMAIN]
    for (w1, s1), (w2, s2) in zip(found, found[1:], strict=False):
        if not (w1 in DOMAIN and w2 in DOMAIN):
            out.append((f"{s1}_{s2}", f"{w1} {w2}"))
    return out


def weighted_parts(text: str) -> list[tuple[str, float]]:
    """The text cut into normalised stretches, each with the weight of its terms."""
    parts: list[tuple[str, float]] = []
    for n, sentence in enumerate(_SENTENCE_END.split(text)):
        scale = 1.0 if n == 0 else LATER_SENTENCE
        pieces = _HEAD_END.split(normalise(sentence), maxsplit=1)
        if len(pieces) == 1:
            parts.append((pieces[0], DETAIL_WEIGHT * scale))
        else:
            parts.append((pieces[0], HEAD_WEIGHT * scale))
            parts.append((pieces[1], DETAIL_WEIGHT * scale))
    return parts


def failing_kinds(text: str) -> frozenset[str]:
    """The kinds of failing the concern of a text names (its first sentence up to its purpose)."""
    parts = weighted_parts(text)
    concern = parts[0][0] if parts else ""
    return frozenset(kind for kind, words in _FAILING.items() if words.search(concern))


def kind_factor(query: frozenset[str], other: frozenset[str]) -> float:
    """The share of its score a candidate keeps: CONFLICT when both name failings and none is
    shared (the same practice area, another ask), else all of it (a failing unstated on either
    side is no evidence against)."""
    return CONFLICT if query and other and not query & other else 1.0


def terms(text: str) -> dict[str, float]:
    """Each term of a text with its weight (the highest of its places), before IDF."""
    out: dict[str, float] = {}
    for part, weight in weighted_parts(text):
        for term, _ in part_terms(part):
            if weight > out.get(term, 0.0):
                out[term] = weight
    return out


def shared_phrases(text: str, shared: set[str]) -> list[str]:
    """The stretches of a text that hold its shared terms, in its own (normalised) words.

    A word is marked when its term, or a pair it begins or ends, is shared; marked words with
    only function words between them make one phrase: "response to allegations against
    professionals", not four terms.
    """
    phrases: list[str] = []
    for part, _ in weighted_parts(text):
        words = _WORD.findall(part)
        content = [(i, w, stem(w)) for i, w in enumerate(words) if len(w) > 2 and w not in ENGLISH]
        marked: set[int] = set()
        for n, (i, w, s) in enumerate(content):
            if s in shared and w not in DOMAIN:
                marked.add(i)
            if n + 1 < len(content) and f"{s}_{content[n + 1][2]}" in shared:
                marked.update((i, content[n + 1][0]))
        run: list[int] = []
        for i in sorted(marked) + [len(words) + 1]:
            if run and (i > len(words) or any(
                len(w) > 2 and w not in ENGLISH for w in words[run[-1] + 1 : i]
            )):  # fmt: skip
                # "(PLO)" after "public law outline" reads it twice: once is enough.
                phrase = _REPEAT.sub(r"\1", " ".join(words[run[0] : run[-1] + 1]))
                if phrase not in phrases:
                    phrases.append(phrase)
                run = []
            run.append(i)
    return phrases
