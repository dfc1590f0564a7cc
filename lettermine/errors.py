"""Expected failures. Each message is shown to the user as it is, after 'Error: '."""

from __future__ import annotations


class LettermineError(Exception):
    "Base class: the message is shown to the user as it is"


class UnreadableLetter(LettermineError):
    "The file holds no text that could be read as a letter"


class UnsupportedFile(LettermineError):
    "The file's type is not one lettermine reads"


class NotALetter(LettermineError):
    "The file has text, but it is not an Ofsted letter or report"


class NotFound(LettermineError):
    "A letter, unit or action id that is not in the database"


class InvalidInput(LettermineError):
    "A value given on the command line or in a file that cannot be used"


class ModelError(LettermineError):
    "The theme model is missing or cannot be used"


class OutputError(LettermineError):
    "A document could not be written where it was asked for"


class UnreadLayout(LettermineError):
    "An Ofsted document whose layout the readers do not know: nothing in it would be stored"
