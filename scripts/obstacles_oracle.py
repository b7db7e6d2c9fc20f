#!/usr/bin/env python
"""A reference for Dynamic-Obstacles returns: how well does a planner that sees the whole state do?

Each step the planner reads the true grid (every obstacle, the agent's position and direction) and takes the first
action of a shortest path to the goal (breadth-first search over (x, y, direction) with left, right and forward):

- `--avoid ahead` (default): obstacles are ignored in the plan unless moving forward would walk into one; then it
  plans again treating obstacles next to the agent as walls (they move at random every step, so far ones rarely
  block the way by the time the agent gets there);
- `--avoid near`: obstacles within distance R of the agent are walls in every plan (`--radius R`).

Walking into an obstacle or a wall ends the episode with -1; reaching the goal gives 1 - 0.9 * steps / max_steps
(max_steps is 256 on the 8x8 grid unless --max-steps says otherwise, and the shortest path is 11 steps, so no
episode can return more than 0.961 at 256, or 0.967 at 300).

    python scripts/obstacles_oracle.py                    # 500 episodes, MiniGrid-Dynamic-Obstacles-8x8-v0
    python scripts/obstacles_oracle.py --avoid near --radius 2
    python scripts/obstacles_oracle.py --max-steps 300   # the step limit the seed project's runs used
"""
from __future__ import annotations

import argparse
from collections import deque

import gymnasium as gym
import minigrid  # noqa: F401  (registers the MiniGrid envs)
import numpy as np
from minigrid.core.actions import Actions
from minigrid.core.constants import DIR_TO_VEC  # direction d moves by DIR_TO_VEC[d] (0: east, 1: south, 2: west, 3: north)

LEFT, RIGHT, FORWARD = int(Actions.left), int(Actions.right), int(Actions.forward)


def first_action(env, radius:int) -> int:
    "First action of a shortest path to the goal; obstacles within `radius` (Manhattan) of the agent count as walls."
    u = env.unwrapped
    start = (int(u.agent_pos[0]), int(u.agent_pos[1]), int(u.agent_dir))
    previous, queue = {start: None}, deque([start])
    while queue:
        state = queue.popleft()
        x, y, d = state
        cell = u.grid.get(x, y)
        if cell is not None and cell.type == "goal":
            while previous[state][0] != start: state = previous[state][0]
            return previous[state][1]
        for action, nxt in ((LEFT, (x, y, (d - 1) % 4)), (RIGHT, (x, y, (d + 1) % 4)), (FORWARD, (x + int(DIR_TO_VEC[d][0]), y + int(DIR_TO_VEC[d][1]), d))):
            if action == FORWARD:
                c = u.grid.get(nxt[0], nxt[1])
                near = abs(nxt[0] - start[0]) + abs(nxt[1] - start[1]) <= radius
                if c is not None and c.type != "goal" and (c.type == "wall" or near): continue
            if nxt not in previous: previous[nxt] = (state, action); queue.append(nxt)
    return LEFT  # boxed in: turning never collides


def act(env, avoid:str, radius:int) -> int:
    if avoid == "near": return first_action(env, radius)
    action = first_action(env, radius=-1)  # obstacles ignored
    u = env.unwrapped
    ahead = u.grid.get(*u.front_pos)
    if action == FORWARD and ahead is not None and ahead.type != "goal": action = first_action(env, radius=1)
    return action


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--env-id", default="MiniGrid-Dynamic-Obstacles-8x8-v0")
    p.add_argument("--max-steps", type=int, default=None, help="episode step limit (default: the env's own, 256 on 8x8)")
    p.add_argument("--episodes", type=int, default=500)
    p.add_argument("--avoid", choices=["ahead", "near"], default="ahead")
    p.add_argument("--radius", type=int, default=1, help="with --avoid near: obstacles this close are walls")
    p.add_argument("--seed", type=int, default=10_000, help="episode e uses env seed seed + e")
    args = p.parse_args(argv)
    env = gym.make(args.env_id, **({} if args.max_steps is None else {"max_steps": args.max_steps}))
    returns, lengths = [], []
    for e in range(args.episodes):
        env.reset(seed=args.seed + e)
        total, steps, done = 0.0, 0, False
        while not done:
            _, reward, terminated, truncated, _ = env.step(act(env, args.avoid, args.radius))
            total, steps, done = total + reward, steps + 1, terminated or truncated
        returns.append(total); lengths.append(steps)
    returns, lengths = np.array(returns), np.array(lengths)
    print(f"{args.env_id} (max_steps {env.unwrapped.max_steps}), full-state planner (avoid {args.avoid}{'' if args.avoid == 'ahead' else f', radius {args.radius}'}), "
          f"{args.episodes} episodes: mean return {returns.mean():.3f} (sem {returns.std(ddof=1) / np.sqrt(len(returns)):.3f}), "
          f"success {np.mean(returns > 0):.1%}, mean length {lengths.mean():.1f}, shortest-path episodes {np.mean(lengths == lengths.min()):.0%}")


if __name__ == "__main__":
    main()
