#!/usr/bin/env python
"""PPO learning benchmark: does dtinterp's PPO reach its targets on the benchmark tasks?

Trains each benchmark task with its preset (`dtinterp.ppo.PRESETS`) over several seeds, one process per
run (one torch thread each), and prints a table of steps-to-threshold, the final mean return (and success
rate) over the last 100 training episodes, and the wall time of each run. A run trains for its preset's
`total_timesteps` (which sets the learning-rate schedule) and passes if its 100-episode mean first reaches
the threshold within the task's step budget; the table gives the steps and the wall seconds it took to get there
(`--stop-at-threshold` ends each run at that point).

    python scripts/bench_ppo_learning.py --jobs 12            # the full benchmark (4 tasks x 3 seeds)
    python scripts/bench_ppo_learning.py --quick              # a tiny smoke run of every task
    python scripts/bench_ppo_learning.py --tasks doorkey5 --seeds 1

Targets (the mean over the last 100 training episodes, sampled actions, reaching the threshold
within the step budget):

| task | metric | threshold | budget |
| --- | --- | --- | --- |
| DoorKey-5x5 | mean return | 0.9 | 100k steps |
| DoorKey-8x8 | mean return | 0.9 | 350k steps |
| Dynamic-Obstacles-8x8 | mean return | 0.9 | the preset's total_timesteps |
| MemoryS7FixedStart (LSTM) | success rate | 0.9 | the preset's total_timesteps |
"""
from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import sys
import time

TASKS = {  # short name: (env id, metric, threshold, step budget (None: the preset's total))
    "doorkey5": ("MiniGrid-DoorKey-5x5-v0", "mean_return", 0.9, 100_000),
    "doorkey8": ("MiniGrid-DoorKey-8x8-v0", "mean_return", 0.9, 350_000),
    "obstacles8": ("MiniGrid-Dynamic-Obstacles-8x8-v0", "mean_return", 0.9, None),
    "memory7": ("MiniGrid-MemoryS7FixedStart-v0", "success_rate", 0.9, None),
}
METRIC_KEYS = {"mean_return": "charts/mean_return_100", "success_rate": "charts/success_rate_100"}


def run_one(job: dict) -> dict:
    "Train one (task, seed) in this process and summarise it."
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    import torch
    torch.set_num_threads(1)
    import dtinterp.environments  # noqa: F401  (registers MiniGrid-MemoryS7FixedStart-v0)
    from dtinterp.ppo import preset, train_ppo
    env_id, metric, threshold, budget = TASKS[job["task"]]
    env_cfg, ppo_cfg = preset(env_id, seed=job["seed"], device="cpu", **job.get("overrides", {}))
    budget = budget or ppo_cfg.total_timesteps
    if job.get("quick"):
        ppo_cfg = ppo_cfg.replace(total_timesteps=2 * ppo_cfg.batch_size)
    key = METRIC_KEYS[metric]
    reached = {}  # global step and wall seconds when the 100-episode metric first reached the threshold

    def watch(trainer, row):
        if not reached and row.get(key, float("-inf")) >= threshold and row.get("charts/episodes_100", 0) >= 100:
            reached.update(step=row["global_step"], wall=time.time() - t0)
        return bool(reached) and job.get("stop_at_threshold", False)

    t0 = time.time()
    trainer = train_ppo(env_cfg, ppo_cfg, progress=False, num_threads=1, callback=watch)
    wall = time.time() - t0
    hit = reached.get("step")
    last = trainer.history[-1]
    return dict(task=job["task"], env_id=env_id, seed=job["seed"], metric=metric, threshold=threshold,
                budget=budget, steps=trainer.global_step, steps_to_threshold=hit,
                final_mean_return=last.get("charts/mean_return_100"), final_success_rate=last.get("charts/success_rate_100"),
                wall_s=wall, wall_to_threshold_s=reached.get("wall"), sps=trainer.global_step / wall)


def fmt(x, spec):
    return "-" if x is None else format(x, spec)


def print_table(results: list[dict]):
    head = (f"{'task':<11} {'seed':>4} {'steps to thr':>12} {'s to thr':>8} {'budget':>9} {'trained':>9} {'final ret':>9} {'success':>7} "
            f"{'wall s':>7} {'SPS':>6}  pass")
    print(head); print("-" * len(head))
    for r in sorted(results, key=lambda r: (list(TASKS).index(r["task"]), r["seed"])):
        ok = r["steps_to_threshold"] is not None and r["steps_to_threshold"] <= r["budget"]
        print(f"{r['task']:<11} {r['seed']:>4} {fmt(r['steps_to_threshold'], ','):>12} {fmt(r.get('wall_to_threshold_s'), '.0f'):>8} "
              f"{r['budget']:>9,} {r['steps']:>9,} "
              f"{fmt(r['final_mean_return'], '.3f'):>9} {fmt(r['final_success_rate'], '.2f'):>7} {r['wall_s']:>7.1f} {r['sps']:>6.0f}  {'yes' if ok else 'NO'}")
    print()
    for task in TASKS:
        rs = [r for r in results if r["task"] == task]
        if not rs: continue
        hits = [r["steps_to_threshold"] for r in rs if r["steps_to_threshold"] is not None and r["steps_to_threshold"] <= r["budget"]]
        key = "final_mean_return" if rs[0]["metric"] == "mean_return" else "final_success_rate"
        finals = [r[key] for r in rs if r[key] is not None]
        mean_final = sum(finals) / len(finals) if finals else float("nan")
        print(f"{task:<11} {len(hits)}/{len(rs)} seeds reached {rs[0]['metric']} >= {rs[0]['threshold']} within {rs[0]['budget']:,} steps; "
              f"mean final {rs[0]['metric']} {mean_final:.3f}; "
              f"steps to threshold {'mean ' + format(sum(hits) / len(hits), ',.0f') if hits else '-'}")


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--tasks", nargs="+", default=list(TASKS), choices=list(TASKS), help="which tasks to run")
    p.add_argument("--seeds", type=int, default=3, help="seeds per task (1..N)")
    p.add_argument("--jobs", type=int, default=max(1, (os.cpu_count() or 2) - 1), help="parallel processes")
    p.add_argument("--quick", action="store_true", help="two updates per run: checks the script, not the targets")
    p.add_argument("--stop-at-threshold", action="store_true", help="end each run once it passes (final figures are then at that point)")
    p.add_argument("--out", default=None, help="also write the results as JSON here")
    p.add_argument("--set", nargs="*", default=[], metavar="KEY=VALUE", help="override preset fields (JSON values), e.g. learning_rate=5e-4")
    args = p.parse_args(argv)
    overrides = {k: json.loads(v) for k, v in (s.split("=", 1) for s in args.set)}
    jobs = [dict(task=t, seed=s, quick=args.quick, overrides=overrides, stop_at_threshold=args.stop_at_threshold) for t in args.tasks for s in range(1, args.seeds + 1)]
    print(f"{len(jobs)} runs on {args.jobs} processes{' (quick)' if args.quick else ''}", flush=True)
    t0 = time.time(); results = []
    with mp.get_context("spawn").Pool(min(args.jobs, len(jobs)), maxtasksperchild=1) as pool:
        for r in pool.imap_unordered(run_one, jobs):
            results.append(r)
            print(f"  done {r['task']} seed {r['seed']}: steps to threshold {fmt(r['steps_to_threshold'], ',')}, "
                  f"final return {fmt(r['final_mean_return'], '.3f')}, {r['wall_s']:.0f}s", flush=True)
    print(f"\nall runs: {time.time() - t0:.0f}s wall\n")
    print_table(results)
    if args.out:
        with open(args.out, "w") as f: json.dump(results, f, indent=2)
    return results


if __name__ == "__main__":
    main()
