"""lettermine: Ofsted children's services letters as a searchable, themed improvement tracker."""

__version__ = "0.1.0"
