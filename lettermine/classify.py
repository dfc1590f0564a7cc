"""Theme and polarity classification of units with the shipped spaCy pipeline.

The pipeline is `spacy.blank("en")` plus three components:

- `lettermine_rules`: gives each token a crude stem as its NORM and marks theme-lexicon phrases
  and polarity cues as spans in `doc.spans["lettermine_rules"]`;
- `textcat_multilabel` (21 themes) and `textcat` (polarity), both bag-of-n-gram models over the
  stems plus one feature per rule label, so a lexicon phrase the model never saw in training
  still votes for its theme.

spaCy is imported inside functions only: importing this module is cheap, and `pick_themes`,
`Classification` and the lexicon can be used without it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lettermine.errors import ModelError
from lettermine.themes import THEME_CODES

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

DEFAULT_MODEL = Path(__file__).resolve().parent.parent / "models" / "lettermine_themes"
THRESHOLDS_FILE = "thresholds.json"
RULES_KEY = "lettermine_rules"
SENTENCES_KEY = "lettermine_sentences"  # doc.user_data: each sentence's concern score
THEME_COMPONENT = "textcat_multilabel"
POLARITY_COMPONENT = "textcat"
SENTENCE_COMPONENT = "lettermine_sentences"
DEFAULT_THRESHOLD = 0.5
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


@dataclass
class Classification:
    """What the pipeline says about one unit."""

    themes: list[tuple[str, float]]  # codes above their threshold, best first; never empty
    scores: dict[str, float]  # every theme code
    polarity: str
    polarity_score: float
    # Themes a lexicon phrase named in the text (evidence, whatever the model decided).
    rule_themes: list[str] = field(default_factory=list)


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
    """Register lettermine's components and model architecture with spaCy (once)."""
    if _REGISTERED:
        return
    from spacy.language import Language
    from spacy.util import registry

    Language.factory("lettermine_rules", default_config={"lexicon": None}, func=_make_rules)
    Language.factory(
        "lettermine_sentences",
        default_config={"ngram_size": 2, "length": 65536, "rule_features": False},
        func=_make_sentences,
    )
    registry.architectures.register("lettermine.TextCatBOW.v1", func=build_bow_model)
    _REGISTERED.append(True)


_REGISTERED: list[bool] = []


def _make_rules(nlp: Language, name: str, lexicon: dict[str, list[str]] | None) -> RuleTagger:
    return RuleTagger(nlp, name, lexicon)


def _make_sentences(
    nlp: Language, name: str, ngram_size: int, length: int, rule_features: bool = False
) -> SentenceScorer:
    return SentenceScorer(
        nlp, name, ngram_size=ngram_size, length=length, rule_features=rule_features
    )


class RuleTagger:
    """Stems every token into its NORM and marks lexicon phrases and cues as labelled spans."""

    def __init__(
        self, nlp: Language, name: str, lexicon: dict[str, list[str]] | None = None
    ) -> None:
        self.nlp = nlp
        self.name = name
        self.lexicon: dict[str, list[str]] = (
            {k: list(v) for k, v in lexicon.items()} if lexicon else _default_lexicon()
        )
        self._norms: dict[int, int] = {}
        self._build()

    def _build(self) -> None:
        from spacy.matcher import PhraseMatcher

        self.matcher = PhraseMatcher(self.nlp.vocab, attr="NORM")
        for label, phrases in self.lexicon.items():
            self.matcher.add(label, [self._set_norms(self.nlp.make_doc(p)) for p in phrases])

    def _set_norms(self, doc: Doc) -> Doc:
        import numpy
        from spacy.attrs import LOWER, NORM

        strings = doc.vocab.strings
        norms = []
        for key in doc.to_array(LOWER).tolist():
            norm = self._norms.get(key)
            if norm is None:  # stem each word type once per process, not once per token
                norm = strings.add(stem(strings[key]))
                self._norms[key] = norm
            norms.append(norm)
        if norms:
            values: Any = numpy.asarray(norms, dtype="uint64").reshape(-1, 1)
            doc.from_array([NORM], values)
        return doc

    def __call__(self, doc: Doc) -> Doc:
        from spacy.tokens import Span

        self._set_norms(doc)
        doc.spans[RULES_KEY] = [
            Span(doc, start, end, label=label) for label, start, end in self.matcher(doc)
        ]
        return doc

    def pipe(self, docs: Iterable[Doc], batch_size: int = 128) -> Iterator[Doc]:
        for doc in docs:
            yield self(doc)

    def to_disk(self, path: Path, *, exclude: Sequence[str] = ()) -> None:
        # The lexicon travels with the model, so a model always sees the features it was
        # trained with even if LEXICON in the code changes later.
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        (path / "lexicon.json").write_text(json.dumps(self.lexicon, indent=0), encoding="utf-8")

    def from_disk(self, path: Path, *, exclude: Sequence[str] = ()) -> RuleTagger:
        file = Path(path) / "lexicon.json"
        if file.exists():
            self.lexicon = json.loads(file.read_text(encoding="utf-8"))
            self._build()
        return self


def _default_lexicon() -> dict[str, list[str]]:
    return {**{k: list(v) for k, v in LEXICON.items()}, **{k: list(v) for k, v in CUES.items()}}


def sentence_spans(doc: Doc) -> list[Any]:
    """The doc's sentences, split after '.', '?' or '!' (no parser in a blank pipeline)."""
    import numpy
    from spacy.attrs import ORTH

    ends = numpy.flatnonzero(numpy.isin(doc.to_array(ORTH), _sentence_end_ids())).tolist()
    spans = []
    start = 0
    for end in ends:
        if end + 1 > start:
            spans.append(doc[start : end + 1])
            start = end + 1
    if start < len(doc):
        spans.append(doc[start:])
    return spans


@lru_cache(maxsize=1)
def _sentence_end_ids() -> Any:
    import numpy

    return numpy.asarray([_hash(p) for p in (".", "?", "!")], dtype="uint64")


class SentenceScorer:
    """Scores each sentence of a finding for how much it reads as a concern (0-1).

    A finding is "mixed" when some sentences praise and others criticise; a model that only
    sees the whole paragraph confuses that with a mild concern or a hedged strength. The scores
    go into doc.user_data, where the polarity classifier reads them as features. Trained on
    the sentences of findings labelled strength (0) or concern (1), and optionally those of
    areas for improvement (1). With `rule_features` a sentence also gets one feature per
    lexicon label matched inside it (themes and the praise/hedge cues).
    """

    def __init__(
        self,
        nlp: Language,
        name: str,
        *,
        ngram_size: int = 2,
        length: int = 65536,
        rule_features: bool = False,
    ):
        self.nlp = nlp
        self.name = name
        self.cfg = {"ngram_size": ngram_size, "length": length, "rule_features": rule_features}
        self.model = self.new_model()

    def new_model(self) -> Any:
        """A fresh, untrained sentence model with this component's settings."""
        return build_bow_model(
            exclusive_classes=False,
            ngram_size=self.cfg["ngram_size"],
            length=self.cfg["length"],
            rule_features=bool(self.cfg["rule_features"]),
            nO=1,
        )

    def __call__(self, doc: Doc) -> Doc:
        return next(iter(self.pipe([doc])))

    def pipe(self, docs: Iterable[Doc], batch_size: int = 256) -> Iterator[Doc]:
        from itertools import islice

        # One model call per batch of docs, not per doc: most of the cost is per call.
        stream = iter(docs)
        while batch := list(islice(stream, batch_size)):
            spans = [sentence_spans(doc) for doc in batch]
            flat = [span for doc_spans in spans for span in doc_spans]
            scores = self.model.predict(flat)[:, 0].tolist() if flat else []
            i = 0
            for doc, doc_spans in zip(batch, spans, strict=True):
                if doc_spans:
                    doc.user_data[SENTENCES_KEY] = scores[i : i + len(doc_spans)]
                i += len(doc_spans)
                yield doc

    def to_disk(self, path: Path, *, exclude: Sequence[str] = ()) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        (path / "model").write_bytes(self.model.to_bytes())

    def from_disk(self, path: Path, *, exclude: Sequence[str] = ()) -> SentenceScorer:
        self.model.from_bytes((Path(path) / "model").read_bytes())
        return self


def build_bow_model(
    exclusive_classes: bool,
    ngram_size: int,
    length: int = 131072,
    rule_features: bool = True,
    sentence_features: bool = False,
    nO: int | None = None,
) -> Any:
    """A linear classifier over TF-IDF weighted, hashed n-grams of token NORMs.

    Feature values are (1 + log count) x idf, L2-normalised per unit as in a TF-IDF + logistic
    regression model, so long findings and one-line areas for improvement score on the same
    scale; the idf table is a parameter set from the training units (`set_idf`). Options add
    one feature per rule label ('RULE=health') and summaries of the sentence scores that
    `lettermine_sentences` left in doc.user_data. Inputs are Docs or Spans.
    """
    from functools import partial

    from spacy.ml.models.textcat import resize_and_set_ref
    from thinc.api import SparseLinear_v2, chain, resizable
    from thinc.layers.resizable import resize_linear_weighted

    length = 2 ** (length - 1).bit_length()  # the hashing table must be a power of two
    sparse = SparseLinear_v2(nO=nO, length=length)
    # As spaCy's own BOW model: a label added later starts out improbable.
    fill = {"b": -5000.0, "W": 0.0}
    resizable_layer: Any = resizable(
        sparse, resize_layer=partial(resize_linear_weighted, fill_defaults=fill)
    )
    features = _feature_extractor(ngram_size, rule_features, sentence_features, length)
    model: Any = chain(features, resizable_layer, _log_loss_output(exclusive_classes))
    if nO is not None:
        model.set_dim("nO", nO)
    model.set_ref("output_layer", sparse)
    model.set_ref("features", features)
    model.attrs["multi_label"] = not exclusive_classes
    model.attrs["resize_output"] = partial(resize_and_set_ref, resizable_layer=resizable_layer)
    return model


def _log_loss_output(exclusive: bool) -> Any:
    """Softmax or sigmoid whose backward pass takes `scores - truth` as the logits' gradient.

    That difference is exactly the gradient of cross-entropy (log loss) with respect to the
    logits. thinc's Logistic and softmax layers multiply it by the activation's derivative
    instead, which turns training into squared error on probabilities: the gradient vanishes
    on confident mistakes, and rare themes are learned badly.
    """
    from thinc.api import Model

    def forward(model: Model[Any, Any], X: Any, is_train: bool) -> Any:
        if exclusive:
            Y = model.ops.softmax(X, inplace=False)
        else:
            Y = model.ops.sigmoid(X, inplace=False)
        return Y, lambda dY: dY

    return Model("log_loss_softmax" if exclusive else "log_loss_sigmoid", forward)


def _feature_extractor(
    ngram_size: int, rule_features: bool, sentence_features: bool, length: int
) -> Any:
    from thinc.api import Model

    def init(model: Model[Any, Any], X: Any = None, Y: Any = None) -> None:
        # Until set_idf() is called every feature counts the same.
        model.set_param("idf", model.ops.alloc1f(length) + 1.0)

    model: Model[Any, Any] = Model(
        "lettermine_features",
        _features_forward,
        init=init,
        params={"idf": None},
        dims={"length": length},
        attrs={
            "ngram_size": ngram_size,
            "rule_features": rule_features,
            "sentence_features": sentence_features,
        },
    )
    return model


def unit_keys(unit: Any, ngram_size: int, rule_features: bool) -> Any:
    """Hashed features of a Doc or Span: n-grams of token NORMs, and 'RULE=<label>' per label."""
    import numpy
    from spacy.attrs import NORM

    doc = unit.doc
    start, end = (0, len(doc)) if unit is doc else (unit.start, unit.end)
    unigrams = doc.to_array(NORM)[start:end]
    parts = [unigrams]
    for n in range(2, ngram_size + 1):
        if len(unigrams) >= n:
            parts.append(_NUMPY_OPS.ngrams(n, unigrams))
    if rule_features and RULES_KEY in doc.spans:
        labels = {s.label_ for s in doc.spans[RULES_KEY] if s.start >= start and s.end <= end}
        if labels:
            parts.append(numpy.asarray([_hash("RULE=" + lab) for lab in labels], "uint64"))
    return numpy.concatenate(parts)


@lru_cache(maxsize=4096)
def _hash(text: str) -> int:
    from spacy.strings import hash_string  # type: ignore[attr-defined]  # a Cython function

    return int(hash_string(text))


class _LazyOps:
    """thinc's NumpyOps, created on first use so importing this module stays cheap."""

    def __getattr__(self, name: str) -> Any:
        from thinc.api import NumpyOps

        ops = NumpyOps()
        globals()["_NUMPY_OPS"] = ops
        return getattr(ops, name)


_NUMPY_OPS: Any = _LazyOps()
SENTENCE_FEATURES = ("max", "min", "mean", "share_concern", "first", "last", "both")


def sentence_summary(scores: Sequence[float]) -> list[float]:
    """Summaries of a finding's sentence concern scores, in SENTENCE_FEATURES order."""
    if not scores:
        return [0.0] * len(SENTENCE_FEATURES)
    n = len(scores)
    concern = sum(s >= 0.5 for s in scores)
    return [
        max(scores),
        min(scores),
        sum(scores) / n,
        concern / n,
        scores[0],
        scores[-1],
        float(0 < concern < n),  # some sentences read as concerns and some do not
    ]


def _features_forward(model: Any, units: list[Any], is_train: bool) -> Any:
    import numpy

    length = model.get_dim("length")
    idf = model.get_param("idf")
    ngram_size = model.attrs["ngram_size"]
    rule_features = model.attrs["rule_features"]
    sentence_features = model.attrs["sentence_features"]
    batch_keys = []
    batch_vals = []
    for unit in units:
        keys, counts = numpy.unique(unit_keys(unit, ngram_size, rule_features), return_counts=True)
        vals = (1.0 + numpy.log(counts)) * idf[keys % length]
        norm = float(numpy.sqrt((vals * vals).sum()))
        if norm > 0:
            vals = vals / norm
        if sentence_features:
            scores = unit.doc.user_data.get(SENTENCES_KEY)
            if scores:
                keys = numpy.concatenate([keys, _sentence_keys()])
                vals = numpy.concatenate([vals, sentence_summary(scores)])
        batch_keys.append(keys)
        batch_vals.append(vals.astype("f"))
    lengths = numpy.asarray([len(k) for k in batch_keys], dtype="int32")
    keys_all = numpy.concatenate(batch_keys) if units else numpy.zeros((0,), dtype="uint64")
    vals_all = numpy.concatenate(batch_vals) if units else numpy.zeros((0,), dtype="f")

    def backprop(d_out: Any) -> list[Any]:
        return []

    return (keys_all, vals_all, lengths), backprop


@lru_cache(maxsize=1)
def _sentence_keys() -> Any:
    import numpy

    return numpy.asarray([_hash("SENT=" + name) for name in SENTENCE_FEATURES], "uint64")


def set_idf(model: Any, units: Sequence[Any]) -> None:
    """Set a bag-of-n-grams model's idf table from training Docs or Spans (smoothed idf).

    Features never seen in training get idf 0: they carry no weight, so they should not
    dilute the normalised value of the ones that do.
    """
    import numpy

    features = model.get_ref("features")
    length = features.get_dim("length")
    df = numpy.zeros(length, dtype="f")
    for unit in units:
        keys = numpy.unique(
            unit_keys(unit, features.attrs["ngram_size"], features.attrs["rule_features"])
        )
        numpy.add.at(df, keys % length, 1.0)
    n = len(units)
    idf = numpy.where(df > 0, numpy.log((1.0 + n) / (1.0 + df)) + 1.0, 0.0).astype("f")
    features.set_param("idf", idf)


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
        missing = [name for name in (THEME_COMPONENT,) if name not in nlp.pipe_names]
        if missing:
            raise ModelError(
                f"the theme model at {path} has no {', '.join(missing)} component: "
                "it is not a lettermine theme model"
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


def classify(nlp: Language, texts: list[str], kinds: list[str]) -> list[Classification]:
    """Themes and polarity for each unit text; kinds say which are areas for improvement."""
    if len(texts) != len(kinds):
        raise ValueError(f"{len(texts)} texts but {len(kinds)} kinds")
    thresholds: dict[str, float] = nlp.meta.get("thresholds") or {}
    polarity_pipes = [n for n in (SENTENCE_COMPONENT, POLARITY_COMPONENT) if n in nlp.pipe_names]
    has_polarity = POLARITY_COMPONENT in nlp.pipe_names
    # Themes for every unit; the polarity components only for findings, where it is not fixed.
    with nlp.select_pipes(disable=polarity_pipes):
        docs = list(nlp.pipe(texts, batch_size=256))
    if has_polarity:
        rated: Iterable[Doc] = [
            d for d, k in zip(docs, kinds, strict=True) if k not in CONCERN_KINDS
        ]
        for name in polarity_pipes:
            component: Any = nlp.get_pipe(name)
            rated = component.pipe(rated, batch_size=256)
        for _ in rated:  # the components annotate the docs in place
            pass
    out: list[Classification] = []
    for doc, kind in zip(docs, kinds, strict=True):
        scores = {code: float(doc.cats.get(code, 0.0)) for code in THEME_CODES}
        if kind in CONCERN_KINDS or not has_polarity:
            polarity, p_score = "concern", 1.0
        else:
            polarity, p_score = _polarity(doc)
        rule_themes = sorted(
            {s.label_ for s in doc.spans.get(RULES_KEY, []) if s.label_ in THEME_CODES}
        )
        out.append(
            Classification(
                themes=pick_themes(scores, thresholds),
                scores=scores,
                polarity=polarity,
                polarity_score=p_score,
                rule_themes=rule_themes,
            )
        )
    return out


def _polarity(doc: Doc) -> tuple[str, float]:
    from lettermine.themes import POLARITIES

    best = max(POLARITIES, key=lambda p: doc.cats.get(p, 0.0))
    return best, float(doc.cats.get(best, 0.0))


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
