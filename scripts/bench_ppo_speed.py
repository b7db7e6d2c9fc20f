#!/usr/bin/env python
"""PPO training speed on CPU: dtinterp's PPO vs Stable-Baselines3's, same settings, alternating runs in one process.

Both train on MiniGrid-DoorKey-5x5-v0 with 8 envs, 128 steps per env per rollout, 4 epochs of 4
minibatches (256 steps each), separate 64-64 tanh MLPs for the policy and the value over the same 7x7x20
one-hot observation, and the same total number of steps. Timed: the training call only (model and env
construction are not). Reported: env-steps per second (median over the rounds) and the ratios.

The like-for-like rows use the same torch thread count (1 by default) and step the 8 envs in this process
(gymnasium SyncVectorEnv vs SB3's DummyVecEnv). SB3 runs twice: on MiniGrid's own observation wrappers
(`OneHotPartialObsWrapper` + `ImgObsWrapper`, the same 7x7x20 one-hot observations, as an SB3 user runs MiniGrid),
and on dtinterp's envs (its numpy observation path), which leaves the two PPO implementations alone to compare. Other rows show dtinterp on index
observations (one-hot encoded inside the network) and with its envs in subprocesses (AsyncVectorEnv); with
--with-threads also dtinterp with a few threads for the update phase only and SB3 with more torch threads.

    pip install stable-baselines3            # benchmark-only; not a dtinterp dependency
    python scripts/bench_ppo_speed.py                      # 3 rounds, 65,536 steps per run
    python scripts/bench_ppo_speed.py --like-for-like      # only ours vs SB3, same threads, in-process envs
    python scripts/bench_ppo_speed.py --with-threads       # also multi-threaded rows (for a quiet many-core machine)
    python scripts/bench_ppo_speed.py --total-timesteps 16384 --repeats 1
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

ENV_ID = "MiniGrid-DoorKey-5x5-v0"
NUM_ENVS, NUM_STEPS, EPOCHS, MINIBATCHES, HIDDEN = 8, 128, 4, 4, 64


def time_ours(total_timesteps: int, seed: int, obs: str = "onehot", asynchronous: bool = False, learn_threads=None) -> float:
    "Steps/s of dtinterp's PPOTrainer (construction not timed)."
    from dtinterp.config import EnvConfig, PPOConfig
    from dtinterp.ppo import PPOTrainer
    config = PPOConfig(total_timesteps=total_timesteps, num_envs=NUM_ENVS, num_steps=NUM_STEPS, update_epochs=EPOCHS,
                       num_minibatches=MINIBATCHES, hidden_size=HIDDEN, learning_rate=2.5e-4, seed=seed, device="cpu",
                       checkpoint_every=0)
    trainer = PPOTrainer(EnvConfig(env_id=ENV_ID, obs=obs), config, progress=False, asynchronous=asynchronous,
                         learn_threads=learn_threads)
    t0 = time.perf_counter(); trainer.train(); seconds = time.perf_counter() - t0
    trainer.close()
    return trainer.global_step / seconds


def sb3_env(envs: str):
    "One env for SB3: dtinterp's (numpy observation path) or MiniGrid's own one-hot wrappers, flattened."
    import gymnasium as gym
    if envs == "dtinterp":
        from dtinterp.environments import make_env
        return gym.wrappers.FlattenObservation(make_env(ENV_ID, obs="onehot"))
    from minigrid.wrappers import ImgObsWrapper, OneHotPartialObsWrapper
    return gym.wrappers.FlattenObservation(ImgObsWrapper(OneHotPartialObsWrapper(gym.make(ENV_ID))))


def time_sb3(total_timesteps: int, seed: int, envs: str = "dtinterp") -> float:
    "Steps/s of Stable-Baselines3's PPO with the same settings (construction not timed)."
    from stable_baselines3 import PPO
    from stable_baselines3.common.vec_env import DummyVecEnv
    from torch import nn
    venv = DummyVecEnv([lambda: sb3_env(envs) for _ in range(NUM_ENVS)])
    model = PPO("MlpPolicy", venv, n_steps=NUM_STEPS, batch_size=NUM_ENVS * NUM_STEPS // MINIBATCHES, n_epochs=EPOCHS,
                learning_rate=2.5e-4, gamma=0.99, gae_lambda=0.95, clip_range=0.2, ent_coef=0.01, vf_coef=0.5,
                max_grad_norm=0.5, seed=seed, device="cpu", verbose=0,
                policy_kwargs=dict(net_arch=dict(pi=[HIDDEN, HIDDEN], vf=[HIDDEN, HIDDEN]), activation_fn=nn.Tanh))
    t0 = time.perf_counter(); model.learn(total_timesteps=total_timesteps); seconds = time.perf_counter() - t0
    steps = model.num_timesteps
    venv.close()
    return steps / seconds


def variants(threads: int, many: int, like_for_like: bool, with_threads: bool):
    "name -> (torch threads outside the update phase, a timing function of (total steps, seed))."
    runs = {"ours": (threads, lambda n, s: time_ours(n, s)), "sb3": (threads, lambda n, s: time_sb3(n, s)),
            "sb3, MiniGrid's wrappers": (threads, lambda n, s: time_sb3(n, s, envs="minigrid"))}
    if like_for_like: return runs
    runs["ours, index obs"] = (threads, lambda n, s: time_ours(n, s, obs="index"))
    runs["ours, async envs"] = (threads, lambda n, s: time_ours(n, s, asynchronous=True))
    if with_threads:  # on a busy machine extra threads mostly wait on each other: these rows can be very slow
        runs[f"ours, {many} learn threads"] = (threads, lambda n, s: time_ours(n, s, learn_threads=many))
        runs[f"ours, async envs + {many} learn threads"] = (threads, lambda n, s: time_ours(n, s, asynchronous=True, learn_threads=many))
        runs[f"sb3, {many} threads"] = (many, lambda n, s: time_sb3(n, s))
    return runs


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--total-timesteps", type=int, default=65_536, help="steps per timed run")
    p.add_argument("--repeats", type=int, default=3, help="rounds; each round runs every variant once, in turn")
    p.add_argument("--threads", type=int, default=1, help="torch CPU threads of the like-for-like pair (1 is fastest for these small nets)")
    p.add_argument("--many-threads", type=int, default=min(4, os.cpu_count() or 1), help="threads of the multi-threaded variants")
    p.add_argument("--like-for-like", action="store_true", help="only ours vs SB3 with the same threads and in-process envs")
    p.add_argument("--with-threads", action="store_true", help="add multi-threaded rows (ours: update phase only; SB3: everything)")
    args = p.parse_args(argv)
    try:
        import stable_baselines3
    except ImportError:
        print("Stable-Baselines3 is not installed, so there is nothing to compare against.\n"
              "Install it into this environment for the benchmark only (it is not a dtinterp dependency):\n"
              "    pip install stable-baselines3", file=sys.stderr)
        return 2
    import torch
    runs = variants(args.threads, args.many_threads, args.like_for_like, args.with_threads)
    print(f"{ENV_ID}: {NUM_ENVS} envs x {NUM_STEPS} steps, {EPOCHS} epochs x {MINIBATCHES} minibatches, "
          f"{HIDDEN}-{HIDDEN} tanh MLPs on 7x7x20 one-hot observations, {args.total_timesteps:,} steps per run, "
          f"{os.cpu_count()} CPUs, torch {torch.__version__}, SB3 {stable_baselines3.__version__}", flush=True)
    torch.set_num_threads(args.threads)
    time_ours(2048, 0); time_sb3(2048, 0)  # warm-up: imports, allocator, first-call overheads
    results = {k: [] for k in runs}
    for r in range(args.repeats):
        for name, (threads, run) in runs.items():
            torch.set_num_threads(threads)
            sps = run(args.total_timesteps, r); results[name].append(sps)
            print(f"  round {r + 1}: {name:<36} {sps:8,.0f} env-steps/s", flush=True)
    torch.set_num_threads(args.threads)
    med = {k: statistics.median(v) for k, v in results.items()}
    print(f"\nmedian env-steps/s over {args.repeats} rounds (torch threads {args.threads} unless named):")
    for k, v in med.items(): print(f"  {k:<36} {v:8,.0f}   {v / med['sb3']:.2f}x SB3")
    sb3_minigrid = med["sb3, MiniGrid's wrappers"]
    print(f"\nratio ours / SB3 on MiniGrid's own one-hot wrappers (how SB3 runs MiniGrid; same threads, envs in-process): "
          f"{med['ours'] / sb3_minigrid:.2f}x")
    print(f"ratio ours / SB3 on dtinterp's envs (the PPO implementations alone; same threads, envs in-process): {med['ours'] / med['sb3']:.2f}x")
    if not args.like_for_like:
        best_ours = max((v, k) for k, v in med.items() if k.startswith("ours"))
        best_sb3 = max((v, k) for k, v in med.items() if k.startswith("sb3"))
        print(f"ratio best ours ({best_ours[1]}) / best SB3 ({best_sb3[1]}): {best_ours[0] / best_sb3[0]:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
