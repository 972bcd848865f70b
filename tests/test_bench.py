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


def test_only_keeps_the_other_benchmarks_last_measurement(tmp_path):
    """`--only B8` into a folder with an earlier report re-writes B8's row and section and keeps
    every other benchmark's, dated, in id order."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        import cases
        import run
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    info = {"date (UTC)": "2026-01-01 00:00", "load average at start": "0.00 0.00 0.00"}
    first = [cases.Result(b, f"title {b}", "goal", f"old {b}", True, f"section of old {b}")
             for b in ("B1", "B8", "B10")]
    run.write_report(first, info, tmp_path, 1.0)
    info = {"date (UTC)": "2026-02-02 00:00", "load average at start": "1.00 1.00 1.00"}
    run.write_report([cases.Result("B8", "title B8", "goal", "new B8", False, "section of new B8")],
                     info, tmp_path, 1.0)
    report = (tmp_path / "REPORT.md").read_text()
    rows = [line.split(" | ")[0] for line in report.splitlines() if line.startswith("| B")]
    assert rows == ["| B1", "| B8", "| B10"]
    assert "new B8" in report and "old B8" not in report
    assert "section of old B1" in report and "section of old B10" in report
    assert report.index("## B1:") < report.index("## B8:") < report.index("## B10:")
    assert report.count("Measured 2026-01-01 00:00 UTC") == 2
    assert "Measured 2026-02-02 00:00 UTC" in report
