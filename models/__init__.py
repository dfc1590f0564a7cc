"""The theme model as a small project: configs, scripts and the trained pipeline."""
