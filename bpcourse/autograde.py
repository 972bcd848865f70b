"""Grading with nbgrader's own autograde, reported so that nothing is silently a zero.

Two commands (``python -m bpcourse ...``):

``grade NOTEBOOK``
    Self-study: grades a copy of the learner's notebook against the *full* tests of solutions/
    (hidden ones included) in a temporary course, with nbgrader's autograde, and prints one row
    per exercise: points, and the message of the first test that failed (which names the likely
    mistake). The learner's file is never written to.

``autograde ASSIGNMENT [--course DIR]``
    Instructor: runs ``nbgrader autograde`` on every submission in submitted/, then prints a
    summary per student. A submission nbgrader could not grade (the kernel died, a cell ignored
    the interrupt after the timeout) is reported as NOT GRADED, never as 0, and makes the exit
    code 3; everybody else's grades are kept. Code that reassigns numpy, builtins or bpcourse
    functions (the test cells run in the learner's kernel) is reported as tampering (exit 4).

Exit codes: 0 graded; 2 usage error; 3 some submission not graded; 4 tampering suspected;
1 nbgrader itself failed (the log is printed).

The module is imported by the command line and by nbgrader (``FeedbackTracebacks``, see
nbgrader_config.py), never by ``import bpcourse``.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOT_GRADED, TAMPERING = 3, 4
_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


# ---------------------------------------------------------------------------------------------
# What a graded submission looks like


@dataclass
class TestResult:
    """One autograded test cell of a submission."""

    grade_id: str
    exercise: str
    score: float
    max_score: float
    message: str | None = None  # "AssertionError: ..." when the cell failed


@dataclass
class Outcome:
    """The result for one student and one assignment."""

    student: str
    assignment: str
    graded: bool
    reason: str | None = None  # why it was not graded
    results: list[TestResult] = field(default_factory=list)
    tampering: list[str] = field(default_factory=list)

    @property
    def score(self) -> float:
        return sum(r.score for r in self.results)

    @property
    def max_score(self) -> float:
        return sum(r.max_score for r in self.results)

    def exercises(self) -> dict[str, tuple[float, float, str | None]]:
        """exercise -> (score, max_score, message), in notebook order. The message is the
        first failure that names a likely mistake, else the first failure."""
        table: dict[str, tuple[float, float, str | None]] = {}
        for r in self.results:
            score, top, msg = table.get(r.exercise, (0.0, 0.0, None))
            if r.message and (msg is None or ("mistake" in r.message.lower()
                                              and "mistake" not in msg.lower())):
                msg = r.message
            table[r.exercise] = (score + r.score, top + r.max_score, msg)
        return table

    def as_dict(self) -> dict:
        return {"student": self.student, "assignment": self.assignment, "graded": self.graded,
                "reason": self.reason, "score": self.score if self.graded else None,
                "max_score": self.max_score, "tampering": self.tampering,
                "results": [vars(r) for r in self.results]}


# ---------------------------------------------------------------------------------------------
# Notebooks: cells, exercises, hidden lines


def _load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _source(cell: dict) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def _nbgrader(cell: dict) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def exercise_of_tests(notebook: dict) -> dict[str, str]:
    """grade_id of each autograded test cell -> grade_id of the answer cell it tests (the last
    answer cell above it; the test's own id if there is none)."""
    mapping, current = {}, None
    for cell in notebook["cells"]:
        meta = _nbgrader(cell)
        if meta.get("solution") and not meta.get("grade"):
            current = meta.get("grade_id")
        elif meta.get("grade") and cell.get("cell_type") == "code":
            mapping[meta["grade_id"]] = current or meta["grade_id"]
    return mapping


def hidden_lines(source: str) -> list[str]:
    """The stripped, non-empty lines between BEGIN HIDDEN TESTS and END HIDDEN TESTS."""
    lines, inside = [], False
    for line in source.splitlines():
        if "BEGIN HIDDEN TESTS" in line:
            inside = True
        elif "END HIDDEN TESTS" in line:
            inside = False
        elif inside and line.strip():
            lines.append(line.strip())
    return lines


def _error_message(cell: dict) -> str | None:
    for out in cell.get("outputs", []):
        if out.get("output_type") == "error":
            text = f"{out.get('ename', 'Error')}: {out.get('evalue', '')}".strip()
            return _ANSI.sub("", text).rstrip(": ")
    for out in cell.get("outputs", []):
        if out.get("output_type") == "stream" and out.get("name") == "stderr":
            return "output on stderr: " + _ANSI.sub("", "".join(out.get("text", "")))[:200]
    return None


# ---------------------------------------------------------------------------------------------
# Feedback: tracebacks without hidden test lines (registered in nbgrader_config.py)


def _make_feedback_tracebacks():
    from nbgrader.preprocessors import NbGraderPreprocessor  # enabled by default

    class FeedbackTracebacks(NbGraderPreprocessor):
        """In feedback, replace each traceback frame that quotes a hidden test line.

        IPython quotes the failing line and its neighbours; in a test cell those can be hidden
        tests. The frames of the learner's own code and the final "AssertionError: <hint>" stay.
        """

        def preprocess_cell(self, cell, resources, index):
            hidden = hidden_lines(cell.source) if cell.cell_type == "code" else []
            if not hidden:
                return cell, resources
            for out in cell.get("outputs", []):
                if out.output_type == "error":
                    out.traceback = [
                        "(a frame of the hidden tests, not shown)"
                        if _quotes_any(_ANSI.sub("", frame), hidden) else frame
                        for frame in out.traceback]
            return cell, resources

    return FeedbackTracebacks


def _quotes_any(text: str, lines: list[str]) -> bool:
    return any(row.rstrip().endswith(h) for row in text.splitlines() for h in lines)


def __getattr__(name):  # nbgrader imports the preprocessor by name; nbconvert loads lazily
    if name == "FeedbackTracebacks":
        cls = _make_feedback_tracebacks()
        globals()[name] = cls
        return cls
    raise AttributeError(name)


# ---------------------------------------------------------------------------------------------
# Tampering: assignments to numpy / builtins / bpcourse / sys.modules in the learner's cells

_WATCHED_MODULES = ("numpy", "builtins", "bpcourse", "sys")


def find_tampering(notebook: dict) -> list[str]:
    """Lines of the learner's cells (not locked test cells) that reassign something in numpy,
    builtins, bpcourse or sys.modules, as "cell N, line L: <code>"."""
    aliases = {"np": "numpy", "numpy": "numpy", "builtins": "builtins", "__builtins__": "builtins",
               "bpcourse": "bpcourse", "sys": "sys"}
    trees = []
    for index, cell in enumerate(notebook.get("cells", [])):
        if cell.get("cell_type") != "code" or _nbgrader(cell).get("locked"):
            continue
        tree = _parse(_source(cell))
        if tree is None:
            continue
        trees.append((index, tree, _source(cell).splitlines()))
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                base = node.module if isinstance(node, ast.ImportFrom) else None
                for alias in node.names:
                    full = f"{base}.{alias.name}" if base else alias.name
                    if full.split(".")[0] in _WATCHED_MODULES:
                        aliases[alias.asname or alias.name.split(".")[0]] = full
    found = []
    for index, tree, lines in trees:
        for node in ast.walk(tree):
            if _reassigns(node, aliases):
                line = lines[node.lineno - 1].strip() if node.lineno <= len(lines) else ""
                found.append(f"cell {index}, line {node.lineno}: {line}")
    return found


def _parse(src: str):
    try:
        from IPython.core.inputtransformer2 import TransformerManager
        src = TransformerManager().transform_cell(src)
    except ImportError:  # pragma: no cover - IPython comes with nbgrader
        pass
    try:
        return ast.parse(src)
    except SyntaxError:
        return None


def _root(node) -> str | None:
    while isinstance(node, (ast.Attribute, ast.Subscript)):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def _reassigns(node, aliases: dict[str, str]) -> bool:
    targets = []
    if isinstance(node, ast.Assign):
        targets = node.targets
    elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
        targets = [node.target]
    elif isinstance(node, ast.Delete):
        targets = node.targets
    elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
            and node.func.id in ("setattr", "delattr") and node.args:
        first = node.args[0]
        return isinstance(first, (ast.Name, ast.Attribute)) and _root(first) in aliases
    for target in targets:
        for t in (target.elts if isinstance(target, (ast.Tuple, ast.List)) else [target]):
            if isinstance(t, (ast.Attribute, ast.Subscript)) and _root(t) in aliases:
                return True
    return False


# ---------------------------------------------------------------------------------------------
# Running nbgrader


def _run_nbgrader(args: list[str], course: Path, env: dict | None = None,
              timeout: float | None = None) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "nbgrader", *args]
    env = dict(os.environ if env is None else env)
    # nbgrader runs the `alembic` program of its environment to create a gradebook
    env["PATH"] = os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", "")
    return subprocess.run(cmd, cwd=course, env=env, capture_output=True, text=True,
                          timeout=timeout)


def db_url_of(course: Path, override: str | None = None) -> str:
    """The gradebook of a course: the override, else what its nbgrader_config.py says."""
    if override:
        return override
    config = course / "nbgrader_config.py"
    if config.exists():
        from traitlets.config.loader import PyFileConfigLoader
        cfg = PyFileConfigLoader(config.name, path=str(course)).load_config()
        if "db_url" in cfg.CourseDirectory:
            return cfg.CourseDirectory.db_url
    return f"sqlite:///{course / 'gradebook.db'}"


_FAILED = re.compile(r"There was an error processing assignment '(.+)' for student '(.+)'")
_FAILED_PATH = re.compile(r"There was an error processing assignment: (\S+)")


def _reasons(log: str, submitted: str) -> dict[str, str]:
    """student -> the cause nbgrader logged for a submission it could not grade."""
    reasons, student, chunk = {}, None, []

    def close():
        if student is not None:
            reasons[student] = _explain("\n".join(chunk))

    for line in log.splitlines():
        m = _FAILED_PATH.search(line)
        if m:
            close()
            parts = Path(m.group(1)).parts
            student = parts[parts.index(submitted) + 1] if submitted in parts else parts[-2]
            chunk = []
        elif student is not None and re.match(r"\[\w+ \| (INFO|WARNING)\]|\[\w+\]", line) \
                and "ERROR" not in line:
            close()
            student = None
        elif student is not None:
            chunk.append(line)
    close()
    for m in _FAILED.finditer(log):
        reasons.setdefault(m.group(2), "nbgrader could not grade it (see the log)")
    return reasons


def _explain(trace: str) -> str:
    if "DeadKernelError" in trace or "Kernel died" in trace:
        return "the kernel died (os._exit, a crash or out of memory)"
    if "Timeout waiting for IOPub" in trace or "UnresponsiveKernel" in trace \
            or "CellTimeoutError" in trace:
        return "a cell kept running after the timeout and ignored the interrupt"
    last = [line for line in trace.splitlines() if line.strip()]
    return "nbgrader could not grade it: " + (last[-1].strip() if last else "unknown error")


def collect(course: Path, assignment: str, db_url: str, log: str = "",
            students: list[str] | None = None) -> list[Outcome]:
    """Read the outcome of each submission of `assignment` from the gradebook and autograded/.

    A submission is graded when every notebook of the assignment has an autograded copy and
    nbgrader did not log an error for it.
    """
    from nbgrader.api import Gradebook, MissingEntry

    # The Gradebook runs the `alembic` program when it creates a database: make it findable.
    bindir = os.path.dirname(sys.executable)
    if bindir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bindir + os.pathsep + os.environ.get("PATH", "")
    submitted = course / "submitted"
    if students is None:
        students = sorted(p.name for p in submitted.iterdir() if (p / assignment).is_dir()) \
            if submitted.is_dir() else []
    failures = _reasons(log, "submitted")
    outcomes = []
    with Gradebook(db_url) as gb:
        try:
            notebooks = [nb.name for nb in gb.find_assignment(assignment).notebooks]
        except MissingEntry:
            raise RuntimeError(
                f"assignment {assignment!r} is not in the gradebook {db_url}: release it first "
                f"(python -m bpcourse release {assignment}, which runs nbgrader "
                "generate_assignment)") from None
        source_maps = {}
        for name in notebooks:
            src = course / "solutions" / assignment / f"{name}.ipynb"
            source_maps[name] = exercise_of_tests(_load(src)) if src.exists() else {}
        for student in students:
            out = Outcome(student, assignment, graded=True)
            for name in notebooks:
                sub = submitted / student / assignment / f"{name}.ipynb"
                try:
                    found = find_tampering(_load(sub)) if sub.exists() else []
                except (ValueError, AttributeError, TypeError):  # not a notebook: nbgrader says
                    found = []
                out.tampering += [f"{name}: {t}" for t in found]
            if student in failures:
                out.graded, out.reason = False, failures[student]
            graded_dir = course / "autograded" / student / assignment
            missing = [n for n in notebooks if not (graded_dir / f"{n}.ipynb").exists()]
            if out.graded and missing:
                out.graded = False
                out.reason = "no autograded notebook for " + ", ".join(missing)
            if not out.graded:
                outcomes.append(out)
                continue
            for name in notebooks:
                graded_nb = _load(graded_dir / f"{name}.ipynb")
                messages = {_nbgrader(c).get("grade_id"): _error_message(c)
                            for c in graded_nb["cells"] if _nbgrader(c).get("grade")}
                try:
                    sub_nb = gb.find_submission_notebook(name, assignment, student)
                except MissingEntry:
                    out.graded, out.reason = False, f"{name} is not in the gradebook"
                    break
                order = list(source_maps[name]) or sorted(g.name for g in sub_nb.grades)
                grades = {g.name: g for g in sub_nb.grades}
                for grade_id in order + sorted(set(grades) - set(order)):
                    g = grades.get(grade_id)
                    if g is None or g.cell.cell_type != "code":
                        continue
                    score = float(g.score) if g.score is not None else 0.0
                    failed = messages.get(grade_id) if score < g.max_score else None
                    out.results.append(TestResult(
                        grade_id, source_maps[name].get(grade_id, grade_id), score,
                        float(g.max_score), failed))
            outcomes.append(out)
    return outcomes


def autograde(course: Path, assignment: str, *, students: list[str] | None = None,
              cell_timeout: int | None = None, db_url: str | None = None, force: bool = True,
              extra_args: list[str] | None = None, env: dict | None = None
              ) -> tuple[list[Outcome], subprocess.CompletedProcess]:
    """Run ``nbgrader autograde`` once for all (or the given) students, then collect.

    Returns:
        (one Outcome per student, in name order; the finished nbgrader process with its log)
    """
    course = Path(course).resolve()
    db_url = db_url_of(course, db_url)
    args = ["autograde", assignment, f"--CourseDirectory.db_url={db_url}"]
    if cell_timeout is not None:
        args.append(f"--Execute.timeout={int(cell_timeout)}")
    if force:
        args.append("--force")
    if students:
        args.append("--CourseDirectory.student_id=" + (
            students[0] if len(students) == 1 else "*"))
    args += list(extra_args or [])
    proc = _run_nbgrader(args, course, env=env)
    log = proc.stdout + proc.stderr
    return collect(course, assignment, db_url, log, students), proc


# ---------------------------------------------------------------------------------------------
# Self-study: grade one notebook in a temporary course


def assignment_of(notebook: Path, root: Path = ROOT) -> str:
    """Which assignment of solutions/ a learner's notebook is (by file name, then folder)."""
    names = sorted(p.name for p in (root / "solutions").iterdir() if p.is_dir()) \
        if (root / "solutions").is_dir() else []
    for candidate in (notebook.stem, notebook.parent.name):
        if candidate in names:
            return candidate
    prefix = [n for n in names if notebook.stem.startswith(n[:3]) and n[:2].isdigit()]
    if len(prefix) == 1:
        return prefix[0]
    raise ValueError(f"cannot tell which notebook of the course {notebook} is: name it like "
                     f"04_layers.ipynb, or pass --assignment (one of {', '.join(names)})")


def make_course(dest: Path, assignments: list[str], root: Path = ROOT) -> Path:
    """A course folder at dest with root's nbgrader_config.py and the given solutions."""
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copy(root / "nbgrader_config.py", dest / "nbgrader_config.py")
    for name in assignments:
        shutil.copytree(root / "solutions" / name, dest / "solutions" / name,
                        ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    return dest


def grade_notebook(notebook: Path, *, assignment: str | None = None, root: Path = ROOT,
                   cell_timeout: int | None = None, keep: Path | None = None) -> Outcome:
    """Grade a copy of `notebook` against solutions/ with nbgrader, in a temporary course."""
    notebook = Path(notebook).resolve()
    if not notebook.is_file():
        raise FileNotFoundError(f"no notebook at {notebook}")
    assignment = assignment or assignment_of(notebook, root)
    tmp = Path(tempfile.mkdtemp(prefix="bpcourse-grade-")) if keep is None else keep
    try:
        course = make_course(tmp / "course", [assignment], root)
        db_url = f"sqlite:///{course / 'gradebook.db'}"
        env = {k: v for k, v in os.environ.items() if k != "BPCOURSE_DB_URL"}
        gen = _run_nbgrader(["generate_assignment", assignment, "--force",
                         f"--CourseDirectory.db_url={db_url}"], course, env=env)
        if gen.returncode != 0:
            raise RuntimeError("nbgrader generate_assignment failed:\n" + gen.stdout + gen.stderr)
        target = course / "submitted" / "self" / assignment / f"{assignment}.ipynb"
        target.parent.mkdir(parents=True)
        shutil.copy(notebook, target)
        outcomes, _ = autograde(course, assignment, students=["self"], db_url=db_url,
                                cell_timeout=cell_timeout, env=env)
        return outcomes[0]
    finally:
        if keep is None:
            shutil.rmtree(tmp, ignore_errors=True)


# ---------------------------------------------------------------------------------------------
# Printing


def hint_of(message: str | None) -> str:
    """A failure message for the table: on one line, without the exception class of an
    assertion (the message itself says what was expected and names the likely mistake)."""
    text = " ".join((message or "").split())
    return re.sub(r"^(AssertionError|GradientMismatch|TamperingDetected|DelegationDetected): ",
                  "", text)


def format_outcome(out: Outcome, width: int = 100) -> str:
    """The self-study table: one row per exercise, points, and the hint for what failed."""
    if not out.graded:
        return f"{out.assignment}: NOT GRADED ({out.reason})"
    rows = [f"{out.assignment}: {out.score:g} / {out.max_score:g} points", ""]
    table = out.exercises()
    name_w = max([len("exercise")] + [len(n) for n in table])
    left = name_w + 2 + 9 + 2
    rows.append(f"{'exercise':<{name_w}}  {'points':>9}  what failed")
    for name, (score, top, msg) in table.items():
        pts = f"{score:g}/{top:g}"
        lines = textwrap.wrap(hint_of(msg), max(40, width - left)) if score < top else ["ok"]
        rows.append(f"{name:<{name_w}}  {pts:>9}  " + (lines[0] if lines else "failed"))
        rows += [" " * left + line for line in lines[1:]]
    if out.tampering:
        rows += ["", "tampering suspected (reassigns what the grader relies on):"]
        rows += [f"  {t}" for t in out.tampering]
    return "\n".join(rows)


def format_summary(outcomes: list[Outcome]) -> str:
    if not outcomes:
        return "no submissions found (submitted/<student>/<assignment>/ is empty)"
    rows = []
    width = max([len("student")] + [len(o.student) for o in outcomes])
    for o in outcomes:
        if o.graded:
            status = f"{o.score:g} / {o.max_score:g}"
        else:
            status = f"NOT GRADED: {o.reason}"
        rows.append(f"{o.student:<{width}}  {status}"
                    + (f"  [tampering: {len(o.tampering)} line(s)]" if o.tampering else ""))
    graded = sum(o.graded for o in outcomes)
    rows.append(f"\n{graded} of {len(outcomes)} submission(s) graded"
                + (f"; NOT GRADED: {', '.join(o.student for o in outcomes if not o.graded)} "
                   "(fix or regrade these by hand; export would show them as 0)"
                   if graded < len(outcomes) else ""))
    for o in outcomes:
        for t in o.tampering:
            rows.append(f"tampering suspected, {o.student}: {t}")
    return "\n".join(rows)


def _exit_code(outcomes: list[Outcome]) -> int:
    if any(not o.graded for o in outcomes):
        return NOT_GRADED
    if any(o.tampering for o in outcomes):
        return TAMPERING
    return 0


# ---------------------------------------------------------------------------------------------
# Command line


def cli(command: str, argv: list[str]) -> int:
    return {"grade": _cli_grade, "autograde": _cli_autograde}[command](argv)


def _cli_grade(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="bpcourse grade",
        description="Grade a copy of your notebook with the full tests (hidden ones included) "
                    "of solutions/, with nbgrader, in a temporary folder. Your file is not "
                    "changed.")
    parser.add_argument("notebook", type=Path, help="e.g. notebooks/04_layers/04_layers.ipynb")
    parser.add_argument("--assignment", help="which notebook of the course it is (default: "
                        "from the file name, e.g. 04_layers)")
    parser.add_argument("--timeout", type=int, default=None,
                        help="seconds a cell may run (default: nbgrader_config.py's)")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args(argv)
    try:
        out = grade_notebook(args.notebook, assignment=args.assignment, cell_timeout=args.timeout)
    except (FileNotFoundError, ValueError) as err:
        parser.error(str(err))
    print(json.dumps(out.as_dict(), indent=1) if args.json else format_outcome(out))
    return _exit_code([out])


def _cli_autograde(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="bpcourse autograde",
        description="Run nbgrader autograde on every submission of ASSIGNMENT in the course's "
                    "submitted/ folder and report each: score, NOT GRADED (kernel died, a cell "
                    "that ignored the interrupt) or tampering. Exit code 3 if any submission "
                    "was not graded, 4 if tampering is suspected.")
    parser.add_argument("assignment", help="e.g. 04_layers")
    parser.add_argument("--course", type=Path, default=Path.cwd(),
                        help="the course folder with nbgrader_config.py (default: here)")
    parser.add_argument("--student", action="append", default=None,
                        help="grade only this student (repeat for several)")
    parser.add_argument("--timeout", type=int, default=None,
                        help="seconds a cell may run (default: nbgrader_config.py's)")
    parser.add_argument("--db-url", default=None, help="gradebook (default: the course's)")
    parser.add_argument("--no-force", action="store_true",
                        help="skip submissions that are already autograded")
    parser.add_argument("--json", action="store_true", help="print the outcomes as JSON")
    args = parser.parse_args(argv)
    course = args.course.resolve()
    if not (course / "nbgrader_config.py").exists():
        parser.error(f"{course} has no nbgrader_config.py: pass --course DIR, the course folder")
    try:
        return _autograde_and_report(args, course)
    except RuntimeError as err:
        print(f"bpcourse autograde: {err}", file=sys.stderr)
        return 1


def _autograde_and_report(args, course: Path) -> int:
    students = args.student
    if students and len(students) > 1:
        outcomes = []
        for s in students:  # nbgrader's --student takes one id (or a glob)
            outs, proc = autograde(course, args.assignment, students=[s], db_url=args.db_url,
                                   cell_timeout=args.timeout, force=not args.no_force)
            outcomes += outs
    else:
        outcomes, proc = autograde(course, args.assignment, students=students,
                                   db_url=args.db_url, cell_timeout=args.timeout,
                                   force=not args.no_force)
        if proc.returncode != 0 and all(o.graded for o in outcomes):
            print(proc.stdout + proc.stderr, file=sys.stderr)
            print("bpcourse autograde: nbgrader failed (log above)", file=sys.stderr)
            return 1
    print(json.dumps([o.as_dict() for o in outcomes], indent=1) if args.json
          else format_summary(outcomes))
    return _exit_code(outcomes)
