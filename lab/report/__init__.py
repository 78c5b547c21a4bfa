"""Run records in, comparison tables out: build.py selects runs and builds the report; markdown.py and html.py render
it; plots.py draws its figures."""
