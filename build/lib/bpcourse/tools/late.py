"""The late-submission penalty, as an nbgrader LateSubmissionPlugin (nbgrader_config.py names it).

nbgrader compares each submission's timestamp.txt with the assignment's due date (set by
``python -m bpcourse release NAME --due ...``) and asks this plugin for the penalty of a late
notebook: ``fraction_per_day`` of the points it scored, per day or part of a day late, at most
all of them. nbgrader computes it at autograde, on the autograded points.
"""

from __future__ import annotations

import math

from nbgrader.plugins import LateSubmissionPlugin
from traitlets import Float


class LatePenalty(LateSubmissionPlugin):
    """Subtract a fraction of the score per started day late."""

    fraction_per_day = Float(0.1, help="fraction of the score lost per day (or part of one) "
                             "late; 1.0 gives 0 points to any late work").tag(config=True)

    def late_submission_penalty(self, student_id: str, score: float,
                                total_seconds_late: float) -> float | None:
        if total_seconds_late <= 0:
            return None
        days = math.ceil(total_seconds_late / 86400)
        penalty = min(score, score * self.fraction_per_day * days)
        self.log.info("%s is %d day(s) late: penalty %g", student_id, days, penalty)
        return penalty
