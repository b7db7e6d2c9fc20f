"""Causal scrubbing figures: the recovered fraction of the loss, with its standard error over resamples, of

- the hand-built `planted_dt` (its mechanism is known: two correct hypotheses, four wrong ones; targets: correct
  >= 0.9, wrong <= 0.5),
- the upstream one-layer legacy DT's claims (`nbs/56_legacy_claims.ipynb`),
- the demo DT's obstacle story (`nbs/57_demo_claims.ipynb`).

The windows and hypotheses are those of the notebooks (fewer resamples by default).

    python scripts/bench_scrubbing.py                   # 8 resamples each
    python scripts/bench_scrubbing.py --resamples 16
"""
from __future__ import annotations

import argparse
import time

import torch
from minigrid.core.constants import OBJECT_TO_IDX

from dtinterp.assets import LEGACY_MODEL, data_path
from dtinterp.interp.neurons import (ball_ahead, cell_ahead, free_ahead, objects_ahead, rtg_positive, surroundings, windows_where)
from dtinterp.interp.patching import with_cell, with_returns_to_go
from dtinterp.interp.scrubbing import EVERYTHING, Hypothesis, Scrubber, action_kl, planted_dt
from dtinterp.interp.study import demo_model, study_trajectories
from dtinterp.legacy import import_legacy_model

FORWARD = 2

def report(title:str, scrubber:Scrubber, hypotheses:list[tuple[str, Hypothesis]], n:int, seed:int):
    print(f"\n{title} ({scrubber.n} windows, {n} resamples; clean loss {scrubber.clean_loss:.4f})")
    for tag, h in hypotheses:
        r = scrubber.evaluate(h, n_resamples=n, seed=seed)
        print(f"  {tag:<8} {h.name:<42} recovered {r.recovered:6.3f} ± {r.se:.3f}   (random loss {r.random_loss:.3f}, scrubbed {r.scrubbed_loss:.3f})")

def variants(base:dict, cells:tuple[str, ...]) -> dict:
    "The windows once per object placed in the cell ahead of the last step."
    return {k: torch.cat([with_cell(base, -1, 3, 5, c)[k] for c in cells]) for k in base}

def planted(n:int, seed:int):
    model = planted_dt()
    pool = windows_where(model, study_trajectories(max_episodes=None), ball_ahead, n=2000, share=0.5, seed=0).model_inputs()
    g = torch.Generator().manual_seed(0)
    pool = with_returns_to_go(pool, (0.2 + 0.8 * torch.rand(2000, generator=g)) * torch.where(torch.rand(2000, generator=g) < 0.5, -1.0, 1.0))
    report("Planted DT (mechanism known)", Scrubber(model, pool), [
        ("correct", Hypothesis("MLP <- R>0, ball", {"L0 MLP": [rtg_positive, ball_ahead]})),
        ("correct", Hypothesis("MLP <- (L0H0 <- R>0, state <- ball)", {"L0 MLP": {"L0H0": [rtg_positive], "state embed": [ball_ahead]}})),
        ("wrong", Hypothesis("MLP <- R>0", {"L0 MLP": [rtg_positive]})),
        ("wrong", Hypothesis("MLP <- ball", {"L0 MLP": [ball_ahead]})),
        ("wrong", Hypothesis("MLP <- (L0H1 <- R>0, state <- ball)", {"L0 MLP": {"L0H1": [rtg_positive], "state embed": [ball_ahead]}})),
        ("wrong", Hypothesis("MLP <- (L0H0 <- R>0); state <- ball", {"L0 MLP": {"L0H0": [rtg_positive]}, "state embed": [ball_ahead]})),
    ], n, seed)

def legacy(n:int, seed:int):
    model, trajectories = import_legacy_model(data_path(LEGACY_MODEL)), study_trajectories(max_episodes=None)
    windows = windows_where(model, trajectories, ball_ahead, n=3000, share=0.5, seed=0).model_inputs()
    g = torch.Generator().manual_seed(0)
    mixed = with_returns_to_go(windows, torch.where(torch.rand(3000, generator=g) < 0.5, -1.0, 0.9))
    s1 = Scrubber(model, mixed)
    names = s1.labels
    report("Legacy DT, claim 1: behaviours switched by R and the observation (cross-entropy)", s1, [
        ("claim", Hypothesis("all <- R>0, cell ahead", {k: [rtg_positive, cell_ahead] for k in names})),
        ("rival", Hypothesis("all <- R>0", {k: [rtg_positive] for k in names})),
        ("rival", Hypothesis("all <- cell ahead", {k: [cell_ahead] for k in names}))], n, seed)
    base = with_returns_to_go(windows, 0.9)
    base = {k: v[(cell_ahead(base) == OBJECT_TO_IDX["empty"]).nonzero().flatten()[:800]] for k, v in base.items()}
    blind = lambda *keep: {k: [surroundings] for k in names if k not in keep}
    sees = lambda *keep: {k: EVERYTHING for k in keep}
    report("Legacy DT, claim 2: avoidance at R = +0.9 localised (forward or not)", Scrubber(model, variants(base, ("empty", "ball")), loss=action_kl(FORWARD)), [
        ("claim", Hypothesis("L0H1, MLP see ahead", sees("L0H1", "L0 MLP") | blind("L0H1", "L0 MLP"))),
        ("claim", Hypothesis("L0H1 -> MLP", sees("L0H1") | {"L0 MLP": sees("L0H1") | blind("L0H1", "L0 MLP")} | blind("L0H1", "L0 MLP"))),
        ("rival", Hypothesis("L0H1 sees ahead", sees("L0H1") | blind("L0H1"))),
        ("rival", Hypothesis("MLP sees ahead", sees("L0 MLP") | blind("L0 MLP"))),
        ("rival", Hypothesis("state embed sees ahead", sees("state embed") | blind("state embed")))], n, seed)
    s3 = Scrubber(model, variants(base, ("empty", "goal", "ball")), loss=action_kl(FORWARD))
    report("Legacy DT, claim 3: index encoding, the goal read like a ball (forward or not)", s3, [
        ("claim", Hypothesis("all <- surroundings, ball or goal", {k: [surroundings, objects_ahead("ball", "goal")] for k in names})),
        ("rival", Hypothesis("all <- surroundings, free ahead", {k: [surroundings, free_ahead] for k in names}))], n, seed)

def demo(n:int, seed:int):
    model = demo_model()
    windows = windows_where(model, study_trajectories(max_episodes=None), ball_ahead, n=4000, share=0.5, seed=0).model_inputs()
    positive = {k: v[rtg_positive(windows) == 1] for k, v in windows.items()}
    base = {k: v[(cell_ahead(positive) == OBJECT_TO_IDX["empty"]).nonzero().flatten()[:800]] for k, v in positive.items()}
    s2 = Scrubber(model, variants(base, ("empty", "ball")), loss=action_kl(FORWARD))
    names, heads = s2.labels, ["L0H0", "L0H1", "L1H0", "L1H1"]
    blind = lambda *keep: {k: [surroundings] for k in names if k not in keep}
    sees = lambda *keep: {k: EVERYTHING for k in keep}
    report("Demo DT, claim 2: the obstacle is read by the MLPs at s2 (forward or not)", s2, [
        ("claim", Hypothesis("MLPs see ahead", sees("L0 MLP", "L1 MLP") | blind("L0 MLP", "L1 MLP"))),
        ("claim", Hypothesis("L1 MLP sees ahead", sees("L1 MLP") | blind("L1 MLP"))),
        ("rival", Hypothesis("heads see ahead", sees(*heads) | blind(*heads)))], n, seed)
    def all_but_rtg(inputs):
        m = len(inputs["states"])
        return torch.unique(torch.cat([inputs[k].reshape(m, -1).float() for k in ("states", "actions", "timesteps")], 1), dim=0, return_inverse=True)[1]
    with_ball = {k: v[ball_ahead(positive) == 1][:600] for k, v in positive.items()}
    asked = {k: torch.cat([with_ball[k], with_returns_to_go(with_ball, -1.0)[k]]) for k in with_ball}
    blind_r = lambda *keep: {k: [all_but_rtg] for k in names if k not in keep}
    via = lambda *keep: {"L1 MLP": sees(*keep) | blind_r(*keep, "L1 MLP")}
    report("Demo DT, claim 3: R enters through the heads, the L1 MLP combines (forward or not)", Scrubber(model, asked, loss=action_kl(FORWARD)), [
        ("claim", Hypothesis("heads -> L1 MLP", sees(*heads) | via(*heads) | blind_r(*heads, "L1 MLP"))),
        ("claim", Hypothesis("L1H1 -> L1 MLP", sees("L1H1") | via("L1H1") | blind_r("L1H1", "L1 MLP"))),
        ("rival", Hypothesis("heads, direct only", sees(*heads) | blind_r(*heads)))], n, seed)

if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resamples", type=int, default=8, help="resamplings per hypothesis (the standard error is over these)")
    parser.add_argument("--seed", type=int, default=0, help="seeds the resampling")
    args = parser.parse_args()
    torch.set_num_threads(1); torch.set_grad_enabled(False)
    start = time.time()
    for part in (planted, legacy, demo): part(args.resamples, args.seed)
    print(f"\n{time.time() - start:.0f} s")
