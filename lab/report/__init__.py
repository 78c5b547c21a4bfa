"""Run records in, comparison tables out: build.py selects runs and builds the report, model.py turns it into one
data structure that render.py renders; plots.py draws its figures and resampled.py adds cross-validated runs."""
