#!/usr/bin/env bash
# Produce the shipped demo assets with dtinterp's own command-line tools: a PPO agent on
# Dynamic-Obstacles-8x8 (one-hot observations), trajectories recorded from it, and a decision
# transformer and a behavioural clone trained on them. The exact commands land in models/demo/COMMANDS.md.
#   bash scripts/make_demo_assets.sh [DEVICE]      (DEVICE: auto (default), cpu, cuda)
set -euo pipefail
cd "$(dirname "$0")/.."
device=${1:-auto}
work=runs/demo-assets
mkdir -p "$work" models/demo trajectories/demo
log=models/demo/COMMANDS.md
echo "# How the demo assets were made" > "$log.tmp"
echo >> "$log.tmp"
echo "Run from the repository root on $(date -u +%Y-%m-%d) (\`bash scripts/make_demo_assets.sh $device\`):" >> "$log.tmp"
echo >> "$log.tmp"
run() { echo "    $*" >> "$log.tmp"; "$@"; }

run dtinterp_ppo --env-id MiniGrid-Dynamic-Obstacles-8x8-v0 --obs onehot --seed 1 --device cpu \
    --run-dir "$work/ppo" --no-progress
run dtinterp_collect "$work/ppo" --n-episodes 2000 --mode sample --epsilon 0.15 --seed 7 \
    --output trajectories/demo/dynamic_obstacles.npz --overwrite --no-progress
common=(--trajectory-path trajectories/demo/dynamic_obstacles.npz --d-model 64 --n-heads 2 --d-mlp 128
        --n-layers 2 --learning-rate 0.0005 --batch-size 128 --train-epochs 4000 --test-frequency 1000
        --eval-frequency 4000 --eval-episodes 32 --initial-rtg -1 0 0.5 1 --eval-max-time-steps 300
        --prob-go-from-end 0.1 --seed 1 --device "$device" --no-progress)
run dtinterp_dt "${common[@]}" --model-type dt --n-ctx 8 --run-dir "$work/dt" --out models/demo/dt.safetensors --overwrite
run dtinterp_dt "${common[@]}" --model-type clone --n-ctx 5 --run-dir "$work/clone" --out models/demo/clone.safetensors --overwrite
mv "$log.tmp" "$log"
ls -la models/demo trajectories/demo
