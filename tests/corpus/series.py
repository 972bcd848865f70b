"""Shared shape of a notebook's corpus: reference, another style, release, then mistakes."""

from __future__ import annotations

from .build import Submission


def standard(prefix: str, assignment: str, alternatives: dict, mistakes: dict,
             partial: dict[str, float], together: bool = True,
             knock_on: dict[str, dict[str, float]] | None = None) -> list[Submission]:
    """The reference (full marks), the alternatives (full marks), the untouched release (0,
    NotImplementedError), and the k-th mistake of every exercise together in one notebook: the
    exercises are independent, so each loses exactly its own points (or keeps partial[label])
    and its own message names its own mistake.

    mistakes: exercise -> [(label, source or (old, new) replacements, hint text or None)].
    together: False when the exercises build on each other (one mistake per notebook then).
    knock_on: mistake label -> {later exercise: points} for exercises whose reference answer
        calls the mistaken one (they lose points too, for a reason of the notebook's design).
    """
    subs = [Submission(f"{prefix}-reference", assignment),
            Submission(f"{prefix}-release", assignment, base="release",
                       hints={name: "NotImplementedError" for name in alternatives}),
            Submission(f"{prefix}-alternative-styles", assignment, answers=dict(alternatives))]
    groups = [{ex: ms[k] for ex, ms in mistakes.items() if k < len(ms)}
              for k in range(max((len(m) for m in mistakes.values()), default=0))]
    if not together:
        groups = [{ex: m} for group in groups for ex, m in group.items()]
    for k, chosen in enumerate(groups):
        subs.append(Submission(
            f"{prefix}-mistakes-{k + 1}", assignment,
            answers={ex: change for ex, (_, change, _) in chosen.items()},
            expected={**{ex: pts for label, _, _ in chosen.values()
                         for ex, pts in (knock_on or {}).get(label, {}).items()},
                      **{ex: partial.get(label, 0.0) for ex, (label, _, _) in chosen.items()}},
            hints={ex: hint for ex, (_, _, hint) in chosen.items() if hint},
            note=", ".join(f"{ex}: {label}" for ex, (label, _, _) in chosen.items())))
    return subs


def named_count(mistakes: dict) -> dict[str, int]:
    """exercise -> how many of its mistakes the tests name."""
    return {ex: sum(1 for _, _, hint in ms if hint) for ex, ms in mistakes.items()}
