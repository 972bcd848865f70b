"""The cost of backprop, measured: numeric gradients against backprop on MLPs of growing size.

For each MLP (``layer_sizes`` as in ``bpcourse.flops``: Linear layers with ReLU between them
and a softmax cross-entropy loss) and a batch of n examples, ``measure`` times

    forward     the forward pass and the loss;
    backward    the backward pass alone (after a forward);
    backprop    all P gradients: zero_grad, forward, loss, backward;
    numeric     all P gradients by central differences, 2P forward passes.

Every time is a median over ``repeats`` rounds, each round timing every run once in turn.
The numeric gradient's time is P × the median time of one parameter (its two forward passes).
For a large P timing all of them would take too long, so a random sample of k parameters is
timed and the result extrapolated: every parameter costs the same two forward passes, so P
cost P/k times as much as k (the row says whether it was). ``sweep`` measures
a list of MLPs (with a tqdm progress bar), ``write_csv`` saves the rows, and
``bpcourse.plots.plot_cost`` draws them beside the FLOP predictions of ``bpcourse.flops``.

**FLOPs are not time.** The count says backward/forward ≈ 2 (1.9 without the first layer's
dx); a stopwatch can say 2.7. ``matmul_rates`` times each matrix product of both passes, on
its own and inside a replay of the passes (``replay_step``), and gives its rate in GFLOP/s;
``where_time_goes`` sets the products' time beside the measured passes. On a small machine
the gap has two causes: BLAS splitting a product across threads, which pays off for
``x @ W`` but not for backward's skinny ``x.T @ dout`` (inner dimension n, the batch) on a
busy machine, and the fixed cost of Python and numpy per operation (bias, ReLU, the input
checks), which the count leaves out. ``measure`` and the
command therefore time with one BLAS thread by default (``blas_threads``; it needs
threadpoolctl, and every row records what was used): then every product runs at about the
same rate, which is what a FLOP count assumes. Copying ``x.T`` into a contiguous array was
tried and changes nothing measurable: BLAS reads the transposed view directly.

From the command line: ``python -m bpcourse cost --out cost.png`` (see ``--help``).
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from . import flops, layers, nn
from .i18n import _, rjust

__all__ = ["build_mlp", "make_batch", "loss_value", "backprop_gradient", "flat_parameter",
           "numeric_gradient_sampled", "extrapolate", "measure", "sweep", "default_sizes",
           "write_csv", "read_csv", "format_table", "median_times", "cli", "COLUMNS",
           "blas_threads", "matmul_products", "matmul_rates", "replay_step",
           "where_time_goes", "format_rates"]

#: The columns of a row from ``measure`` (and of the CSV), in order.
COLUMNS = (
    "layer_sizes", "n", "dtype", "params",
    "flops_forward", "flops_backward", "flops_numeric",          # the model: 2nP, 4nP, 2P·2nP
    "exact_forward", "exact_backward", "exact_numeric",          # bpcourse.flops.mlp_flops
    "t_forward", "t_backward", "t_backprop",                     # seconds, medians
    "t_numeric", "numeric_sampled", "numeric_extrapolated",      # t_numeric for all P params
    "t_numeric_parameter",                                       # one parameter: 2 forwards
    "ratio_backward_forward", "ratio_backward_forward_predicted",
    "speedup", "speedup_predicted", "blas_threads",
)


def build_mlp(layer_sizes: Sequence[int], *, seed: int = 0, dtype=np.float64) -> nn.Sequential:
    """Linear layers with a ReLU between each two; the first skips dx (no gradient for data).

    Args:
        layer_sizes: [m0, m1, ..., mL].
        seed: seeds every layer's initial weights (layer l uses seed + l).
        dtype: np.float64 or np.float32.

    Returns:
        nn.Sequential mapping x (n, m0) to logits (n, mL).
    """
    sizes = flops._check_layer_sizes(layer_sizes)
    modules: list[nn.Module] = []
    for layer, (d, m) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
        modules.append(nn.Linear(d, m, seed=seed + layer, dtype=dtype, input_grad=layer > 0))
        if layer < len(sizes) - 2:
            modules.append(nn.ReLU())
    return nn.Sequential(*modules)


def make_batch(layer_sizes: Sequence[int], n: int, *, seed: int = 0, dtype=np.float64):
    """A random batch for the MLP: x (n, m0) standard normal, y (n,) int labels in [0, mL)."""
    sizes, n = flops._check_layer_sizes(layer_sizes), flops._check_n(n)
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, sizes[0])).astype(dtype), rng.integers(0, sizes[-1], n)


def loss_value(model: nn.Module, x: np.ndarray, y: np.ndarray) -> float:
    """One forward pass and the mean softmax cross-entropy: what a numeric gradient evaluates."""
    return layers.softmax_cross_entropy(model.forward(x), y)[0]


def backprop_gradient(model: nn.Module, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """All P gradients by backprop, flattened in the order of ``model.params``: shape (P,)."""
    model.zero_grad()
    _, dlogits = layers.softmax_cross_entropy(model.forward(x), y)
    model.backward(dlogits)
    return np.concatenate([p.grad.ravel() for p in model.params])


def flat_parameter(model: nn.Module, index: int):
    """The parameter holding flat index ``index`` (in ``model.params`` order) and its index.

    Returns:
        (param, offset): param.data.flat[offset] is the index-th number of the model.
    """
    for p in model.params:
        if index < p.data.size:
            return p, index
        index -= p.data.size
    raise IndexError(_("index is past the last parameter of the model."))


def numeric_gradient_sampled(model: nn.Module, x: np.ndarray, y: np.ndarray,
                             indices: Sequence[int], h: float = 1e-5) -> np.ndarray:
    """Central differences for the parameters at the given flat indices: 2 forward passes each.

    Each parameter is perturbed in place to θ ± h and restored (also if the loss raises).

    Args:
        model: the network; its parameters are left unchanged.
        x: (n, m0) inputs; y: (n,) labels.
        indices: k flat indices into the parameters, in ``model.params`` order.
        h: step size.

    Returns:
        (k,) float64 array, the estimates of dL/dθ at those indices.
    """
    grad = np.empty(len(indices), dtype=np.float64)
    for j, index in enumerate(indices):
        p, offset = flat_parameter(model, int(index))
        original = p.data.flat[offset]
        try:
            p.data.flat[offset] = original + h
            plus = loss_value(model, x, y)
            p.data.flat[offset] = original - h
            minus = loss_value(model, x, y)
        finally:
            p.data.flat[offset] = original
        grad[j] = (plus - minus) / (2 * h)
    return grad


def extrapolate(t_sample: float, sampled: int, params: int) -> float:
    """Time of a numeric gradient of all ``params`` parameters from a sample of ``sampled``.

    Every parameter costs the same two forward passes, so time scales linearly:
    t_all = t_sample · params / sampled.
    """
    if not 0 < sampled <= params:
        raise ValueError(_("sampled must be in [1, params] = [1, {params}], got {sampled}.")
                         .format(params=params, sampled=sampled))
    return t_sample * params / sampled


def median_times(runs: dict[str, Callable[[], object]], repeats: int,
                 timer=time.perf_counter) -> dict[str, float]:
    """Median wall-clock seconds of each run, timed in turn, round after round.

    Interleaving the runs (rather than timing one ``repeats`` times, then the next) lets a
    burst of load from other programs hit all of them alike, so their ratios stay fair.
    Each run is called once first, untimed (first-call allocations are not what we measure).
    """
    return {name: statistics.median(t) for name, t in _rounds(runs, repeats, timer).items()}


def _rounds(runs: dict[str, Callable[[], object]], repeats: int, timer) -> dict[str, list]:
    """Call each run once untimed, then `repeats` rounds timing every run once, in order."""
    for run in runs.values():
        run()
    times: dict[str, list[float]] = {name: [] for name in runs}
    for _round in range(repeats):
        for name, run in runs.items():
            start = timer()
            run()
            times[name].append(timer() - start)
    return times


def _check_positive(value, name: str, example: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(_("{name} must be a positive int (e.g. {example}), got {value}.")
                         .format(name=name, example=example, value=repr(value)))
    return int(value)


@contextlib.contextmanager
def blas_threads(threads: int | None = 1):
    """Run the block with BLAS limited to ``threads`` threads; yield the number in effect.

    Yields 0 when nothing was limited: ``threads`` is None (BLAS's own default), or
    threadpoolctl, which changes the limit of an already loaded BLAS, is not installed.
    One thread makes every matrix product run at about the same rate, which is what a FLOP
    count assumes; with several, BLAS splits some products well and others (backward's skinny
    ``x.T @ dout``) badly, and a busy machine makes that worse.
    """
    if threads is None:
        yield 0
        return
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        yield 0
        return
    with threadpool_limits(limits=int(threads), user_api="blas"):
        yield int(threads)


def measure(layer_sizes: Sequence[int], n: int, *, repeats: int = 5,
            numeric_sample: int | None = None, seed: int = 0, dtype=np.float64,
            threads: int | None = 1) -> dict:
    """Time backprop and the numeric gradient of one MLP, beside the FLOP predictions.

    Args:
        layer_sizes: [m0, ..., mL].
        n: batch size.
        repeats: every time is the median of this many runs (after one warm-up run).
        numeric_sample: time the numeric gradient on this many randomly chosen parameters
            and extrapolate to all P; None (or ≥ P) times every parameter.
        seed: seeds the weights, the batch and the sample.
        dtype: np.float64 (default) or np.float32.
        threads: BLAS threads while timing (see ``blas_threads``); None leaves BLAS's default.

    Returns:
        A row: a dict with the keys of ``COLUMNS``; ``blas_threads`` is the limit in effect
        (0: not limited). Times are in seconds; ``speedup`` is
        t_numeric / t_backprop, ``speedup_predicted`` the same ratio of exact FLOP counts
        (≈ 2P/3); ``ratio_backward_forward`` is t_backward / t_forward beside the ratio of
        the exact counts; ``t_numeric_parameter`` is the median time of one parameter's two
        forward passes, and ``t_numeric`` = P × that.
    """
    sizes, n = flops._check_layer_sizes(layer_sizes), flops._check_n(n)
    repeats = _check_positive(repeats, "repeats", "repeats=5")
    model = build_mlp(sizes, seed=seed, dtype=dtype)
    x, y = make_batch(sizes, n, seed=seed, dtype=dtype)
    p = flops.count_params(sizes)
    k = p if numeric_sample is None else min(
        _check_positive(numeric_sample, "numeric_sample", "numeric_sample=100"), p)
    sample = np.sort(np.random.default_rng(seed).choice(p, size=k, replace=False))

    def forward():
        return layers.softmax_cross_entropy(model.forward(x), y)

    _, dlogits = forward()

    def backprop():
        model.zero_grad()
        model.backward(forward()[1])

    runs = {"forward": forward, "backward": lambda: model.backward(dlogits),
            "backprop": backprop}
    # Each sampled parameter is timed on its own, like one forward or backward pass, so that
    # all medians are of runs of the same kind: short ones, which a burst of load from other
    # programs hits no more often than the others.
    runs |= {("numeric", int(j)): (lambda j=j: numeric_gradient_sampled(model, x, y, (j,)))
             for j in sample}
    with blas_threads(threads) as threads_used:
        times = _rounds(runs, repeats, time.perf_counter)
    t_forward, t_backward, t_backprop = (statistics.median(times[name])
                                         for name in ("forward", "backward", "backprop"))
    t_parameter = statistics.median(t for name, ts in times.items() if name[0] == "numeric"
                                    for t in ts)
    exact = flops.mlp_flops(sizes, n)
    exact_backprop = exact["forward"] + exact["backward"]
    t_numeric = extrapolate(t_parameter * k, k, p)
    return {
        "layer_sizes": "-".join(map(str, sizes)), "n": n, "dtype": np.dtype(dtype).name,
        "params": p,
        "flops_forward": flops.forward_flops(sizes, n),
        "flops_backward": flops.backward_flops(sizes, n),
        "flops_numeric": flops.numeric_gradient_flops(sizes, n),
        "exact_forward": exact["forward"], "exact_backward": exact["backward"],
        "exact_numeric": exact["numeric_gradient"],
        "t_forward": t_forward, "t_backward": t_backward, "t_backprop": t_backprop,
        "t_numeric": t_numeric, "numeric_sampled": k, "numeric_extrapolated": k < p,
        "t_numeric_parameter": t_parameter,
        "ratio_backward_forward": t_backward / t_forward,
        "ratio_backward_forward_predicted": exact["backward"] / exact["forward"],
        "speedup": t_numeric / t_backprop,
        "speedup_predicted": exact["numeric_gradient"] / exact_backprop,
        "blas_threads": threads_used,
    }


def default_sizes(max_params: int = 120_000, *, inputs: int = 32, classes: int = 10,
                  widths: Sequence[int] = (2, 4, 8, 16, 32, 64, 128, 256, 300)) -> list[list[int]]:
    """MLPs [inputs, w, w, classes] for growing hidden width w, each with at most max_params.

    With the defaults P runs from 102 (w = 2) to 103,210 (w = 300): 10² to 10⁵.
    """
    sizes = [[inputs, w, w, classes] for w in widths]
    chosen = [s for s in sizes if flops.count_params(s) <= max_params]
    if not chosen:
        raise ValueError(_("max_params={max_params} is below the smallest MLP {sizes} (P = "
                           "{params}); raise max_params.").format(
                               max_params=max_params, sizes=sizes[0],
                               params=flops.count_params(sizes[0])))
    return chosen


def sweep(sizes_list: Sequence[Sequence[int]], n: int = 64, *, repeats: int = 5,
          numeric_sample: int | None = 200, seed: int = 0, dtype=np.float64,
          progress: bool = True, threads: int | None = 1) -> list[dict]:
    """``measure`` each MLP in turn; a tqdm progress bar shows which (progress=False hides it).

    Args:
        sizes_list: list of layer_sizes, e.g. ``default_sizes()``.
        n, repeats, numeric_sample, seed, dtype, threads: as in ``measure``.
        progress: show a progress bar (tqdm) on stderr.

    Returns:
        list of rows (dicts with the keys of ``COLUMNS``), one per MLP, in the given order.
    """
    sizes_list = [flops._check_layer_sizes(s) for s in sizes_list]
    if not sizes_list:
        raise ValueError(_("sizes_list is empty; pass e.g. bpcourse.cost.default_sizes()."))
    items = sizes_list
    if progress:
        items = _progress_bar()(sizes_list, desc="numeric vs backprop", unit="MLP")
    rows = []
    for sizes in items:
        if progress:
            items.set_postfix_str(f"P={flops.count_params(sizes):,}")
        rows.append(measure(sizes, n, repeats=repeats, numeric_sample=numeric_sample,
                            seed=seed, dtype=dtype, threads=threads))
    return rows


def _progress_bar():
    """tqdm's notebook bar where it can draw one, else its text bar (never a warning)."""
    try:
        import ipywidgets  # noqa: F401  (without it tqdm.auto warns in a notebook)
        from tqdm.auto import tqdm
    except ImportError:
        from tqdm import tqdm
    return tqdm


def write_csv(rows: Sequence[dict], path: str | Path) -> Path:
    """Write rows from ``measure``/``sweep`` to a CSV file with the header ``COLUMNS``."""
    path = Path(path)
    with path.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=COLUMNS)
        writer.writeheader()
        for row in rows:
            writer.writerow({c: row[c] for c in COLUMNS})
    return path


def read_csv(path: str | Path) -> list[dict]:
    """Read rows written by ``write_csv`` back, with ints, floats and booleans restored."""
    def parse(text: str):
        if text in ("True", "False"):
            return text == "True"
        for kind in (int, float):
            try:
                return kind(text)
            except ValueError:
                pass
        return text

    with Path(path).open(newline="") as f:
        return [{k: (v if k in ("layer_sizes", "dtype") else parse(v)) for k, v in row.items()}
                for row in csv.DictReader(f)]


def format_table(rows: Sequence[dict]) -> str:
    """The rows as a plain-text table (what the command prints)."""
    head = " ".join(rjust(word, width) for word, width in (
        ("MLP", 16), ("P", 8), (_("backprop"), 10), (_("numeric"), 11), (_("speedup"), 9),
        ("2P/3", 9), (_("bwd/fwd"), 8), (_("predicted"), 9)))
    lines = [head]
    for r in rows:
        star = "*" if r["numeric_extrapolated"] else " "
        lines.append(
            f"{r['layer_sizes']:>16} {r['params']:>8,} {r['t_backprop'] * 1e3:>8.3f}ms "
            f"{r['t_numeric']:>9.3f}s{star} {r['speedup']:>9,.0f} {r['speedup_predicted']:>9,.0f} "
            f"{r['ratio_backward_forward']:>8.2f} {r['ratio_backward_forward_predicted']:>9.2f}")
    if any(r["numeric_extrapolated"] for r in rows):
        lines.append(_("* numeric time extrapolated from a random sample of parameters"))
    return "\n".join(lines)


# ----- FLOPs are not time: the rate of each matrix product -----

def matmul_products(layer_sizes: Sequence[int], n: int) -> list[dict]:
    """Every matrix product of build_mlp's forward and backward passes, with its FLOPs.

    For a Linear layer a -> b (x (n, a), W (a, b), dout (n, b))::

        forward   x @ W         (n, a) @ (a, b)   inner dimension a
        backward  x.T @ dout    (a, n) @ (n, b)   inner dimension n: the batch (skinny)
                  dout @ W.T    (n, b) @ (b, a)   inner dimension b; not for the first layer

    Returns:
        list of dicts: ``layer`` (0-based), ``pass`` ("forward"/"backward"), ``product``,
        ``shape`` (rows, inner, cols) and ``flops`` = 2·rows·inner·cols, forward first.
    """
    sizes, n = flops._check_layer_sizes(layer_sizes), flops._check_n(n)
    forward, backward = [], []
    for layer, (a, b) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
        forward.append(("forward", layer, "x @ W", (n, a, b)))
        backward.append(("backward", layer, "x.T @ dout", (a, n, b)))
        if layer > 0:
            backward.append(("backward", layer, "dout @ W.T", (n, b, a)))
    return [{"layer": layer, "pass": kind, "product": product, "shape": shape,
             "flops": 2 * shape[0] * shape[1] * shape[2]}
            for kind, layer, product, shape in forward + backward]


def matmul_rates(layer_sizes: Sequence[int], n: int, *, repeats: int = 21, seed: int = 0,
                 threads: int | None = 1, dtype=np.float64) -> list[dict]:
    """Time each product of ``matmul_products`` twice: on its own, and inside the pass.

    *Alone*: random operands of the product's shapes and layouts (``x.T`` and ``W.T`` are the
    transposed views that ``layers.linear_backward`` hands to BLAS), the same product again
    and again: its output lands in the same, cache-warm memory each time.
    *In the pass*: a replay of build_mlp's forward and backward passes in the order
    ``bpcourse.nn`` runs them (dx, then dW while dx is alive, then ``.grad +=``), each product
    timed where it happens. Where the pass's other arrays push a product's operands out of
    the CPU's caches, it runs slower there than alone: another way FLOPs are not time.

    Returns:
        The rows of ``matmul_products`` with ``seconds`` and ``gflops`` (alone),
        ``seconds_in_pass`` and ``gflops_in_pass`` (medians of ``repeats``), and
        ``blas_threads`` (0: not limited).
    """
    repeats = _check_positive(repeats, "repeats", "repeats=21")
    rows = matmul_products(layer_sizes, n)
    rng = np.random.default_rng(seed)
    sizes = flops._check_layer_sizes(layer_sizes)
    runs = {}
    for i, row in enumerate(rows):
        a, b = sizes[row["layer"]], sizes[row["layer"] + 1]
        x, W, dout = (rng.standard_normal(shape).astype(dtype)
                      for shape in ((n, a), (a, b), (n, b)))
        runs[i] = {"x @ W": lambda x=x, W=W: x @ W,
                   "x.T @ dout": lambda x=x, dout=dout: x.T @ dout,
                   "dout @ W.T": lambda dout=dout, W=W: dout @ W.T}[row["product"]]
    with blas_threads(threads) as threads_used:
        seconds = median_times(runs, repeats)
        in_pass = _seconds_in_pass(sizes, n, rows, repeats, seed, dtype)
    return [{**row, "seconds": seconds[i], "gflops": row["flops"] / seconds[i] / 1e9,
             "seconds_in_pass": in_pass[i], "gflops_in_pass": row["flops"] / in_pass[i] / 1e9,
             "blas_threads": threads_used} for i, row in enumerate(rows)]


def _seconds_in_pass(sizes: list[int], n: int, rows: list[dict], repeats: int, seed: int,
                     dtype) -> dict[int, float]:
    """Median seconds of each product (row index) timed inside replayed passes."""
    model = build_mlp(sizes, seed=seed, dtype=dtype)
    x, y = make_batch(sizes, n, seed=seed, dtype=dtype)
    index = {(r["pass"], r["layer"], r["product"]): i for i, r in enumerate(rows)}
    times: dict[int, list[float]] = {i: [] for i in index.values()}

    def timed(key, product):
        start = time.perf_counter()
        out = product()
        times[index[key]].append(time.perf_counter() - start)
        return out

    for round_ in range(repeats + 1):  # round 0 warms up
        replay_step(model, x, y, timed)
        if round_ == 0:
            for ts in times.values():
                ts.clear()
    return {i: statistics.median(ts) for i, ts in times.items()}


def replay_step(model: nn.Sequential, x: np.ndarray, y: np.ndarray, timed=None) -> None:
    """One forward and backward pass of a ``build_mlp`` network, product by product.

    The same operations in the same order as ``nn.Sequential``'s passes (out = x @ W + b;
    backward: dx, then dW while dx is alive, then ``.grad +=``), with every matrix product
    run as ``timed((pass, layer, product), compute)``; the gradients are added into the
    parameters' ``.grad`` like a real backward pass.
    """
    timed = timed or (lambda key, product: product())
    linears = [m for m in model.layers if isinstance(m, nn.Linear)]
    h = x
    for module in model.layers:
        if isinstance(module, nn.Linear):
            module._cache = (h, module.W.data)
            h = timed(("forward", linears.index(module), "x @ W"),
                      lambda h=h, W=module.W.data: h @ W) + module.b.data
        else:
            h = module.forward(h)
    _, dout = layers.softmax_cross_entropy(h, y)
    for module in reversed(model.layers):
        if isinstance(module, nn.Linear):
            layer = linears.index(module)
            x_in, W = module._cache
            dx = (timed(("backward", layer, "dout @ W.T"), lambda d=dout, W=W: d @ W.T)
                  if module.input_grad else None)
            dW = timed(("backward", layer, "x.T @ dout"), lambda x=x_in, d=dout: x.T @ d)
            module.W.grad += dW
            module.b.grad += dout.sum(axis=0)
            dout = dx
        else:
            dout = module.backward(dout)


def where_time_goes(rates: Sequence[dict], row: dict) -> dict:
    """Split each measured pass of ``row`` (from ``measure``) into its products and the rest.

    Returns:
        dict with, for "forward" and "backward": ``matmul`` (seconds, the products' sum, as
        timed inside the pass when ``rates`` has ``seconds_in_pass``),
        ``other`` (the pass's measured time minus that: bias, ReLU, loss, the input checks,
        Python), ``matmul_flops``; and ``ratio_measured`` (t_backward / t_forward),
        ``ratio_matmul_time`` (backward products' time / forward products' time),
        ``ratio_matmul_flops`` (the same ratio of FLOPs: what one rate for all would give).
    """
    out = {}
    for kind, measured in (("forward", row["t_forward"]), ("backward", row["t_backward"])):
        mine = [r for r in rates if r["pass"] == kind]
        matmul = sum(r.get("seconds_in_pass", r["seconds"]) for r in mine)
        out[kind] = {"matmul": matmul, "other": measured - matmul,
                     "matmul_flops": sum(r["flops"] for r in mine), "measured": measured}
    out["ratio_measured"] = row["t_backward"] / row["t_forward"]
    out["ratio_matmul_time"] = out["backward"]["matmul"] / out["forward"]["matmul"]
    out["ratio_matmul_flops"] = out["backward"]["matmul_flops"] / out["forward"]["matmul_flops"]
    return out


def format_rates(rates: Sequence[dict], row: dict | None = None) -> str:
    """The products' rates as a table; with a ``measure`` row, where each pass's time goes."""
    in_pass = bool(rates) and "seconds_in_pass" in rates[0]
    columns = [(_("pass"), 8), (_("layer"), 5), (_("product"), 11),
               (_("(rows, inner, cols)"), 20), ("MFLOP", 8), (_("GFLOP/s alone"), 14)]
    columns += [(_("in the pass"), 12), (_("µs in pass"), 11)] if in_pass else [("µs", 8)]
    lines = [" ".join(rjust(word, width) for word, width in columns)]
    for r in rates:
        tail = (f" {r['gflops_in_pass']:>12.1f} {r['seconds_in_pass'] * 1e6:>11.1f}" if in_pass
                else f" {r['seconds'] * 1e6:>8.1f}")
        lines.append(f"{r['pass']:>8} {r['layer']:>5} {r['product']:>11} "
                     f"{str(r['shape']):>20} {r['flops'] / 1e6:>8.2f} {r['gflops']:>14.1f}"
                     + tail)
    threads = rates[0]["blas_threads"] if rates else 0
    lines.append(_("BLAS threads: {threads}").format(
        threads=threads or _("not limited (BLAS default)")))
    if row is not None:
        split = where_time_goes(rates, row)
        names = {"forward": _("forward"), "backward": _("backward")}
        rest = {"forward": _("bias, ReLU, loss, input checks, Python"),
                "backward": _("db, ReLU, .grad +=, input checks, Python")}
        for kind in ("forward", "backward"):
            s = split[kind]
            lines.append(_("{kind}: measured {measured:.3f} ms = products {matmul:.3f} ms + the "
                           "rest {other:.3f} ms ({rest})").format(
                kind=rjust(names[kind], 8), measured=s["measured"] * 1e3, matmul=s["matmul"] * 1e3,
                other=s["other"] * 1e3, rest=rest[kind]))
        lines.append(_(
            "backward/forward: measured {measured:.2f}; the products {time:.2f} in time, "
            "{count:.2f} in FLOPs. A FLOP count assumes one rate for every product. Time and "
            "count part where a product runs slower (the skinny x.T @ dout, inner dimension n; "
            "a product whose operands the pass's other arrays pushed out of the cache: 'in the "
            "pass' below 'alone') or where the rest is not small.").format(
                measured=split["ratio_measured"], time=split["ratio_matmul_time"],
                count=split["ratio_matmul_flops"]))
    return "\n".join(lines)


# ----- the command line -----

def _positive_int(name: str, example: str):
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = 0
        if value < 1:
            raise argparse.ArgumentTypeError(
                f"{name} must be a positive whole number, e.g. {name} {example}; got {text!r}")
        return value
    return parse


def _parser(command: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=f"python -m bpcourse {command}",
        description="Time numeric gradients against backprop on MLPs of growing size, on this "
                    "machine; plot time vs number of parameters P beside the FLOP theory and "
                    "write the table as CSV.")
    parser.add_argument("--out", default="cost.png",
                        help="the plot to write (.png, .pdf or .svg); default cost.png")
    parser.add_argument("--csv", default=None,
                        help="the table to write; default: --out with the suffix .csv")
    parser.add_argument("--batch", type=_positive_int("--batch", "64"), default=64,
                        help="examples per batch, n (default 64)")
    parser.add_argument("--repeats", type=_positive_int("--repeats", "5"), default=5,
                        help="each time is the median of this many runs (default 5)")
    parser.add_argument("--sample", type=_positive_int("--sample", "200"), default=200,
                        help="numeric gradient timed on at most this many parameters, then "
                             "extrapolated (default 200)")
    parser.add_argument("--max-params", type=_positive_int("--max-params", "100000"),
                        default=120_000, help="largest MLP to measure (default 120000)")
    parser.add_argument("--threads", type=int, default=1,
                        help="BLAS threads while timing (default 1: every product at about "
                             "the same rate, as a FLOP count assumes; 0: BLAS's default). "
                             "Needs threadpoolctl")
    parser.add_argument("--seed", type=int, default=0, help="seeds weights, data, sample")
    parser.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    return parser


def cli(command: str, argv: Sequence[str]) -> int:
    """``python -m bpcourse cost [--out cost.png] ...``: measure, print, plot, write the CSV."""
    parser = _parser(command)
    try:
        args = parser.parse_args(list(argv))
    except SystemExit as exit_:  # argparse has printed the message naming the argument
        return int(exit_.code or 0)
    out = Path(args.out)
    if out.suffix.lower() not in (".png", ".pdf", ".svg"):
        print(f"--out must end in .png, .pdf or .svg (got {args.out!r}), e.g. --out cost.png",
              file=sys.stderr)
        return 2
    if not out.parent.is_dir():
        print(f"--out: the folder {str(out.parent)!r} does not exist; create it or choose "
              "another path.", file=sys.stderr)
        return 2
    csv_path = Path(args.csv) if args.csv else out.with_suffix(".csv")
    try:
        sizes = default_sizes(args.max_params)
    except ValueError as err:
        print(f"--max-params: {err}", file=sys.stderr)
        return 2

    if args.threads < 0:
        print(f"--threads must be 0 (BLAS's default) or a positive int, got {args.threads}",
              file=sys.stderr)
        return 2
    threads = args.threads or None
    rows = sweep(sizes, args.batch, repeats=args.repeats, numeric_sample=args.sample,
                 seed=args.seed, progress=not args.no_progress, threads=threads)
    print(format_table(rows))
    largest = rows[-1]
    rates = matmul_rates([int(v) for v in largest["layer_sizes"].split("-")], args.batch,
                         repeats=max(args.repeats, 11), seed=args.seed, threads=threads)
    print(f"\nFLOPs are not time: where the time of {largest['layer_sizes']} (n = "
          f"{args.batch}) goes, product by product")
    print(format_rates(rates, largest))
    write_csv(rows, csv_path)

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from .plots import plot_backward_ratio, plot_cost

    fig, (ax_cost, ax_ratio) = plt.subplots(1, 2, figsize=(12, 4.5),
                                            gridspec_kw={"width_ratios": [3, 2]})
    plot_cost(rows, ax=ax_cost)
    plot_backward_ratio(rows, ax=ax_ratio)
    fig.tight_layout()
    fig.savefig(out, dpi=120)
    plt.close(fig)
    print(f"wrote {out} and {csv_path}")
    return 0
