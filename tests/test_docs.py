"""docs/teaching-at-scale.md: the table of workers a class needs follows from its own formula."""

from __future__ import annotations

import math
import re
from pathlib import Path

DOC = Path(__file__).resolve().parents[1] / "docs" / "teaching-at-scale.md"


def test_the_workers_table_follows_from_the_formula_it_states():
    text = DOC.read_text(encoding="utf-8")
    c = float(re.search(r"at C = (\d+) s of work per student", text).group(1))
    assert "workers = ceil(students × C / 1800 / 0.8)" in text
    rows = re.findall(r"^\| ([\d,]+) \| ([\d.]+) \| (\d+) \|$", text, flags=re.M)
    assert len(rows) == 2, rows
    for students, hours, workers in rows:
        n = int(students.replace(",", ""))
        assert float(hours) == round(n * c / 3600, 1)
        assert int(workers) == math.ceil(n * c / 1800 / 0.8)
