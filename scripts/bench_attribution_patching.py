"""Attribution patching against real activation patching on the shipped demo decision transformer.

The corruption of `45_patching`: the same context windows of the demo data asked for a return of +1 (clean) or
-1 (corrupted). Two metrics, each normalised so the clean run scores 1 and the corrupted run 0: the logit
difference of the action chosen at +1 over the mean logit, and the log-probability of that action. For every head
at every position (and the residual stream, attention and MLP outputs of every layer at every position), the
one-backward-pass estimate is compared with the real sweep (one patched run per grid point): Pearson correlation
and largest error. Both are timed in this run, alternately, best of `--repeats`; the speed-up is real sweep time
over attribution time (each includes its own clean run, which both need).

    python scripts/bench_attribution_patching.py
    python scripts/bench_attribution_patching.py --windows 64 --repeats 5
"""
from __future__ import annotations

import argparse
import time

import torch

from dtinterp.interp.attribution_patching import attribute_all, patching_agreement
from dtinterp.interp.patching import (logit_diff_metric, normalised_metric, patch_by_layer, patch_heads_by_position,
                                      with_returns_to_go)
from dtinterp.interp.study import load_demo

def log_prob_metric(action:torch.Tensor):
    "The mean log-probability of `action` at the last step."
    def metric(logits:torch.Tensor) -> torch.Tensor:
        return logits[:, -1].log_softmax(-1).gather(-1, action[:, None]).mean()
    return metric

def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--windows", type=int, default=32, help="context windows of the demo data (full context)")
    parser.add_argument("--repeats", type=int, default=5, help="timings per method (the best counts)")
    parser.add_argument("--seed", type=int, default=0, help="seeds the choice of windows")
    args = parser.parse_args()
    torch.set_num_threads(1)
    model, batch = load_demo(args.windows, seed=args.seed)
    windows = batch.model_inputs()
    clean, corrupted = with_returns_to_go(windows, 1.0), with_returns_to_go(windows, -1.0)
    with torch.no_grad(): clean_logits, corrupted_logits = model(**clean), model(**corrupted)
    chosen = clean_logits[:, -1].argmax(-1)
    metrics = {"logit difference": logit_diff_metric(chosen, "mean"), "log-probability": log_prob_metric(chosen)}
    print(f"demo DT ({model.cfg.n_layers} layers, {model.cfg.n_heads} heads, {model.n_ctx} positions), {len(chosen)} windows, "
          f"return-to-go +1 (clean) vs -1 (corrupted)")
    for name, raw in metrics.items():
        metric = normalised_metric(raw, clean_logits, corrupted_logits)
        t_estimate, t_real = float("inf"), float("inf")
        for _ in range(args.repeats):
            t0 = time.perf_counter()
            _, cache = model.run_with_cache(**clean)
            estimates = attribute_all(model, corrupted, cache, metric, kinds=())
            t_estimate = min(t_estimate, time.perf_counter() - t0)
            t0 = time.perf_counter()
            _, cache = model.run_with_cache(**clean)
            heads = patch_heads_by_position(model, corrupted, cache, metric, progress=False)
            t_real = min(t_real, time.perf_counter() - t0)
        layer_level = attribute_all(model, corrupted, cache, metric)
        print(f"\nmetric: normalised {name}")
        a = patching_agreement(estimates["heads"], heads)
        print(f"  heads x positions ({heads.numel()} patches): correlation {a['correlation']:.3f}, max |error| {a['max_abs_error']:.3f} "
              f"(patched values {a['actual_min']:.3f}..{a['actual_max']:.3f})")
        print(f"  time: attribution patching {t_estimate * 1e3:.1f} ms, real patching {t_real * 1e3:.1f} ms, speed-up {t_real / t_estimate:.1f}x")
        for kind in ("resid_pre", "attn_out", "mlp_out"):
            a = patching_agreement(layer_level[kind], patch_by_layer(model, corrupted, cache, metric, kind, progress=False))
            print(f"  {kind:9s} x positions: correlation {a['correlation']:.3f}, max |error| {a['max_abs_error']:.3f}")

if __name__ == "__main__":
    main()
