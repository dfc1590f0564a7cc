"""Commands about themes: explain, label, classify, and the model group (train, evaluate)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from lettermine.cli import DbOption, JsonOption, app, reported_errors, whole_number
from lettermine.cli.output import print_json, print_table
from lettermine.corpus import gold_dir
from lettermine.paths import shown

DEFAULT_GOLD = gold_dir()

model_app = typer.Typer(help="Train and evaluate the theme model.", no_args_is_help=True)
app.add_typer(model_app, name="model")

ModelOption = Annotated[
    Path | None,
    typer.Option(
        "--model",
        envvar="LETTERMINE_MODEL",
        help="Theme pipeline folder (default: the one shipped in models/).",
        show_default=False,
    ),
]
GoldOption = Annotated[
    Path,
    typer.Option("--gold", help="Folder of gold labels (afi/, findings/, focused/ ...)."),
]


@app.command()
def explain(
    unit: Annotated[str, typer.Argument(help="Unit id, e.g. 3:12 (see 'lettermine show').")],
    *,
    db: DbOption = None,
    model: ModelOption = None,
    json: JsonOption = False,
) -> None:
    """Why a unit has its themes: the scores and the words that drove them.

    Example: lettermine explain 3:12
    """
    from lettermine import classify
    from lettermine.db import connect
    from lettermine.letters import effective_themes, resolve_unit

    with reported_errors():
        conn = connect(db)
        unit_id = resolve_unit(conn, unit)
        text = conn.execute("SELECT text FROM units WHERE id = ?", [unit_id]).fetchone()[0]
        stored = effective_themes(conn, [unit_id])[unit_id]
        nlp = classify.load_pipeline(model)
        reasons = classify.explain(nlp, text)
    data = {
        "unit": unit,
        "text": text,
        "themes": stored,
        "model": [
            {
                "code": code,
                "score": round(score, 4),
                "words": [{"word": w, "drop": d} for w, d in words],
            }
            for code, score, words in reasons
        ],
    }
    if json:
        print_json(data)
        return
    out = sys.stdout.write
    out(f"{unit}: {text}\n\nStored themes:\n")
    for t in stored:
        out(f"  {t['code']:24} {t['score']:.2f}  ({t['source']})\n")
    out("\nWhat the model sees (score, and the words whose removal lowers it most):\n")
    for item in data["model"]:
        words = ", ".join(f"{w['word']} {w['drop']:+.2f}" for w in item["words"]) or "-"
        out(f"  {item['code']:24} {item['score']:.2f}  {words}\n")


@app.command()
def label(
    unit: Annotated[str, typer.Argument(help="Unit id, e.g. 3:12.")],
    *,
    add: Annotated[list[str] | None, typer.Option("--add", help="Theme to add.")] = None,
    remove: Annotated[list[str] | None, typer.Option("--remove", help="Theme to remove.")] = None,
    who: Annotated[
        str | None, typer.Option("--who", envvar="LETTERMINE_AUTHOR", help="Who decided.")
    ] = None,
    db: DbOption = None,
    json: JsonOption = False,
) -> None:
    """Correct a unit's themes: a person's decision wins over the model, now and after retraining.

    Example: lettermine label 3:12 --add supervision_oversight --remove workforce
    """
    from lettermine.db import connect
    from lettermine.labels import label_unit

    with reported_errors():
        themes = label_unit(connect(db), unit, add=add or [], remove=remove or [], who=who)
    if json:
        print_json({"unit": unit, "themes": themes})
        return
    shown = ", ".join(f"{t['code']} ({t['source']})" for t in themes) or "no themes"
    typer.echo(f"{unit}: {shown}")


@app.command("classify")
def classify_command(
    *,
    letter: Annotated[
        int | None, typer.Option("--letter", parser=whole_number, help="Only this letter's units.")
    ] = None,
    db: DbOption = None,
    model: ModelOption = None,
) -> None:
    """Run the theme model again over stored units (e.g. after retraining); labels are kept.

    Example: lettermine classify --letter 3
    """
    from lettermine import classify
    from lettermine.db import connect
    from lettermine.labels import reclassify
    from lettermine.letters import UnitThemes

    with reported_errors():
        conn = connect(db)
        where, args = ("WHERE letter_id = ?", [letter]) if letter is not None else ("", [])
        sql = f"SELECT id, text, kind FROM units {where} ORDER BY id"
        rows = conn.execute(sql, args).fetchall()
        nlp = classify.load_pipeline(model)
        results = classify.classify(nlp, [r[1] for r in rows], [r[2] for r in rows])
        verdicts = {
            row[0]: UnitThemes(c.themes, c.polarity, c.polarity_score)
            for row, c in zip(rows, results, strict=True)
        }
        count = reclassify(conn, verdicts)
    typer.echo(f"classified {count} units", err=True)


@model_app.command("train")
def model_train(
    *,
    gold: GoldOption = DEFAULT_GOLD,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Where to save the pipeline (default: the shipped one)."),
    ] = None,
    with_labels: Annotated[
        bool,
        typer.Option("--labels/--no-labels", help="Add the units people labelled in --db."),
    ] = True,
    seed: Annotated[int, typer.Option(parser=whole_number, help="Random seed.")] = 0,
    db: DbOption = None,
) -> None:
    """Retrain the theme model from the gold data (training councils) plus people's corrections.

    It also self-trains on the unlabelled findings of the letters beside the gold folder
    (GOLD/../*/pdf/*.pdf), those of the training councils only.

    Example: lettermine model train --gold ../shared/corpus/gold --out my_model
    """
    from lettermine import classify, training
    from lettermine.db import connect
    from lettermine.labels import person_examples
    from lettermine.self_training import read_unlabelled

    with reported_errors():
        # The held-out councils stay out so that `model evaluate` still measures unseen ones.
        examples, _ = training.split_by_authority(training.read_gold(gold))
        labelled = person_examples(connect(db)) if with_labels else []
        # The corpus letters beside the gold folder: their findings, unlabelled, for
        # self-training (only the training councils' are used).
        unlabelled = read_unlabelled(gold.parent)
        target = out or classify.DEFAULT_MODEL
        typer.echo(
            f"training on {len(examples)} gold units and {len(labelled)} labelled by people"
            f" ({len(unlabelled)} unlabelled findings to self-train on)",
            err=True,
        )
        path = training.train_pipeline(
            examples + labelled,
            target,
            seed=seed,
            log=lambda m: typer.echo(m, err=True),
            unlabelled=unlabelled,
        )
    typer.echo(shown(path))


@model_app.command("evaluate")
def model_evaluate(
    *,
    gold: GoldOption = DEFAULT_GOLD,
    model: ModelOption = None,
    json: JsonOption = False,
) -> None:
    """Per-theme precision, recall and F1 on the held-out split (councils never trained on).

    Example: lettermine model evaluate --json
    """
    from lettermine import classify, training

    with reported_errors():
        _, test = training.split_by_authority(training.read_gold(gold))
        report = training.evaluate_pipeline(classify.load_pipeline(model), test)
    if json:
        print_json(report)
        return
    _print_report(report)


def _print_report(report: dict[str, Any]) -> None:
    out = sys.stdout.write
    out(
        f"theme micro-F1 {report['micro_f1']:.3f}  (areas {report['micro_f1_areas']:.3f}, "
        f"findings {report['micro_f1_findings']:.3f})\n"
    )
    if report.get("polarity_accuracy") is not None:
        out(
            f"polarity accuracy on findings {report['polarity_accuracy']:.3f} "
            f"({report['polarity_units']} units)\n"
        )
    rows = [
        {
            "theme": code,
            "precision": f"{s['p']:.3f}",
            "recall": f"{s['r']:.3f}",
            "f1": f"{s['f1']:.3f}",
            "support": int(s["support"]),
        }
        for code, s in report.get("per_theme", {}).items()
    ]
    if rows:
        out("\n")
        print_table(rows, list(rows[0].keys()))
