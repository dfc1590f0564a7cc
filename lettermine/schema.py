"""What the fast read-only path needs to know about the schema, without importing sqlite-utils."""

from __future__ import annotations

# Bumped by db.open_db after migrations run: PRAGMA user_version = number of migrations applied.
# Keep it equal to the number of migrations in migrations.py (a test checks).
SCHEMA_VERSION = 11
