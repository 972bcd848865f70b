"""A corpus of notebook submissions with the exact score expected for each exercise.

Each submission is described, not stored: "start from the release with every answer filled in from
solutions/ (or from the untouched release), replace the answer cell of exercise X with this
source, edit this test cell, ..." (see ``build``). ``tests/test_corpus.py`` grades them all with
nbgrader's own autograde and checks every score, hint, "not graded" and tampering report.
The descriptions of each notebook are in ``nbNN.py``; ``bad.py`` has the submissions that try to
break grading.
"""
