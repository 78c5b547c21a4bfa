#!/usr/bin/env bash
# Do the lower bounds in pyproject.toml tell the truth? Installs the lowest allowed release of each bounded
# Hugging Face / torch-stack dependency into a fresh virtual environment and runs the test suite there.
#
#     bash benchmarks/lowest_versions.sh            # the bounds pyproject.toml states today
#     LOWEST="transformers==4.50.* ..." bash benchmarks/lowest_versions.sh   # another set
set -euo pipefail
cd "$(dirname "$0")/.."
LOWEST=${LOWEST:-"transformers==4.46.* datasets==3.0.* accelerate==1.1.* evaluate==0.4.3"}
venv=$(mktemp -d)/venv
trap 'rm -rf "$(dirname "$venv")"' EXIT
python3 -m venv "$venv"
"$venv/bin/pip" install -q torch==2.13.0 -e ".[dev]" $LOWEST
"$venv/bin/pip" freeze --exclude-editable | grep -iE '^(torch|transformers|datasets|accelerate|evaluate|scikit-learn|gensim|numpy|huggingface.hub|pytest)=='
"$venv/bin/python" -m pytest -q -p no:cacheprovider "$@"
