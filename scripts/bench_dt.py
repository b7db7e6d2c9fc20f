"""Offline decision-transformer training and evaluation: throughput, and (with --quality) calibration.

Throughput (default):
  (a) training tokens/s: full gradient steps of `dtinterp.train.OfflineTrainer` (window sampling, forward, loss,
      backward, AdamW), `batch_size * n_ctx` tokens per step;
  (b) online evaluation episodes/s (and env steps/s): `dtinterp.acting.evaluate` with all environments batched into
      one forward pass per step, against one environment at a time. Both play the very same episodes (every episode
      has its own env seed), which the script checks, so the ratio is a fair one.

Quality (--quality --trajectory-path FILE): trains a decision transformer and a behavioural clone on FILE, prints the
DT's calibration table (mean return at each target; target 1.0 should reach >= 0.95 on a good data set of
Dynamic-Obstacles-8x8 PPO episodes with the step limit of 300 the shipped quality data uses, lower targets lower
returns), and the clone's mean return against the data's.

    python scripts/bench_dt.py                                   # CPU, small defaults (a data set is recorded on the fly)
    python scripts/bench_dt.py --device cuda --batch-size 512 --n-ctx 26
    python scripts/bench_dt.py --quality --trajectory-path trajectories/quality/dynamic_obstacles_300.npz \
        --n-ctx 8 --d-model 64 --n-heads 2 --d-mlp 128 --n-layers 2 --train-epochs 4000 --quality-episodes 500
"""
from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

from dtinterp.calibration import calibration_table
from dtinterp.config import EnvConfig, OfflineTrainConfig, TransformerModelConfig
from dtinterp.acting import evaluate
from dtinterp.collect import record_trajectories
from dtinterp.policies import AheadPolicy
from dtinterp.trajectories import Trajectories
from dtinterp.train import OfflineTrainer, train_dt


def average_ranks(x:np.ndarray) -> np.ndarray:
    "Ranks of `x` (0-based), tied values sharing their average rank."
    order = np.argsort(x, kind="stable")
    ranks = np.empty(len(x)); ranks[order] = np.arange(len(x))
    for value in np.unique(x): ranks[x == value] = ranks[x == value].mean()
    return ranks


def sync(device):
    if device.type == "cuda": torch.cuda.synchronize()


def dataset(args) -> str:
    if args.trajectory_path: return args.trajectory_path
    path = Path(tempfile.mkdtemp()) / "bench.npz"
    record_trajectories(EnvConfig(args.env_id), AheadPolicy(epsilon=0.2), args.episodes, path=path, progress=False)  # a quick, non-trivial data set
    return str(path)


def model_config(args, model_type="decision_transformer", n_ctx=None) -> TransformerModelConfig:
    return TransformerModelConfig(model_type=model_type, d_model=args.d_model, n_heads=args.n_heads, d_mlp=args.d_mlp, n_layers=args.n_layers,
                                  n_ctx=n_ctx or args.n_ctx, layer_norm=args.layer_norm, max_timestep=args.max_timestep)


def train_config(args, path, **changes) -> OfflineTrainConfig:
    return OfflineTrainConfig(trajectory_path=path, batch_size=args.batch_size, learning_rate=args.learning_rate, device=args.device,
                              seed=args.seed, **changes)


def bench_training(args, path) -> OfflineTrainer:
    trainer = OfflineTrainer(model_config(args), train_config(args, path, train_epochs=10**9), progress=False)
    device = trainer.device
    for _ in range(args.warmup): trainer.train_step(); trainer.step += 1
    sync(device); t0 = time.perf_counter()
    for _ in range(args.steps): trainer.train_step(); trainer.step += 1
    sync(device); elapsed = time.perf_counter() - t0
    t0 = time.perf_counter()
    for _ in range(args.steps): trainer.sampler.sample(args.batch_size)
    sync(device); sampling = time.perf_counter() - t0
    dev = torch.cuda.get_device_name(device) if device.type == "cuda" else f"cpu ({torch.get_num_threads()} threads)"
    n_params = sum(p.numel() for p in trainer.model.parameters())
    print(f"device {dev}; data {len(trainer.trajectories)} episodes / {len(trainer.trajectories.actions)} steps of {trainer.env_config.env_id}; "
          f"batch {args.batch_size} x n_ctx {args.n_ctx}; d_model {args.d_model}, {args.n_heads} heads, {args.n_layers} layers, d_mlp {args.d_mlp} "
          f"({n_params:,} params)")
    print(f"(a) training: {args.steps * trainer.tokens_per_batch / elapsed:12,.0f} tokens/s  ({elapsed / args.steps * 1e3:.2f} ms per step, "
          f"of which window sampling {sampling / args.steps * 1e3:.2f} ms)")
    return trainer


def bench_eval(args, trainer):
    results = {}
    for num_envs in (args.num_envs, 1):
        evaluate(trainer.model, trainer.env_config, [1.0], n_episodes=min(4, args.eval_episodes), num_envs=num_envs, progress=False)  # warm-up
        sync(trainer.device); t0 = time.perf_counter()
        rows = evaluate(trainer.model, trainer.env_config, [1.0], n_episodes=args.eval_episodes, num_envs=num_envs,
                        max_steps=args.eval_max_steps, asynchronous=args.asynchronous and num_envs > 1, progress=False)
        sync(trainer.device); results[num_envs] = (rows, time.perf_counter() - t0)
    (batched, t_batched), (single, t_single) = results[args.num_envs], results[1]
    same = batched == single
    steps = sum(r["length"] for r in batched)
    print(f"(b) evaluation of {args.eval_episodes} episodes ({steps} env steps, mean length {steps / len(batched):.1f}; "
          f"model after {trainer.step} training steps), same episodes both ways: {same}")
    kind = "subprocess" if args.asynchronous else "in-process"
    for label, t in ((f"{args.num_envs} {kind} envs, one forward pass per step", t_batched), ("1 env at a time", t_single)):
        print(f"    {label + ':':<38}{len(batched) / t:10,.1f} episodes/s  {steps / t:10,.0f} env steps/s")
    print(f"    speed-up of batching: {t_single / t_batched:.2f}x")
    return t_single / t_batched


def quality(args):
    if not args.trajectory_path: raise SystemExit("--quality needs --trajectory-path (e.g. Dynamic-Obstacles-8x8 trajectories of a PPO agent)")
    data = Trajectories.load(args.trajectory_path)
    s = data.summary()
    print(f"data: {args.trajectory_path}: {s['episodes']} episodes of {data.env_id}, mean return {s['mean_return']:.3f}, "
          f"success {s['success_rate']:.0%}, mean length {s['mean_length']:.1f}")
    n_steps = model_config(args).n_steps
    common = dict(train_epochs=args.train_epochs, test_frequency=max(args.train_epochs // 5, 1), eval_frequency=args.train_epochs,
                  eval_episodes=10, initial_rtg=[1.0], weight_decay=args.weight_decay, pct_traj=args.pct_traj, prob_go_from_end=args.prob_go_from_end)
    targets = [float(t) for t in np.round(np.linspace(-1, 1, 11), 6)]
    runs = {}
    for name, mc in (("decision transformer", model_config(args)), ("clone", model_config(args, "clone_transformer", 2 * n_steps - 1))):
        t0 = time.perf_counter()
        trainer = train_dt(mc, train_config(args, args.trajectory_path, **common), progress=not args.no_progress,
                           num_threads=args.num_threads or None)
        tests = [r for r in trainer.history if "test/accuracy" in r]
        rows = evaluate(trainer.model, trainer.env_config, targets, n_episodes=args.quality_episodes, num_envs=args.num_envs,
                        max_steps=args.eval_max_steps, asynchronous=args.asynchronous, progress=False)
        runs[name] = calibration_table(rows)
        print(f"{name}: {args.train_epochs} steps in {time.perf_counter() - t0:.0f} s; test accuracy {tests[-1].get('test/accuracy', float('nan')):.3f}")
    print(f"\ncalibration of the decision transformer ({args.quality_episodes} episodes per target, greedy):")
    print(f"{'target':>7} {'mean':>7} {'sem':>6} {'std':>6} {'q25':>6} {'median':>6} {'q75':>6} {'success':>8} {'length':>7}")
    for r in runs["decision transformer"]:
        print(f"{r['target_return']:7.2f} {r['mean_return']:7.3f} {r['sem_return']:6.3f} {r['std_return']:6.3f} {r['q25_return']:6.3f} "
              f"{r['median_return']:6.3f} {r['q75_return']:6.3f} {r['success_rate']:8.0%} {r['mean_length']:7.1f}")
    dt = runs["decision transformer"]
    at_one = next(r for r in dt if r["target_return"] == 1.0)
    means = np.array([r["mean_return"] for r in dt])
    rank_corr = np.corrcoef(average_ranks(np.array(targets)), average_ranks(means))[0, 1]  # Spearman's rho (ties share ranks)
    clone = runs["clone"][0]
    print(f"\nDT mean return at target 1.0: {at_one['mean_return']:.4f} (sem {at_one['sem_return']:.4f}; goal >= 0.95: "
          f"{'met' if at_one['mean_return'] >= 0.95 else 'NOT met'}); "
          f"rank correlation of target and achieved return: {rank_corr:.2f}")
    print(f"clone mean return {clone['mean_return']:.3f} (sem {clone['sem_return']:.3f}, success {clone['success_rate']:.0%}) vs data mean return {s['mean_return']:.3f}")
    return dt, runs["clone"]


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--device", default="cpu")
    p.add_argument("--trajectory-path", default="", help="data set (default: record --episodes of a heuristic in --env-id)")
    p.add_argument("--env-id", default="MiniGrid-Dynamic-Obstacles-8x8-v0")
    p.add_argument("--episodes", type=int, default=300, help="episodes of the recorded data set")
    p.add_argument("--batch-size", type=int, default=128)
    p.add_argument("--n-ctx", type=int, default=8, help="tokens in the context (3*steps-1)")
    p.add_argument("--d-model", type=int, default=128)
    p.add_argument("--n-heads", type=int, default=2)
    p.add_argument("--d-mlp", type=int, default=256)
    p.add_argument("--n-layers", type=int, default=1)
    p.add_argument("--layer-norm", action="store_true")
    p.add_argument("--max-timestep", type=int, default=1000)
    p.add_argument("--learning-rate", type=float, default=5e-4)
    p.add_argument("--weight-decay", type=float, default=1e-3)
    p.add_argument("--pct-traj", type=float, default=1.0)
    p.add_argument("--prob-go-from-end", type=float, default=0.1)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--steps", type=int, default=50, help="timed training steps")
    p.add_argument("--warmup", type=int, default=5)
    p.add_argument("--train-before-eval", type=int, default=0, help="training steps before timing evaluation (a trained model plays longer episodes)")
    p.add_argument("--eval-episodes", type=int, default=64)
    p.add_argument("--eval-max-steps", type=int, default=None)
    p.add_argument("--num-envs", type=int, default=16, help="environments batched into one forward pass")
    p.add_argument("--asynchronous", action="store_true", help="step the batched envs in subprocesses (AsyncVectorEnv)")
    p.add_argument("--num-threads", type=int, default=0, help="torch CPU threads (0: torch's default)")
    p.add_argument("--quality", action="store_true", help="train a DT and a clone on --trajectory-path and print calibration")
    p.add_argument("--train-epochs", type=int, default=5000, help="training steps of each model in --quality")
    p.add_argument("--quality-episodes", type=int, default=100, help="episodes per target in --quality")
    p.add_argument("--no-progress", action="store_true")
    args = p.parse_args(argv)
    if args.num_threads: torch.set_num_threads(args.num_threads)
    if args.quality: return quality(args)
    path = dataset(args)
    trainer = bench_training(args, path)
    for _ in range(args.train_before_eval): trainer.train_step(); trainer.step += 1
    return bench_eval(args, trainer)


if __name__ == "__main__":
    main()
