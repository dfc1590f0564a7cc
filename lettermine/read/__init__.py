"""The intake: a file becomes a Letter. Pure: no database, no spaCy.

- `extract`: file -> normalised text (PDF, DOCX, TXT), page furniture removed, damage refused.
- `parse`: text -> Letter: which kind of letter it is, handed to the parser for that family.
- one module per family of letters (`inspection`: ILACS and SIF reports; `visit`: focused,
  monitoring and JTAI letters), sharing `lettermine.dates` and `lettermine.authorities`.
"""
