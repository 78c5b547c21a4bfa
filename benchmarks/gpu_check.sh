#!/usr/bin/env bash
# The GPU checks of issues 4 and 5, as one command on a lent GPU machine (see benchmarks/gpu_pack.py for .gpu/):
#   here:  python benchmarks/gpu_pack.py
#   there: bash benchmarks/gpu_check.sh        (carrying .gpu; logs go to $OUT)
# 1. transformer_vs_trainer.py on bbc-news (max_length 128) and on BBC sentences, 3 seeds, both sides on the GPU;
# 2. neural_bbc.py: bow_ffn, lstm and transformer default configs, each twice with seed 42 (lstm with random
#    embeddings: gensim is not on that machine and does not fit in a call next to the model);
# 3. the loop's and the torch recipes' tests, which then run on the GPU;
# and on request: the transformer's settings chosen again over draws of the split (`bash benchmarks/gpu_check.sh
# grid`), lab-side ablations of the vs-Trainer benchmark (`... ablate`) and a profile of both sides (`... profile`:
# kernel launches and host waits per step, op tables in $OUT/profile), and the transformer's step against the GPU's
# matmul peak (`... speed`, issue 24).
# Each step has its own time limit, so one that hangs leaves the others' results.
set -u
OUT=${OUT:-/tmp/gpu-check}
SITE=/tmp/lab-site
mkdir -p "$OUT" "$SITE"
export PYTHONUNBUFFERED=1 TOKENIZERS_PARALLELISM=false HF_HUB_OFFLINE=1 PYTHONPATH="$SITE:$PWD"
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target "$SITE" .gpu/whl/*.whl \
    || exit 1
python3 benchmarks/gpu_pack.py --unpack "$SITE" || exit 1
# installed with --no-compile, so byte-compile now, on all cores, not inside the first timed run
python3 -m compileall -q -j 0 "$SITE" >/dev/null
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
python3 -c "import sys, torch, transformers, accelerate, datasets; print(sys.version.split()[0], 'torch', torch.__version__,
'transformers', transformers.__version__, 'accelerate', accelerate.__version__, 'datasets', datasets.__version__,
'cuda', torch.cuda.is_available(), 'bf16', torch.cuda.is_available() and torch.cuda.is_bf16_supported())" || exit 1

step() {  # name, time limit in seconds, command...: the whole output in $OUT/name.log, its end printed
    local name=$1 limit=$2 began=$SECONDS rc
    shift 2
    echo "== $name: $*"
    timeout "$limit" "$@" >"$OUT/$name.log" 2>&1
    rc=$?
    grep -v "Loading weights\|it/s\]" "$OUT/$name.log" | tail -n "${TAIL:-14}"
    echo "== $name: exit $rc after $((SECONDS - began)) s"
}

# Steps by name (default: all); SEEDS (default 3) and LIMIT (seconds per vs step, default 130) size the vs steps,
# where each side of each seed is a fresh process that pays imports and CUDA start-up.
steps=("$@")
[ $# -gt 0 ] || steps=(vs neural tests)
for name in "${steps[@]}"; do
    case $name in
        vs)
            TAIL=20 step vs_bbc "${LIMIT:-130}" python3 benchmarks/transformer_vs_trainer.py --dataset bbc-news \
                --seeds "${SEEDS:-3}"
            TAIL=20 step vs_short "${LIMIT:-130}" python3 benchmarks/transformer_vs_trainer.py --dataset short \
                --seeds "${SEEDS:-3}" ;;
        ablate)  # on request: where the lab's GPU time goes, lab side alone on both datasets (bf16 autocast on,
            # ungrouped batches, cuDNN's attention kernels allowed), then 3 epochs of both sides on bbc-news
            for setting in mixed_precision=bf16 group_by_length=false cudnn_attention=true; do
                for dataset in bbc-news short; do
                    TAIL=3 step "lab_${dataset}_${setting%%=*}" 60 python3 benchmarks/transformer_vs_trainer.py \
                        --dataset "$dataset" --sides lab --lab-set "$setting"
                done
            done
            TAIL=6 step vs_3_epochs 120 python3 benchmarks/transformer_vs_trainer.py --dataset bbc-news --epochs 3 ;;
        profile)  # on request: both sides under torch.profiler, on 480 articles (30 steps), one seed
            TAIL=8 step profile 120 python3 benchmarks/transformer_vs_trainer.py --dataset bbc-news \
                --train-examples 480 --profile "$OUT/profile" ;;
        speed)  # on request (issue 24): the GPU's fp32/bf16 GEMM peak and MiniLM's training step per variant
            # (dropout, precision, batch size) as examples/s, GFLOP/s and % of peak; then mixed_precision=auto's
            # choice (full precision for MiniLM, lab.training.precision.gpu_auto_precision) checked against bf16 on the
            # lab's own loop (the vs step with mixed_precision=bf16)
            TAIL=14 step speed 150 python3 benchmarks/transformer_speed.py --steps 20 --json "$OUT/speed.json"
            TAIL=6 step speed_bf16 90 python3 benchmarks/transformer_vs_trainer.py --dataset short --sides lab \
                --lab-set mixed_precision=bf16 ;;
        grid)  # on request: the transformer's settings chosen again over split draws (transformer_grid.py)
            TAIL=12 step grid "${LIMIT:-540}" python3 benchmarks/transformer_grid.py --seeds 0 1 2 3 \
                --out "$OUT/grid.jsonl" "" "epochs=5" "lr=5e-5 epochs=5" "epochs=5 batch_size=8" "max_length=512" ;;
        neural)
            TAIL=12 step neural 150 python3 benchmarks/neural_bbc.py bow_ffn lstm transformer --set embedding_init=random ;;
        tests)  # 4 lstm tests build word2vec vectors and fail there for want of gensim (no room for it in .gpu/);
            # --tb=line keeps each cause in the log's tail. A 70 s limit cut it off after 42 tests on a cold H200.
            TAIL=12 step tests 180 python3 -m pytest -q -p no:cacheprovider --tb=line tests/test_train.py \
                tests/recipes/test_bow_ffn.py tests/recipes/test_lstm.py tests/recipes/test_transformer.py ;;
    esac
done
