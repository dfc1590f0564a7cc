"""Convert gold units, train, tune and evaluate the theme pipeline (see models/README.md)."""
