#!/usr/bin/env python
"""Data-parallel speed-up of offline training: one process against N under `torchrun` (DistributedDataParallel).

The launcher starts this script under `torch.distributed.run` with 1 and then N processes per node, on the same
trajectory file and model. Each run times full training steps of `dtinterp.train.OfflineTrainer` (window sampling,
forward, backward, gradient all-reduce, AdamW) after a warm-up; rank 0 reports. Two ways of scaling are measured:

- strong: the global batch stays `--batch-size`, split over the processes (same optimisation, less work per GPU);
- weak: every process takes `--batch-size` windows, so the global batch grows N-fold (more data per step).

The speed-up is training tokens/s of N processes over one process, measured in the same invocation.

    python scripts/bench_ddp.py --trajectory-path trajectories/demo/dynamic_obstacles.npz --nproc 2 --device cuda
    python scripts/bench_ddp.py --nproc 2 --device cpu --steps 20      # gloo on CPU (checks the script, not a speed-up)
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def parse(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--trajectory-path", default="trajectories/demo/dynamic_obstacles.npz")
    p.add_argument("--device", default="cuda", help="cuda (nccl) or cpu (gloo)")
    p.add_argument("--nproc", type=int, default=2, help="processes (GPUs) of the parallel run")
    p.add_argument("--batch-size", type=int, default=1024, help="global batch (strong scaling) or per-process batch (weak)")
    p.add_argument("--n-ctx", type=int, default=26)
    p.add_argument("--d-model", type=int, default=256)
    p.add_argument("--n-heads", type=int, default=8)
    p.add_argument("--d-mlp", type=int, default=1024)
    p.add_argument("--n-layers", type=int, default=4)
    p.add_argument("--steps", type=int, default=100, help="timed steps")
    p.add_argument("--warmup", type=int, default=10)
    p.add_argument("--scaling", nargs="+", default=["strong", "weak"], choices=["strong", "weak"])
    p.add_argument("--worker-out", default=None, help=argparse.SUPPRESS)  # set by the launcher: run one timed worker
    return p.parse_args(argv)


def worker(args):
    "One process of a timed run (started by torchrun)."
    import torch.distributed as dist
    from dtinterp.train import init_distributed
    started = init_distributed(args.device)
    # the trainer lives in _timed_run only: freeing its DDP model after the gloo group was destroyed hung rank 0 now and then
    try: _timed_run(args)
    finally:
        if started: dist.barrier(); dist.destroy_process_group()


def _timed_run(args):
    "Train and time `args.steps` steps in this process; rank 0 writes the figures to --worker-out."
    import torch
    from dtinterp.config import OfflineTrainConfig, TransformerModelConfig
    from dtinterp.train import OfflineTrainer
    mc = TransformerModelConfig(d_model=args.d_model, n_heads=args.n_heads, d_mlp=args.d_mlp, n_layers=args.n_layers, n_ctx=args.n_ctx)
    tc = OfflineTrainConfig(trajectory_path=args.trajectory_path, batch_size=args.batch_size, device=args.device, train_epochs=10**9)
    trainer = OfflineTrainer(mc, tc, progress=False)
    sync = (lambda: torch.cuda.synchronize(trainer.device)) if trainer.device.type == "cuda" else (lambda: None)
    for _ in range(args.warmup): trainer.train_step(); trainer.step += 1
    sync(); trainer.barrier(); t0 = time.perf_counter()
    for _ in range(args.steps): last = trainer.train_step(); trainer.step += 1
    sync(); trainer.barrier(); elapsed = time.perf_counter() - t0
    if trainer.rank == 0:
        dev = torch.cuda.get_device_name(trainer.device) if trainer.device.type == "cuda" else "cpu"
        Path(args.worker_out).write_text(json.dumps(dict(
            world_size=trainer.world_size, device=dev, global_batch=args.batch_size, rank_batch=trainer.rank_batch_size,
            ms_per_step=elapsed / args.steps * 1e3, tokens_per_s=args.steps * trainer.tokens_per_batch / elapsed,
            params=sum(p.numel() for p in trainer.model.parameters()), loss=last["train/loss"])))


def launch(args, nproc:int, batch_size:int, out:Path) -> dict:
    "Run `nproc` timed workers under torchrun and return rank 0's figures."
    cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", str(nproc), __file__,
           "--trajectory-path", args.trajectory_path, "--device", args.device, "--batch-size", str(batch_size),
           "--n-ctx", str(args.n_ctx), "--d-model", str(args.d_model), "--n-heads", str(args.n_heads), "--d-mlp", str(args.d_mlp),
           "--n-layers", str(args.n_layers), "--steps", str(args.steps), "--warmup", str(args.warmup), "--worker-out", str(out)]
    env = {**os.environ, "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS", "1")}
    r = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit(f"torchrun with {nproc} process(es) failed (exit {r.returncode}):\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}")
    return json.loads(out.read_text())


def main(argv=None):
    args = parse(argv)
    if args.worker_out: return worker(args)
    if args.nproc < 2: raise SystemExit("--nproc must be at least 2 (the speed-up is N processes against one)")
    if args.steps < 1 or args.warmup < 0: raise SystemExit("--steps must be at least 1 and --warmup at least 0")
    if args.device.startswith("cuda"):
        import torch
        if torch.cuda.device_count() < args.nproc:
            raise SystemExit(f"--nproc {args.nproc} needs {args.nproc} GPUs; this machine has {torch.cuda.device_count()}")
    tmp = Path(tempfile.mkdtemp())
    print(f"data {args.trajectory_path}; model d_model {args.d_model}, {args.n_heads} heads, d_mlp {args.d_mlp}, {args.n_layers} layers, "
          f"n_ctx {args.n_ctx}; {args.steps} timed steps after {args.warmup} warm-up; device {args.device}", flush=True)
    one = launch(args, 1, args.batch_size, tmp / "one.json")
    print(f"1 process on {one['device']} ({one['params']:,} params): batch {one['global_batch']}, {one['ms_per_step']:.2f} ms/step, "
          f"{one['tokens_per_s']:,.0f} tokens/s", flush=True)
    results = {"one": one}
    for scaling in args.scaling:
        batch = args.batch_size if scaling == "strong" else args.batch_size * args.nproc
        many = launch(args, args.nproc, batch, tmp / f"{scaling}.json")
        results[scaling] = many
        print(f"{args.nproc} processes, {scaling} scaling: global batch {many['global_batch']} ({many['rank_batch']} per process), "
              f"{many['ms_per_step']:.2f} ms/step, {many['tokens_per_s']:,.0f} tokens/s -> speed-up {many['tokens_per_s'] / one['tokens_per_s']:.2f}x",
              flush=True)
    return results


if __name__ == "__main__":
    main()
