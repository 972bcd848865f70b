"""The course's tools: releasing, opening, grading and reporting on the notebooks.

Not part of ``import bpcourse`` (which stays numpy-only): the command line
(``python -m bpcourse COMMAND``) and nbgrader import these modules.

    course        where the course is, its assignments, the environment nbgrader runs in
    notebook      reading notebooks: cells, exercises, hidden test lines, failure messages
    outcome       what grading a submission gave (Outcome), its tables and the exit codes
    nbgrader_run  running nbgrader (its autograde in this process), the gradebook's URL, why
                  nbgrader could not grade
    tamper        the scan for reassigned numpy / builtins / bpcourse names
    collect       reading autograde's results back from the gradebook and autograded/
    feedback      the feedback preprocessor that hides quoted hidden test lines
    autograde     ``bpcourse grade`` (self-study) and ``bpcourse autograde`` (instructor)
    grade         ``bpcourse grade``'s entry: starts the kernel, then imports the grader
    early_kernel  that kernel, started with the standard library only
    early_kernel_manager  the kernel manager that adopts it for nbgrader's Execute
    kernel_client the grading kernels' client and manager: ready without waiting out timeouts
    gradebook     a job's copy of an assignment's gradebook entries; grades written back
    job           one submission graded in a temporary course (the unit of parallel work)
    parallel      ``bpcourse autograde --workers N``: the jobs on Dask distributed
    report        ``bpcourse report``: what the class got wrong
    release       ``bpcourse release``: notebooks/ from solutions/
    lab           ``bpcourse lab`` and ``teach``: JupyterLab for learners and instructors
    safely        one-line errors, gradebook checks, outputs replaced only on success
    lms           an LMS (Canvas) download -> submitted/<LMS user id>/, with a roster
    late          the late-submission penalty (an nbgrader plugin)
    scores        points per exercise from the gradebook, pending manual grading kept apart
    manual        recording a hand grade and comment with nbgrader's Gradebook API
    export        the gradebook CSV an LMS (Canvas) imports
    feedback_html feedback pages: no absolute paths, alt texts, pending marked, quiet
    week          ``bpcourse collect``, ``manual-grade``, ``feedback``, ``export``
"""

import sys

# jsonschema (under nbformat, hence nbgrader) imports rfc3987_syntax when it is installed
# (jupyter_events asks for jsonschema[format-nongpl]), and that builds an Earley parser of the
# IRI grammar at import: 1-4 s, more than executing a short notebook, on every `bpcourse grade`
# and in every grading process. Nothing here checks the "iri" string formats it serves (nbformat
# validates notebooks without format checks): a None entry makes that optional import fail, as
# it does where the package is not installed. tests/test_grade_in_process.py proves both halves.
if "rfc3987_syntax" not in sys.modules:
    sys.modules["rfc3987_syntax"] = None
