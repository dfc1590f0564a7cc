"""How accurate is parsing? read_text + parse_letter against the gold files and the D2I index.

    python bench/accuracy.py [--kind KIND] [-v]
        [--only afi|findings|focused|jtai|send|d2i|speed|sif-check]

Gold sets (../shared/corpus/gold; each gold `file` is relative to ../shared/corpus):
  afi       gold/afi: areas for improvement and priority actions of the 213 inspection reports
  findings  gold/findings + gold/focused-findings: every finding of 21 reports and letters
  focused   gold/focused: areas for improvement, priority actions and metadata of 133 letters
  jtai      gold/jtai: areas for improvement, priority actions (with their group) and metadata
            of 29 joint targeted area inspection letters
  send      gold/send: areas for improvement, priority actions (with their group) and metadata
            of 23 area SEND inspection reports
  d2i       ilacs/d2i_index.csv, reports published 2018 on: dates, lead inspector, five grades
  speed     read_text + parse_letter against bare pypdfium2 text, over the inspection reports
  sif-check the 2009-2017 reports (sif/pdf and the SIF reports in ilacs/pdf), which have no
            gold: per kind (sif, pre_sif), files, crashes, how many have an overall judgement,
            a board judgement (of those whose title says the board was reviewed), areas for
            improvement and findings, and every report that was warned about; -v lists each
            report (kind, overall and board grades, counts, warnings)

Unit matching rule. Both texts are normalised: NFKC; U+FFFE dropped; curly quotes made straight;
every dash (hyphen, en, em, minus) made '-'; whitespace collapsed to one space (and removed around
'-' and '/'); lower-cased; trailing punctuation and spaces stripped. A gold unit matches a parsed
unit of the same kind when the normalised texts are equal (each parsed unit matches at most one
gold unit). The fuzzy figures also pair the leftovers whose difflib ratio is >= 0.95.
Precision = matched / parsed, recall = matched / gold, summed over files (micro average).
Only the local authority's units count: a unit with subject "lscb" is not the council's.

Metadata: per field, the share of gold values the parse reproduces: kind; authority (equal
canonical_authority); visit start/end and letter date (ISO); lead inspector and inspectors
(names compared case- and space-insensitively, inspectors as a set).

JTAI and area SEND (run_jtai, run_send): units matched by the rule above, per unit kind and
letter kind; then, for every gold unit matched exactly, whether its group (the agency,
sub-heading or responsible body printed above or beside it) equals the parsed unit's, both
normalised as unit texts are and a missing group counted as "" ("group (jtai)"). Metadata per
field: kind; authority (equal canonical_authority); inspection start/end (ISO); letter date
(JTAI; SEND reports print none, the gold says null); focus (JTAI: normalised text equality);
outcome (SEND: equal to judgements["outcome"]); lead inspector and inspectors (SEND: as above).

D2I: per field and report kind, over reports published 2018 on (by d2i's publication_date)
where d2i or the parse has a value, with the disagreements split into: both have a value and
differ; d2i blank; ours blank; D2I's placeholders (inspection_pre_dates_judgement, data_unreadable,
not_reported_post_reform, blank) mean "no value". A combined "children in care and care
leavers" grade is compared with d2i's in_care grade. Every disagreement is listed with -v.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import difflib
import json
import re
import sys
import time
import traceback
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from lettermine.corpus import corpus_dir  # noqa: E402

CORPUS = corpus_dir()
SHARED = CORPUS.parent
GOLD = CORPUS / "gold"
D2I = CORPUS / "ilacs" / "d2i_index.csv"

from lettermine.authorities import canonical_authority  # noqa: E402
from lettermine.errors import LettermineError  # noqa: E402
from lettermine.records import Letter  # noqa: E402

FUZZY = 0.95
D2I_PLACEHOLDERS = {
    "",
    "inspection_pre_dates_judgement",
    "data_unreadable",
    "not_reported_post_reform",
}
D2I_GRADES = {
    "overall_effectiveness_grade": "overall_effectiveness",
    "impact_of_leaders_grade": "impact_of_leaders",
    "help_and_protection_grade": "help_and_protection",
    "in_care_grade": "in_care",
    "care_leavers_grade": "care_leavers",
}
_DASHES = re.compile("[\u2010\u2011\u2012\u2013\u2014\u2015\u2212-]")


def norm_text(text: str) -> str:
    """A unit's text reduced for matching (see the module docstring)."""
    text = unicodedata.normalize("NFKC", text).replace("\ufffe", "")
    text = re.sub("[\u2018\u2019\u201a\u2032`]", "'", text)
    text = re.sub("[\u201c\u201d\u201e\u2033]", '"', text)
    text = _DASHES.sub("-", text)
    text = re.sub(r"\s+", " ", text)
    text = re.sub(r"\s*([-/])\s*", r"\1", text)
    return text.lower().strip().rstrip(" .,;:!?")


def norm_name(name: str | None) -> str | None:
    """A person's name compared case- and space-insensitively."""
    if not name:
        return None
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", name)).strip().casefold() or None


@dataclass
class Score:
    """Matched, parsed and gold unit counts, exact and fuzzy."""

    gold: int = 0
    parsed: int = 0
    exact: int = 0
    fuzzy: int = 0

    def add(self, other: Score) -> None:
        """Add another file's counts to these."""
        self.gold += other.gold
        self.parsed += other.parsed
        self.exact += other.exact
        self.fuzzy += other.fuzzy

    def line(self, label: str) -> str:
        """One printed row: counts, precision and recall, exact and fuzzy."""

        def ratio(a: int, b: int) -> str:
            return f"{a / b:6.4f}" if b else "   n/a"

        return (
            f"{label:<34} gold {self.gold:5d} parsed {self.parsed:5d}  "
            f"P {ratio(self.exact, self.parsed)} R {ratio(self.exact, self.gold)}  "
            f"fuzzy P {ratio(self.fuzzy, self.parsed)} R {ratio(self.fuzzy, self.gold)}"
        )


@dataclass
class Parsed:
    """A parse result for one PDF, or why there is none."""

    letter: Letter | None = None
    error: str | None = None
    seconds: float = 0.0


@dataclass
class Report:
    """Everything printed at the end."""

    scores: dict[str, Score] = field(default_factory=lambda: defaultdict(Score))
    meta: dict[str, list[bool]] = field(default_factory=lambda: defaultdict(list))
    mismatches: list[str] = field(default_factory=list)
    d2i: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))


_CACHE: dict[Path, Parsed] = {}


def parse_pdf(path: Path) -> Parsed:
    """read_text + parse_letter on one file, once per run."""
    if path in _CACHE:
        return _CACHE[path]
    from lettermine.read.extract import read_text
    from lettermine.read.parse import parse_letter

    start = time.perf_counter()
    try:
        result = Parsed(letter=parse_letter(read_text(path)))
    except LettermineError as e:
        result = Parsed(error=f"refused: {e}")
    except Exception:  # noqa: BLE001 - a bench counts crashes instead of stopping at the first
        result = Parsed(error="CRASH " + traceback.format_exc(limit=-3))
    result.seconds = time.perf_counter() - start
    _CACHE[path] = result
    return result


def match_units(gold: list[str], parsed: list[str]) -> tuple[int, int, list[str], list[str]]:
    """Exact and fuzzy match counts, with the unmatched gold and parsed texts."""
    left = Counter(norm_text(t) for t in parsed)
    exact = 0
    missed: list[str] = []
    for text in gold:
        key = norm_text(text)
        if left[key] > 0:
            left[key] -= 1
            exact += 1
        else:
            missed.append(text)
    extra = []
    for text in parsed:  # the parsed units no gold unit took, in document order
        key = norm_text(text)
        if left[key] > 0:
            left[key] -= 1
            extra.append(text)
    fuzzy, pool = exact, list(extra)
    for text in missed:
        key = norm_text(text)
        ratios = [(difflib.SequenceMatcher(None, key, norm_text(t)).ratio(), t) for t in pool]
        best = max(ratios, default=None)
        if best is not None and best[0] >= FUZZY:
            fuzzy += 1
            pool.remove(best[1])
    return exact, fuzzy, missed, extra


def unit_texts(letter: Letter | None, kind: str) -> list[str]:
    """The texts of the council's units of one kind."""
    if letter is None:
        return []
    return [u.text for u in letter.units if u.kind == kind and u.subject != "lscb"]


def score_units(
    report: Report, label: str, stem: str, gold: list[str], letter: Letter | None, kind: str
) -> None:
    """Add one file's unit matches for one unit kind to the report."""
    parsed = unit_texts(letter, kind)
    exact, fuzzy, missed, extra = match_units(gold, parsed)
    report.scores[label].add(Score(len(gold), len(parsed), exact, fuzzy))
    report.mismatches.extend(f"{stem}: {label}: MISSED {t!r}" for t in missed)
    report.mismatches.extend(f"{stem}: {label}: EXTRA  {t!r}" for t in extra)


def gold_files(folder: str, kind: str | None) -> Iterable[tuple[Path, dict[str, object]]]:
    """(PDF path, gold record) for every gold file in a folder, optionally of one kind."""
    for path in sorted((GOLD / folder).glob("*.json")):
        gold = json.loads(path.read_text(encoding="utf-8"))
        if kind and gold.get("kind") != kind:
            continue
        yield CORPUS / str(gold["file"]), gold


def texts(gold: dict[str, object], key: str) -> list[str]:
    """The texts of a gold unit list."""
    items = gold.get(key) or []
    assert isinstance(items, list)
    return [str(item["text"]) for item in items]


def check(report: Report, stem: str, name: str, want: object, got: object) -> None:
    """Record one metadata comparison."""
    report.meta[name].append(want == got)
    if want != got:
        report.mismatches.append(f"{stem}: {name}: gold {want!r} parsed {got!r}")


def run_afi(report: Report, kind: str | None) -> None:
    """Areas for improvement and priority actions of the inspection reports."""
    for pdf, gold in gold_files("afi", kind):
        parsed = parse_pdf(pdf)
        if parsed.error:
            report.mismatches.append(f"{pdf.stem}: {parsed.error}")
        label = f"{gold['kind']}"
        score_units(report, f"afi {label}", pdf.stem, texts(gold, "areas_for_improvement"),
                    parsed.letter, "area_for_improvement")  # fmt: skip
        score_units(report, f"priority actions {label}", pdf.stem, texts(gold, "priority_actions"),
                    parsed.letter, "priority_action")  # fmt: skip
        check(
            report, pdf.stem, f"kind ({label})", gold["kind"], parsed.letter and parsed.letter.kind
        )


def run_findings(report: Report, kind: str | None) -> None:
    """Every finding of the fully annotated reports and letters, with section and number."""
    for folder in ("findings", "focused-findings"):
        for pdf, gold in gold_files(folder, kind):
            parsed = parse_pdf(pdf)
            if parsed.error:
                report.mismatches.append(f"{pdf.stem}: {parsed.error}")
            items = gold.get("findings") or []
            assert isinstance(items, list)
            score_units(report, f"findings {gold['kind']}", pdf.stem, [i["text"] for i in items],
                        parsed.letter, "finding")  # fmt: skip
            check_sections(report, pdf.stem, items, parsed.letter)


def check_sections(
    report: Report, stem: str, items: list[dict[str, object]], letter: Letter | None
) -> None:
    """For findings matched exactly, whether section and number agree with the gold."""
    by_text = {
        norm_text(u.text): u for u in (letter.units if letter else []) if u.kind == "finding"
    }
    for item in items:
        unit = by_text.get(norm_text(str(item["text"])))
        if unit is None:
            continue
        want_section = norm_text(str(item.get("section") or ""))
        check(report, stem, "finding section", want_section, norm_text(unit.section or ""))
        if item.get("number") is not None:
            check(report, stem, "finding number", item.get("number"), unit.number)


def run_focused(report: Report, kind: str | None) -> None:
    """Areas for improvement, priority actions and metadata of the focused visit letters."""
    for pdf, gold in gold_files("focused", kind):
        parsed = parse_pdf(pdf)
        letter = parsed.letter
        if parsed.error:
            report.mismatches.append(f"{pdf.stem}: {parsed.error}")
        label = str(gold["kind"])
        score_units(report, f"afi {label}", pdf.stem, texts(gold, "areas_for_improvement"),
                    letter, "area_for_improvement")  # fmt: skip
        score_units(report, f"priority actions {label}", pdf.stem, texts(gold, "priority_actions"),
                    letter, "priority_action")  # fmt: skip
        check_visit_metadata(report, pdf.stem, gold, letter)


def check_visit_metadata(
    report: Report, stem: str, gold: dict[str, object], letter: Letter | None
) -> None:
    """Kind, authority, dates and inspectors of one letter against its gold."""
    got = letter or Letter(kind="none")
    check(report, stem, "kind", gold["kind"], got.kind)
    want_la = canonical_authority(str(gold.get("local_authority") or "")) or gold.get(
        "local_authority"
    )
    got_la = canonical_authority(got.local_authority) or got.authority
    check(report, stem, "authority", want_la, got_la)
    check(report, stem, "visit start", gold.get("visit_start"), got.inspection_start)
    check(report, stem, "visit end", gold.get("visit_end"), got.inspection_end)
    check(report, stem, "letter date", gold.get("letter_date"), got.published)
    check(report, stem, "lead inspector", norm_name(str(gold.get("lead_inspector") or "")),
          norm_name(got.lead_inspector))  # fmt: skip
    listed = gold.get("inspectors") or []
    want_names = {norm_name(str(n)) for n in listed} if isinstance(listed, list) else set()
    check(report, stem, "inspectors", sorted(n for n in want_names if n),
          sorted(n for n in {norm_name(n) for n in got.inspectors} if n))  # fmt: skip


def run_family(report: Report, folder: str, kind: str | None) -> None:
    """Units (with their group) and metadata of the JTAI letters or area SEND reports."""
    for pdf, gold in gold_files(folder, kind):
        parsed = parse_pdf(pdf)
        letter = parsed.letter
        if parsed.error:
            report.mismatches.append(f"{pdf.stem}: {parsed.error}")
        label = str(gold["kind"])
        for key, unit_kind, name in (
            ("areas_for_improvement", "area_for_improvement", "afi"),
            ("priority_actions", "priority_action", "priority actions"),
        ):
            items = gold.get(key) or []
            assert isinstance(items, list)
            score_units(report, f"{name} {label}", pdf.stem, [i["text"] for i in items],
                        letter, unit_kind)  # fmt: skip
            check_groups(report, pdf.stem, label, items, letter, unit_kind)
        check_family_metadata(report, pdf.stem, label, gold, letter)


def check_groups(
    report: Report,
    stem: str,
    label: str,
    items: list[dict[str, object]],
    letter: Letter | None,
    unit_kind: str,
) -> None:
    """For gold units matched exactly, whether the parsed unit's group is the gold's."""
    by_text: dict[str, list[str]] = defaultdict(list)
    for unit in letter.units if letter else []:
        if unit.kind == unit_kind:
            by_text[norm_text(unit.text)].append(norm_text(unit.group or ""))
    for item in items:
        groups = by_text.get(norm_text(str(item["text"])))
        if not groups:
            continue
        check(report, stem, f"group ({label})", norm_text(str(item.get("group") or "")),
              groups.pop(0))  # fmt: skip


def check_family_metadata(
    report: Report, stem: str, label: str, gold: dict[str, object], letter: Letter | None
) -> None:
    """Kind, authority, dates, focus or outcome, and inspectors of a JTAI letter or SEND report."""
    got = letter or Letter(kind="none")
    check(report, stem, f"kind ({label})", gold["kind"], got.kind)
    want_la = canonical_authority(str(gold.get("local_authority") or "")) or gold.get(
        "local_authority"
    )
    check(report, stem, f"authority ({label})", want_la, got.authority)
    check(report, stem, f"inspection start ({label})", gold.get("inspection_start"),
          got.inspection_start)  # fmt: skip
    check(report, stem, f"inspection end ({label})", gold.get("inspection_end"),
          got.inspection_end)  # fmt: skip
    check(report, stem, f"letter date ({label})", gold.get("letter_date"), got.published)
    if label == "jtai":
        want_focus = norm_text(str(gold.get("focus") or ""))
        check(report, stem, "focus (jtai)", want_focus, norm_text(got.focus or ""))
    if label == "area_send":
        check(report, stem, "outcome (area_send)", gold.get("outcome"),
              got.judgements.get("outcome"))  # fmt: skip
        want_lead = norm_name(str(gold.get("lead_inspector") or ""))
        check(report, stem, "lead inspector (area_send)", want_lead, norm_name(got.lead_inspector))
        listed = gold.get("inspectors") or []
        want = {norm_name(str(n)) for n in listed} if isinstance(listed, list) else set()
        check(report, stem, "inspectors (area_send)", sorted(n for n in want if n),
              sorted(n for n in {norm_name(n) for n in got.inspectors} if n))  # fmt: skip


def run_jtai(report: Report, kind: str | None) -> None:
    """The joint targeted area inspection letters against gold/jtai."""
    run_family(report, "jtai", kind)


def run_send(report: Report, kind: str | None) -> None:
    """The area SEND inspection reports against gold/send."""
    run_family(report, "send", kind)


def d2i_date(text: str) -> str | None:
    """A d2i dd/mm/yyyy date as ISO, or None."""
    try:
        return dt.datetime.strptime(text.strip(), "%d/%m/%Y").date().isoformat()
    except ValueError:
        return None


def d2i_value(text: str) -> str | None:
    """A d2i value, or None for its placeholders."""
    text = text.strip()
    return None if text.lower() in D2I_PLACEHOLDERS else text


def our_d2i_fields(letter: Letter | None) -> dict[str, str | None]:
    """The parse's values under d2i's field names."""
    if letter is None:
        return {}
    grades = dict(letter.judgements)
    if "in_care" not in grades and "in_care_and_care_leavers" in grades:
        grades["in_care"] = grades["in_care_and_care_leavers"]
    out: dict[str, str | None] = {
        "inspection_start_date": letter.inspection_start,
        "inspection_end_date": letter.inspection_end,
        "inspector_name": letter.lead_inspector,
    }
    out.update({col: grades.get(code) for col, code in D2I_GRADES.items()})
    return out


def gold_kind(stem: str) -> str | None:
    """The letter kind the gold gives a report, if there is a gold file for it."""
    path = GOLD / "afi" / f"{stem}.json"
    if not path.is_file():
        return None
    return str(json.loads(path.read_text(encoding="utf-8")).get("kind"))


def run_d2i(report: Report, kind: str | None) -> None:
    """Agreement with the D2I index on reports published 2018 on, by the report's kind."""
    with D2I.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    for row in rows:
        published = dt.datetime.strptime(row["publication_date"], "%d/%m/%y").date()
        if published.year < 2018:
            continue
        pdf = CORPUS / "ilacs" / "pdf" / row["file"]
        parsed = parse_pdf(pdf)
        report_kind = gold_kind(pdf.stem) or (parsed.letter.kind if parsed.letter else "?")
        if kind and report_kind != kind:
            continue
        ours = our_d2i_fields(parsed.letter)
        theirs: dict[str, str | None] = {
            "inspection_start_date": d2i_date(row["inspection_start_date"]),
            "inspection_end_date": d2i_date(row["inspection_end_date"]),
            "inspector_name": d2i_value(row["inspector_name"]),
        }
        theirs.update({col: d2i_value(row[col]) for col in D2I_GRADES})
        for name, want in theirs.items():
            got = ours.get(name)
            a = norm_name(want) if want else None
            b = norm_name(got) if got else None
            if a is None and b is None:
                continue
            report.meta[f"d2i {name} ({report_kind})"].append(a == b)
            outcome = (
                "agree"
                if a == b
                else "d2i blank"
                if a is None
                else "ours blank"
                if b is None
                else "differ"
            )
            report.d2i[f"d2i {name} ({report_kind})"][outcome] += 1
            if a != b:
                report.mismatches.append(
                    f"{pdf.stem}: d2i {name} ({outcome}): d2i {want!r} parsed {got!r}"
                )
        want_la = canonical_authority(row["local_authority"])
        got_la = parsed.letter.authority if parsed.letter else None
        report.meta[f"d2i authority ({report_kind})"].append(want_la == got_la)
        if want_la != got_la:
            report.mismatches.append(
                f"{pdf.stem}: d2i authority: d2i {want_la!r} parsed {got_la!r}"
            )


def run_speed() -> None:
    """read_text + parse_letter against bare pypdfium2 text over the same PDFs: wall and CPU.

    Runs alternate (bare, ours, bare, ours, ...) and the best of each counts, so that load from
    other processes on a shared machine falls on both; CPU time is the steadier of the two.
    """
    import pypdfium2 as pdfium

    from lettermine.read.extract import read_text
    from lettermine.read.parse import parse_letter

    files = sorted((CORPUS / "ilacs" / "pdf").glob("*.pdf"))

    def bare() -> None:
        for path in files:
            pdf = pdfium.PdfDocument(str(path))
            for page in pdf:
                page.get_textpage().get_text_range()
            pdf.close()

    def ours() -> None:
        for path in files:
            parse_letter(read_text(path))

    def timed(run: Callable[[], None]) -> tuple[float, float]:
        wall, cpu = time.perf_counter(), time.process_time()
        run()
        return time.perf_counter() - wall, time.process_time() - cpu

    bare()  # warm the file cache and imports
    ours()
    runs = [(timed(bare), timed(ours)) for _ in range(3)]
    for i, label in ((0, "wall"), (1, "CPU")):
        b = min(r[0][i] for r in runs)
        o = min(r[1][i] for r in runs)
        print(f"speed over {len(files)} PDFs, best of 3, {label}: bare pypdfium2 {b:.2f} s, "
              f"read_text + parse_letter {o:.2f} s, ratio {o / b:.2f} (target <= 1.5)")  # fmt: skip


# ---------------------------------------------------------------------------------------------
# The 2013-2017 reports and the frameworks before them: no gold, so a check of what was read.

_BOARD_REVIEW = re.compile(
    r"review\s+of\s+the\s+effectiveness\s+of\s+the\s+local\s+safeguarding\s+children\s+board",
    re.IGNORECASE,
)


@dataclass
class OlderReport:
    """What was read from one 2009-2017 report, for the check."""

    stem: str
    kind: str
    error: str | None = None
    board_reviewed: bool = False  # the title says the board's effectiveness was reviewed
    judgements: dict[str, str] = field(default_factory=dict)
    areas: int = 0  # the council's areas for improvement
    priority: int = 0  # the council's priority actions
    board_areas: int = 0  # the board's areas for improvement and priority actions
    findings: int = 0
    warnings: list[str] = field(default_factory=list)


def older_report_files() -> list[Path]:
    """Every PDF in sif/pdf, and the reports in ilacs/pdf that the gold does not call ILACS."""
    files = sorted((CORPUS / "sif" / "pdf").glob("*.pdf"))
    files += [p for p in sorted((CORPUS / "ilacs" / "pdf").glob("*.pdf"))
              if gold_kind(p.stem) not in (None, "ilacs")]  # fmt: skip
    return files


def check_older_report(path: Path) -> OlderReport:
    """Parse one report and tally what the check reports."""
    import pypdfium2 as pdfium

    parsed = parse_pdf(path)
    pdf = pdfium.PdfDocument(str(path))
    try:
        front = pdf[0].get_textpage().get_text_range() if len(pdf) else ""
    finally:
        pdf.close()
    letter = parsed.letter
    out = OlderReport(path.stem, letter.kind if letter else "none", parsed.error)
    out.board_reviewed = bool(_BOARD_REVIEW.search(front))
    if letter is None:
        return out
    council = [u for u in letter.units if u.subject != "lscb"]
    out.judgements = dict(letter.judgements)
    out.areas = sum(1 for u in council if u.kind == "area_for_improvement")
    out.priority = sum(1 for u in council if u.kind == "priority_action")
    out.board_areas = sum(1 for u in letter.units if u.subject == "lscb" and u.kind != "finding")
    out.findings = sum(1 for u in council if u.kind == "finding")
    out.warnings = list(letter.warnings)
    return out


def run_older_check(verbose: bool) -> list[str]:
    """Per kind: crashes, overall and board judgements present, areas, findings, warnings.
    Returns the printed rows; with verbose, every report's row is printed first."""
    checked = [check_older_report(p) for p in older_report_files()]
    if verbose:
        print(f"{'report':<46} {'kind':<8} {'overall':<21} {'board':<21} "
              f"{'areas':>5} {'prio':>4} {'board':>5} {'find':>4}  warnings")  # fmt: skip
        for r in checked:
            grade = r.judgements.get("overall_effectiveness", "-")
            board = r.judgements.get("lscb", "-" if r.board_reviewed else "(no review)")
            print(f"{r.stem[:46]:<46} {r.kind:<8} {grade:<21} {board:<21} {r.areas:5d} "
                  f"{r.priority:4d} {r.board_areas:5d} {r.findings:4d}  "
                  f"{r.error or '; '.join(r.warnings)}")  # fmt: skip
        print()
    rows = []
    crashed = sum(1 for r in checked if r.error and r.error.startswith("CRASH"))
    refused = sum(1 for r in checked if r.error) - crashed
    rows.append(f"2009-2017 reports (sif/pdf + SIF reports in ilacs/pdf): {len(checked)} files, "
                f"crashed {crashed}, refused {refused}")  # fmt: skip
    for kind in sorted({r.kind for r in checked}):
        of_kind = [r for r in checked if r.kind == kind]
        reviewed = [r for r in of_kind if r.board_reviewed]
        rows.append(
            f"check {kind:<9} {len(of_kind):4d} files  "
            f"overall judgement {sum('overall_effectiveness' in r.judgements for r in of_kind)}"
            f"/{len(of_kind)}  board judgement {sum('lscb' in r.judgements for r in reviewed)}"
            f"/{len(reviewed)}  with areas {sum(r.areas > 0 for r in of_kind)}/{len(of_kind)} "
            f"({sum(r.areas for r in of_kind)} areas, {sum(r.priority for r in of_kind)} priority, "
            f"{sum(r.board_areas for r in of_kind)} board's)  with findings "
            f"{sum(r.findings > 0 for r in of_kind)}/{len(of_kind)}  "
            f"warned {sum(bool(r.warnings) for r in of_kind)}"
        )
    rows.extend(f"  {r.stem}: {r.kind}: {r.error or '; '.join(r.warnings)}"
                for r in checked if r.error or r.warnings)  # fmt: skip
    return rows


def print_report(report: Report, verbose: bool) -> None:
    """Print the figures, and the mismatches when asked."""
    crashed = sum(1 for p in _CACHE.values() if p.error and p.error.startswith("CRASH"))
    refused = sum(1 for p in _CACHE.values() if p.error and not p.error.startswith("CRASH"))
    print(f"files parsed: {len(_CACHE)}  crashed: {crashed}  refused: {refused}")
    for label in sorted(report.scores):
        print(report.scores[label].line(label))
    for name in sorted(report.meta):
        results = report.meta[name]
        line = f"{name:<42} {sum(results):5d}/{len(results):<5d} {sum(results) / len(results):7.2%}"
        if name in report.d2i:
            tally = report.d2i[name]
            line += "  " + ", ".join(
                f"{k} {tally[k]}" for k in ("differ", "d2i blank", "ours blank")
            )
        print(line)
    if verbose:
        print()
        for line in report.mismatches:
            print(line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kind", help="only gold files (or d2i reports) of this letter kind")
    parser.add_argument(
        "--only",
        choices=["afi", "findings", "focused", "jtai", "send", "d2i", "speed", "sif-check"],
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="print every mismatch")
    args = parser.parse_args()
    if not CORPUS.is_dir():
        print(f"skipped: {CORPUS} is absent")
        return
    report = Report()
    runs = {
        "afi": run_afi,
        "findings": run_findings,
        "focused": run_focused,
        "jtai": run_jtai,
        "send": run_send,
        "d2i": run_d2i,
    }
    for name, run in runs.items():
        if args.only in (None, name):
            run(report, args.kind)
    if args.only in ("afi", "findings", "focused", "jtai", "send", "d2i", None):
        print_report(report, args.verbose)
    if args.only in ("sif-check", None):
        for row in run_older_check(args.verbose and args.only == "sif-check"):
            print(row)
    if args.only == "speed":
        run_speed()


if __name__ == "__main__":
    main()
