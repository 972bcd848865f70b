"""`make bench`'s machinery, on small sizes (`benchmarks/run.py --quick`): it runs, its
sanity checks hold (same result as PyTorch after one step, the right chain gradient), and the
report has a row per benchmark. Speed itself is never asserted here.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_quick_bench_writes_a_report(tmp_path):
    env = dict(os.environ, MPLCONFIGDIR=str(tmp_path / "mpl"))
    proc = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "run.py"), "--quick", "--only",
         "B1,B2,B3,B4,B5", "--out", str(tmp_path)],
        capture_output=True, text=True, timeout=600, env=env, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr[-3000:]
    report = (tmp_path / "REPORT.md").read_text()
    for bench in ("B1", "B2", "B3", "B4", "B5"):
        assert f"| {bench} |" in report, bench
    assert "the benchmark raised an error" not in report, report
    results = {r["id"]: r for r in json.loads((tmp_path / "results.json").read_text())["results"]}
    if results["B1"]["met"] is not None:  # PyTorch installed
        assert all(row["same_result"] for row in results["B1"]["data"]["rows"])
    assert (tmp_path / "b4_cost.png").stat().st_size > 10_000
    assert "| B6 |" not in report  # --only is honoured


def test_unknown_benchmark_is_named():
    proc = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "run.py"), "--only", "B99"],
                          capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert proc.returncode == 2
    assert "--only" in proc.stderr and "B99" in proc.stderr
