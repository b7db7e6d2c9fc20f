#!/usr/bin/env python
"""Memory and return conditioning: decision transformers against behavioural clones on MiniGrid-MemoryS7FixedStart.

In the memory task the agent sees a cue object in the start room, walks down a corridor and must touch the matching
object of the two at its end (success: return 1 - 0.9 * steps / max_steps; the wrong one ends the episode with 0).
A model that cannot see the cue any more when it reaches the end can only guess (success about 0.5).

This script trains, on one trajectory file, a decision transformer and a behavioural clone with a long context (enough
steps to hold the cue until the end) and with a short one (1 step for the DT, 1 step for the clone), then plays each
greedily and by sampling its action distribution (the DT at target return 1.0, or --target), and prints mean return and
success rate, with the data's own. A sampling clone plays like its data, mistakes included; a DT asked for a high
return should leave out the mistakes that cost episodes.

    python scripts/bench_memory_dt.py --trajectory-path trajectories/quality/memory_s7.npz --d-model 64 \
        --train-epochs 6000 --learning-rate 1e-3 --long-steps 12 --episodes 1000 --device cpu

(`trajectories/quality/memory_s7.npz`: 3,000 episodes of an LSTM agent acting with 25% random actions; see
models/quality/COMMANDS.md.) Played greedily, both long-context models drop the agent's random actions and tie at
the ceiling; sampled, the DT at target 1.0 leaves out the detours and wrong turns the clone copies.

A mixture of a remembering agent (an LSTM) and one that cannot remember (a feed-forward agent, which settles on one
side whatever the cue) was meant to separate them further: given the cue, the majority action is the guesser's, so
the clone fails whenever the cue points the other way, while a DT at a high target would have to combine the cue
(seen steps earlier) with the target to follow the expert. In our runs neither learned that (both about 50%
success). `--expert` and `--guesser` record such a mixture (each episode played by one of them, `--expert-share` of
them by the expert):

    dtinterp_ppo --env-id MiniGrid-MemoryS7FixedStart-v0 --seed 1 --run-dir runs/memory-lstm          # the preset's LSTM
    dtinterp_ppo --env-id MiniGrid-MemoryS7FixedStart-v0 --agent mlp --hidden-size 64 --total-timesteps 200000 --run-dir runs/memory-mlp
    python scripts/bench_memory_dt.py --expert runs/memory-lstm --guesser runs/memory-mlp --trajectory-path trajectories/memory-mix.npz
"""
from __future__ import annotations

import argparse
import time


from dtinterp.calibration import calibration_table
from dtinterp.config import OfflineTrainConfig, TransformerModelConfig
from dtinterp.acting import AgentPolicy, evaluate
from dtinterp.agents import load_checkpoint
from dtinterp.collect import record_trajectories
from dtinterp.policies import MixturePolicy
from dtinterp.trajectories import Trajectories
from dtinterp.train import train_dt


def record_mixture(args):
    expert, guesser = load_checkpoint(args.expert), load_checkpoint(args.guesser)
    if expert.env_config != guesser.env_config: raise SystemExit(f"--expert and --guesser were trained on different envs: {expert.env_config} vs {guesser.env_config}")
    policy = MixturePolicy(AgentPolicy(expert.agent, "greedy"), AgentPolicy(guesser.agent, "greedy"), args.expert_share, seed=args.seed)
    t = record_trajectories(expert.env_config, policy, args.record_episodes, path=args.trajectory_path, seed=args.seed, progress=False)
    print(f"recorded {len(t)} episodes ({args.expert_share:.0%} expert) to {args.trajectory_path}")


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--trajectory-path", required=True, help="the data (written first when --expert and --guesser are given)")
    p.add_argument("--expert", default=None, help="PPO checkpoint of an agent that remembers the cue (an LSTM)")
    p.add_argument("--guesser", default=None, help="PPO checkpoint of an agent that cannot (feed-forward)")
    p.add_argument("--expert-share", type=float, default=0.4, help="fraction of the episodes the expert plays")
    p.add_argument("--record-episodes", type=int, default=3000)
    p.add_argument("--device", default="auto")
    p.add_argument("--long-steps", type=int, default=12, help="steps in the long context")
    p.add_argument("--train-epochs", type=int, default=4000)
    p.add_argument("--batch-size", type=int, default=256)
    p.add_argument("--learning-rate", type=float, default=5e-4)
    p.add_argument("--d-model", type=int, default=128)
    p.add_argument("--n-layers", type=int, default=2)
    p.add_argument("--episodes", type=int, default=200, help="evaluation episodes per model")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--target", type=float, default=1.0, help="the DT's target return")
    p.add_argument("--modes", nargs="+", default=["greedy", "sample"], choices=["greedy", "sample"],
                   help="how the models act: argmax, or sampled from their action distribution (a sampling clone plays like its data)")
    p.add_argument("--models", nargs="+", default=["dt-long", "clone-long", "dt-1", "clone-1"], choices=["dt-long", "clone-long", "dt-1", "clone-1"])
    args = p.parse_args(argv)
    if (args.expert is None) != (args.guesser is None): raise SystemExit("give both --expert and --guesser (or neither)")
    if args.expert: record_mixture(args)
    data = Trajectories.load(args.trajectory_path)
    s = data.summary()
    print(f"data: {s['episodes']} episodes of {data.env_id}: mean return {s['mean_return']:.3f}, success {s['success_rate']:.1%}, "
          f"mean length {s['mean_length']:.1f}", flush=True)
    L = args.long_steps
    runs = {"dt-long": ("DT, long context", "decision_transformer", L), "clone-long": ("clone, long context", "clone_transformer", L),
            "dt-1": ("DT, 1 step", "decision_transformer", 1), "clone-1": ("clone, 1 step", "clone_transformer", 1)}
    runs = [runs[m] for m in args.models]
    print(f"{'model':<22} {'steps':>5} {'n_ctx':>5} {'test acc':>8} {'acting':>7} {'mean return':>11} {'sem':>6} {'success':>8} {'length':>7} {'train s':>7}")
    for name, kind, steps in runs:
        n_ctx = 3 * steps - 1 if kind == "decision_transformer" else 2 * steps - 1
        mc = TransformerModelConfig(model_type=kind, d_model=args.d_model, n_heads=4, d_mlp=4 * args.d_model, n_layers=args.n_layers,
                                    n_ctx=n_ctx)
        tc = OfflineTrainConfig(trajectory_path=args.trajectory_path, batch_size=args.batch_size, learning_rate=args.learning_rate,
                                train_epochs=args.train_epochs, test_frequency=args.train_epochs, eval_frequency=10**9,
                                device=args.device, seed=args.seed, prob_go_from_end=0.1)
        t0 = time.perf_counter()
        trainer = train_dt(mc, tc, progress=False)
        seconds = time.perf_counter() - t0
        acc = next(r["test/accuracy"] for r in reversed(trainer.history) if "test/accuracy" in r)
        for mode in args.modes:
            rows = evaluate(trainer.model, trainer.env_config, args.target, n_episodes=args.episodes, num_envs=32, mode=mode, progress=False)
            row = calibration_table(rows)[0]
            print(f"{name:<22} {steps:>5} {n_ctx:>5} {acc:>8.3f} {mode:>7} {row['mean_return']:>11.3f} {row['sem_return']:>6.3f} {row['success_rate']:>8.1%} "
                  f"{row['mean_length']:>7.1f} {seconds:>7.0f}", flush=True)


if __name__ == "__main__":
    main()
