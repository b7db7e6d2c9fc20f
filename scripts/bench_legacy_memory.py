#!/usr/bin/env python
"""The upstream project's gated-MLP memory decision transformer, imported and played in its environment.

`dti_memory_gated_mlp_dt.pt` (DecisionTransformerInterpretability) is a two-layer decision transformer with gated MLPs
and layer norm, n_ctx 26 (nine steps), trained on one-hot observations of MiniGrid-MemoryS7FixedStart-v0 with episodes
of up to 1000 steps. This script imports it with `import_legacy_model`, plays it greedily (as upstream evaluated) with
dtinterp's batched evaluation at target returns 1 and 0, and prints, per target, the success rate (the agent touched
the matching object: return > 0), the mean return and the mean episode length.

    python scripts/bench_legacy_memory.py --episodes 100 --targets 1 0
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

from dtinterp.acting import eval_metrics, evaluate
from dtinterp.config import EnvConfig
from dtinterp.assets import LEGACY_MEMORY_DT, data_path
from dtinterp.legacy import import_legacy_model


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--checkpoint", default=None, help="the upstream .pt file (default: the shipped models/legacy/dti_memory_gated_mlp_dt.pt)")
    p.add_argument("--episodes", type=int, default=100, help="episodes (env seeds) per target return")
    p.add_argument("--targets", type=float, nargs="+", default=[1.0, 0.0], help="target returns")
    p.add_argument("--max-steps", type=int, default=1000, help="the env's step limit (upstream trained with 1000)")
    p.add_argument("--seed", type=int, default=0, help="episode e starts from env seed seed + e")
    p.add_argument("--num-envs", type=int, default=50, help="envs played side by side")
    p.add_argument("--device", default="cpu")
    args = p.parse_args()
    if args.checkpoint is None:
        args.checkpoint = str(data_path(LEGACY_MEMORY_DT))
    model = import_legacy_model(args.checkpoint, device=args.device)
    env = EnvConfig(model.env_info.env_id, view_size=model.env_info.obs_shape[0], obs=model.env_info.obs, max_steps=args.max_steps)
    t0 = time.perf_counter()
    rows = evaluate(model, env, initial_rtg=args.targets, n_episodes=args.episodes, num_envs=args.num_envs, seed=args.seed, progress=False)
    seconds = time.perf_counter() - t0
    metrics = eval_metrics(rows)
    print(f"{args.checkpoint}: {model.config.n_layers} layers, gated_mlp={model.config.gated_mlp}, layer_norm={model.config.layer_norm}, "
          f"n_ctx={model.config.n_ctx}; {env.env_id} ({env.obs}, max_steps {env.max_steps}); greedy, seeds {args.seed}..{args.seed + args.episodes - 1}")
    print(f"{'target':>7} {'episodes':>9} {'success':>8} {'mean return':>12} {'mean length':>12}")
    for t in args.targets:
        k = f"eval/{t:g}"
        print(f"{t:>7g} {metrics[k + '/episodes']:>9d} {metrics[k + '/success_rate']:>8.0%} {metrics[k + '/mean_return']:>12.3f} {metrics[k + '/mean_length']:>12.1f}")
    print(f"({len(rows)} episodes in {seconds:.1f} s)")


if __name__ == "__main__":
    main()
