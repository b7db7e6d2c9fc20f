"""Training throughput of a dtinterp trajectory transformer against a plain-PyTorch transformer of the same shape.

Both models get the same embeddings (linear state embedding, action/time tables, linear return-to-go), the
same body shape (d_model, heads, layers, d_mlp, n_ctx, learned positional embedding, causal attention) and the
same action head; each step is forward + cross-entropy + backward + AdamW. The two are timed alternately in
one run, so machine noise hits both alike.

    python scripts/bench_models.py                  # CPU
    python scripts/bench_models.py --device cuda    # GPU
"""
from __future__ import annotations

import argparse
import math
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

from dtinterp.config import TransformerModelConfig
from dtinterp.models import EnvInfo, make_model


class PlainDecisionTransformer(nn.Module):
    "The same decision transformer written directly in PyTorch (no hook points)."

    def __init__(self, cfg: TransformerModelConfig, env: EnvInfo, attention: str = "manual"):
        super().__init__()
        d, self.cfg, self.env, self.attention = cfg.d_model, cfg, env, attention
        self.W_state = nn.Parameter(torch.randn(env.obs_dim, d) * 0.02)
        self.W_action = nn.Parameter(torch.randn(env.n_actions + 1, d) * 0.02)
        self.W_time = nn.Parameter(torch.randn(cfg.max_timestep + 1, d) * 0.02)
        self.W_rtg = nn.Parameter(torch.randn(1, d) * 0.02)
        self.W_pos = nn.Parameter(torch.randn(cfg.n_ctx, d) * 0.02)
        self.layers = nn.ModuleList()
        for _ in range(cfg.n_layers):
            layer = nn.ModuleDict(dict(q=nn.Linear(d, d), k=nn.Linear(d, d), v=nn.Linear(d, d), o=nn.Linear(d, d)))
            if cfg.d_mlp: layer.update(dict(fc_in=nn.Linear(d, cfg.d_mlp), fc_out=nn.Linear(cfg.d_mlp, d)))
            if cfg.layer_norm == "LN": layer.update(dict(ln1=nn.LayerNorm(d), ln2=nn.LayerNorm(d)))
            self.layers.append(layer)
        self.ln_final = nn.LayerNorm(d) if cfg.layer_norm == "LN" else nn.Identity()
        self.head = nn.Linear(d, env.n_actions)

    def forward(self, states, actions, returns_to_go, timesteps):
        B, T = states.shape[:2]
        time_emb = F.embedding(timesteps[..., 0], self.W_time)
        s = states.reshape(B, T, -1).float() @ self.W_state + time_emb
        a = F.embedding(actions[:, :T - 1], self.W_action, padding_idx=self.env.n_actions) + time_emb[:, :T - 1]
        a = torch.cat([a, torch.zeros_like(time_emb[:, :1])], 1)
        r = returns_to_go * self.W_rtg[0] + time_emb
        x = torch.stack([r, s, a], 2).reshape(B, 3 * T, -1)[:, :-1]
        x = x + self.W_pos[: x.shape[1]]
        n_heads, d_head = self.cfg.n_heads, self.cfg.d_head
        for layer in self.layers:
            h = layer["ln1"](x) if "ln1" in layer else x
            q, k, v = (layer[n](h).view(B, -1, n_heads, d_head).transpose(1, 2) for n in "qkv")
            if self.attention == "sdpa": z = F.scaled_dot_product_attention(q, k, v, is_causal=True)
            else:
                n = q.shape[2]
                scores = (q @ k.transpose(-2, -1)) / math.sqrt(d_head)
                causal = torch.ones(n, n, dtype=torch.bool, device=x.device).triu(1)
                z = scores.masked_fill(causal, float("-inf")).softmax(-1) @ v
            x = x + layer["o"](z.transpose(1, 2).reshape(B, -1, n_heads * d_head))
            if "fc_in" in layer:
                h = layer["ln2"](x) if "ln2" in layer else x
                x = x + layer["fc_out"](F.relu(layer["fc_in"](h)))
        return self.head(self.ln_final(x))[:, 1::3]


def batch(cfg, env, batch_size, device, seed=0):
    g = torch.Generator().manual_seed(seed)
    T = cfg.n_steps
    states = torch.randint(0, 11, (batch_size, T, *env.obs_shape), generator=g).to(torch.uint8)
    actions = torch.randint(0, env.n_actions, (batch_size, T), generator=g)
    rtg = torch.rand(batch_size, T, 1, generator=g)
    timesteps = (torch.arange(T) + torch.randint(0, 100, (batch_size, 1), generator=g))[..., None]
    return [t.to(device) for t in (states, actions, rtg, timesteps)]


def train_step(model, optimizer, data):
    states, actions, rtg, timesteps = data
    logits = model(states, actions, rtg, timesteps)
    loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), actions.reshape(-1))
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    optimizer.step()
    return loss


def timed(fn, device):
    if device.type == "cuda": torch.cuda.synchronize()
    t0 = time.perf_counter()
    fn()
    if device.type == "cuda": torch.cuda.synchronize()
    return time.perf_counter() - t0


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--device", default="cpu")
    p.add_argument("--batch-size", type=int, default=128)
    p.add_argument("--n-ctx", type=int, default=26, help="tokens in the context (3*steps-1)")
    p.add_argument("--d-model", type=int, default=128)
    p.add_argument("--n-heads", type=int, default=2)
    p.add_argument("--d-mlp", type=int, default=256)
    p.add_argument("--n-layers", type=int, default=1)
    p.add_argument("--layer-norm", action="store_true")
    p.add_argument("--steps", type=int, default=50, help="timed steps per model")
    p.add_argument("--warmup", type=int, default=5)
    p.add_argument("--attention", default="manual", choices=["manual", "sdpa"],
                   help="plain model's attention: matmul+softmax (the same maths as TransformerLens's) or F.scaled_dot_product_attention")
    p.add_argument("--threads", type=int, default=0, help="torch CPU threads (0: torch's default)")
    args = p.parse_args(argv)
    if args.threads: torch.set_num_threads(args.threads)
    device = torch.device(args.device)
    cfg = TransformerModelConfig(d_model=args.d_model, n_heads=args.n_heads, d_mlp=args.d_mlp, n_layers=args.n_layers, n_ctx=args.n_ctx,
                                 layer_norm=args.layer_norm, device=str(device))
    env = EnvInfo([7, 7, 3], 3, "index", "MiniGrid-Dynamic-Obstacles-8x8-v0")
    torch.manual_seed(0)
    ours = make_model(cfg, env)
    bridged = make_model(cfg, env)
    bridged.direct_path = False            # every call through the TransformerBridge's hook points
    plain = PlainDecisionTransformer(cfg, env, args.attention).to(device)
    models = {"dtinterp": ours, "dtinterp, bridge path": bridged, f"plain PyTorch ({args.attention} attention)": plain}
    optimizers = {name: torch.optim.AdamW(m.parameters(), lr=1e-4) for name, m in models.items()}
    data = batch(cfg, env, args.batch_size, device)
    for _ in range(args.warmup):
        for name, m in models.items(): train_step(m, optimizers[name], data)
    times = {name: [] for name in models}
    for _ in range(args.steps):
        for name, m in models.items(): times[name].append(timed(lambda: train_step(m, optimizers[name], data), device))
    tokens = args.batch_size * args.n_ctx
    tps = {name: tokens / statistics.median(t) for name, t in times.items()}
    n_params = {name: sum(p.numel() for p in m.parameters()) for name, m in models.items()}
    dev = torch.cuda.get_device_name(device) if device.type == "cuda" else f"cpu ({torch.get_num_threads()} threads)"
    print(f"device {dev}; batch {args.batch_size} x n_ctx {args.n_ctx} tokens; d_model {args.d_model}, {args.n_heads} heads, "
          f"{args.n_layers} layers, d_mlp {args.d_mlp}, layer_norm {args.layer_norm}; forward+backward+AdamW, median of {args.steps} steps")
    for name in models:
        print(f"{name + ':':<36}{tps[name]:12,.0f} training tokens/s  (step {statistics.median(times[name]) * 1e3:6.2f} ms, {n_params[name]:,} params)")
    plain_name = list(models)[-1]
    tps_ours, tps_plain = tps["dtinterp"], tps[plain_name]
    print(f"ratio dtinterp / plain: {tps_ours / tps_plain:.2f}   (bridge path / plain: {tps['dtinterp, bridge path'] / tps_plain:.2f})")
    return tps_ours / tps_plain


if __name__ == "__main__":
    main()
