"""The intake: a file becomes a Letter. Pure: no database, no spaCy.

- `extract`: file -> normalised text (PDF, DOCX, TXT), page furniture removed, damage refused.
- `parse`: text -> Letter: which kind of letter it is, handed to the parser for that family.
- one module per family of letters (`inspection`: ILACS reports and what every inspection
  report shares; `sif`: SIF reports' judgements and lists; `legacy`: the frameworks before SIF,
  kind `pre_sif`; `visit`: focused and monitoring visit letters; `jtai`: joint targeted area
  inspection letters; `send`: area SEND inspection reports), sharing `lists` (an item and its
  sub-items as one unit's text), `lettermine.dates` and `lettermine.authorities`.
"""
