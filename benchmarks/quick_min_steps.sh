#!/usr/bin/env bash
# The quick transformer on BBC News at several min_steps, paired by seed: test macro-F1, the optimizer steps it made
# and its seconds of training steps (the quick config stops at 60 s of steps, max_train_seconds).
#   flock /tmp/lab-bench.lock bash benchmarks/quick_min_steps.sh [min_steps ...]     (default: 150 208 300)
# SEEDS (default "0 1 2") picks the seeds; each seed draws its own split. Runs go to a temporary runs_dir.
set -eu
runs=$(mktemp -d)
trap 'rm -rf "$runs"' EXIT
for seed in ${SEEDS:-0 1 2}; do
    for min_steps in ${*:-150 208 300}; do
        lab run transformer --config quick seed="$seed" min_steps="$min_steps" runs_dir="$runs/$seed-$min_steps" \
            progress=false >/dev/null 2>&1
        python3 - "$runs/$seed-$min_steps" "$seed" "$min_steps" <<'EOF'
import json, sys
from pathlib import Path
[record] = Path(sys.argv[1]).glob("*/transformer/*/record.json")
record = json.loads(record.read_text())
figures, [model] = record["figures"], record["models"]
print(f"seed {sys.argv[2]} min_steps {sys.argv[3]}: macro-F1 {100 * model['metrics']['macro_f1']:.2f}, "
      f"{figures['optimizer_steps']} steps, {figures['seconds_in_training_steps']:.1f} s of steps"
      f"{', stopped by the 60-s budget' if figures.get('stopped_by_max_train_seconds') else ''}", flush=True)
EOF
    done
done
