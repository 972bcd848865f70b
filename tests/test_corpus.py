"""The corpus of submissions (tests/corpus/), graded with nbgrader's own autograde.

Every submission's score is checked exercise by exercise, exactly; a mistake's message must
name the mistake; a submission nbgrader cannot grade must be reported NOT GRADED (never 0);
tampering must be flagged. The feedback of every graded submission is generated and grepped for
hidden test lines.

One nbgrader run per notebook grades all its submissions, two notebooks at a time. The cell
timeout is BPCOURSE_CORPUS_TIMEOUT seconds (default 10: the slowest cell of a reference
notebook takes about 3.5 s on a loaded 2-core machine; the bad submissions that loop cost one
timeout each). Timings are written to artifacts/grading-times.json.

Every kernel runs in the grading sandbox (bpcourse.tools.sandbox), as `bpcourse autograde`
runs them. The attacks on the grader (corpus/attacks.py) are graded only where there is a
sandbox: unsandboxed they would read solutions/, zero other students' grades and fork-bomb the
machine; their test is skipped there, saying why.
"""

from __future__ import annotations

import dataclasses
import importlib
import json
import os
import pkgutil
import re
import socket
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import corpus  # noqa: E402
from corpus import attacks, bad, nb01, nb03, nb04, nb05, nb07  # noqa: E402
from corpus.build import (  # noqa: E402
    exercise_maxima,
    grade_corpus,
    hidden_test_lines,
    problems,
    visible_text,
)
from corpus.series import named_count  # noqa: E402

from bpcourse.tools.course import EDITIONS, assignments  # noqa: E402
from bpcourse.tools.nbgrader_run import run_nbgrader  # noqa: E402
from bpcourse.tools.notebook import cell_source, exercise_of_tests, load_notebook  # noqa: E402
from bpcourse.tools.sandbox import unavailable_reason  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
# One corpus module per notebook, discovered (tests/corpus/nbNN.py), so that a new notebook's
# corpus cannot be left out; then the bad submissions.
MODULES = (*(importlib.import_module(f"corpus.{m.name}") for m in sorted(
    pkgutil.iter_modules(corpus.__path__), key=lambda m: m.name)
    if re.fullmatch(r"nb\d\d", m.name)), bad)
CELL_TIMEOUT = int(os.environ.get("BPCOURSE_CORPUS_TIMEOUT", "10"))
NO_SANDBOX = unavailable_reason()
# The network attack connects here: a port of this process's own, open for the whole run.
LISTENER = socket.create_server(("127.0.0.1", 0))
LISTENER.setblocking(False)
ATTACKS = attacks.submissions(LISTENER.getsockname()[1])
FAKES = attacks.fakes()  # harmless to the machine: graded with or without the sandbox
ENGLISH = [s for m in MODULES for s in m.submissions()]
ZH = EDITIONS["zh"]
# BPCOURSE_CORPUS_ZH: "all" grades every notebook submission of the corpus in the zh edition
# too; "sample" (the default: the suite has a 20-minute budget) the first submission that names
# mistakes, of every notebook that has a zh edition (the zh references' full marks and the
# zh releases' zeros are proven by tests/test_notebooks.py).
ZH_CORPUS = os.environ.get("BPCOURSE_CORPUS_ZH", "sample")
if ZH_CORPUS not in ("sample", "all"):
    raise ValueError(f"BPCOURSE_CORPUS_ZH={ZH_CORPUS!r}: use 'sample' or 'all'")


def zh_twin(sub):
    """The same submission in the zh edition: same answers and edits, same expected points; its
    hints are Chinese, so `test_zh_twins_get_chinese_hints` checks them instead of `problems`."""
    return dataclasses.replace(sub, student=f"{sub.student}-zh", assignment=sub.assignment + ZH,
                               hints={})


def _zh_chosen(subs):
    if ZH_CORPUS == "all":
        return subs
    return [s for s in subs if s.hints and s.base == "solution"][:1]


ENGLISH_OF = {zh_twin(s).student: s for m in MODULES if m is not bad
              and (ROOT / "solutions" / (m.A + ZH)).is_dir()
              for s in _zh_chosen(m.submissions())}  # a zh twin's student -> its English one
ZH_TWINS = [zh_twin(s) for s in ENGLISH_OF.values()]
SUBMISSIONS = ENGLISH + ZH_TWINS + FAKES + ([] if NO_SANDBOX else ATTACKS)


def _solution(name: str) -> dict:
    return load_notebook(ROOT / "solutions" / name / f"{name}.ipynb")


def _selected(items) -> list:
    """The submissions of the selected tests (`-k nb07` grades only notebook 07's), or all of
    them when no per-submission test is selected."""
    chosen = [item.callspec.params["sub"] for item in items
              if "sub" in getattr(getattr(item, "callspec", None), "params", {})]
    return chosen or SUBMISSIONS


@pytest.fixture(scope="module")
def corpus(request, tmp_path_factory):
    """Grade the corpus (the selected part of it) once; generate everybody's feedback."""
    workdir = tmp_path_factory.mktemp("corpus")
    start = time.perf_counter()
    chosen = _selected(request.session.items)
    outcomes, procs = grade_corpus(workdir, chosen, cell_timeout=CELL_TIMEOUT,
                                   sandbox=NO_SANDBOX is None)
    total = time.perf_counter() - start
    def feedback_of(name):
        proc = run_nbgrader(["generate_feedback", name, "--force"], workdir / name)
        return name, (proc, sorted((workdir / name / "feedback").rglob("*.html")))

    with ThreadPoolExecutor(2) as pool:
        feedback = dict(pool.map(feedback_of, sorted(procs)))
    _write_timings(procs, total, chosen)
    return outcomes, procs, feedback, workdir


def _write_timings(procs, total: float, graded: list) -> None:
    per_notebook = {}
    for name, proc in sorted(procs.items()):
        count = sum(s.assignment == name for s in graded)
        per_notebook[name] = {"submissions": count, "seconds": round(proc.seconds, 1),
                              "seconds_per_submission": round(proc.seconds / count, 2)}
    report = {"cell_timeout": CELL_TIMEOUT, "submissions": len(graded),
              "wall_seconds_total": round(total, 1), "per_notebook": per_notebook}
    out = ROOT / "artifacts" / "grading-times.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(report, indent=1))


@pytest.mark.slow
@pytest.mark.parametrize("sub", SUBMISSIONS, ids=[s.student for s in SUBMISSIONS])
def test_every_score_is_exact(corpus, sub):
    outcomes, procs, _, _ = corpus
    maxima = exercise_maxima(_solution(sub.assignment))
    found = problems(sub, outcomes.get(sub.student), maxima)
    assert not found, "\n".join(found) + (
        f"\n(nbgrader log tail: {procs[sub.assignment].stderr[-1500:]})")


@pytest.mark.slow
def test_feedback_shows_no_hidden_test(corpus):
    outcomes, _, feedback, _ = corpus
    hidden = hidden_test_lines(ROOT / "solutions")
    assert len(hidden) > 20
    for name, (proc, pages) in feedback.items():
        assert proc.returncode == 0, proc.stderr[-2000:]
        graded = {o.student for o in outcomes.values() if o.assignment == name and o.graded}
        assert {p.parts[-3] for p in pages} == graded, name  # one page per graded student
        for page in pages:
            text = visible_text(page.read_text(encoding="utf-8"))
            leaked = [line for line in hidden if line in text]
            assert not leaked, f"{page.name} of {page.parts[-3]} shows hidden tests: {leaked[:3]}"


@pytest.mark.slow
def test_feedback_shows_the_named_mistake(corpus):
    _, _, feedback, _ = corpus
    if "04_layers" not in feedback:
        pytest.skip("04_layers was not graded in this run (a -k selection)")
    page = next(p for p in feedback["04_layers"][1] if p.parts[-3] == "nb04-mistakes-1")
    text = " ".join(visible_text(page.read_text(encoding="utf-8")).split())
    for _, _, hint in (ms[0] for ms in nb04.MISTAKES.values()):
        assert hint in text, hint


CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.mark.slow
@pytest.mark.parametrize("twin", ZH_TWINS, ids=[s.student for s in ZH_TWINS])
def test_zh_twins_get_the_english_points_and_chinese_hints(corpus, twin):
    """A submission graded in the zh edition scores exactly what it scores in English
    (test_every_score_is_exact checks both against the same `expected`), and where the English
    message names a mistake, the zh message says it in Chinese, not in English."""
    outcomes, _, _, _ = corpus
    english, zh = outcomes.get(ENGLISH_OF[twin.student].student), outcomes.get(twin.student)
    assert english is not None and zh is not None, twin.student
    assert zh.graded == english.graded and zh.exercises().keys() == english.exercises().keys()
    assert {k: v[:2] for k, v in zh.exercises().items()} == {
        k: v[:2] for k, v in english.exercises().items()}, twin.student
    english_sub = ENGLISH_OF[twin.student]
    if english_sub.base == "release":  # its message is the learner's NotImplementedError
        return
    for exercise, hint in english_sub.hints.items():
        said = [r.message or "" for r in zh.results if r.exercise == exercise and r.message]
        assert said, f"{twin.student}: {exercise} failed with no message"
        # A test's message is ours (Chinese) or the learner's own exception from Python, which
        # is English in both editions (AttributeError: 'ReLU' object has no attribute 'params').
        assert any(CJK.search(m) for m in said), f"{twin.student}: {exercise}: {said}"
        assert not any(hint.lower() in m.lower() for m in said), (
            f"{twin.student}: {exercise}: the English hint {hint!r} in the zh edition: {said}")


@pytest.mark.slow
@pytest.mark.skipif(NO_SANDBOX is not None, reason=f"no grading sandbox here: {NO_SANDBOX}")
def test_every_attack_on_the_grader_fails(corpus):
    """Each attack's own line says it failed (its score is checked with everybody's above);
    nothing reached the listening port; no file was written outside the kernels' folders."""
    _, _, _, workdir = corpus
    for sub in ATTACKS:
        graded = workdir / sub.assignment / "autograded" / sub.student / sub.assignment
        nb = load_notebook(graded / f"{sub.assignment}.ipynb")
        said = [line for cell in nb["cells"] for out in cell.get("outputs", [])
                for line in "".join(out.get("text", "")).splitlines() if "ATTACK" in line]
        assert any(line.startswith(attacks.EVIDENCE[sub.student]) for line in said), (
            sub.student, said)
    try:
        peer = LISTENER.accept()
    except BlockingIOError:
        peer = None
    assert peer is None, f"a submission connected to 127.0.0.1 from {peer[1]}"
    written = [p for p in (workdir, ROOT, Path(numpy.__file__).parent, Path("/tmp"), Path("/"))
               for p in ([*p.rglob(attacks.OUTSIDE_NAME)] if p == workdir
                         else [p / attacks.OUTSIDE_NAME, p / "bpcourse" / attacks.OUTSIDE_NAME])
               if p.exists()]
    assert not written, f"a submission wrote outside its folder: {written}"


def test_the_corpus_covers_what_the_issue_asks():
    """At least three named mistakes per exercise of notebooks 01, 03, 04 and 05; the
    reference, another style and the release of every notebook; every kind of bad submission."""
    for module in (nb01, nb04, nb05):
        counts = named_count(module.MISTAKES)
        assert min(counts.values()) >= 3, (module.__name__, counts)
        assert set(counts) == set(module.ALTERNATIVES)
    assert min(nb03.named_count().values()) >= 3, nb03.named_count()
    assert set(nb03.named_count()) == set(nb03.STAGES)
    counts = named_count(nb07.MISTAKES)  # the capstone: four for batch norm, three for the others
    assert counts["batchnorm"] >= 4 and min(counts.values()) >= 3, counts
    assert set(counts) == set(nb07.ALTERNATIVES)
    solved = set(assignments(ROOT, edition="en"))
    assert solved == {m.A for m in MODULES if m is not bad}, "a notebook without its corpus"
    zh = {name[:-len(ZH)] for name in assignments(ROOT, edition="zh")}
    assert zh == {sub.assignment for sub in ENGLISH_OF.values()}, "a zh notebook without twins"
    for name in assignments(ROOT, edition="en"):
        mine = {s.student.split("-", 1)[1] for s in SUBMISSIONS if s.assignment == name}
        assert {"reference", "release"} <= mine, name
        assert any(m.startswith("alternative-style") for m in mine), name
        answers = set(exercise_of_tests(_solution(name)).values())
        covered = {ex for s in SUBMISSIONS if s.assignment == name for ex in s.answers}
        assert answers <= covered, (name, answers - covered)
    kinds = {s.student for s in bad.submissions()}
    for kind in ("edited-test-cells", "loop-sleep-output", "ignores-sigint",
                 "catches-interrupt", "os-exit", "patches-numpy", "patches-builtins",
                 "patches-bpcourse", "patches-test-function"):
        assert f"bad-{kind}" in kinds, kind
    for kind in ("reads-solutions", "reads-gradebook", "writes-grades", "reads-other-submission",
                 "fork-bomb", "memory-hog", "network", "writes-outside"):
        assert f"bad-{kind}" in attacks.EVIDENCE, kind
    assert {s.student for s in ATTACKS} == set(attacks.EVIDENCE)
    assert len({s.student for s in SUBMISSIONS}) == len(SUBMISSIONS)  # ids are unique


def test_every_corpus_edit_applies_to_the_current_notebooks():
    """Each description still matches the notebooks (an edit whose `old` text is gone fails
    here, fast, instead of in the slow grading). notebooks/ is the release of solutions/
    (tests/test_notebooks.py keeps them in sync)."""
    from corpus.build import build

    for sub in SUBMISSIONS:
        release = load_notebook(ROOT / "notebooks" / sub.assignment / f"{sub.assignment}.ipynb")
        nb = build(sub, release, _solution(sub.assignment))
        sources = "\n".join(cell_source(c) for c in nb["cells"])
        assert not re.search(r"### (BEGIN|END) (SOLUTION|HIDDEN TESTS)", sources), sub.student
