"""nbgrader configuration for bpcourse: `make release`, `python -m bpcourse grade|autograde`, and
every nbgrader command run at the root of the repository (or of a course made from it).

solutions/ is the single source of truth; notebooks/ is the student release generated from it.
Overrides without editing this file (environment, or nbgrader's own command-line flags):

    BPCOURSE_DB_URL        gradebook, e.g. postgresql://grader@host/bpcourse for several
                           graders sharing one gradebook (default: SQLite, gradebook.db here)
    BPCOURSE_CELL_TIMEOUT  seconds a cell may run during autograde before it is interrupted
                           (default 60; the grading tests use a few seconds)
    nbgrader autograde 04_layers --CourseDirectory.db_url=... --Execute.timeout=...

What each setting protects against is measured in tests/test_grading_pipeline.py.
"""

import os

c = get_config()  # noqa: F821  (nbgrader provides get_config)

HERE = os.path.dirname(os.path.abspath(__file__))

c.CourseDirectory.course_id = "bpcourse"
c.CourseDirectory.root = HERE  # the same course whichever folder nbgrader is started from
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "notebooks"
c.CourseDirectory.submitted_directory = "submitted"
c.CourseDirectory.autograded_directory = "autograded"
c.CourseDirectory.feedback_directory = "feedback"
c.CourseDirectory.db_url = os.environ.get(
    "BPCOURSE_DB_URL", "sqlite:///" + os.path.join(HERE, "gradebook.db"))

# Student releases are committed without outputs.
c.ClearOutputPreprocessor.enabled = True

# A cell that runs longer than this is interrupted (KeyboardInterrupt): that cell scores 0 and
# grading goes on with the next cell. A kernel that ignores the interrupt, or dies, leaves the
# whole submission ungraded; `python -m bpcourse autograde` reports it as "not graded".
c.Execute.timeout = int(os.environ.get("BPCOURSE_CELL_TIMEOUT", "60"))
c.Execute.interrupt_on_timeout = True
# After the interrupt (and after every cell), the kernel's remaining output must arrive within
# this many seconds or the submission is not graded. nbgrader's 4 s is tight on a busy machine.
c.Execute.iopub_timeout = 10

# A test cell the learner deleted is put back from the gradebook and run, so it scores 0 unless
# the answer passes it; edited test cells and points are overwritten from the gradebook anyway.
c.OverwriteCells.add_missing_cells = True

# nbgrader gives 0 to a test cell with *any* stderr output. A warning raised by the learner's
# code (overflow in exp, a deprecation) says nothing about correctness: drop warnings only.
# Errors still score 0, because they are "error" outputs, not stderr text.
c.IgnorePattern.enabled = True
c.IgnorePattern.pattern = r"\b\w*Warning\b"

# `nbgrader zip_collect ASSIGNMENT`: the files of an LMS download, put in
# downloaded/ASSIGNMENT/archive/ (zip files are unpacked), become
# submitted/<student>/ASSIGNMENT/<notebook>.ipynb. The regular expression is matched against the
# full path of each file; this one reads Canvas' "Download submissions" names,
# lastfirst_[late_]userid_submissionid_04_layers[-1].ipynb. Adapt it to your LMS.
c.FileNameCollectorPlugin.named_regexp = (
    r".*/(?P<student_id>[A-Za-z0-9]+)_(?:late_)?\d+_\d+_(?P<file_id>\d\d_\w+?)(?:-\d+)?\.ipynb$")

# Huge output (a print in a loop) is cut in the autograded notebook and in the feedback.
c.LimitOutput.max_lines = 200
c.LimitOutput.max_traceback = 60

# Feedback must never show hidden tests: neither the hidden part of a test cell
# (ClearHiddenTests) nor the hidden lines quoted in a traceback (FeedbackTracebacks keeps
# "AssertionError: <the hint>" and drops the quoted source).
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
    "bpcourse.tools.feedback.FeedbackTracebacks",  # first: it reads the hidden lines to drop
    "nbgrader.preprocessors.ClearHiddenTests",
]
