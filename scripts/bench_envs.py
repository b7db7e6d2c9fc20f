#!/usr/bin/env python
"""Steps per second of raw MiniGrid beside dtinterp's envs, single env and a vector of envs.

Every variant replays the same random action sequence from the same seed. Time is this process's
CPU time by default (`--clock wall` for wall time), so other jobs on a shared machine do not count.
The variants are
measured in turn (rotating the order each round) and each round is repeated, so slow drifts of a
shared machine hit all of them alike; the table gives medians and the ratio to raw MiniGrid, each
ratio the median of the per-round ratios.

    python scripts/bench_envs.py                      # the figures quoted in nbs/02_environments.ipynb
    python scripts/bench_envs.py --steps 2000 --repeats 3
"""
import statistics
import sys
import time

import gymnasium as gym
import minigrid  # noqa: F401  (registers the envs)
import numpy as np
from fastcore.script import call_parse
from gymnasium.vector import SyncVectorEnv
from minigrid.wrappers import ImgObsWrapper

from dtinterp.environments import make_env, make_vector_env


CLOCKS = {"cpu": time.process_time, "wall": time.perf_counter}


def time_single(env, actions, seed, clock) -> float:
    "Env steps per second over `actions`, resetting at episode ends."
    env.reset(seed=seed)
    start = clock()
    for a in actions:
        _, _, terminated, truncated, _ = env.step(a)
        if terminated or truncated: env.reset()
    return len(actions) / (clock() - start)


def time_vector(venv, actions, seed, clock) -> float:
    "Env steps per second (all envs together) over `actions` of shape (T, num_envs); autoreset is Gymnasium's."
    venv.reset(seed=seed)
    start = clock()
    for a in actions: venv.step(a)
    return actions.size / (clock() - start)


def variants(env_id: str, num_envs: int) -> list[tuple[str, str, callable]]:
    "(setting, name, builder); the first variant of each setting is the raw MiniGrid baseline."
    raw_vec = lambda: SyncVectorEnv([lambda: ImgObsWrapper(gym.make(env_id))] * num_envs)
    return [
        ("1 env", "minigrid: gym.make (dict obs)", lambda: gym.make(env_id)),
        ("1 env", "minigrid: gym.make + ImgObsWrapper", lambda: ImgObsWrapper(gym.make(env_id))),
        ("1 env", "dtinterp: make_env, fast_obs=False", lambda: make_env(env_id, fast_obs=False)),
        ("1 env", "dtinterp: make_env (default)", lambda: make_env(env_id)),
        ("1 env", "dtinterp: make_env, obs='onehot'", lambda: make_env(env_id, obs="onehot")),
        ("1 env", "dtinterp: make_env, fully_obs=True", lambda: make_env(env_id, fully_obs=True)),
        (f"{num_envs} envs", "minigrid: SyncVectorEnv of ImgObsWrapper", raw_vec),
        (f"{num_envs} envs", "dtinterp: make_vector_env, fast_obs=False", lambda: make_vector_env(env_id, num_envs, fast_obs=False)),
        (f"{num_envs} envs", "dtinterp: make_vector_env (default)", lambda: make_vector_env(env_id, num_envs)),
    ]


def bench_env(env_id: str, steps: int, repeats: int, num_envs: int, seed: int, clock) -> list[dict]:
    todo = variants(env_id, num_envs)
    envs = [build() for _, _, build in todo]
    n_actions = int(envs[0].action_space.n)
    rng = np.random.default_rng(seed)
    single_actions = rng.integers(0, n_actions, steps)
    vector_actions = rng.integers(0, n_actions, (max(steps // num_envs, 1), num_envs))
    rates = [[] for _ in todo]
    for r in range(repeats):
        order = list(range(len(todo)))
        order = order[r % len(order):] + order[:r % len(order)]
        for i in order:
            vector = todo[i][0] != "1 env"
            rates[i].append((time_vector if vector else time_single)(envs[i], vector_actions if vector else single_actions, seed, clock))
    for env in envs: env.close()
    rows, baseline = [], {}
    for (setting, name, _), r in zip(todo, rates):
        base = baseline.setdefault(setting, r)
        rows.append(dict(env=env_id, setting=setting, variant=name, steps_per_s=statistics.median(r),
                         ratio=statistics.median(a / b for a, b in zip(r, base))))
    return rows


@call_parse
def main(
    env_ids:str="MiniGrid-DoorKey-8x8-v0,MiniGrid-Dynamic-Obstacles-8x8-v0",  # comma-separated env ids
    steps:int=4000,    # env steps per measurement (vector: spread over the envs)
    repeats:int=7,     # rounds; each round measures every variant once
    clock:str="cpu",   # "cpu": this process's CPU time (robust on a shared machine), or "wall"
    num_envs:int=8,    # envs in the vector runs
    seed:int=0,        # seeds the envs and the random actions
):
    "Print raw MiniGrid steps/s beside dtinterp's, as a ratio."
    if clock not in CLOCKS: raise SystemExit(f"--clock {clock!r}: use one of {list(CLOCKS)}")
    print(f"{steps} steps per measurement, {repeats} rounds, {clock} clock, median steps/s; ratio = variant / raw MiniGrid (first row of each setting), per round, median")
    print(f"python {sys.version.split()[0]}, gymnasium {gym.__version__}, minigrid {minigrid.__version__}, numpy {np.__version__}\n")
    header = f"{'env':36} {'setting':8} {'variant':44} {'steps/s':>9} {'vs raw':>7}"
    print(header); print("-" * len(header))
    for env_id in env_ids.split(","):
        for row in bench_env(env_id.strip(), steps, repeats, num_envs, seed, CLOCKS[clock]):
            print(f"{row['env']:36} {row['setting']:8} {row['variant']:44} {row['steps_per_s']:9,.0f} {row['ratio']:7.2f}")
        print()
