"""Theme and polarity classification of units with the shipped spaCy pipeline.

The pipeline is `spacy.blank("en")` (its tokenizer) plus four components:

- `lettermine_features`: each token's crude stem (`stem()`), the theme-lexicon phrases and
  polarity cues found (spans in `doc.spans["lettermine_rules"]`), and the unit's feature
  counts: stems, bigrams of stems, one feature per lexicon label found;
- `lettermine_themes`: 21 theme scores (`doc.cats`), a linear model over TF-IDF features;
- `lettermine_sentences`: a concern score per sentence (`doc.user_data`), for polarity;
- `lettermine_polarity`: strength / concern / mixed / context (`doc.cats`).

Featurising and scoring are vectorised over batches of units (lettermine.features,
lettermine.linear, lettermine.model); `classify()` runs them straight after spaCy's tokenizer,
a batch at a time, without making a Doc per unit wait for the next component.

spaCy and numpy are imported inside functions only: importing this module is cheap, and
`pick_themes`, `Classification`, `stem` and the lexicon can be used without them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache, partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lettermine.errors import ModelError
from lettermine.themes import POLARITIES, THEME_CODES

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

    from lettermine.features import Tokens, Vocabulary
    from lettermine.linear import Linear
    from lettermine.model import Batch

DEFAULT_MODEL = Path(__file__).resolve().parent.parent / "models" / "lettermine_themes"
THRESHOLDS_FILE = "thresholds.json"
FEATURES_COMPONENT = "lettermine_features"
THEME_COMPONENT = "lettermine_themes"
SENTENCE_COMPONENT = "lettermine_sentences"
POLARITY_COMPONENT = "lettermine_polarity"
RULES_KEY = "lettermine_rules"  # doc.spans: lexicon phrases and cues found
SENTENCES_KEY = "lettermine_sentences"  # doc.user_data: each sentence's concern score
FEATURES_KEY = "lettermine_features"  # doc.user_data: the unit's stem ids and feature counts
CONTEXT_KEY = "lettermine_context"  # doc.user_data: {"kind", "section", "group", "letter"}
DEFAULT_THRESHOLD = 0.5
BATCH_SIZE = 512
_NO_RANK = 2**64 - 1  # spaCy's rank of a lexeme that has none
_SEPARATOR = "\n\n"  # between texts tokenised together (FeatureTagger.read)
# Units whose polarity is fixed by what they are, whatever the text says.
CONCERN_KINDS = frozenset({"area_for_improvement", "priority_action"})

# Phrases that name a theme, written from TAXONOMY.md and the vocabulary of children's social
# care (not copied from letters). Matched on stems, so "plans" and "planning" match "plan".
# They are features for the model, not verdicts: the model learns how much each one counts.
# A phrase that often appears without its theme ("strategy", "training", "visit") is left out:
# in cross-validation such phrases cost more than they gave.
# fmt: off
LEXICON: dict[str, tuple[str, ...]] = {
    "front_door": (
        "front door", "contacts", "referral", "referrals", "re-referral", "re-referrals",
        "MASH", "multi-agency safeguarding hub", "safeguarding hub", "integrated front door",
        "screening", "threshold", "thresholds", "threshold document", "agency checks",
        "consent", "parental consent", "emergency duty", "emergency duty team",
        "out of hours", "out-of-hours", "first response", "initial response",
        "advice and duty", "duty team", "duty and assessment", "contact and referral",
        "first contact", "no further action",
    ),
    "early_help": (
        "early help", "early intervention", "targeted support", "targeted early help",
        "tier 2", "step-down", "step down", "stepped down", "step-up", "step up",
        "stepped up", "family hub", "family hubs", "troubled families", "supporting families",
        "prevention", "preventative", "community panel", "early help assessment",
        "team around the family", "young carer", "young carers", "family support",
    ),
    "assessment": (
        "assessment", "assessments", "child and family assessment", "single assessment",
        "parenting assessment", "parenting assessments", "viability assessment",
        "pre-birth assessment", "chronology", "chronologies", "family history",
        "histories", "analysis", "analyse", "cumulative harm", "cumulative risk",
        "cumulative impact", "graded care profile", "understanding of risk",
        "identification of risk", "assessing",
    ),
    "child_protection": (
        "child protection", "strategy meeting", "strategy meetings", "strategy discussion",
        "strategy discussions", "section 47", "s47", "child protection enquiries",
        "child protection conference", "initial child protection conference",
        "review conference", "core group", "core groups", "child protection chair",
        "conference chair", "significant harm", "designated officer", "LADO",
        "allegations against", "allegations", "harm", "neglect", "domestic abuse",
        "protect children", "risk of harm",
    ),
    "planning": (
        "plan", "plans", "planning", "child in need plan", "child protection plan",
        "care plan", "care plans", "pathway plan", "SMART", "contingency plan",
        "contingency planning", "drift", "drift and delay", "review", "reviews",
        "independent reviewing officer", "independent reviewing officers", "IRO", "IROs",
        "looked after review", "child in need review", "care planning",
        "outcome focused", "outcome-focused", "actions",
    ),
    "direct_work": (
        "direct work", "statutory visits", "visits to children", "visited", "visiting",
        "seen alone", "seen regularly", "are seen", "voice of the child", "child's voice",
        "children's voices", "voices", "voice", "views", "wishes", "wishes and feelings",
        "feelings", "lived experience", "lived experiences", "daily lives",
        "life story", "life-story", "later life letters", "later-life letters", "advocacy",
        "advocate", "advocates", "participation", "independent visitor", "identity",
        "engagement with children", "relationships with their social workers",
        "what children say", "children's experiences", "heart of practice",
        "listened to", "child-centred", "creative",
    ),
    "exploitation_missing": (
        "exploitation", "exploited", "sexual exploitation", "CSE", "criminal exploitation",
        "CCE", "county lines", "contextual safeguarding", "go missing", "goes missing",
        "gone missing", "missing from", "missing episodes", "missing episode",
        "been missing", "going missing", "missing children", "children missing",
        "return home interview", "return home interviews", "return-home interviews",
        "gang", "gangs", "extra-familial", "extra familial", "trafficking",
        "modern slavery", "radicalisation", "serious youth violence", "adolescents",
        "vulnerable adolescents", "risks outside the home", "risk outside the home",
    ),
    "legal_plo": (
        "public law outline", "PLO", "pre-proceedings", "pre proceedings",
        "letter before proceedings", "letters before proceedings", "legal gateway",
        "legal planning meeting", "legal planning", "legal advice", "court",
        "care proceedings", "proceedings", "care order", "care orders",
        "supervision order", "section 20", "legal", "26 weeks", "court timescales",
        "legal threshold",
    ),
    "children_in_care": (
        "children in care", "child in care", "looked after", "children looked after",
        "cared for", "placement", "placements", "placed", "sufficiency", "matching",
        "placement stability", "foster carer", "foster carers", "fostering",
        "residential", "children's home", "children's homes", "unregistered",
        "unregulated", "family time", "contact with their families", "family contact",
        "reunification", "returning home", "private fostering", "privately fostered",
        "homeless", "homelessness", "16- and 17-year-olds", "asylum-seeking",
        "unaccompanied", "connected carers", "connected carer", "kinship",
        "come into care", "came into care", "entering care", "entry into care",
        "corporate parent", "corporate parenting", "out of area", "out of borough",
        "carers", "in care", "children in our care", "separated children",
    ),
    "permanence": (
        "permanence", "permanency", "permanence planning", "adoption", "adopted",
        "adopters", "adopter", "adoptive", "special guardianship", "special guardians",
        "special guardian", "SGO", "SGOs", "long-term fostering", "long-term foster",
        "long term foster", "long-term matching", "early permanence",
        "fostering for adoption", "foster to adopt", "regional adoption agency",
        "later life letters", "birth family", "birth families", "permanent homes",
        "permanent home", "child arrangements order",
    ),
    "care_leavers": (
        "care leaver", "care leavers", "leaving care", "care-experienced",
        "care experienced", "personal adviser", "personal advisers", "personal advisor",
        "personal advisors", "PAs", "pathway plan", "pathway plans", "pathway planning",
        "staying put", "staying close", "local offer", "entitlements", "independent living",
        "independence", "suitable accommodation", "accommodation", "housing",
        "EET", "employment", "apprenticeship", "apprenticeships",
        "preparation for adulthood", "transition to adulthood", "health histories",
        "health history", "health passport", "young adults", "over 21", "aged 18",
        "18 to 25", "young people leaving care",
    ),
    "disabled_children": (
        "disabled children", "disabled child", "disabled", "disability", "disabilities",
        "children with disabilities", "short breaks", "short break", "respite", "SEND",
        "special educational needs", "transition to adult services",
        "transitions to adult services", "adult services", "adult social care",
        "children with disabilities team", "EHCP", "education, health and care plan",
        "autism", "learning disability", "learning disabilities",
    ),
    "health": (
        "health", "health assessment", "health assessments", "initial health assessment",
        "review health assessment", "mental health", "emotional health",
        "emotional wellbeing", "emotional well-being", "wellbeing", "well-being",
        "CAMHS", "child and adolescent mental health", "therapeutic", "therapy",
        "therapeutic support", "dental", "dentist", "substance misuse", "self-harm",
        "strengths and difficulties questionnaire", "SDQ", "SDQs", "immunisations",
        "health needs", "physical health", "emotional needs", "sexual health",
        "drug and alcohol", "alcohol",
    ),
    "education": (
        "education", "personal education plan", "personal education plans", "PEP", "PEPs",
        "virtual school", "virtual head", "school", "schools", "attendance", "exclusion",
        "exclusions", "excluded", "elective home education", "electively home educated",
        "home educated", "children missing education", "missing education", "NEET",
        "not in education", "education, employment or training", "attainment",
        "pupil premium", "college", "university", "educational", "part-time timetable",
        "part-time timetables", "alternative provision", "learning",
    ),
    "workforce": (
        "workforce", "recruitment", "recruit", "recruiting", "retention", "retain",
        "agency staff", "agency social workers", "agency workers", "interim", "turnover",
        "vacancy", "vacancies", "changes of social worker", "changes in social worker",
        "change of social worker", "changes of worker", "ASYE", "newly qualified",
        "assessed and supported year", "learning and development",
        "professional development", "continuous professional development",
        "workforce strategy", "workforce development", "morale", "staffing", "staff",
        "social work academy", "stable workforce", "stability of the workforce",
        "permanent staff", "experienced", "inexperienced", "less experienced",
        "induction", "careers", "career", "training and development", "training offer",
        "access to training", "practitioners", "social workers", "workers",
    ),
    "caseloads": (
        "caseload", "caseloads", "workload", "workloads", "manageable", "unmanageable",
        "too high", "high caseloads", "capacity", "demand", "pressure", "pressures",
        "allocation", "unallocated", "allocated", "sufficient numbers",
        "sufficiency of social workers", "time to",
    ),
    "supervision_oversight": (
        "supervision", "supervisions", "supervisor", "supervisors", "management oversight",
        "oversight", "management direction", "managerial oversight", "managers", "manager",
        "team manager", "team managers", "decision-making", "decision making", "rationale",
        "recording", "case recording", "reflective", "reflection", "case direction",
        "closure", "closing", "step-down decisions", "scrutiny and challenge",
        "management grip", "first line managers", "first-line managers",
        "frontline managers", "management", "escalation",
    ),
    "leadership_governance": (
        "leader", "leaders", "senior leaders", "senior managers", "leadership",
        "director of children's services", "DCS", "chief executive", "lead member",
        "council", "councillors", "elected members", "corporate", "political",
        "investment", "invested", "budget", "financial", "resources", "governance", "board",
        "panel", "panels", "self-evaluation", "self-assessment", "improvement plan",
        "improvement plans", "improvement board", "DfE", "Department for Education",
        "commissioning", "commissioned", "strategic", "sufficiency strategy",
        "scrutiny", "service plans", "corporate parenting board", "local authority",
        "IT system", "IT systems", "electronic recording system", "consistency of practice",
        "senior management",
    ),
    "quality_assurance": (
        "quality assurance", "performance data", "performance management",
        "performance information", "performance", "data", "dashboard", "dashboards",
        "audit", "audits", "auditing", "audited", "moderation", "quality assurance framework",
        "learning from audits", "compliance", "management information", "scorecard",
        "practice learning", "learning reviews", "understanding of the quality",
        "understanding of practice", "accuracy", "accurate", "monitoring", "evaluate",
        "evaluation", "tracking",
    ),
    "partnership": (
        "partner", "partners", "partner agencies", "partnership", "partnerships",
        "multi-agency", "multiagency", "agencies", "agency", "police", "health partners",
        "safeguarding partnership", "safeguarding children partnership", "LSCB",
        "local safeguarding children board", "information sharing", "information-sharing",
        "joint working", "jointly", "joint", "probation", "youth justice", "youth offending",
        "colleagues", "professionals", "schools and", "health visitors", "GPs",
        "education colleagues", "housing services", "designated officer",
    ),
    "covid": (
        "COVID-19", "COVID", "coronavirus", "pandemic", "lockdown", "lockdowns",
        "restrictions", "virtual visits", "virtual working", "remote working", "video call",
        "video calls", "risk stratification", "risk-rated", "recovery from the pandemic",
        "national restrictions", "social distancing", "face-to-face", "remotely",
    ),
}

# Cues for polarity: praise, and the hedges and deficits that turn a finding into a concern or
# make it mixed. Also features, weighed by the polarity model.
CUES: dict[str, tuple[str, ...]] = {
    "cue_pos": (
        "good", "strong", "effective", "effectively", "well", "improved", "improvement",
        "improving", "timely", "robust", "thorough", "comprehensive", "high-quality",
        "high quality", "skilled", "skilfully", "positive", "appropriate", "appropriately",
        "prompt", "promptly", "sensitive", "sensitively", "confident", "consistently",
        "meaningful", "child-centred", "well-established", "impressive", "strength",
        "strengths", "progress", "benefit", "benefits", "enhanced", "rigorous", "clear",
        "committed", "purposeful", "helpful", "creative", "outstanding",
    ),
    "cue_neg": (
        "however", "but", "although", "not always", "not consistently", "inconsistent",
        "inconsistently", "variable", "variability", "too many", "too few", "too long",
        "too slow", "not yet", "yet to", "lack", "lacks", "lacking", "limited", "weak",
        "weakness", "weaknesses", "poor", "delay", "delays", "delayed", "drift",
        "not sufficiently", "insufficient", "insufficiently", "do not", "does not", "did not",
        "are not", "is not", "have not", "has not", "not", "no", "fail", "failed", "unclear",
        "unable", "gaps", "gap", "shortfall", "deficits", "concern", "concerns", "remain",
        "remains", "still", "less effective", "less well", "less consistent", "some",
        "a minority", "minority", "few", "fewer", "needs to improve", "need to improve",
        "require improvement", "requires improvement", "inadequate", "risk", "serious",
        "deteriorated", "declined", "overly", "not all", "not enough", "lost", "missed",
    ),
}
# fmt: on


class Classification:
    """What the pipeline says about one unit.

    `themes`: the codes at or above their threshold, best first (never empty: the best one if
    none is); `scores`: every theme code's score; `polarity` and its probability;
    `rule_themes`: the themes a lexicon phrase named in the text (evidence, whatever the model
    decided). `scores` and `rule_themes` are made when asked for: most callers never do.
    """

    __slots__ = ("themes", "polarity", "polarity_score", "_row", "_rules")

    def __init__(
        self,
        themes: list[tuple[str, float]],
        scores: Sequence[float] | Mapping[str, float],
        polarity: str,
        polarity_score: float,
        rule_themes: Sequence[str] | None = None,
        *,
        rules: Any = None,
    ) -> None:
        self.themes = themes
        self.polarity = polarity
        self.polarity_score = polarity_score
        self._row = scores
        self._rules = rule_themes if rule_themes is not None else rules

    @property
    def scores(self) -> dict[str, float]:
        if isinstance(self._row, Mapping):
            return dict(self._row)
        return dict(zip(THEME_CODES, self._row, strict=True))

    @property
    def rule_themes(self) -> list[str]:
        rules = self._rules
        if rules is None:
            return []
        return list(rules()) if callable(rules) else list(rules)

    def __repr__(self) -> str:
        return (
            f"Classification(themes={self.themes!r}, polarity={self.polarity!r}, "
            f"polarity_score={self.polarity_score!r})"
        )


@dataclass
class Context:
    """What a unit's letter says about it besides its text (all optional)."""

    kind: str | None = None  # area_for_improvement, priority_action, finding
    section: str | None = None  # the heading it sits under
    group: str | None = None  # the agency or sub-heading it is printed under
    letter: str | None = None  # the kind of letter: ilacs, sif, focused_visit, jtai, ...


def context_words(context: Context, namespaces: Iterable[str]) -> dict[str, list[str]]:
    """The context features of a unit: its kind and kind of letter, stems of its headings."""
    out: dict[str, list[str]] = {}
    for name in namespaces:
        value = getattr(context, name, None)
        if not value:
            continue
        if name in ("section", "group"):
            words = [stem(w) for w in value.lower().replace(",", " ").split()]
            out[name] = [w for w in words if w.isalpha()]
        else:
            out[name] = [str(value)]
    return out


def pick_themes(
    scores: dict[str, float], thresholds: dict[str, float], default: float = DEFAULT_THRESHOLD
) -> list[tuple[str, float]]:
    """Themes whose score reaches their threshold, best first; the top theme if none does."""
    if not scores:
        return []
    picked = [(c, s) for c, s in scores.items() if s >= thresholds.get(c, default)]
    if not picked:  # every unit is about something: fall back to the model's best guess
        picked = [max(scores.items(), key=lambda cs: cs[1])]
    return sorted(picked, key=lambda cs: (-cs[1], cs[0]))


_VOWELS = frozenset("aeiouy")
# Words whose -ing or -ed form means something else than the root does in these letters.
_KEEP = frozenset(
    {
        "missing",
        "training",
        "housing",
        "meeting",
        "meetings",
        "planning",
        "funding",
        "safeguarding",
        "fostering",
        "parenting",
        "leaving",
        "wellbeing",
        "well-being",
        "needs",
        "looked",
        "concerned",
        "based",
        "informed",
        "experienced",
        "skilled",
        "limited",
    }
)


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """A crude suffix-stripping stem of a lower-cased word ('plans', 'planning' -> 'plan')."""
    w = word.lower().replace("\u2019", "'")
    if w.endswith("'s"):
        w = w[:-2]
    elif w.endswith("s'"):
        w = w[:-1]
    if len(w) <= 3 or not w.isalpha() or w in _KEEP:
        return w
    if w.endswith("ies") and len(w) > 4:
        w = w[:-3] + "y"
    elif w.endswith("s") and not w.endswith(("ss", "us", "is")):
        w = w[:-1]
    for suffix in ("ing", "ed"):
        if w.endswith(suffix) and len(w) - len(suffix) >= 3:
            root = w[: -len(suffix)]
            if not _VOWELS.intersection(root):
                break  # 'bring', 'red': no vowel left, not a suffix
            # Undouble 'planned' -> 'plan' but keep 'assessed' -> 'assess'.
            if len(root) > 2 and root[-1] == root[-2] and root[-1] not in "lsz":
                root = root[:-1]
            w = root
            break
    return w


def _register() -> None:
    """Register lettermine's components with spaCy (once)."""
    if _REGISTERED:
        return
    from spacy.language import Language

    Language.factory(FEATURES_COMPONENT, default_config={"lexicon": None}, func=_make_features)
    Language.factory(THEME_COMPONENT, func=_make_themes)
    Language.factory(SENTENCE_COMPONENT, func=_make_sentences)
    Language.factory(POLARITY_COMPONENT, func=_make_polarity)
    _REGISTERED.append(True)


_REGISTERED: list[bool] = []


# spaCy reads each factory's signature, which a mutation tool's wrapper would hide
# pragma: no mutate start
def _make_features(nlp: Language, name: str, lexicon: dict[str, list[str]] | None) -> FeatureTagger:
    return FeatureTagger(nlp, name, lexicon)


def _make_themes(nlp: Language, name: str) -> ThemeScorer:
    return ThemeScorer(nlp, name)


def _make_sentences(nlp: Language, name: str) -> SentenceScorer:
    return SentenceScorer(nlp, name)


def _make_polarity(nlp: Language, name: str) -> PolarityScorer:
    return PolarityScorer(nlp, name)


# pragma: no mutate end


def default_lexicon() -> dict[str, list[str]]:
    """Theme phrases, then the praise and hedge cues: the labels `lettermine_features` marks."""
    return {**{k: list(v) for k, v in LEXICON.items()}, **{k: list(v) for k, v in CUES.items()}}


def _chunks(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    from itertools import islice

    stream = iter(items)
    while chunk := list(islice(stream, size)):
        yield chunk


def _lowers(docs: Sequence[Doc]) -> list[Any]:
    from spacy.attrs import LOWER

    return [doc.to_array(LOWER) for doc in docs]


class FeatureTagger:
    """Stems, lexicon phrases and feature counts of units (see lettermine.features).

    Holds the vocabulary a trained pipeline knows (stems and bigrams of its training units)
    and the lexicon, which travels with the model so that a model always sees the features it
    was trained with, even if LEXICON in the code changes later.
    """

    def __init__(
        self, nlp: Language, name: str, lexicon: dict[str, list[str]] | None = None
    ) -> None:
        self.nlp = nlp
        self.name = name
        self.lexicon: dict[str, list[str]] = (
            {k: list(v) for k, v in lexicon.items()} if lexicon else default_lexicon()
        )
        self.vocabulary: Vocabulary | None = None

    def phrases(self) -> dict[str, list[list[str]]]:
        """The lexicon's phrases as lower-cased token strings (spaCy's tokenizer)."""
        tokenizer = self.nlp.tokenizer
        return {
            label: [[t.lower_ for t in tokenizer(p)] for p in phrases]
            for label, phrases in self.lexicon.items()
        }

    def featurise(self, docs: Sequence[Doc], contexts: Sequence[Context] | None = None) -> Batch:
        """The features of a batch of tokenised units."""
        from lettermine.model import featurise_tokens

        vocabulary = self._vocabulary()
        words = None
        if contexts is not None and vocabulary.context:
            words = [context_words(c, vocabulary.context) for c in contexts]
        return featurise_tokens(vocabulary, self.stem_ids(docs), words)

    def featurise_texts(
        self, texts: Sequence[str], contexts: Sequence[Context] | None = None
    ) -> Batch:
        """The features of a batch of unit texts (tokenised together: see `read`)."""
        from lettermine.model import featurise_tokens

        vocabulary = self._vocabulary()
        words = None
        if contexts is not None and vocabulary.context:
            words = [context_words(c, vocabulary.context) for c in contexts]
        return featurise_tokens(vocabulary, self.read(texts), words)

    def stem_ids(self, docs: Sequence[Doc]) -> Tokens:
        """The stem id of every token of the docs (-1: a stem the vocabulary lacks)."""
        import numpy
        from spacy.attrs import ID, ORTH

        arrays = [doc.to_array([ID, ORTH]) for doc in docs]
        offsets = numpy.zeros(len(arrays) + 1, dtype=numpy.int64)
        numpy.cumsum([len(a) for a in arrays], out=offsets[1:])
        both = numpy.concatenate(arrays) if arrays else numpy.zeros((0, 2), dtype=numpy.uint64)
        return self._tokens(both[:, 0], both[:, 1], offsets)

    def read(self, texts: Sequence[str]) -> Tokens:
        """Tokenise texts with spaCy's tokenizer and give each token its stem id.

        The texts are tokenised as one document, joined by blank lines, and cut apart again
        by character offset: spaCy splits on whitespace before anything else, so every text's
        tokens are those it has alone (a separator is whitespace outside every text, dropped),
        and one Doc per batch costs less than one per unit.
        """
        import numpy
        from spacy.attrs import ID, IDX, ORTH

        lengths = numpy.asarray([len(t) for t in texts], dtype=numpy.int64)
        starts = numpy.zeros(len(texts), dtype=numpy.int64)
        numpy.cumsum(lengths[:-1] + len(_SEPARATOR), out=starts[1:])
        doc = self.nlp.tokenizer(_SEPARATOR.join(texts))
        table = doc.to_array([ID, ORTH, IDX])
        at = table[:, 2].astype(numpy.int64)
        unit = numpy.searchsorted(starts, at, side="right") - 1
        inside = at < (starts + lengths)[unit]
        table, unit = table[inside], unit[inside]
        offsets = numpy.zeros(len(texts) + 1, dtype=numpy.int64)
        numpy.cumsum(numpy.bincount(unit, minlength=len(texts)), out=offsets[1:])
        return self._tokens(table[:, 0], table[:, 1], offsets)

    def _tokens(self, ranks: Any, orths: Any, offsets: Any) -> Tokens:
        """Stem ids from the lexemes' `rank`, where each word type's stem id is kept.

        A word type's stem id is stored once in its spaCy lexeme (`Lexeme.rank`, unused by a
        pipeline without vectors), so a token's id comes out of `Doc.to_array` with the rest
        of spaCy's token data; word types met for the first time are stemmed then.
        """
        import numpy

        from lettermine.features import Tokens

        vocabulary = self._vocabulary()
        unknown = ranks == _NO_RANK
        if unknown.any():
            lexemes = self.nlp.vocab
            strings = lexemes.strings
            top = len(vocabulary.stems)  # one past the last stem: a stem not in the vocabulary
            found = {}
            for orth in numpy.unique(orths[unknown]).tolist():
                stem_id = vocabulary.stem_id(strings[orth])
                found[orth] = stem_id if stem_id >= 0 else top
                lexemes[orth].rank = found[orth]
            ranks = ranks.copy()
            ranks[unknown] = [found[o] for o in orths[unknown].tolist()]
        limit = numpy.uint64(len(vocabulary.stems))
        known = ranks < limit
        ids = numpy.where(known, ranks, numpy.uint64(0)).astype(numpy.int32)
        ids[~known] = -1
        return Tokens(ids, offsets)

    def _vocabulary(self) -> Vocabulary:
        if self.vocabulary is None:
            raise ModelError(f"the {self.name} component has not been trained")
        return self.vocabulary

    def __call__(self, doc: Doc) -> Doc:
        return next(iter(self.pipe([doc])))

    def pipe(self, docs: Iterable[Doc], batch_size: int = BATCH_SIZE) -> Iterator[Doc]:
        from spacy.tokens import Span

        labels = self._vocabulary().labels
        for chunk in _chunks(docs, batch_size):
            contexts = [d.user_data.get(CONTEXT_KEY) for d in chunk]
            given = [Context(**c) if isinstance(c, dict) else Context() for c in contexts]
            batch = self.featurise(chunk, given)
            offsets = batch.tokens.offsets
            indptr = batch.counts.indptr
            match_at = _split_points(batch.matches.unit, len(chunk))
            for i, doc in enumerate(chunk):
                lo, hi = int(indptr[i]), int(indptr[i + 1])
                doc.user_data[FEATURES_KEY] = (
                    batch.tokens.ids[offsets[i] : offsets[i + 1]],
                    batch.counts.indices[lo:hi],
                    batch.counts.counts[lo:hi],
                )
                first = int(offsets[i])
                m0, m1 = int(match_at[i]), int(match_at[i + 1])
                doc.spans[RULES_KEY] = [
                    Span(doc, int(s) - first, int(s + n) - first, label=labels[int(lab)])
                    for s, n, lab in zip(
                        batch.matches.start[m0:m1],
                        batch.matches.length[m0:m1],
                        batch.matches.label[m0:m1],
                        strict=True,
                    )
                ]
                yield doc

    def to_disk(self, path: Path, *, exclude: Sequence[str] = ()) -> None:
        import numpy

        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        (path / "lexicon.json").write_text(json.dumps(self.lexicon, indent=0), encoding="utf-8")
        vocabulary = self._vocabulary()
        (path / "vocabulary.json").write_text(
            json.dumps(vocabulary.to_dict(), indent=0, sort_keys=True), encoding="utf-8"
        )
        with (path / "bigrams.npy").open("wb") as f:
            numpy.save(f, vocabulary.bigrams)

    def from_disk(self, path: Path, *, exclude: Sequence[str] = ()) -> FeatureTagger:
        import numpy

        from lettermine.features import Vocabulary

        path = Path(path)
        self.lexicon = json.loads((path / "lexicon.json").read_text(encoding="utf-8"))
        data = json.loads((path / "vocabulary.json").read_text(encoding="utf-8"))
        self.vocabulary = Vocabulary(
            data["stems"],
            numpy.load(path / "bigrams.npy", allow_pickle=False),
            data["labels"],
            data["phrases"],
            data.get("context") or {},
            stem_of=stem,
            clause_weight=float(data.get("clause_weight", 1.0)),
        )
        return self


def _split_points(owner: Any, n: int) -> Any:
    """Where each of n groups starts in a sorted array of group ids (n + 1 points)."""
    import numpy

    return numpy.searchsorted(owner, numpy.arange(n + 1))


def _doc_counts(docs: Sequence[Doc]) -> Any:
    """The feature counts `lettermine_features` left on the docs, as one Counts."""
    import numpy

    from lettermine.features import Counts

    parts = [d.user_data[FEATURES_KEY] for d in docs]
    indptr = numpy.zeros(len(parts) + 1, dtype=numpy.int64)
    numpy.cumsum([len(p[1]) for p in parts], out=indptr[1:])
    if not parts:
        return Counts(indptr, numpy.zeros(0, numpy.int32), numpy.zeros(0, numpy.float32))
    return Counts(
        indptr, numpy.concatenate([p[1] for p in parts]), numpy.concatenate([p[2] for p in parts])
    )


def _doc_tokens(docs: Sequence[Doc]) -> Any:
    import numpy

    from lettermine.features import Tokens

    ids = [d.user_data[FEATURES_KEY][0] for d in docs]
    offsets = numpy.zeros(len(ids) + 1, dtype=numpy.int64)
    numpy.cumsum([len(x) for x in ids], out=offsets[1:])
    flat = numpy.concatenate(ids) if ids else numpy.zeros(0, numpy.int32)
    return Tokens(flat.astype(numpy.int32), offsets)


class _LinearComponent:
    """A component that holds one linear model (lettermine.linear.Linear) saved as arrays."""

    labels: tuple[str, ...] = ()

    def __init__(self, nlp: Language, name: str) -> None:
        self.nlp = nlp
        self.name = name
        self.model: Linear | None = None

    def _model(self) -> Linear:
        if self.model is None:
            raise ModelError(f"the {self.name} component has not been trained")
        return self.model

    def __call__(self, doc: Doc) -> Doc:
        return next(iter(self.pipe([doc])))

    def pipe(self, docs: Iterable[Doc], batch_size: int = BATCH_SIZE) -> Iterator[Doc]:
        for chunk in _chunks(docs, batch_size):
            self.annotate(chunk)
            yield from chunk

    def annotate(self, docs: list[Doc]) -> None:
        raise NotImplementedError

    def to_disk(self, path: Path, *, exclude: Sequence[str] = ()) -> None:
        self._model().to_disk(Path(path))

    def from_disk(self, path: Path, *, exclude: Sequence[str] = ()) -> _LinearComponent:
        from lettermine.linear import Linear

        self.model = Linear.from_disk(Path(path))
        return self


class ThemeScorer(_LinearComponent):
    """The 21 theme scores of a unit (independent sigmoids), in doc.cats."""

    labels = THEME_CODES

    def annotate(self, docs: list[Doc]) -> None:
        probs = self._model().predict(_doc_counts(docs))
        for doc, row in zip(docs, probs.tolist(), strict=True):
            doc.cats.update(zip(THEME_CODES, row, strict=True))


class SentenceScorer(_LinearComponent):
    """How much each sentence of a unit reads as a concern (0-1), in doc.user_data.

    A finding is "mixed" when some sentences praise and others criticise; a model that only
    sees the whole paragraph confuses that with a mild concern or a hedged strength. Trained
    on the sentences of findings labelled strength (0) or concern (1) and, at a lower weight,
    those of areas for improvement (1).
    """

    labels = ("concern",)

    def annotate(self, docs: list[Doc]) -> None:
        from lettermine.model import sentence_counts

        features: Any = self.nlp.get_pipe(FEATURES_COMPONENT)
        vocabulary = features._vocabulary()
        counts, owner = sentence_counts(vocabulary, vocabulary.entries(_doc_tokens(docs)))
        scores = self._model().predict(counts)[:, 0].tolist()
        at = _split_points(owner, len(docs))
        for i, doc in enumerate(docs):
            doc.user_data[SENTENCES_KEY] = scores[int(at[i]) : int(at[i + 1])]


class PolarityScorer(_LinearComponent):
    """Strength, concern, mixed or context (softmax), in doc.cats; reads the sentence scores."""

    labels = POLARITIES

    def annotate(self, docs: list[Doc]) -> None:
        import numpy

        from lettermine.model import sentence_summary

        scores = [d.user_data.get(SENTENCES_KEY) or [] for d in docs]
        owner = numpy.repeat(numpy.arange(len(docs)), [len(s) for s in scores])
        flat = numpy.asarray([x for s in scores for x in s], dtype=numpy.float32)
        summary = sentence_summary(flat, owner, len(docs))
        probs = self._model().predict(_doc_counts(docs), summary)
        for doc, row in zip(docs, probs.tolist(), strict=True):
            doc.cats.update(zip(POLARITIES, row, strict=True))


# What reading a damaged pipeline folder raises, from spaCy, thinc, srsly (msgpack, JSON), numpy
# and configparser: a truncated, zeroed or garbled file gives any of these, found by fuzzing the
# shipped model's files. Caught around loading (and one trial run) only, where each means "this
# folder is not a usable model"; anywhere else they are bugs and keep their traceback.
_DAMAGED_MODEL_ERRORS: tuple[type[BaseException], ...] = (
    OSError, ValueError, KeyError, TypeError, AttributeError, IndexError, EOFError,
    MemoryError, RecursionError, OverflowError, SyntaxError, ZeroDivisionError,
)  # fmt: skip


def _one_line(error: BaseException, limit: int = 200) -> str:
    text = " ".join(str(error).split()) or type(error).__name__
    return text if len(text) <= limit else text[: limit - 1] + "…"


def load_pipeline(path: Path | None = None) -> Language:
    """Load the theme pipeline (default: models/lettermine_themes) with its thresholds, and try
    it on one sentence: ModelError, in one line, for a folder that is not a usable model."""
    import tokenize

    path = Path(path) if path is not None else DEFAULT_MODEL
    if not (path / "config.cfg").is_file():
        raise ModelError(
            f"no theme model at {path}: train one with `python -m models.scripts.build` "
            "or `lettermine model train`, or run with --no-classify"
        )
    thresholds = read_thresholds(path)
    damaged: tuple[type[BaseException], ...] = (*_DAMAGED_MODEL_ERRORS, tokenize.TokenError)
    import spacy

    _register()
    try:
        nlp = spacy.load(path)
        missing = [c for c in (FEATURES_COMPONENT, THEME_COMPONENT) if c not in nlp.pipe_names]
        if missing:
            raise ModelError(
                f"the theme model at {path} has no {', '.join(missing)} component: it is not a "
                "lettermine theme model of this version; rebuild it (`lettermine model train`)"
            )
        nlp.meta["thresholds"] = thresholds
        classify(nlp, [_TRIAL_TEXT, _TRIAL_TEXT], ["finding", "area_for_improvement"])
    except damaged as e:
        raise ModelError(
            f"the theme model at {path} cannot be loaded ({_one_line(e)}): it is damaged or "
            "not a lettermine model; train it again or give another --model"
        ) from None
    return nlp


_TRIAL_TEXT = "Social workers visit children regularly and know them well."


def read_thresholds(path: Path) -> dict[str, float]:
    """Per-theme thresholds saved beside a pipeline; the default for any theme not listed.
    ModelError if the file is there but not {"themes": {code: number between 0 and 1}}."""
    file = Path(path) / THRESHOLDS_FILE
    if not file.is_file():
        return dict.fromkeys(THEME_CODES, DEFAULT_THRESHOLD)
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:  # JSON and UTF-8 errors are ValueErrors
        raise ModelError(f"{file}: not readable as thresholds ({_one_line(e)})") from None
    saved = data.get("themes") if isinstance(data, dict) else None
    if not isinstance(saved, dict):
        raise ModelError(f'{file}: not thresholds (expected {{"themes": {{theme: number}}}})')
    out = {}
    for code in THEME_CODES:
        value = saved.get(code, DEFAULT_THRESHOLD)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
            shown = _one_line(ValueError(repr(value)), 40)
            raise ModelError(f"{file}: the threshold for {code} is {shown}, not a number 0-1")
        out[code] = float(value)
    return out


def classify(
    nlp: Language,
    texts: Sequence[str],
    kinds: Sequence[str],
    contexts: Sequence[Context] | None = None,
) -> list[Classification]:
    """Themes and polarity for each unit text; kinds say which are areas for improvement."""
    return list(iter_classify(nlp, texts, kinds, contexts))


def iter_classify(
    nlp: Language,
    texts: Iterable[str],
    kinds: Iterable[str],
    contexts: Iterable[Context] | None = None,
    *,
    batch_size: int = BATCH_SIZE,
) -> Iterator[Classification]:
    """classify(), streamed: units are read, scored and yielded a batch at a time.

    Memory stays that of one batch whatever the number of units. `contexts` (one per unit)
    feed the features the model was trained with, if any (see Context).
    """
    if isinstance(texts, Sequence) and isinstance(kinds, Sequence) and len(texts) != len(kinds):
        raise ValueError(f"{len(texts)} texts but {len(kinds)} kinds")
    features: Any = nlp.get_pipe(FEATURES_COMPONENT)
    themes: Any = nlp.get_pipe(THEME_COMPONENT)
    scorer = _Scorer(nlp)
    thresholds: dict[str, float] = nlp.meta.get("thresholds") or {}
    cut = [float(thresholds.get(c, DEFAULT_THRESHOLD)) for c in THEME_CODES]
    stream: Iterable[tuple[str, str, Context | None]] = zip(
        texts, kinds, contexts if contexts is not None else _nones(), strict=False
    )
    for chunk in _chunks(stream, batch_size):
        unit_kinds = [k for _, k, _ in chunk]
        given = [c or Context(kind=k) for _, k, c in chunk]
        for c, k in zip(given, unit_kinds, strict=True):
            c.kind = c.kind or k
        batch = features.featurise_texts([t for t, _, _ in chunk], given)
        probs = themes._model().predict(batch.counts)
        rated = [i for i, k in enumerate(unit_kinds) if k not in CONCERN_KINDS]
        polarity = scorer.polarity(batch, rated) if rated else None
        yield from _classifications(
            probs, cut, batch.labels, unit_kinds, rated, polarity, features._vocabulary()
        )


def _nones() -> Iterator[None]:
    while True:
        yield None


class _Scorer:
    """The polarity of findings, from the sentence and polarity components' models."""

    def __init__(self, nlp: Language) -> None:
        self.models: Any = None
        if SENTENCE_COMPONENT in nlp.pipe_names and POLARITY_COMPONENT in nlp.pipe_names:
            from lettermine.model import Models

            sentences: Any = nlp.get_pipe(SENTENCE_COMPONENT)
            polarity: Any = nlp.get_pipe(POLARITY_COMPONENT)
            features: Any = nlp.get_pipe(FEATURES_COMPONENT)
            themes: Any = nlp.get_pipe(THEME_COMPONENT)
            self.models = Models(
                features._vocabulary(), themes._model(), sentences._model(), polarity._model()
            )

    def polarity(self, batch: Batch, rows: list[int]) -> Any:
        if self.models is None:
            return None
        import numpy

        from lettermine.model import polarity_scores

        return polarity_scores(self.models, batch, numpy.asarray(rows, dtype=numpy.int64))


def _classifications(
    probs: Any,
    cut: list[float],
    labels: Any,
    kinds: list[str],
    rated: list[int],
    polarity: Any,
    vocabulary: Vocabulary,
) -> Iterator[Classification]:
    import numpy

    from lettermine.model import pick_matrix

    n = len(kinds)
    picked = pick_matrix(probs, numpy.asarray(cut, dtype=numpy.float32))
    # The picked themes of every unit, best first: (row, column) pairs sorted by row, then score.
    rows, cols = numpy.nonzero(picked)
    order = numpy.lexsort((cols, -probs[rows, cols], rows))
    rows, cols = rows[order], cols[order]
    bounds = numpy.searchsorted(rows, numpy.arange(n + 1)).tolist()
    cols_l = cols.tolist()
    vals_l = probs[rows, cols].tolist()
    verdict: list[tuple[str, float]] = [("concern", 1.0)] * n
    if polarity is not None:
        best = polarity.argmax(axis=1).tolist()
        top = polarity.max(axis=1).tolist()
        for i, b, p in zip(rated, best, top, strict=True):
            verdict[i] = (POLARITIES[b], p)
    rule_names = _rule_names(vocabulary)
    masks = labels.tolist()
    for i, row in enumerate(probs.tolist()):
        lo, hi = bounds[i], bounds[i + 1]
        pol, p_score = verdict[i]
        yield Classification(
            [(THEME_CODES[c], v) for c, v in zip(cols_l[lo:hi], vals_l[lo:hi], strict=True)],
            row,
            pol,
            p_score,
            rules=partial(rule_names, masks[i]),
        )


def _rule_names(vocabulary: Vocabulary) -> Any:
    """mask -> the theme codes whose lexicon label bits are set in it (cached per mask)."""
    bits = [(c, vocabulary.labels.index(c)) for c in THEME_CODES if c in vocabulary.labels]

    @lru_cache(maxsize=4096)
    def names(mask: int) -> list[str]:
        return [c for c, bit in bits if mask >> bit & 1]

    return lambda mask: list(names(mask))


def explain(nlp: Language, text: str) -> list[tuple[str, float, list[tuple[str, float]]]]:
    """Per theme picked, the words whose removal lowers its score most (occlusion), best first.

    Each distinct word is removed (all its occurrences) and the text re-scored; the drop in a
    theme's score is that word's share. A lexicon phrase that matched is also removed whole and
    listed, as 'phrase [rule]', under the theme it names (phrases of two or more words).
    Only drops above zero are listed.
    """
    from spacy.tokens import Doc

    polarity_pipes = [n for n in (SENTENCE_COMPONENT, POLARITY_COMPONENT) if n in nlp.pipe_names]
    with nlp.select_pipes(disable=polarity_pipes):
        doc = nlp(text)
        thresholds: dict[str, float] = nlp.meta.get("thresholds") or {}
        scores = {code: float(doc.cats.get(code, 0.0)) for code in THEME_CODES}
        picked = pick_themes(scores, thresholds)
        words = [t.text for t in doc]
        spaces = [bool(t.whitespace_) for t in doc]
        # (label, token indices to remove, the only theme it is reported for or None)
        units: list[tuple[str, set[int], str | None]] = []
        by_word: dict[str, set[int]] = {}
        for tok in doc:
            if not (tok.is_punct or tok.is_space):
                by_word.setdefault(tok.lower_, set()).add(tok.i)
        units.extend((word, idx, None) for word, idx in by_word.items())
        for span in doc.spans.get(RULES_KEY, []):
            if span.label_ in THEME_CODES and len(span) > 1:  # one word: already a unit
                units.append((f"{span.text} [rule]", set(range(span.start, span.end)), span.label_))
        variants = [
            Doc(
                nlp.vocab,
                words=[w for i, w in enumerate(words) if i not in drop],
                spaces=[sp for i, sp in enumerate(spaces) if i not in drop],
            )
            for _, drop, _ in units
        ]
        occluded = list(nlp.pipe(variants)) if variants else []
    result = []
    for code, score in picked:
        drops: dict[str, float] = {}
        for (label, _, only), variant in zip(units, occluded, strict=True):
            if only is None or only == code:
                drop = round(score - float(variant.cats.get(code, 0.0)), 4)
                if drop > 0:
                    drops[label] = max(drop, drops.get(label, 0.0))
        top = sorted(drops.items(), key=lambda d: -d[1])[:8]
        result.append((code, score, top))
    return result
