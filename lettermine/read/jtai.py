"""placeholder"""

from lettermine.read.visit import parse_visit
from lettermine.records import Letter


def parse_jtai(text: str) -> Letter:
    return parse_visit(text, "jtai")
