"""The instructor's week (README, "Teaching with nbgrader"): release, Canvas collection, autograde,
manual grading, feedback and Canvas export, each step safe to fail.

The fast tests check the pieces without a kernel; ``test_the_week_as_the_readme_runs_it`` runs the
README's commands on a copy of the repository with 02_chain_rule and five Canvas students (two
named Jane Doe, copies, a late file, a kernel that dies, one who submitted nothing), provoking a
failure at each step and checking that the earlier output is intact.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bpcourse.tools import autograde, export, feedback_html, late, lms, safely, scores, week
from bpcourse.tools.outcome import Outcome, format_by_exercise

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "canvas"
ROSTER = FIXTURES / "gradebook_export.csv"
PY = sys.executable
UTC = dt.UTC


def canvas_zip(path: Path, files: dict[str, tuple[str | bytes, dt.datetime]]) -> Path:
    """A Canvas "Download submissions" zip: name -> (content, submission time)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w") as zf:
        for name, (content, when) in files.items():
            zf.writestr(zipfile.ZipInfo(name, when.timetuple()[:6]), content)
    return path


def at(day: int, hour: int) -> dt.datetime:
    return dt.datetime(2026, 11, day, hour, 0, tzinfo=UTC)


# ---------------------------------------------------------------------------------------------
# Canvas collection (no kernel, no gradebook)

NB = "02_chain_rule"


def test_roster_is_canvas_gradebook_export_keyed_by_user_id():
    roster = lms.read_roster(ROSTER)
    assert list(roster) == ["1001", "1002", "1003", "1004", "1005"]
    assert roster["1001"].name == roster["1002"].name == "Doe, Jane"
    assert roster["1003"].first_last == ("Bob", "Builder")
    assert roster["1004"].section == "Section B"


def test_canvas_collection_keeps_every_student(tmp_path):
    zip_path = canvas_zip(tmp_path / "dl" / "submissions.zip", {
        f"doejane_1001_5001_{NB}.ipynb": ("jane one", at(30, 9)),
        f"doejane_1002_5002_{NB}-Copy1.ipynb": ("jane two", at(30, 10)),
        f"builderbob_late_1003_5003_{NB} (1).ipynb": ("bob", at(30, 20)),
        f"cartercarol_1004_5004_{NB}-1.ipynb": ("carol old", at(29, 9)),
        f"cartercarol_1004_5005_{NB}-2.ipynb": ("carol new", at(30, 9)),
        "__MACOSX/._junk": ("", at(30, 9)),
    })
    course = tmp_path / "course"
    lines = lms.collect(course, NB, [NB], zip_path, lms.read_roster(ROSTER))
    assert len(lines) == 4, lines
    for user_id, text in [("1001", "jane one"), ("1002", "jane two"), ("1003", "bob"),
                          ("1004", "carol new")]:
        folder = course / "submitted" / user_id / NB
        assert (folder / f"{NB}.ipynb").read_text() == text
    stamp = (course / "submitted" / "1003" / NB / "timestamp.txt").read_text()
    assert stamp.strip() == "2026-11-30 20:00:00 UTC"
    assert any(line.startswith("1003  Builder, Bob: 2026-11-30 20:00:00 UTC late, collected")
               for line in lines), lines
    assert any("1004" in line and "1 older file(s) not used" in line for line in lines), lines
    assert not (course / safely.STAGING).exists()


def test_a_file_that_is_not_a_submission_is_an_error_naming_it(tmp_path):
    zip_path = canvas_zip(tmp_path / "submissions.zip", {
        f"doejane_1001_5001_{NB}.ipynb": ("jane", at(30, 9)),
        "readme.txt": ("hello", at(30, 9)),
        f"smithsam_1009_5009_{NB}.ipynb": ("not in roster", at(30, 9)),
        "doejane_1002_5002_homework.ipynb": ("wrong file", at(30, 9)),
    })
    course = tmp_path / "course"
    with pytest.raises(safely.CourseError) as err:
        lms.collect(course, NB, [NB], zip_path, lms.read_roster(ROSTER))
    message = str(err.value)
    assert "\n" not in message and "--skip-unknown" in message
    for name in ("readme.txt", "user id 1009 is not in the roster", "homework.ipynb"):
        assert name in message
    assert not (course / "submitted").exists()  # nothing collected
    lines = lms.collect(course, NB, [NB], zip_path, lms.read_roster(ROSTER), skip_unknown=True)
    assert sum(line.startswith("skipped: ") for line in lines) == 3
    assert sorted(p.name for p in (course / "submitted").iterdir()) == ["1001"]


def test_a_redownload_replaces_only_with_newer_work(tmp_path):
    course, roster = tmp_path / "course", lms.read_roster(ROSTER)
    first = canvas_zip(tmp_path / "1.zip", {
        f"doejane_1001_5001_{NB}.ipynb": ("v1", at(30, 9)),
        f"doejane_1002_5002_{NB}.ipynb": ("v1", at(30, 9))})
    lms.collect(course, NB, [NB], first, roster)
    again = lms.collect(course, NB, [NB], first, roster)
    assert all(line.endswith("unchanged") for line in again), again
    second = canvas_zip(tmp_path / "2.zip", {
        f"doejane_1001_5101_{NB}.ipynb": ("v2", at(30, 11)),
        f"doejane_1002_5002_{NB}.ipynb": ("older", at(29, 9))})
    lines = lms.collect(course, NB, [NB], second, roster)
    assert (course / "submitted" / "1001" / NB / f"{NB}.ipynb").read_text() == "v2"
    assert (course / "submitted" / "1002" / NB / f"{NB}.ipynb").read_text() == "v1"
    assert "replaced an earlier one" in lines[0] and "kept the newer one" in lines[1], lines


# ---------------------------------------------------------------------------------------------
# Export, summary, feedback pieces


def sheet(student, grad, written=None, penalty=0.0):
    ex = {"grad": scores.Points(grad, 4.0)}
    ex["written"] = scores.Points(0.0, 1.0, 1.0) if written is None else scores.Points(written, 1)
    return scores.Sheet(student, ex, late_penalty=penalty)


def test_canvas_export_has_the_import_layout_and_never_a_false_zero():
    sample = list(csv.reader(ROSTER.open(newline="")))
    rows = export.canvas_rows(NB, "Chain rule (123456)", ["grad", "written"], {
        "1001": sheet("1001", 4.0, written=1.0), "1002": sheet("1002", 2.0),
        "1003": sheet("1003", 4.0, written=1.0, penalty=1.0), "1004": sheet("1004", 0.0)},
        {"1004": "the kernel died"}, lms.read_roster(ROSTER))
    header, possible, *students = rows
    assert header[:6] == sample[0][:6]  # Student, ID, SIS User ID, SIS Login ID, Section, name
    assert possible[0] == sample[1][0] and possible[5:8] == ["5", "4", "1"]
    by_id = {row[1]: dict(zip(header, row, strict=True)) for row in students}
    assert [row[:5] for row in students] == [row[:5] for row in sample[2:]]
    col = "Chain rule (123456)"
    assert by_id["1001"][col] == "5" and by_id["1001"][f"{NB}: status"] == "graded"
    assert by_id["1002"][col] == "" and by_id["1002"][f"{NB}: written"] == ""
    assert by_id["1002"][f"{NB}: pending manual"] == "1"
    assert by_id["1002"][f"{NB}: grad"] == "2"
    assert by_id["1003"][col] == "4" and "late: -1" in by_id["1003"][f"{NB}: status"]
    assert by_id["1004"][col] == ""
    assert by_id["1004"][f"{NB}: status"] == "NOT GRADED: the kernel died"
    assert by_id["1005"][col] == "" and by_id["1005"][f"{NB}: status"] == "no submission"


def test_summary_names_the_exercises_and_shows_pending_not_zero():
    outs = [Outcome("1001", NB, True), Outcome("1002", NB, True),
            Outcome("1004", NB, False, reason="the kernel died")]
    text = format_by_exercise(outs, ["grad", "written"], {
        "1001": sheet("1001", 4.0, written=1.0), "1002": sheet("1002", 2.0)}, kept=["1004"])
    assert re.search(r"^student +grad +written +total$", text, re.M), text
    assert re.search(r"^1001 +4/4 +1/1 +5/5$", text, re.M), text
    assert re.search(r"^1002 +2/4 +pending/1 +2/5 \+1 pending$", text, re.M), text
    assert "1004     NOT GRADED: the kernel died  (earlier autograded/ kept)" in text
    assert "points pending grading by hand: 1002" in text


def test_feedback_marks_pending_cells():
    page = ('<h4>02_chain_rule (Score: 10.0 / 11.0)</h4>'
            '<li><a href="#written_fork">Written response</a> (Score: 0.0 / 1.0)</li>'
            '<a name="written_fork"></a><div class="panel-heading"><span>Student\'s answer</span>'
            '<span class="pull-right">Score: 0.0 / 1.0 <a href="#top">(Top)</a></span>')
    out = feedback_html.mark_pending(page, {"written_fork": 1.0})
    assert "(Score: 10.0 / 11.0, 1 point(s) pending grading by hand)" in out
    assert "Written response</a> (Score: pending / 1.0)" in out
    assert "Score: pending (graded by hand) / 1.0" in out and "0.0 / 1.0" not in out


def test_feedback_shows_no_absolute_path():
    text = ("\x1b[0;32mFile \x1b[0;32m/home/prof/course/.venv/lib/python3.11/site-packages/"
            "bpcourse/grading/nb02.py:45\x1b[0m, in check(x)\n"
            "File /tmp/xyz/course/helper.py:3\nCell In[4], line 2")
    out = feedback_html.strip_paths(text, ["/home/prof/course/.venv/lib/python3.11/"
                                           "site-packages/"])
    assert "bpcourse/grading/nb02.py:45" in out and "helper.py:3" in out
    assert "/home/" not in out and "/tmp/" not in out and "Cell In[4], line 2" in out


def test_figures_get_a_text_alternative():
    import nbformat
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(outputs=[
        nbformat.v4.new_output("display_data", data={"image/png": "iVBOR",
                                                     "text/plain": "<Figure size 4x3>"}),
        nbformat.v4.new_output("display_data", data={
            "image/svg+xml": "<svg/>", "text/plain": "<bpcourse.graph.Picture at 0x7f>"})])])
    feedback_html.AltText().preprocess(nb, {})
    png, svg = nb.cells[0].outputs
    assert png.metadata["image/png"]["alt"] == "figure drawn by cell 1"
    assert svg.data["text/html"] == ('<img alt="figure drawn by cell 1" '
                                     'src="data:image/svg+xml;base64,PHN2Zy8+">')


def test_late_penalty_is_a_fraction_per_started_day():
    plugin = late.LatePenalty(fraction_per_day=0.1)
    assert plugin.late_submission_penalty("s", 10.0, 0) is None
    assert plugin.late_submission_penalty("s", 10.0, 3600) == pytest.approx(1.0)
    assert plugin.late_submission_penalty("s", 10.0, 86400 + 1) == pytest.approx(2.0)
    assert plugin.late_submission_penalty("s", 10.0, 86400 * 30) == 10.0


# ---------------------------------------------------------------------------------------------
# One-line failures


def test_a_missing_postgresql_driver_is_one_line_naming_the_fix(monkeypatch):
    monkeypatch.setitem(sys.modules, "psycopg", None)  # as if psycopg 3 were not installed
    monkeypatch.setitem(sys.modules, "psycopg2", None)
    with pytest.raises(safely.CourseError) as err:
        safely.check_gradebook("postgresql://grader:secret@dbhost/bpcourse")
    message = str(err.value)
    assert "\n" not in message and "secret" not in message
    assert "'psycopg'" in message and "psycopg[binary]" in message


def test_an_unreachable_gradebook_is_one_line(tmp_path):
    with pytest.raises(safely.CourseError, match=r"^cannot reach the gradebook, sqlite database .*"
                       r"BPCOURSE_DB_URL") as err:
        safely.check_gradebook(f"sqlite:///{tmp_path}/no/such/folder/gradebook.db")
    assert "\n" not in str(err.value)


def test_the_commands_print_one_line_not_a_traceback(tmp_path, capsys):
    (tmp_path / "nbgrader_config.py").write_text((ROOT / "nbgrader_config.py").read_text())
    db = f"sqlite:///{tmp_path / 'gradebook.db'}"
    for command, args in [("autograde", [NB]), ("collect", [NB]), ("feedback", [NB]),
                          ("export", [NB]), ("manual-grade", [NB, "1001", "x", "--points", "1"])]:
        cli = autograde.cli if command == "autograde" else week.cli
        assert cli(command, [*args, "--course", str(tmp_path), "--db-url", db]) == 1
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "Traceback" not in err, err
        assert "release" in err, err  # what to do: release it first


# ---------------------------------------------------------------------------------------------
# The week, as the README runs it, on a copy of the repository

COLUMN = "Chain rule (123456)"
DEAD_DB = "postgresql://grader@127.0.0.1:1/bpcourse"  # no driver, or nothing listening


def digest(folder: Path) -> str:
    """One hash of every file under folder (names and contents)."""
    h = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        h.update(str(path.relative_to(folder)).encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def readme_commands() -> dict[str, list[str]]:
    """The `python -m bpcourse ...` lines of the README's "The week" block, by command."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text.split("### The week", 1)[1].split("```bash", 1)[1].split("```", 1)[0]
    lines = [line.split("  #", 1)[0] for line in block.splitlines()
             if line.startswith("python -m bpcourse ")]
    return {shlex.split(line)[3]: shlex.split(line)[3:] for line in lines}


def test_the_readme_week_is_the_six_commands_in_order():
    assert list(readme_commands()) == ["release", "collect", "autograde", "manual-grade",
                                       "feedback", "export"]


class Course:
    def __init__(self, root: Path, commands: dict[str, list[str]]):
        self.root, self.commands = root, commands
        self.env = dict(os.environ, PATH=str(Path(PY).parent) + os.pathsep + os.environ["PATH"])
        self.env.pop("BPCOURSE_DB_URL", None)

    def run(self, *args: str, code: int = 0) -> subprocess.CompletedProcess:
        """python -m bpcourse ARGS in the course, as the README writes it."""
        proc = subprocess.run([PY, "-m", "bpcourse", *args], cwd=self.root, env=self.env,
                              capture_output=True, text=True, timeout=900)
        assert proc.returncode == code, (f"{args} exited {proc.returncode}, not {code}:\n"
                                         f"{proc.stdout}\n{proc.stderr}")
        return proc

    def readme(self, command: str, code: int = 0) -> subprocess.CompletedProcess:
        """The README's command, verbatim."""
        return self.run(*self.commands[command], code=code)

    def fails(self, *args: str) -> str:
        """The command fails with one line on stderr, no traceback; returns that line."""
        err = self.run(*args, code=1).stderr
        assert err.count("\n") == 1 and "Traceback" not in err, err
        return err


def written_answer(text: str):
    """An edit: the learner writes `text` in the written answer (an unchanged one scores 0)."""
    def edit(nb):
        for cell in nb["cells"]:
            if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") == "written_fork":
                cell["source"] = text
    return edit


@pytest.mark.slow
def test_the_week_as_the_readme_runs_it(tmp_path, copy_repo):
    from corpus.build import Submission, build, hidden_test_lines, visible_text

    c = Course(copy_repo(tmp_path / "course"), readme_commands())
    shutil.copy(ROSTER, c.root / "roster.csv")

    # 1. release, with a due date; a broken solution keeps the earlier release
    c.readme("release")
    released = digest(c.root / "notebooks" / NB)
    solution_path = c.root / "solutions" / NB / f"{NB}.ipynb"
    good_solution = solution_path.read_text()
    solution_path.write_text(good_solution.replace("### END SOLUTION", "", 1))
    assert "fix solutions/02_chain_rule/" in c.fails("release", NB)
    assert digest(c.root / "notebooks" / NB) == released
    solution_path.write_text(good_solution)

    # 2. Canvas collection: two Jane Does, copies, a late file, a kernel that dies, a stray file
    release_nb = json.loads((c.root / "notebooks" / NB / f"{NB}.ipynb").read_text())
    solution = json.loads(good_solution)
    answer = (written_answer("The gradients of the two paths add."),)
    right = json.dumps(build(Submission("x", NB, edits=answer), release_nb, solution))
    wrong = json.dumps(build(Submission("x", NB, answers={"grad_add_mul": "pass"}, edits=answer),
                             release_nb, solution))
    dies = json.dumps(build(Submission("x", NB, answers={"grad_fork": "import os\nos._exit(0)"},
                                       edits=answer), release_nb, solution))
    late_time = dt.datetime(2026, 12, 1, 18, 0, tzinfo=UTC)  # 25 h late: 2 days, -20 %
    download = {
        f"doejane_1001_5001_{NB}.ipynb": (right, at(30, 9)),
        f"doejane_1002_5002_{NB}-Copy1.ipynb": (wrong, at(30, 10)),
        f"builderbob_late_1003_5003_{NB} (1).ipynb": (right, late_time),
        f"cartercarol_1004_5004_{NB}-1.ipynb": (dies, at(30, 11)),
    }
    archive = c.root / "downloaded" / NB / "archive" / "submissions.zip"
    canvas_zip(archive, download | {"readme.txt": ("notes", at(30, 9))})
    err = c.readme("collect", code=1).stderr
    assert "readme.txt" in err and err.count("\n") == 1, err
    assert not (c.root / "submitted").exists()
    assert "never released" in c.fails("collect", "01_numerical_gradients", "--lms", "canvas")
    canvas_zip(archive, download)  # the stray file removed from the download
    lines = c.readme("collect").stdout.splitlines()
    assert [line.split()[0] for line in lines] == ["1001", "1002", "1003", "1004"]
    assert lines[2] == "1003  Builder, Bob: 2026-12-01 18:00:00 UTC late, collected"
    again = c.readme("collect").stdout.splitlines()  # downloading again changes nothing
    assert all(line.endswith(", unchanged") for line in again), again

    # 3. autograde: points per exercise; the dead kernel is NOT GRADED (exit 3)
    summary = c.readme("autograde", code=3).stdout
    assert re.search(r"^student +grad_add_mul +grad_sigmoid_neuron +grad_fork +written_fork "
                     r"+total$", summary, re.M), summary
    assert re.search(r"^1001 +2/2 +4/4 +4/4 +pending/1 +10/11 \+1 pending$", summary, re.M)
    assert re.search(r"^1002 +0/2 +4/4 +4/4 +pending/1 +8/11 \+1 pending$", summary, re.M)
    assert re.search(r"^1003 .* 8/11 \+1 pending \(late: -2\)$", summary, re.M), summary
    assert re.search(r"^1004 +NOT GRADED: the kernel died", summary, re.M), summary
    graded_1001 = digest(c.root / "autograded" / "1001")
    # a gradebook that cannot be used, then a resubmission whose kernel dies: output kept
    assert "gradebook" in c.fails("autograde", NB, "--db-url", DEAD_DB)
    submitted_1001 = c.root / "submitted" / "1001" / NB / f"{NB}.ipynb"
    submitted_1001.write_text(dies)
    again = c.run("autograde", NB, "--student", "1001", code=3).stdout
    assert "NOT GRADED: the kernel died" in again and "(earlier autograded/ kept)" in again
    assert digest(c.root / "autograded" / "1001") == graded_1001
    submitted_1001.write_text(right)
    c.run("autograde", NB, "--student", "1001")

    # 4. manual grading of the written answer
    assert "written_fork" in c.fails("manual-grade", NB, "1001", "written", "--points", "1")
    c.readme("manual-grade")
    c.run("manual-grade", NB, "1003", "written_fork", "--points", "1")

    # 5. feedback: the hand-graded answer and its comment; pending marked; nothing hidden
    lines = c.readme("feedback").stdout.splitlines()
    assert lines[1] == f"1002: feedback/1002/{NB}/ (1 point(s) pending grading by hand)", lines
    pages = {p.parts[-3]: p.read_text() for p in (c.root / "feedback").rglob("*.html")}
    assert sorted(pages) == ["1001", "1002", "1003"]
    assert "Right: the two paths add." in pages["1001"] and "pending" not in pages["1001"]
    assert "Score: pending (graded by hand) / 1.0" in pages["1002"]
    hidden = hidden_test_lines(c.root / "solutions")
    for student, page in pages.items():
        text = visible_text(page)
        assert str(c.root) not in page and sys.prefix not in page, student
        assert not [line for line in hidden if line in text], student
    fed = digest(c.root / "feedback")
    assert "gradebook" in c.fails("feedback", NB, "--db-url", DEAD_DB)
    assert digest(c.root / "feedback") == fed
    quiet = subprocess.run([PY, "-m", "nbgrader", "generate_feedback", NB, "--force",
                            "--CourseDirectory.feedback_directory=quiet-check"], cwd=c.root,
                           env=c.env, capture_output=True, text=True)
    assert quiet.returncode == 0, quiet.stderr
    assert "not recognized" not in quiet.stderr and "Alternative text" not in quiet.stderr

    # 6. Canvas export, keyed by the Canvas user id; never a false 0
    c.readme("export")
    exported = (c.root / "grades-canvas.csv").read_text()
    assert "gradebook" in c.fails("export", NB, "--db-url", DEAD_DB, "--to", "grades-canvas.csv")
    assert (c.root / "grades-canvas.csv").read_text() == exported
    header, possible, *rows = list(csv.reader(io.StringIO(exported)))
    sample = list(csv.reader(ROSTER.open(newline="")))
    assert header[:6] == sample[0][:6] and possible[:6] == ["    Points Possible", "", "", "",
                                                            "", "11"]
    got = {row[1]: dict(zip(header, row, strict=True)) for row in rows}
    status = f"{NB}: status"
    assert (got["1001"][COLUMN], got["1001"][f"{NB}: written_fork"]) == ("11", "1")
    assert got["1002"][COLUMN] == "" and got["1002"][f"{NB}: grad_add_mul"] == "0"
    assert got["1002"][status] == "pending manual grading: 1 point(s)"
    assert got["1003"][COLUMN] == "9" and got["1003"][status] == "late: -2"
    assert got["1004"][COLUMN] == "" and got["1004"][status].startswith("NOT GRADED: ")
    assert got["1005"][COLUMN] == "" and got["1005"][status] == "no submission"
    assert not (c.root / safely.STAGING).exists()
