"""The course's tools: releasing, opening, grading and reporting on the notebooks.

Not part of ``import bpcourse`` (which stays numpy-only): the command line
(``python -m bpcourse COMMAND``) and nbgrader import these modules.

    course        where the course is, its assignments, the environment nbgrader runs in
    notebook      reading notebooks: cells, exercises, hidden test lines, failure messages
    outcome       what grading a submission gave (Outcome), its tables and the exit codes
    nbgrader_run  running nbgrader, the gradebook's URL, why nbgrader could not grade
    tamper        the scan for reassigned numpy / builtins / bpcourse names
    collect       reading autograde's results back from the gradebook and autograded/
    feedback      the feedback preprocessor that hides quoted hidden test lines
    autograde     ``bpcourse grade`` (self-study) and ``bpcourse autograde`` (instructor)
    gradebook     a job's copy of an assignment's gradebook entries; grades written back
    job           one submission graded in a temporary course (the unit of parallel work)
    parallel      ``bpcourse autograde --workers N``: the jobs on Dask distributed
    report        ``bpcourse report``: what the class got wrong
    release       ``bpcourse release``: notebooks/ from solutions/
    lab           ``bpcourse lab`` and ``teach``: JupyterLab for learners and instructors
"""
