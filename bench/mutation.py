"""Mutation testing of the modules whose mistakes cost a council most (issue 19). Not part of CI.

    python bench/mutation.py [GROUP ...] [--survivors] [--max-children N] [--keep]

Each group mutates its modules with mutmut and runs only that group's test files against each
mutant (mutmut picks, among them, the tests that call the mutated function). Groups: see
GROUPS below, or `--list`. The default is every group; `nice` it, the machine is shared:

    nice -n 10 python bench/mutation.py rag search

Needs mutmut 3.8 (in the dev extras). Each group works in
`out/mutation/<group>/`, links to this work tree's `lettermine/`, `tests/`, `letters/` and
`models/`, and a pyproject.toml written for it; mutmut copies them into `mutants/` there, so
the work tree is never touched. The real corpus is passed on as $LETTERMINE_CORPUS.

What counts:
- killed: a test failed, timed out, or mypy (strict, as CI runs it) rejects the mutant;
- accepted: a survivor listed in bench/mutation_accepted.py, an equivalent mutant or one not
  worth a test, each with its reason; they leave the score's denominator;
- survived: everything else, "no tests" mutants (no test of the group calls the function) too;
- score = killed / (mutants - accepted), per module.

Tests marked `slow` (the sweeps over every corpus PDF, 25-70 s each) are left out: a mutant only
they would kill counts as survived, so the scores are lower bounds.

mutmut mutates code inside functions only: module-level constants (rag.NEAR_DAYS ...) are not
mutated; decorated functions are skipped (the migrations group undecorates its copy).

Time: each group prints its wall time and its CPU time (user + system of mutmut and every
process it forked and reaped: mypy, pytest, the mutants), and saves both in
out/mutation/<group>/times.json. CPU seconds / 2 estimates the wall time on this 2-core machine
when idle; under load the wall time is 2-5 times that. The whole run from scratch (every group,
default sample, out/mutation removed first), 2026-12-04 at load 1-2.5: 915 s wall, 1,158 s CPU
  rag 17 s, actions 305 s, search 42 s, read 179 s, timeline 40 s, areas 13 s,
  migrations 11 s, papers 178 s, glue 126 s (wall)
Most of a run's CPU goes on the mutants that survive (each runs every selected test that calls
its function), then on mypy over the mutated copies.
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
from mutation_accepted import ACCEPTED, RULES  # noqa: E402

from lettermine.corpus import corpus_dir  # noqa: E402

WORK = ROOT / "out" / "mutation"
KILLED = {"killed", "timeout", "caught by type check"}


@dataclass(frozen=True)
class Group:
    """Modules to mutate, the tests that state their behaviour, and which functions count."""

    modules: tuple[str, ...]
    tests: tuple[str, ...]
    # module -> fnmatch patterns of the functions in scope (default: every function)
    only: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # every mutant whatever --sample says (a small module)
    whole: bool = False
    # regular expressions of lines mutmut leaves alone, a `def` line its whole function
    keep: tuple[str, ...] = ()
    # modules whose `@migrations()` decorators are turned into calls after each function in
    # the group's copy (mutmut skips decorated functions); the order of registration is kept
    undecorate: tuple[str, ...] = ()


PARSER_TESTS = (
    "tests/test_extract.py",
    "tests/test_inspection.py",
    "tests/test_visit.py",
    "tests/test_sif.py",
    "tests/test_legacy.py",
    "tests/test_jtai.py",
    "tests/test_send.py",
    "tests/test_lists.py",
    "tests/test_conservation.py",
    "tests/test_parse.py",
)

GROUPS: dict[str, Group] = {
    "rag": Group(("lettermine/rag.py",), ("tests/test_rag.py",), whole=True),
    "actions": Group(
        ("lettermine/actions.py",),
        # end_link/move_link/history are called by the visits' and areas' commands only;
        # test_corrections states the history's corrections and the plan dates' limits
        (
            "tests/test_actions.py",
            "tests/test_workbook.py",
            "tests/test_visits.py",
            "tests/test_areas.py",
            "tests/test_corrections.py",
        ),
    ),
    "search": Group(("lettermine/search.py",), ("tests/test_search.py",)),
    "read": Group(
        (
            "lettermine/read/extract.py",
            "lettermine/read/parse.py",
            "lettermine/read/inspection.py",
            "lettermine/read/sif.py",
            "lettermine/read/legacy.py",
            "lettermine/read/visit.py",
            "lettermine/read/jtai.py",
            "lettermine/read/send.py",
            "lettermine/read/lists.py",
        ),
        PARSER_TESTS,
    ),
    "timeline": Group(("lettermine/timeline.py",), ("tests/test_timeline.py",)),
    "areas": Group(("lettermine/areas.py",), ("tests/test_areas.py",)),
    "migrations": Group(
        ("lettermine/migrations.py",),
        # the upgrade tests only: every test that opens a database runs every migration, and
        # the others (processes racing, killed ingests) cost seconds each for nothing more
        (
            "tests/test_db.py",
            "tests/test_reliability.py::test_first_schema_database_is_upgraded_with_data_and_search_intact",
            "tests/test_reliability.py::test_an_empty_database_is_migrated_without_a_backup",
            "tests/test_search.py::test_index_in_step_across_every_migration",
        ),
        undecorate=("lettermine/migrations.py",),
    ),
    # the Word papers' data, not their layout (functions that take a python-docx Document)
    "papers": Group(
        ("lettermine/papers.py", "lettermine/scope.py", "lettermine/scrutiny.py"),
        ("tests/test_report.py",),
        only={
            "lettermine/papers.py": (
                "*visit_dates",
                "*letter_date",
                "*build_scope",
                "*latest_update",
                "*unit_themes",
                "*rag_as_at",
                "*completed_on",
                "*due_moves",
                "*block_note",
                "*reasons",
                "*status_notes",
                "*Scope*",
            ),
            "lettermine/scrutiny.py": ("*theme_visit_counts",),
        },
    ),
    # the glue between letters and the model, not the model's layers
    "glue": Group(
        ("lettermine/classify.py", "lettermine/ingest.py"),
        ("tests/test_classify.py", "tests/test_ingest.py"),
        only={
            "lettermine/classify.py": (
                "*pick_themes",
                "*load_pipeline",
                "*read_thresholds",
                "*x_classify",
                "*_polarity",
            ),
        },
    ),
}


def work(args: argparse.Namespace) -> Path:
    """out/mutation, or out/mutation-<label> for a run on another tree's tests."""
    return WORK.with_name(f"mutation-{args.label}") if args.label else WORK


def module_name(path: str) -> str:
    return path.removesuffix(".py").replace("/", ".")


def in_scope(group: Group, module: str, mutant: str) -> bool:
    """Whether a mutant (lettermine.x.x_function__mutmut_3) is in the group's scope."""
    patterns = group.only.get(module)
    if patterns is None:
        return True
    function = mutant.rsplit("__mutmut_", 1)[0].removeprefix(module_name(module) + ".")
    return any(fnmatch.fnmatch(function, p) for p in patterns)


def function_of(module: str, mutant: str) -> str:
    """rag, or Scope.uncovered for a method (mutmut names them x_rag, xǁScopeǁuncovered)."""
    mangled = mutant.rsplit("__mutmut_", 1)[0].removeprefix(module_name(module) + ".")
    if mangled.startswith("xǁ"):
        return ".".join(mangled[2:].split("ǁ"))
    return mangled.removeprefix("x_")


def pyproject(group: Group) -> str:
    """The group's pyproject.toml: the project's own pytest and mypy settings, and mutmut's."""

    def toml_list(items: tuple[str, ...] | list[str]) -> str:
        return "[" + ", ".join(json.dumps(i) for i in items) + "]"

    # mypy as CI runs it; the ignores in mutmut's own trampoline code are not ours to judge
    mypy = ["mypy", "--no-warn-unused-ignores", *group.modules, "--output", "json"]
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    keep = []
    for section in text.split("\n["):
        if section.startswith(("tool.pytest", "tool.mypy")):
            keep.append("[" + section.strip())
    return "\n\n".join(keep) + (
        "\n\n[tool.mutmut]\n"
        'source_paths = ["lettermine"]\n'
        f"only_mutate = {toml_list(group.modules)}\n"
        f"pytest_add_cli_args_test_selection = {toml_list(group.tests)}\n"
        'pytest_add_cli_args = ["-m", "not slow", "-p", "no:cacheprovider"]\n'
        'also_copy = ["letters", "models", "README.md"]\n'
        f"do_not_mutate_patterns = {toml_list(group.keep)}\n"
        f"type_check_command = {toml_list(mypy)}\n"
    )


def prepare(name: str, group: Group, args: argparse.Namespace) -> Path:
    where = work(args) / name
    tree = Path(args.tree).resolve() if args.tree else ROOT
    if not args.keep and where.exists():
        shutil.rmtree(where)
    where.mkdir(parents=True, exist_ok=True)
    for link in ("lettermine", "tests", "letters", "models", "README.md"):
        target = where / link
        if link == "lettermine" and group.undecorate:
            if not target.exists():
                shutil.copytree(tree / link, target, ignore=shutil.ignore_patterns("__pycache__"))
            for module in group.undecorate:
                undecorate(where / module)
        elif not target.is_symlink():
            target.symlink_to(tree / link)
    (where / "pyproject.toml").write_text(pyproject(group), encoding="utf-8")
    return where


def undecorate(path: Path) -> None:
    """Each `@migrations()` decorator becomes a call `migrations()(m0NN_x)` after its function,
    so that mutmut mutates the function, and the migrations register in the same order."""
    import ast

    lines = path.read_text(encoding="utf-8").splitlines()
    for node in reversed(ast.parse("\n".join(lines)).body):
        if isinstance(node, ast.FunctionDef) and node.decorator_list:
            (decorator,) = node.decorator_list
            assert ast.unparse(decorator) == "migrations()", ast.unparse(decorator)
            assert node.end_lineno is not None
            lines.insert(node.end_lineno, f"migrations()({node.name})")
            del lines[decorator.lineno - 1]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def dump() -> None:
    """In a group's folder: every mutant's status, and the diff of those not killed, as JSON."""
    from mutmut.mutation.data import SourceFileMutationData
    from mutmut.mutation.diff_apply import get_diff_for_mutant
    from mutmut.stats import status_by_exit_code
    from mutmut.utils.file_utils import walk_mutatable_files

    out = []
    for path in walk_mutatable_files():
        data = SourceFileMutationData(path=path)
        data.load()
        for key, code in data.exit_code_by_key.items():
            status = status_by_exit_code[code]
            unrun = status in KILLED or status == "not checked"  # not checked: not in the sample
            diff = "" if unrun else get_diff_for_mutant(key, path=path)
            out.append({"file": str(path), "mutant": key, "status": status, "diff": diff})
    json.dump(out, sys.stdout)


def changed_lines(diff: str) -> tuple[str, str]:
    """The lines a mutant takes out and puts in, each side joined by ' / ', stripped."""
    lines = diff.splitlines()[2:]  # after the ---/+++ header
    minus = [line[1:].strip() for line in lines if line.startswith("-")]
    plus = [line[1:].strip() for line in lines if line.startswith("+")]
    return " / ".join(minus), " / ".join(plus)


def accepted_for(module: str, mutant: str, diff: str) -> tuple[str, bool] | None:
    """(why, equivalent) if the survivor is listed in bench/mutation_accepted.py."""
    function = function_of(module, mutant)
    before, after = changed_lines(diff)
    for entry in ACCEPTED:
        if (entry.module, entry.function, entry.before, entry.after) == (
            module,
            function,
            before,
            after,
        ):
            return entry.why, entry.equivalent
    for rule in RULES:
        if rule.matches(before, after, diff):
            return f"[{rule.name}] {rule.why}", rule.equivalent
    return None


def judge(row: dict[str, object]) -> dict[str, object]:
    """The row with why/equivalent set from bench/mutation_accepted.py (as it is today)."""
    found = None
    if row["status"] not in KILLED:
        found = accepted_for(str(row["file"]), str(row["mutant"]), str(row["diff"]))
    row["why"], row["equivalent"] = found if found else (None, False)
    return row


def run_group(name: str, args: argparse.Namespace) -> list[dict[str, object]]:
    group = GROUPS[name]
    where = prepare(name, group, args) if not args.again else work(args) / name
    # LETTERMINE_MUTATION: tests/conftest.py empties the test modules' caches before each test
    corpus = str(corpus_dir().resolve())
    env = dict(os.environ, LETTERMINE_CORPUS=corpus, PYTHONHASHSEED="0", LETTERMINE_MUTATION="1")
    env.pop("LETTERMINE_DB", None)
    mutmut = Path(sys.executable).with_name("mutmut")
    started = time.monotonic()
    cpu = os.times()
    command = [str(mutmut), "run", "--max-children", str(args.max_children)]
    if args.again:
        # the survivors of the last run (not the listed ones) again, against today's tests
        saved: list[dict[str, object]] = json.loads((where / "results.json").read_text("utf-8"))
        saved = [judge(r) for r in saved]
        names = [str(r["mutant"]) for r in saved if r["status"] not in KILLED and not r["why"]]
        if not names:
            print(f"# {name}: no survivors to run again", flush=True)
            return saved
        command += names
    else:
        # mutmut takes fnmatch patterns of mutant names; with none it runs every mutant
        sample = "" if group.whole else args.sample
        tail = f"__mutmut_*[{sample}]" if sample else "__mutmut_*"
        modules = [m for m in group.modules if not args.modules or m in args.modules]
        command += [
            f"{module_name(m)}.{p}{tail}" for m in modules for p in group.only.get(m, ("*",))
        ]
    if args.again:
        # Only the last run's survivors run again, and mypy passed each of them then (it
        # checks the same code): a mypy that reports nothing skips minutes of re-checking,
        # under the same command, so mutmut keeps every earlier verdict.
        shim = where / "no-mypy"
        shim.mkdir(exist_ok=True)
        (shim / "mypy").write_text("#!/bin/sh\nexit 0\n", encoding="utf-8")
        (shim / "mypy").chmod(0o755)
        env["PATH"] = f"{shim}{os.pathsep}{env.get('PATH', '')}"
    with open(where / "run.log", "a" if args.again else "w", encoding="utf-8") as log:
        done = subprocess.run(command, cwd=where, env=env, stdout=log, stderr=subprocess.STDOUT)
    seconds = time.monotonic() - started
    after = os.times()
    # user + system CPU of mutmut and every child it forked (mypy, pytest, the mutants)
    used = after.children_user + after.children_system - cpu.children_user - cpu.children_system
    with open(where / "times.json", "w", encoding="utf-8") as times:
        json.dump({"wall": round(seconds), "cpu": round(used)}, times)
    print(f"# {name}: {seconds:.0f} s wall, {used:.0f} s CPU (user+sys, children)", flush=True)
    if done.returncode != 0:
        sys.exit(f"mutmut failed in {where} (exit {done.returncode}): see {where / 'run.log'}")
    return collect(name, where, env, seconds)


def collect(name: str, where: Path, env: dict[str, str], seconds: float) -> list[dict[str, object]]:
    """The group's mutants in scope (and in the sample) with their status, saved as JSON."""
    group = GROUPS[name]
    dumped = subprocess.run(
        [sys.executable, __file__, "--dump"],
        cwd=where,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    rows = []
    for row in json.loads(dumped.stdout):
        if not in_scope(group, row["file"], row["mutant"]) or row["status"] == "not checked":
            continue  # out of scope, or not in the sample
        rows.append(judge(row))
    (where / "results.json").write_text(json.dumps(rows, indent=1), encoding="utf-8")
    print(f"# {name}: {len(rows)} mutants in scope, {seconds:.0f} s", flush=True)
    return rows


def report(rows: list[dict[str, object]], survivors: bool, accepted: bool) -> None:
    """Per module: mutants, killed (by a test or by mypy), equivalent, listed as not worth a
    test, other survivors (no-test ones among them), and the scores: all kills, and tests only
    (mypy's kills out of both sides)."""
    by_module: dict[str, list[dict[str, object]]] = {}
    for row in rows:
        by_module.setdefault(str(row["file"]), []).append(row)
    print(
        f"{'module':30s} {'mutants':>7s} {'killed':>6s} {'mypy':>5s} {'equiv':>5s} "
        f"{'not-worth':>9s} {'survived':>8s} {'score':>6s} {'tests':>6s}"
    )
    for module, these in by_module.items():
        killed = sum(r["status"] in KILLED for r in these)
        typed = sum(r["status"] == "caught by type check" for r in these)
        equivalent = sum(bool(r["equivalent"]) for r in these)
        not_worth = sum(r["why"] is not None and not r["equivalent"] for r in these)
        survived = len(these) - killed - equivalent - not_worth
        counted = len(these) - equivalent
        score = 100 * killed / counted if counted else 100.0
        by_tests = 100 * (killed - typed) / (counted - typed) if counted > typed else 100.0
        print(
            f"{module:30s} {len(these):7d} {killed:6d} {typed:5d} {equivalent:5d} "
            f"{not_worth:9d} {survived:8d} {score:5.1f}% {by_tests:5.1f}%"
        )
    for row in rows:
        listed = row["why"] is not None
        if (survivors and row["status"] not in KILLED and not listed) or (accepted and listed):
            why = f" {row['why']}" if listed else ""
            print(f"\n## {row['mutant']} ({row['status']}){why}")
            print(row["diff"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("groups", nargs="*", help=f"default: all ({', '.join(GROUPS)})")
    parser.add_argument("--list", action="store_true", help="print the groups and stop")
    parser.add_argument("--survivors", action="store_true", help="print each survivor's diff")
    parser.add_argument(
        "--accepted", action="store_true", help="print each listed survivor's diff and reason"
    )
    parser.add_argument("--max-children", type=int, default=2, help="mutants run at once")
    parser.add_argument("--keep", action="store_true", help="reuse out/mutation/<group>")
    parser.add_argument(
        "--sample",
        default="7",
        help="mutate only mutants whose number ends in one of these digits (default 7: one in"
        " ten, spread over every function); 'all' for every mutant (hours on 2 cores)",
    )
    parser.add_argument(
        "--again",
        action="store_true",
        help="run the last run's unlisted survivors again (after adding tests), same sample",
    )
    parser.add_argument("--report", action="store_true", help="re-print saved results only")
    parser.add_argument(
        "--module",
        "--modules",
        dest="modules",
        nargs="+",
        action="extend",
        metavar="PATH",
        help="mutate only these modules of the group (paths, e.g. lettermine/read/visit.py;"
        " repeatable); the others' mutants are left unrun and out of the figures",
    )
    parser.add_argument(
        "--tree",
        help="another work tree whose lettermine/ and tests/ to mutate and run (e.g. a"
        " checkout of main, for the scores before new tests); results in out/mutation-<label>",
    )
    parser.add_argument("--label", help="with --tree: name of its results folder (e.g. before)")
    parser.add_argument(
        "--collect", action="store_true", help="save and print a group's results as they stand"
    )
    parser.add_argument("--dump", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.dump:
        dump()
        return
    if args.list:
        for name, group in GROUPS.items():
            print(f"{name}: {' '.join(group.modules)} <- {' '.join(group.tests)}")
        return
    if args.sample == "all":
        args.sample = ""
    elif not args.sample.isdigit():
        parser.error("--sample takes digits (e.g. 7 or 37) or 'all'")
    if args.tree and not args.label:
        parser.error("--tree needs --label")
    unknown = [g for g in args.groups if g not in GROUPS]
    if unknown:
        parser.error(f"no group {', '.join(unknown)}: choose from {', '.join(GROUPS)}")
    mine = {m for g in args.groups or list(GROUPS) for m in GROUPS[g].modules}
    stray = [m for m in args.modules or [] if m not in mine]
    if stray:
        parser.error(f"--module {', '.join(stray)}: not in the groups chosen")
    rows: list[dict[str, object]] = []
    for name in args.groups or list(GROUPS):
        if args.collect:
            env = dict(os.environ, LETTERMINE_CORPUS=str(corpus_dir().resolve()))
            rows += collect(name, work(args) / name, env, 0.0)
        elif args.report:
            saved = work(args) / name / "results.json"
            rows += [judge(r) for r in json.loads(saved.read_text(encoding="utf-8"))]
        else:
            rows += run_group(name, args)
    report(rows, args.survivors, args.accepted)


if __name__ == "__main__":
    main()
