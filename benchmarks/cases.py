"""The benchmarks B1–B10 of ``make bench``; ``run.py`` runs them and writes REPORT.md.

Each ``bN(ctx)`` returns a ``Result``: the goal, what was measured, whether the goal was met
(None when it could not be measured), a Markdown section and the figures it drew. Every time
is a median over repeats, and every ratio is of two things timed in turn, round after round,
in the same run (``bpcourse.cost.median_times``), so a burst of load hits both alike.
"""

from __future__ import annotations

import gc
import importlib.util
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from bpcourse import cost, flops, nn

ROOT = Path(__file__).resolve().parent.parent

B1_SIZES = [([2, 16, 16, 3], 64), ([784, 128, 10], 64), ([784, 512, 512, 10], 256),
            ([1024, 2048, 2048, 10], 512)]
QUICK_B1_SIZES = [([2, 16, 16, 3], 64), ([64, 32, 10], 32)]
LR = 0.01


@dataclass
class Context:
    out: Path
    quick: bool = False
    shared: dict = field(default_factory=dict)  # measurements that several benchmarks report


@dataclass
class Result:
    id: str
    title: str
    goal: str
    measured: str
    met: bool | None
    section: str
    figures: list[str] = field(default_factory=list)
    data: dict = field(default_factory=dict)


def _mark(met: bool | None) -> str:
    return {True: "met", False: "**not met**", None: "not available"}[met]


def _sizes_name(sizes) -> str:
    return "-".join(map(str, sizes))


def _torch():
    if importlib.util.find_spec("torch") is None:
        return None
    import torch

    return torch


# ----- B1 / B2 / B3: a training step of bpcourse.nn, against PyTorch and BLAS -----

class OurStep:
    """One SGD training step of bpcourse.nn on a fixed batch."""

    def __init__(self, sizes, n, dtype):
        self.model = cost.build_mlp(sizes, dtype=dtype)
        self.x, self.y = cost.make_batch(sizes, n, dtype=dtype)
        self.loss = nn.SoftmaxCrossEntropy()
        self.opt = nn.SGD(self.model.params, LR)
        self.last_loss = None

    def forward(self):
        return self.loss(self.model.forward(self.x), self.y)

    def backward(self):
        self.model.backward(self.loss.backward())

    def step(self):
        self.opt.zero_grad()
        self.last_loss = self.forward()
        self.backward()
        self.opt.step()


class TorchStep:
    """The same step in PyTorch eager mode: same weights, same data, same learning rate."""

    def __init__(self, ours: OurStep, torch):
        linears = [m for m in ours.model.layers if isinstance(m, nn.Linear)]
        modules = []
        for i, lin in enumerate(linears):
            d, m = lin.W.data.shape
            layer = torch.nn.Linear(d, m, dtype=_torch_dtype(torch, lin.W.data.dtype))
            with torch.no_grad():
                layer.weight.copy_(torch.from_numpy(lin.W.data.T.copy()))
                layer.bias.copy_(torch.from_numpy(lin.b.data.copy()))
            modules.append(layer)
            if i < len(linears) - 1:
                modules.append(torch.nn.ReLU())
        self.torch = torch
        self.model = torch.nn.Sequential(*modules)
        self.opt = torch.optim.SGD(self.model.parameters(), lr=LR)
        self.x = torch.from_numpy(ours.x.copy())
        self.y = torch.from_numpy(ours.y.astype(np.int64))
        self.last_loss = None

    def step(self):
        self.opt.zero_grad()
        loss = self.torch.nn.functional.cross_entropy(self.model(self.x), self.y)
        loss.backward()
        self.opt.step()
        self.last_loss = loss

    def first_weight(self):
        return self.model[0].weight.detach().numpy().T


def _torch_dtype(torch, dtype):
    return {np.dtype(np.float32): torch.float32, np.dtype(np.float64): torch.float64}[
        np.dtype(dtype)]


def _repeat(step, k):
    def run():
        for _ in range(k):
            step()
    return run


def _inner_loops(step, target=0.02):
    """How many steps make one timed sample last about `target` seconds (small sizes)."""
    step()
    start = time.perf_counter()
    step()
    single = time.perf_counter() - start
    return max(1, int(target / max(single, 1e-7)))


def _one_blas_thread():
    """A context in which BLAS uses one thread (B3, B4), or a no-op without threadpoolctl.

    Their ratios are about how much arithmetic each pass does. With several BLAS threads, a
    small matmul also pays for the threads meeting, and on a shared machine a thread that
    loses its core makes the other wait: noise that has nothing to do with backprop.
    """
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        import contextlib

        return contextlib.nullcontext(), "all (threadpoolctl not installed)"
    return threadpool_limits(limits=1, user_api="blas"), "1"


def _repeats_for(sizes, quick):
    if quick:
        return 3
    return 7 if flops.count_params(sizes) > 5_000_000 else 21


def _threads(count, torch=None):
    """BLAS (numpy) and PyTorch limited to `count` threads; None: all cores (the default)."""
    import contextlib

    @contextlib.contextmanager
    def limited():
        before = torch.get_num_threads() if torch is not None else None
        if torch is not None:
            torch.set_num_threads(count or os.cpu_count() or 1)
        try:
            if count is None:
                yield
            else:
                with _one_blas_thread()[0] if count == 1 else contextlib.nullcontext():
                    yield
        finally:
            if torch is not None:
                torch.set_num_threads(before)
    return limited()


THREADS = {"all cores": None, "1 thread": 1}


def b1(ctx: Context) -> Result:
    torch = _torch()
    goal = "≤ 1.0× PyTorch's time at every size"
    if torch is None:
        return Result("B1", "training step vs PyTorch", goal, "PyTorch not installed", None,
                      "PyTorch is not installed (`pip install -e '.[bench]'`).")
    sizes_list = QUICK_B1_SIZES if ctx.quick else B1_SIZES
    rows = []
    for threads, count in THREADS.items():
        with _threads(count, torch):
            for dtype in (np.float32, np.float64):
                for sizes, n in sizes_list:
                    rows.append(_b1_row(sizes, n, dtype, torch, ctx.quick) | {"threads": threads})
    met = all(r["ratio"] <= 1.0 for r in rows)
    worst = max(rows, key=lambda r: r["ratio"])
    lines = ["| threads | MLP | batch | dtype | bpcourse.nn | PyTorch | ratio | same result |",
             "|---|---|---:|---|---:|---:|---:|---|"]
    for r in rows:
        lines.append(f"| {r['threads']} | {r['sizes']} | {r['n']} | {r['dtype']} | "
                     f"{_ms(r['ours'])} | {_ms(r['torch'])} | {r['ratio']:.2f}× | "
                     f"{'yes' if r['same_result'] else 'NO'} |")
    fig = _plot_b1(rows, ctx.out)
    section = ("One SGD step (forward, softmax cross-entropy, backward, update) of the same MLP "
               "on the same batch from the same weights. Ratio = bpcourse.nn's median time / "
               "PyTorch's, the median of the ratios of the two timed one right after the "
               "other, round by round (below 1: we are faster). 'Same result' compares the "
               "loss and the "
               "first layer's weights after one step. Run twice: with every core (each "
               "library's default) and with one thread each (numpy's BLAS and PyTorch), which "
               "compares the engines without their threading; on a machine shared with other "
               "programs the one-thread figures are the steadier.\n\n" + "\n".join(lines)
               + f"\n\n![B1]({fig})\n")
    return Result("B1", "training step vs PyTorch CPU eager", goal,
                  f"worst {worst['ratio']:.2f}× ({worst['sizes']}, {worst['dtype']}, "
                  f"{worst['threads']})", met, section, [fig], {"rows": rows})


def _b1_row(sizes, n, dtype, torch, quick):
    ours = OurStep(sizes, n, dtype)
    theirs = TorchStep(ours, torch)
    ours.step()
    theirs.step()
    tol = 2e-3 if dtype == np.float32 else 1e-9
    same = (abs(ours.last_loss - theirs.last_loss.item()) <= tol * max(1, ours.last_loss)
            and np.allclose(ours.model.layers[0].W.data, theirs.first_weight(),
                            rtol=tol, atol=tol))
    k = min(_inner_loops(ours.step), _inner_loops(theirs.step))
    t, ratio = _paired(_repeat(ours.step, k), _repeat(theirs.step, k), _repeats_for(sizes, quick))
    return {"sizes": _sizes_name(sizes), "n": n, "dtype": np.dtype(dtype).name,
            "ours": t[0] / k, "torch": t[1] / k, "ratio": ratio,
            "same_result": bool(same), "flops": _step_flops(sizes, n)}


def _paired(run_a, run_b, repeats):
    """Median times of a and b, and the median of their ratio round by round.

    a and b are timed one right after the other in each round (after one untimed call each),
    so the ratio of a round compares them under the same load; its median over the rounds
    is the figure least moved by other programs on the machine.
    """
    run_a()
    run_b()
    times_a, times_b = [], []
    for _ in range(repeats):
        for run, times in ((run_a, times_a), (run_b, times_b)):
            start = time.perf_counter()
            run()
            times.append(time.perf_counter() - start)
    ratios = [a / b for a, b in zip(times_a, times_b, strict=True)]
    return (statistics.median(times_a), statistics.median(times_b)), statistics.median(ratios)


def _step_flops(sizes, n):
    f = flops.mlp_flops(sizes, n)
    return f["forward"] + f["backward"] + f["update"]


def _ms(seconds):
    return f"{seconds * 1e3:.3f} ms" if seconds < 1 else f"{seconds:.2f} s"


def _plot_b1(rows, out: Path) -> str:
    import matplotlib.pyplot as plt

    sizes = list(dict.fromkeys(f"{r['sizes']}\nbatch {r['n']}" for r in rows))
    series = list(dict.fromkeys((r["dtype"], r["threads"]) for r in rows))
    width = 0.8 / len(series)
    fig, ax = plt.subplots(figsize=(9, 4))
    for i, (dtype, threads) in enumerate(series):
        ratios = [r["ratio"] for r in rows if (r["dtype"], r["threads"]) == (dtype, threads)]
        xs = [j + (i - (len(series) - 1) / 2) * width for j in range(len(ratios))]
        ax.bar(xs, ratios, width, label=f"{dtype}, {threads}", color=f"C{i}")
    ax.axhline(1.0, color="k", linewidth=1, linestyle="--")
    ax.set_xticks(range(len(sizes)), sizes, fontsize="small")
    ax.set_ylabel("time / PyTorch's time  (below 1: faster)")
    ax.set_title("B1: one training step, bpcourse.nn vs PyTorch CPU eager", fontsize="medium")
    ax.legend(frameon=False, fontsize="small", ncols=2)
    fig.tight_layout()
    name = "b1_training_step.png"
    fig.savefig(out / name, dpi=110)
    plt.close(fig)
    return name


def b2(ctx: Context) -> Result:
    goal = "≥ 85 % of the BLAS peak"
    sizes, n = ([64, 256, 256, 10], 128) if ctx.quick else B1_SIZES[-1]
    side = 256 if ctx.quick else 2048
    rows = []
    for threads, count in THREADS.items():
        with _threads(count):
            for dtype in (np.float32, np.float64):
                rows.append(_b2_row(sizes, n, side, dtype, ctx.quick) | {"threads": threads})
    met = all(r["fraction"] >= 0.85 for r in rows)
    lines = ["| threads | dtype | step | step GFLOP/s | matmul GFLOP/s (peak) | fraction |",
             "|---|---|---:|---:|---:|---:|"]
    for r in rows:
        lines.append(f"| {r['threads']} | {r['dtype']} | {_ms(r['step'])} | "
                     f"{r['achieved'] / 1e9:.1f} | "
                     f"{r['peak'] / 1e9:.1f} | {r['fraction']:.0%} |")
    section = (f"The {_sizes_name(sizes)} MLP at batch {n}: the exact FLOPs of a training step "
               f"(`bpcourse.flops.mlp_flops`: forward, backward, update = "
               f"{_step_flops(sizes, n) / 1e9:.2f} GFLOP) per second, against a plain "
               f"{side}×{side} matmul of the same dtype, the two timed one right after the "
               "other round by round (fraction: median over the rounds).\n\n"
               + "\n".join(lines) + "\n")
    worst = min(rows, key=lambda r: r["fraction"])
    return Result("B2", "largest MLP vs BLAS peak", goal,
                  f"{worst['fraction']:.0%} at worst ("
                  + ", ".join(f"{r['dtype']} {r['threads']} {r['fraction']:.0%}" for r in rows)
                  + ")", met, section, data={"rows": rows})


def _b2_row(sizes, n, side, dtype, quick):
    ours = OurStep(sizes, n, dtype)
    rng = np.random.default_rng(0)
    a = rng.standard_normal((side, side)).astype(dtype)
    b = rng.standard_normal((side, side)).astype(dtype)
    (t_step, t_matmul), ratio = _paired(ours.step, lambda: a @ b, 3 if quick else 9)
    step_flops, matmul_flops = _step_flops(sizes, n), 2 * side**3
    return {"dtype": np.dtype(dtype).name, "step": t_step, "achieved": step_flops / t_step,
            "peak": matmul_flops / t_matmul, "fraction": step_flops / matmul_flops / ratio}


def b3(ctx: Context) -> Result:
    goal = "measured backward/forward within 15 % of the FLOP counter's"
    sizes_list = QUICK_B1_SIZES if ctx.quick else B1_SIZES
    rows = []
    limit, threads = _one_blas_thread()
    with limit:
        for dtype in (np.float32, np.float64):
            for sizes, n in sizes_list:
                rows.append(_b3_row(sizes, n, dtype, ctx.quick))
    ok = [abs(r["off"]) <= 0.15 for r in rows]
    lines = ["| MLP | batch | dtype | forward | backward | measured ratio | predicted | off by |",
             "|---|---:|---|---:|---:|---:|---:|---:|"]
    for r in rows:
        lines.append(f"| {r['sizes']} | {r['n']} | {r['dtype']} | {_ms(r['forward'])} | "
                     f"{_ms(r['backward'])} | {r['measured']:.2f} | {r['predicted']:.2f} | "
                     f"{r['off']:+.0%} |")
    section = ("Forward = the layers and the loss; backward = the layers' backward pass (the "
               "first layer skips dx). Predicted = `mlp_flops(...)['backward'] / ['forward']`: "
               "below the textbook 2 because the first layer's dx is not needed. BLAS threads: "
               f"{threads} (see `_one_blas_thread` in cases.py: the ratio is about arithmetic, "
               "not about threads meeting on a shared machine).\n\n"
               + "\n".join(lines) + "\n")
    return Result("B3", "backward/forward ratio vs FLOP prediction", goal,
                  f"within 15 % at {sum(ok)} of {len(rows)} sizes", all(ok), section,
                  data={"rows": rows})


def _b3_row(sizes, n, dtype, quick):
    ours = OurStep(sizes, n, dtype)
    ours.forward()
    k = _inner_loops(ours.forward, 0.01)
    (t_backward, t_forward), measured = _paired(_repeat(ours.backward, k),
                                                _repeat(ours.forward, k),
                                                _repeats_for(sizes, quick))
    f = flops.mlp_flops(sizes, n)
    predicted = f["backward"] / f["forward"]
    return {"sizes": _sizes_name(sizes), "n": n, "dtype": np.dtype(dtype).name,
            "forward": t_forward / k, "backward": t_backward / k,
            "measured": measured, "predicted": predicted, "off": measured / predicted - 1}


def b4(ctx: Context) -> Result:
    goal = "measured speedup within 2× of 2P/3 for P from 10² to 10⁵"
    import matplotlib.pyplot as plt

    from bpcourse.plots import plot_backward_ratio, plot_cost

    sizes = cost.default_sizes(3000 if ctx.quick else 120_000)
    limit, threads = _one_blas_thread()
    with limit:
        rows = cost.sweep(sizes, 64, repeats=3 if ctx.quick else 5,
                          numeric_sample=50 if ctx.quick else 200, progress=not ctx.quick)
    cost.write_csv(rows, ctx.out / "b4_cost.csv")
    fig, (ax1, ax2, ax3) = plt.subplots(1, 3, figsize=(15, 4.4))
    plot_cost(rows, ax=ax1)
    p = np.array([r["params"] for r in rows], dtype=float)
    ax2.loglog(p, [r["speedup"] for r in rows], "o", label="measured t_numeric / t_backprop")
    ax2.loglog(p, 2 * p / 3, "k-", linewidth=1, label="theory 2P/3")
    ax2.fill_between(p, p / 3, 4 * p / 3, color="0.9", label="within 2×")
    ax2.set_xlabel("parameters P")
    ax2.set_ylabel("speedup of backprop")
    ax2.legend(frameon=False, fontsize="small")
    plot_backward_ratio(rows, ax=ax3)
    fig.tight_layout()
    name = "b4_cost.png"
    fig.savefig(ctx.out / name, dpi=110)
    plt.close(fig)
    factors = [r["speedup"] / (2 * r["params"] / 3) for r in rows]
    ok = [0.5 <= f <= 2 for f in factors]
    lines = ["| MLP | P | backprop | numeric (all P) | measured speedup | 2P/3 "
             "| measured / theory |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for r, f in zip(rows, factors, strict=True):
        star = " (extrapolated)" if r["numeric_extrapolated"] else ""
        lines.append(f"| {r['layer_sizes']} | {r['params']:,} | {_ms(r['t_backprop'])} | "
                     f"{_ms(r['t_numeric'])}{star} | {r['speedup']:,.0f} | "
                     f"{2 * r['params'] / 3:,.0f} | {f:.2f} |")
    section = ("`bpcourse.cost.sweep(default_sizes(), n=64, repeats=5, numeric_sample=200)`; the "
               "numeric gradient is timed on 200 random parameters and extrapolated where P is "
               f"larger (hollow squares). BLAS threads: {threads}. Table: `b4_cost.csv`."
               "\n\n" + "\n".join(lines)
               + f"\n\n![B4]({name})\n")
    lo, hi = min(factors), max(factors)
    return Result("B4", "numeric vs backprop speedup vs 2P/3", goal,
                  f"measured/theory from {lo:.2f} to {hi:.2f} ({sum(ok)} of {len(rows)} within 2×)",
                  all(ok), section, [name], {"rows": rows})


# ----- B5: the Value engine against micrograd -----

def _value_mlp(V, n_in, width, layers, batch, seed=0):
    """A scalar MLP's loss built from Values: +, * and relu, the ops both engines have."""
    rnd = random.Random(seed)
    weights, d = [], n_in
    for _ in range(layers):
        weights.append([([V(rnd.uniform(-1, 1)) for _ in range(d)], V(0.0))
                        for _ in range(width)])
        d = width
    loss = V(0.0)
    for _ in range(batch):
        h = [rnd.uniform(-1, 1) for _ in range(n_in)]
        for depth, layer in enumerate(weights):
            out = []
            for w, bias in layer:
                acc = bias
                for wi, xi in zip(w, h, strict=True):
                    acc = acc + wi * xi
                out.append(acc.relu() if depth < layers - 1 else acc)
            h = out
        for v in h:
            loss = loss + v * v
    return loss, weights[0][0][0][0]


def _chain(V, depth):
    """y = x · c · c · ... (depth multiplications): the deepest graph there is."""
    x = V(1.0)
    y = x
    for _ in range(depth):
        y = y * 1.000001
    return y, x


def _fan_in(V, width):
    """One x used `width` times (x·c_i), the terms summed pairwise: every use adds into x.grad,
    and the graph is only log2(width) deep, so micrograd's recursion copes."""
    x = V(0.5)
    terms = [x * (1.0 + i / width) for i in range(width)]
    while len(terms) > 1:
        terms = [terms[i] + terms[i + 1] if i + 1 < len(terms) else terms[i]
                 for i in range(0, len(terms), 2)]
    return terms[0], x


def _time_engines(engines, build, repeats):
    """Median build and backward times of each engine, timed in turn round after round; the
    gradient of the input each engine found."""
    times = {name: {"build": [], "backward": []} for name in engines}
    grads = {}
    for _ in range(repeats):
        for name, V in engines.items():
            gc.collect()
            start = time.perf_counter()
            out, x = build(V)
            built = time.perf_counter()
            out.backward()
            done = time.perf_counter()
            times[name]["build"].append(built - start)
            times[name]["backward"].append(done - built)
            grads[name] = x.grad
            del out, x
    med = {name: {k: statistics.median(v) for k, v in t.items()} for name, t in times.items()}
    for m in med.values():
        m["total"] = m["build"] + m["backward"]
    same = abs(grads["bpcourse"] - grads["micrograd"]) <= 1e-9 * max(1, abs(grads["micrograd"]))
    return med, same


def b5(ctx: Context) -> Result:
    from bpcourse.autograd import Value

    goal = "never slower than micrograd (chain, wide fan-in, MLP graph); a 10⁶-deep chain works"
    if importlib.util.find_spec("micrograd") is None:
        return Result("B5", "Value engine vs micrograd", goal, "micrograd not installed", None,
                      "micrograd is not installed (`pip install -e '.[bench]'`).")
    from micrograd.engine import Value as MicroValue

    engines = {"bpcourse": Value, "micrograd": MicroValue}
    n = 10_000 if ctx.quick else 100_000
    mlp = (16, 16, 3, 2) if ctx.quick else (64, 64, 3, 4)
    shapes = {  # name: (description, build)
        "chain": (f"a chain `y = y * 1.000001`, {n:,} multiplications deep",
                  lambda V: _chain(V, n)),
        "fan-in": (f"one x used {n:,} times (`x * c_i`), summed pairwise",
                   lambda V: _fan_in(V, n)),
        "MLP": (f"a scalar MLP {mlp[0]}-{mlp[1]}×{mlp[2]} on {mlp[3]} examples (`+`, `*`, "
                "`relu`)", lambda V: _value_mlp(V, *mlp)),
    }
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 4 * n))  # micrograd's recursive sort, on the chain
    try:
        measured = {name: _time_engines(engines, build, 3 if ctx.quick else 5)
                    for name, (_, build) in shapes.items()}
    finally:
        sys.setrecursionlimit(limit)
    ratios = {name: m["micrograd"]["total"] / m["bpcourse"]["total"]
              for name, (m, _) in measured.items()}

    depth = 10_000 if ctx.quick else 1_000_000
    gc.collect()
    start = time.perf_counter()
    y, x = _chain(Value, depth)
    built = time.perf_counter()
    y.backward()
    done = time.perf_counter()
    chain_ok = abs(x.grad - 1.000001**depth) <= 1e-6 * 1.000001**depth
    ours_chain = (built - start, done - built)
    del x, y
    gc.collect()
    micro_max = _micrograd_max_depth(MicroValue)

    rows = "".join(
        f"| {name} | {engine} | {_ms(t['build'])} | {_ms(t['backward'])} | {_ms(t['total'])} "
        f"| {'yes' if same else 'NO'} |\n"
        for name, (m, same) in measured.items() for engine, t in m.items())
    section = ("Three shapes, the same code for both engines, timed in turn (medians):\n\n"
               + "".join(f"- **{name}**: {desc}\n" for name, (desc, _) in shapes.items())
               + "\n| shape | engine | build | backward | total | same gradient |\n"
               "|---|---|---:|---:|---:|---|\n" + rows + "\n"
               + "micrograd's time / bpcourse's: "
               + ", ".join(f"{name} **{r:.2f}×**" for name, r in ratios.items())
               + f" (micrograd ran the chain with the recursion limit raised to {4 * n:,}).\n\n"
               f"A chain {depth:,} deep ({2 * depth:,} nodes): bpcourse builds it in "
               f"{_ms(ours_chain[0])} and backpropagates in {_ms(ours_chain[1])} "
               f"(dy/dx = 1.000001^{depth:,}: {'right' if chain_ok else 'WRONG'}); micrograd, at "
               f"Python's default recursion limit, stops at depth {micro_max}.\n")
    worst = min(ratios.values())
    return Result("B5", "Value engine vs micrograd", goal,
                  ", ".join(f"{name} {r:.2f}×" for name, r in ratios.items())
                  + f"; {depth:,}-deep chain: {_ms(sum(ours_chain))} "
                  f"({'right' if chain_ok else 'WRONG'}), micrograd stops at {micro_max}",
                  worst >= 1.0 and chain_ok and all(same for _, same in measured.values()),
                  section, data={"median": {k: m for k, (m, _) in measured.items()},
                                 "ratios": ratios, "chain": ours_chain})


def _micrograd_max_depth(MicroValue) -> int:
    lo, hi = 1, 5000
    while hi - lo > 1:
        mid = (lo + hi) // 2
        y, _ = _chain(MicroValue, mid)
        try:
            y.backward()
            lo = mid
        except RecursionError:
            hi = mid
    return lo


# ----- B6 / B7: the notebooks -----

def _solution_notebooks(edition: str | None = None):
    """solutions/NN_topic/NN_topic.ipynb, of one edition ("en", "zh") or of both (None)."""
    from bpcourse.tools.course import assignments

    return [ROOT / "solutions" / name / f"{name}.ipynb"
            for name in assignments(ROOT, "solutions", edition)]


def _jupyter_env(tmp: Path) -> dict:
    env = dict(os.environ)
    for var in ("JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR", "IPYTHONDIR",
                "MPLCONFIGDIR"):
        (tmp / var.lower()).mkdir(exist_ok=True)
        env[var] = str(tmp / var.lower())
    return env


def b6(ctx: Context) -> Result:
    goal = "≤ 60 s for each edition"
    notebooks = _solution_notebooks()
    if not notebooks or importlib.util.find_spec("nbclient") is None:
        return Result("B6", "solutions series executed", goal, "not available", None,
                      "No solutions/*/*.ipynb (or nbclient missing): not available.\n")
    import nbclient
    import nbformat

    rows = []
    saved = dict(os.environ)
    with tempfile.TemporaryDirectory() as tmp:
        os.environ.update(_jupyter_env(Path(tmp)))  # the kernels inherit it
        try:
            for nb_path in notebooks:
                nb = nbformat.read(nb_path, as_version=4)
                client = nbclient.NotebookClient(
                    nb, timeout=600, kernel_name="python3",
                    resources={"metadata": {"path": str(nb_path.parent)}})
                start = time.perf_counter()
                error = []
                try:
                    client.execute()
                except Exception as err:  # noqa: BLE001  (reported in the table)
                    error = [f"{type(err).__name__}: {str(err).strip().splitlines()[-1:]}"]
                rows.append({"notebook": nb_path.parent.name,
                             "seconds": time.perf_counter() - start, "ok": not error,
                             "error": error})
        finally:
            os.environ.clear()
            os.environ.update(saved)
    from bpcourse.tools.course import edition_of

    all_ok = all(r["ok"] for r in rows)
    totals: dict[str, float] = {}
    lines = ["| notebook | seconds | ran without error |", "|---|---:|---|"]
    for r in rows:
        err = f" ({r['error'][0][:80]})" if r["error"] else ""
        lines.append(f"| {r['notebook']} | {r['seconds']:.1f} | "
                     f"{'yes' if r['ok'] else 'NO' + err} |")
        edition = edition_of(r["notebook"])
        totals[edition] = totals.get(edition, 0.0) + r["seconds"]
    for edition, total in totals.items():
        lines.append(f"| **total, {edition} edition** | **{total:.1f}** | |")
    section = ("Every solutions/*/*.ipynb executed top to bottom with nbclient (a fresh kernel "
               "each, kernel start-up included), as `make release` and the notebook tests "
               "do; the goal holds for each edition's series.\n\n" + "\n".join(lines) + "\n")
    measured = ", ".join(f"{edition} {total:.1f} s" for edition, total in totals.items())
    return Result("B6", "solutions series executed", goal,
                  f"{measured} ({len(rows)} notebooks)" + ("" if all_ok else " (some failed)"),
                  max(totals.values()) <= 60 and all_ok, section,
                  data={"rows": rows, "totals": totals})


def b7(ctx: Context) -> Result:
    goal = "(time: no goal) every reference notebook graded, full marks"
    notebooks = _solution_notebooks("en")  # one student's series: one edition
    if importlib.util.find_spec("bpcourse.tools.autograde") is None or not notebooks:
        return Result("B7", "autograding one student's series", goal, "not available", None,
                      "bpcourse.tools.autograde or solutions/ not present: not available.\n")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        env = _jupyter_env(Path(tmp))
        for nb in notebooks:
            copy = Path(tmp) / "student" / nb.parent.name / nb.name
            copy.parent.mkdir(parents=True)
            shutil.copy(nb, copy)
            start = time.perf_counter()
            proc = subprocess.run([sys.executable, "-m", "bpcourse", "grade", str(copy),
                                   "--json"], env=env, capture_output=True, text=True,
                                  timeout=1800, cwd=ROOT)
            seconds = time.perf_counter() - start
            score, full_marks = _score(proc.stdout)
            rows.append({"notebook": nb.parent.name, "seconds": seconds,
                         "code": proc.returncode, "score": score, "full": full_marks})
    total = sum(r["seconds"] for r in rows)
    lines = ["| notebook | seconds | exit code | score |", "|---|---:|---:|---|"]
    for r in rows:
        lines.append(f"| {r['notebook']} | {r['seconds']:.1f} | {r['code']} | {r['score']} |")
    lines.append(f"| **total** | **{total:.1f}** | | |")
    section = ("`python -m bpcourse grade COPY --json` on a copy of each solution notebook (a "
               "student who hands in the reference answers should get full marks).\n\n"
               + "\n".join(lines) + "\n")
    full = all(r["code"] == 0 and r["full"] for r in rows)
    return Result("B7", "autograding one student's full series", goal,
                  f"{total:.1f} s for {len(rows)} notebooks"
                  + (", all full marks" if full else " (some not graded or not full marks)"),
                  full, section, data={"rows": rows})


def _score(stdout: str) -> tuple[str, bool]:
    """(score text, full marks?) from `bpcourse grade --json` output."""
    try:
        data = json.loads(stdout)
    except ValueError:
        return "? (no JSON)", False
    score, total = data.get("score"), data.get("max_score")
    if score is None:
        return f"NOT GRADED ({data.get('reason') or '?'})", False
    return f"{score:g} / {total:g}", score == total


# ---------------------------------------------------------------------------------------------
# B8-B10: grading as fast as the notebooks run (all against the same execution floor)

GRADE_NOTEBOOKS = ("04_layers",)
QUICK_GRADE_NOTEBOOKS = ("01_numerical_gradients",)
PARALLEL_STUDENTS = 20


def _execute_seconds(nb_path: Path, sandboxed: bool = False) -> float:
    """The execution floor: the notebook run top to bottom by nbclient, fresh kernel included,
    with NBGRADER_EXECUTION=autograde as grading sets it (the notebooks shorten their demos
    then: without it the floor would pay for demos that grading skips). sandboxed: the kernel
    started in the grading sandbox, by the kernel manager autograde uses
    (``SandboxedKernelManager``), so the floor pays the sandbox's start as grading does."""
    import nbclient
    import nbformat

    nb = nbformat.read(nb_path, as_version=4)
    extra = {}
    if sandboxed:
        from bpcourse.tools.sandbox_kernel import SandboxedKernelManager
        extra["kernel_manager_class"] = SandboxedKernelManager
    client = nbclient.NotebookClient(nb, timeout=600, kernel_name="python3",
                                     resources={"metadata": {"path": str(nb_path.parent)}},
                                     **extra)
    saved = os.environ.get("NBGRADER_EXECUTION")
    os.environ["NBGRADER_EXECUTION"] = "autograde"
    try:
        start = time.perf_counter()
        client.execute()
        return time.perf_counter() - start
    finally:
        if saved is None:
            os.environ.pop("NBGRADER_EXECUTION")
        else:
            os.environ["NBGRADER_EXECUTION"] = saved


def _grade_seconds(nb_path: Path, env: dict, cwd: Path) -> tuple[float, bool]:
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "bpcourse", "grade", str(nb_path), "--json"],
                          env=env, capture_output=True, text=True, timeout=1800, cwd=cwd)
    return time.perf_counter() - start, _score(proc.stdout)[1]


def _grading_available() -> bool:
    return (importlib.util.find_spec("bpcourse.tools.autograde") is not None
            and importlib.util.find_spec("nbclient") is not None
            and all((ROOT / "solutions" / n).is_dir() for n in GRADE_NOTEBOOKS))


def b8(ctx: Context) -> Result:
    goal = "`bpcourse grade` ≤ 1.5× the notebook's execution time"
    if not _grading_available():
        return Result("B8", "self-study grade latency", goal, "not available", None,
                      "bpcourse.tools or solutions/ not present: not available.\n")
    rows = []
    repeats = 1 if ctx.quick else 5  # the floor of one round moves by seconds on a busy machine
    with tempfile.TemporaryDirectory() as tmp:
        env = _jupyter_env(Path(tmp))
        env.pop("BPCOURSE_DB_URL", None)
        saved = dict(os.environ)
        os.environ.update(env)
        try:
            for name in (QUICK_GRADE_NOTEBOOKS if ctx.quick else GRADE_NOTEBOOKS):
                nb = ROOT / "solutions" / name / f"{name}.ipynb"
                copy = Path(tmp) / "student" / name / f"{name}.ipynb"
                copy.parent.mkdir(parents=True)
                shutil.copy(nb, copy)
                warm = dict(env, BPCOURSE_CACHE_DIR=str(Path(tmp) / "cache"))
                _grade_seconds(copy, warm, Path(tmp))  # makes the prepared course once
                floor, new, old, kernel, ok = [], [], [], [], True
                for k in range(repeats):  # in turn, round after round
                    floor.append(_execute_seconds(nb))
                    seconds, full = _grade_seconds(copy, warm, Path(tmp))
                    new.append(seconds)
                    # the tests run in the kernel, as before the judge (BPCOURSE_JUDGE=0)
                    seconds, full_kernel = _grade_seconds(copy, dict(warm, BPCOURSE_JUDGE="0"),
                                                          Path(tmp))
                    kernel.append(seconds)
                    cold = dict(env, BPCOURSE_CACHE_DIR=str(Path(tmp) / f"cold-{k}"))
                    seconds, full_cold = _grade_seconds(copy, cold, Path(tmp))
                    old.append(seconds)
                    ok = ok and full and full_cold and full_kernel
                rows.append({"notebook": name, "floor": statistics.median(floor),
                             "grade": statistics.median(new), "rebuild": statistics.median(old),
                             "in_kernel": statistics.median(kernel), "full_marks": ok})
        finally:
            os.environ.clear()
            os.environ.update(saved)
    worst = max(r["grade"] / r["floor"] for r in rows)
    lines = ["| notebook | execution floor (nbclient) | `grade` (prepared course reused) | "
             "ratio | tests in the kernel (before the judge) | ratio | `grade` rebuilding the "
             "course | ratio |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        lines.append(f"| {r['notebook']} | {r['floor']:.1f} s | {r['grade']:.1f} s | "
                     f"{r['grade'] / r['floor']:.2f}× | {r['in_kernel']:.1f} s | "
                     f"{r['in_kernel'] / r['floor']:.2f}× | {r['rebuild']:.1f} s | "
                     f"{r['rebuild'] / r['floor']:.2f}× |")
    section = ("`python -m bpcourse grade COPY --json` on a copy of the solution (full marks "
               f"checked), medians of {repeats} rounds that time the floor, the cached path "
               "(the tests judged in the grader, `bpcourse.judge`), the same with the tests run "
               "in the kernel as before the judge (`BPCOURSE_JUDGE=0`) and the rebuilding path "
               "in turn.\n\n" + "\n".join(lines) + "\n\n"
               "How `grade` gets there: the kernel starts first and gets ready while the "
               "grader imports nbgrader; nbgrader's autograde runs in the process, on a "
               "course and gradebook prepared once per release; the kernel counts as ready "
               "when it has answered (not after 0.2 s of silence), stops at once after the "
               "last cell, and the process exits without tearing the interpreter down. The "
               "floor, nbclient as it comes, pays for its kernel's start and polite "
               "shutdown.\n")
    return Result("B8", "self-study grade latency", goal, f"{worst:.2f}× the execution floor",
                  worst <= 1.5 and all(r["full_marks"] for r in rows), section,
                  data={"rows": rows})


def _graded_course(tmp: Path, name: str, students: int) -> Path:
    from bpcourse.tools.autograde import make_course
    from bpcourse.tools.nbgrader_run import run_nbgrader

    course = make_course(tmp / "course", [name])
    proc = run_nbgrader(["generate_assignment", name, "--force"], course)
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr[-2000:])
    for i in range(students):
        target = course / "submitted" / f"s{i:03d}" / name / f"{name}.ipynb"
        target.parent.mkdir(parents=True)
        shutil.copy(ROOT / "solutions" / name / f"{name}.ipynb", target)
    return course


def _autograde_rounds(ctx: Context) -> dict:
    """Sequential autograde and --workers 2 of the same submissions, with the execution floor
    of that notebook, timed in one run (shared by B9 and B10)."""
    if "grading" in ctx.shared:
        return ctx.shared["grading"]
    from bpcourse.tools.autograde import autograde
    from bpcourse.tools.job import sandbox_launch
    from bpcourse.tools.parallel import autograde_parallel
    from bpcourse.tools.sandbox import unavailable_reason

    name = (QUICK_GRADE_NOTEBOOKS if ctx.quick else GRADE_NOTEBOOKS)[0]
    # 20: the class of the "Done when"; on 8 the cluster's start weighed a third of the
    # parallel run. The start is still included in the parallel time.
    students = 2 if ctx.quick else PARALLEL_STUDENTS
    with tempfile.TemporaryDirectory() as tmp:
        env = _jupyter_env(Path(tmp))
        env.pop("BPCOURSE_DB_URL", None)
        saved = dict(os.environ)
        os.environ.clear()
        os.environ.update(env)
        try:
            # both sides sandboxed where the sandbox exists, as the two commands' default; the
            # floor too: the same notebook executed by nbclient in the same sandbox
            sandboxed = unavailable_reason() is None
            nb = ROOT / "solutions" / name / f"{name}.ipynb"
            plain = statistics.median(_execute_seconds(nb) for _ in range(3))
            seq_course = _graded_course(Path(tmp) / "seq", name, students)
            par_course = _graded_course(Path(tmp) / "par", name, students)
            # In the order sequential, parallel, parallel, sequential (each run after the first
            # regrades with force), so that a machine speeding up or slowing down during the
            # run weighs on both sides alike; the floor is timed next to each sequential run.
            floors, seq_times, par_times, kernel_times = [], [], [], []
            for side in ("seq", "kernel", "par", "par", "kernel", "seq"):
                if side == "seq":
                    floors += [_execute_seconds(nb, sandboxed) for _ in range(3)]
                    start = time.perf_counter()
                    seq, _ = autograde(seq_course, name)
                    seq_times.append(time.perf_counter() - start)
                elif side == "kernel":  # the tests in the kernel, as before the judge
                    os.environ["BPCOURSE_JUDGE"] = "0"
                    try:
                        start = time.perf_counter()
                        in_kernel, _ = autograde(seq_course, name)
                        kernel_times.append(time.perf_counter() - start)
                    finally:
                        os.environ.pop("BPCOURSE_JUDGE")
                else:
                    start = time.perf_counter()
                    par = autograde_parallel(par_course, name, workers=2, progress=False,
                                             force=bool(par_times),
                                             kernel=sandbox_launch() if sandboxed else None)
                    par_times.append(time.perf_counter() - start)
            floor = statistics.median(floors)
            sequential, parallel = statistics.mean(seq_times), statistics.mean(par_times)
            per_job = 1  # the default: each submission its own job
        finally:
            os.environ.clear()
            os.environ.update(saved)
    data = {"notebook": name, "students": students, "floor": floor, "floor_unsandboxed": plain,
            "sequential": sequential,
            "parallel": parallel, "cpus": os.cpu_count(), "sandboxed": sandboxed,
            "sequential_runs": seq_times, "parallel_runs": par_times,
            "in_kernel": statistics.mean(kernel_times), "in_kernel_runs": kernel_times,
            "per_job": per_job,
            "all_full": all(o.graded and o.score == o.max_score
                            for o in seq + par + in_kernel)}
    ctx.shared["grading"] = data
    return data


def b9(ctx: Context) -> Result:
    goal = "`autograde` ≤ 15 % beyond execution per notebook"
    if not _grading_available():
        return Result("B9", "autograde overhead per notebook", goal, "not available", None,
                      "bpcourse.tools or solutions/ not present: not available.\n")
    d = _autograde_rounds(ctx)
    per = d["sequential"] / d["students"]
    over = per / d["floor"] - 1
    kernel = d["in_kernel"] / d["students"]
    box = "sandboxed" if d["sandboxed"] else "not sandboxed"
    section = (f"`bpcourse autograde {d['notebook']}` (nbgrader's autograde in process, once "
               f"for all; kernels {box}) on {d['students']} copies of the solution, against the "
               f"same notebook executed by nbclient with its kernel {box} as grading starts it "
               f"(median of 6, 3 timed next to each of the two sequential runs of B10; the same "
               f"without the sandbox: {d['floor_unsandboxed']:.1f} s). "
               "Each graded kernel counts as ready when it has answered (not after 0.2 s of "
               "silence) and stops at once after the last cell; the floor, nbclient as it "
               "comes, waits out both."
               " The tests are judged in the grader (`bpcourse.judge`); beside it, the same "
               "autograde with the tests run in the kernel as before the judge "
               "(`BPCOURSE_JUDGE=0`), timed in turn with it."
               f"\n\n| execution floor | autograde per notebook | overhead | tests in the kernel "
               f"(before) | overhead |\n|---:|---:|---:|---:|---:|"
               f"\n| {d['floor']:.1f} s | {per:.1f} s | {over:+.0%} | {kernel:.1f} s | "
               f"{kernel / d['floor'] - 1:+.0%} |\n")
    return Result("B9", "autograde overhead per notebook", goal, f"{over:+.0%} per notebook",
                  over <= 0.15 and d["all_full"], section, data=d)


def b10(ctx: Context) -> Result:
    goal = "`--workers 2` ≥ 1.7× the sequential throughput on 2 cores"
    if not _grading_available() or importlib.util.find_spec("distributed") is None:
        return Result("B10", "parallel autograde speed-up", goal, "not available", None,
                      "Dask (the [scale] extra) or solutions/ not present: not available.\n")
    d = _autograde_rounds(ctx)
    speedup = d["sequential"] / d["parallel"]
    section = (f"The same {d['students']} submissions of {d['notebook']}: sequential "
               f"`autograde` against `autograde --workers 2` (a local Dask cluster of 2 "
               f"processes, its start-up included; {d.get('per_job', 1)} submission per job; "
               "timed in the order sequential, parallel, parallel, sequential, each side the "
               "mean of its two runs; "
               f"kernels "
               f"{'sandboxed' if d.get('sandboxed') else 'not sandboxed'} on both sides), on "
               f"{d['cpus']} CPUs.\n\n| sequential | "
               f"--workers 2 | speed-up |\n|---:|---:|---:|\n| {d['sequential']:.1f} s | "
               f"{d['parallel']:.1f} s | {speedup:.2f}× |\n")
    return Result("B10", "parallel autograde speed-up", goal, f"{speedup:.2f}×",
                  speedup >= 1.7 and d["all_full"], section, data=d)


BENCHMARKS = {"B1": b1, "B2": b2, "B3": b3, "B4": b4, "B5": b5, "B6": b6, "B7": b7,
              "B8": b8, "B9": b9, "B10": b10}
