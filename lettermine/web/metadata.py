"""What Datasette says about the database: table and column descriptions, the full-text search on
units, and canned queries (overdue actions, coverage, recurring themes)."""

from __future__ import annotations

from typing import Any

from lettermine.themes import THEMES

AREAS = "('area_for_improvement', 'priority_action')"

TABLES: dict[str, dict[str, Any]] = {
    "letters": {
        "description": "One row per Ofsted letter or report. A letter's identity is the "
        "SHA-256 of its file: ingesting it again changes nothing.",
        "label_column": "source",
        "columns": {
            "sha256": "SHA-256 of the file: the letter's identity",
            "source": "File name it was ingested from",
            "kind": "ilacs, sif, focused_visit, monitoring_visit, jtai or other",
            "local_authority": "The authority's name as the letter prints it",
            "authority": "The authority's canonical name (used to group letters)",
            "title": "The letter's title",
            "inspection_start": "First day of the visit (YYYY-MM-DD)",
            "inspection_end": "Last day of the visit (YYYY-MM-DD)",
            "published": "Date of publication (YYYY-MM-DD)",
            "lead_inspector": "Lead inspector named in the letter",
            "inspectors": "JSON list of the inspectors",
            "judgements": "JSON object: judgement code to grade, in lower case as printed",
            "focus": "What a focused or monitoring visit looked at",
            "warnings": "JSON list of anything the reader could not be sure of",
            "ingested_at": "When lettermine stored the letter",
        },
    },
    "units": {
        "description": "Areas for improvement, priority actions and findings, in document "
        "order. The public id of a unit is letter_id:seq (3:12 is the twelfth unit of letter "
        "3). Full-text search (porter stemming) over text and section.",
        "fts_table": "units_fts",
        "fts_pk": "id",
        "columns": {
            "letter_id": "The letter the unit comes from",
            "seq": "1-based position in the letter",
            "kind": "area_for_improvement, priority_action or finding",
            "section": "Heading the unit is printed under",
            "number": "Number the letter gives an area for improvement or priority action",
            "subject": "lscb for a SIF report's safeguarding board items",
            "unit_group": "Sub-heading, agency or responsible body the unit is printed under",
            "text": "The unit's text",
            "polarity": "strength, concern, mixed or context (findings)",
            "polarity_score": "The model's confidence in the polarity",
        },
    },
    "unit_themes": {
        "description": "Themes the model (or rules) gave each unit, with scores. A person's "
        "decisions in labels win over these.",
        "columns": {
            "unit_id": "The unit",
            "code": "Theme code (see lettermine/themes.py)",
            "score": "Model score, 0-1",
            "source": "model or rules",
        },
    },
    "labels": {
        "description": "A person's decisions about a unit's themes, append-only: the latest "
        "decision per unit and theme wins.",
        "columns": {
            "unit_id": "The unit",
            "code": "Theme code",
            "decision": "add or remove",
            "who": "Who decided",
            "at": "When",
        },
    },
    "actions": {
        "description": "Improvement actions. The columns after description are the current "
        "state, a copy of the latest values in action_history.",
        "label_column": "title",
        "columns": {
            "ref": "The council's own reference, e.g. WF1",
            "title": "What will be done",
            "description": "More about the action",
            "owner": "Who is accountable",
            "start": "Start date (RAG measures time gone from here; else from created)",
            "original_due": "The first due date, never changed",
            "due": "The current due date",
            "status": "not_started, in_progress, done, verified or blocked",
            "percent": "Percent done, 0-100",
            "rag_override": "red, amber or green set by a person (else the RAG rule decides)",
            "rag_override_reason": "Why the RAG was overridden",
            "created": "When the action was added",
        },
    },
    "action_units": {
        "description": "Which units (areas for improvement, priority actions) each action "
        "answers: many to many.",
    },
    "action_measures": {
        "description": "Measures of an action's effect: baseline, target and latest value.",
        "columns": {
            "name": "What is measured",
            "unit": "Unit of the values (%, children ...)",
            "baseline": "Value when the action started",
            "target": "Value the action aims for",
            "direction": "up or down: which way is better",
            "latest": "Latest recorded value (copied from action_history)",
            "latest_at": "Date of the latest value",
        },
    },
    "action_history": {
        "description": "Every change to every action, append-only: never edited or deleted "
        "(SQLite refuses it).",
        "columns": {
            "event": "created, imported, update, status, due, link, unlink, override, "
            "override_cleared or measure",
            "at": "The date the change is about, as a person reported it",
            "recorded_at": "When it was written",
            "author": "Who recorded it (the signed-in user, from the web)",
            "percent": "Percent done after the change",
            "note": "What was said",
            "evidence": "Evidence recorded",
            "measure_id": "The measure a value is for",
            "value": "A measure's value",
            "status": "Status after the change",
            "due": "Due date after the change",
            "unit": "Unit linked or unlinked (public id, e.g. 3:1)",
            "rag_override": "RAG colour set by an override",
            "reason": "Why (revised due date, override, forced status)",
        },
    },
    "letter_removals": {
        "description": "Append-only: each letter deleted (letters delete) or copy replaced "
        "(ingest --replace), with what left with it.",
    },
    # Derived by `lettermine peers` from the areas: an index, not something to read.
    "peer_terms": {"hidden": True},
    "peer_vocab": {"hidden": True},
    "peer_state": {"hidden": True},
    "users": {"hidden": True},
    "_sqlite_migrations": {"hidden": True},
}

_THEME_NAMES = ", ".join("('{}', '{}')".format(t.code, t.label.replace("'", "''")) for t in THEMES)

# The rule of letters.effective_themes for every unit at once: the model's and rules' themes,
# less those a person's latest decision removed, plus those it added.
_EFFECTIVE = """latest AS (
      SELECT unit_id, code, decision FROM labels b
      WHERE b.id = (SELECT max(d.id) FROM labels d
                    WHERE d.unit_id = b.unit_id AND d.code = b.code)),
    pairs AS (
      SELECT unit_id, code FROM unit_themes
      EXCEPT SELECT unit_id, code FROM latest WHERE decision = 'remove'
      UNION SELECT unit_id, code FROM latest WHERE decision = 'add')"""

QUERIES: dict[str, dict[str, Any]] = {
    "overdue_actions": {
        "title": "Overdue actions",
        "description": "Open actions (not done or verified) past their current due date, as at "
        "a date (leave it empty for today, UTC).",
        "sql": """SELECT a.id, a.ref, a.title, a.owner, a.status, a.percent || '%' AS done,
       a.original_due, a.due,
       CAST(julianday(coalesce(nullif(:as_at, ''), date('now'))) - julianday(a.due) AS INTEGER)
         AS days_overdue
FROM actions a
WHERE a.due < coalesce(nullif(:as_at, ''), date('now'))
  AND a.status NOT IN ('done', 'verified')
ORDER BY a.due, a.id""",
    },
    "coverage": {
        "title": "Coverage: areas for improvement and the actions answering them",
        "description": "Every area for improvement and priority action, with the actions "
        "linked to it; areas with no action first. Authority: leave empty for all.",
        "sql": f"""SELECT u.letter_id || ':' || u.seq AS unit, l.authority,
       coalesce(l.inspection_start, l.published) AS visit, u.kind, u.text,
       (SELECT count(*) FROM action_units au WHERE au.unit_id = u.id) AS actions,
       (SELECT group_concat(au.action_id, ', ') FROM action_units au WHERE au.unit_id = u.id)
         AS action_ids
FROM units u JOIN letters l ON l.id = u.letter_id
WHERE u.kind IN {AREAS}
  AND (coalesce(:authority, '') = '' OR l.authority = :authority COLLATE NOCASE)
ORDER BY actions > 0, u.letter_id, u.seq""",
    },
    "recurring_themes": {
        "title": "Themes recurring across visits",
        "description": "Themes that the areas for improvement and priority actions of more "
        "than one visit to the same authority carry (a person's labels honoured). Authority: "
        "leave empty for all.",
        "sql": f"""WITH {_EFFECTIVE},
    names (code, label) AS (VALUES {_THEME_NAMES})
SELECT l.authority, p.code AS theme, coalesce(n.label, p.code) AS label,
       count(DISTINCT u.letter_id) AS visits, count(*) AS areas,
       group_concat(DISTINCT coalesce(l.inspection_start, l.published)) AS visit_dates
FROM pairs p JOIN units u ON u.id = p.unit_id JOIN letters l ON l.id = u.letter_id
LEFT JOIN names n ON n.code = p.code
WHERE u.kind IN {AREAS}
  AND (coalesce(:authority, '') = '' OR l.authority = :authority COLLATE NOCASE)
GROUP BY l.authority, p.code HAVING count(DISTINCT u.letter_id) > 1
ORDER BY l.authority, visits DESC, areas DESC, label""",
    },
}


def metadata(database: str) -> dict[str, Any]:
    """Datasette metadata for a lettermine database named `database`."""
    return {
        "title": "lettermine",
        "description": "Ofsted letters about children's services and the improvement actions "
        "answering them.",
        "about": "lettermine",
        "databases": {
            database: {
                "description": "The letters, their areas for improvement and findings, themes, "
                "and the improvement tracker.",
                "tables": TABLES,
                "queries": QUERIES,
            }
        },
    }
