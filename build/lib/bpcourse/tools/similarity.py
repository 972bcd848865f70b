"""``bpcourse similarity ASSIGNMENT``: which submissions share code, for a person to read.

Compares only what the students wrote: the answer cells of each submission, with the
release's skeleton (the ``def`` line, the docstring, ``raise NotImplementedError()``) and every
comment and docstring taken out. Each pair of students is compared, and each student against the
package's own implementations (``bpcourse/layers.py`` ...), which every student can read.

The fingerprinting is copydetect's (winnowing, as MOSS): names become one token (V, F), so
renamed variables do not hide a copy; fingerprints are a set, so reordered functions do not
either. A pair's score is the share of a student's code that lies in regions found in the other
file: 1.0 means every line of it has a match there.

Writes ``similarity/ASSIGNMENT/`` in the course: ``report.html`` (matched regions side by
side), ``pairs.csv`` (the pairs at or above the threshold, most similar first) and ``code/``
(the code that was compared, one file per student). It flags; it never changes a grade.
"""

from __future__ import annotations

import argparse
import ast
import csv
import io
import sys
from dataclasses import dataclass
from pathlib import Path

from copydetect import CodeFingerprint, CopyDetector, compare_files

import bpcourse

from .notebook import cell_source, load_notebook, nbgrader_meta
from .tamper import parse_cell

THRESHOLD = 0.5
NOISE = 20  # characters of filtered code (names are one letter) below which a match is noise
REFERENCE = "reference"  # the name of the package's side in the report


@dataclass(frozen=True)
class Pair:
    """a's code compared with b's (b is a student, or "reference:<module>")."""

    a: str
    b: str
    score_a: float  # share of a's code found in b
    score_b: float  # share of b's code found in a (small for a whole reference module)
    tokens: int  # filtered characters in matched regions

    @property
    def score(self) -> float:
        return self.score_a if self.b.startswith(REFERENCE) else max(self.score_a,
                                                                         self.score_b)


# --- what the students wrote --------------------------------------------------------------------

def strip_comments(source: str) -> str:
    """The code without comments, docstrings and blank lines (the source as is when it does
    not parse: then only comment lines go)."""
    tree = parse_cell(source)
    if tree is None:
        return "\n".join(line for line in source.splitlines()
                         if line.strip() and not line.lstrip().startswith("#"))
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if (isinstance(body, list) and body and isinstance(body[0], ast.Expr)
                and isinstance(body[0].value, ast.Constant)
                and isinstance(body[0].value.value, str)):
            body.pop(0)
            if not body:
                body.append(ast.Pass())
    return ast.unparse(tree)


def _lines(source: str) -> list[str]:
    return [line for line in source.splitlines() if line.strip()]


def written_code(answer: str, skeleton: str) -> str:
    """The student's answer without comments, docstrings and the lines of the skeleton the
    release gave (compared after both are stripped the same way)."""
    given = {line.strip() for line in _lines(strip_comments(skeleton))}
    given |= {"pass", "raise NotImplementedError()", "raise NotImplementedError"}
    kept = [line for line in _lines(strip_comments(answer)) if line.strip() not in given]
    return "\n".join(kept)


def answer_cells(notebook: dict) -> dict[str, str]:
    """grade_id -> source of each answer cell (nbgrader solution cell) of a notebook."""
    return {nbgrader_meta(c)["grade_id"]: cell_source(c) for c in notebook.get("cells", [])
            if c.get("cell_type") == "code" and nbgrader_meta(c).get("solution")
            and nbgrader_meta(c).get("grade_id")}


def student_code(course: Path, assignment: str, release: dict[str, dict]) -> dict[str, str]:
    """student -> the code they wrote in the answer cells of every notebook of `assignment`."""
    found = {}
    for folder in sorted((course / "submitted").glob(f"*/{assignment}")):
        parts = []
        for name, released in release.items():
            path = folder / f"{name}.ipynb"
            try:
                answers = answer_cells(load_notebook(path)) if path.exists() else {}
            except ValueError:  # not a notebook: nothing to compare
                answers = {}
            skeletons = answer_cells(released)
            for grade_id, skeleton in skeletons.items():
                if grade_id in answers:
                    parts.append(written_code(answers[grade_id], skeleton))
        code = "\n\n".join(p for p in parts if p.strip())
        if code:
            found[folder.parent.name] = code
    return found


def reference_code(package: Path | None = None) -> dict[str, str]:
    """module file name -> the package's implementation, stripped the same way."""
    package = package or Path(bpcourse.__file__).parent
    return {p.name: strip_comments(p.read_text(encoding="utf-8"))
            for p in sorted(package.glob("*.py")) if not p.name.startswith("__")}


# --- comparing ----------------------------------------------------------------------------------

def _fingerprint(name: str, code: str, noise: int) -> CodeFingerprint:
    return CodeFingerprint(f"{name}.py", noise, 1, fp=io.StringIO(code), language="python")


def compare(students: dict[str, str], references: dict[str, str],
            noise: int = NOISE) -> list[Pair]:
    """Every pair of students, and every student against every reference module; most
    similar first."""
    prints = {s: _fingerprint(s, code, noise) for s, code in students.items()}
    refs = {f"{REFERENCE}:{m}": _fingerprint(m, code, noise) for m, code in references.items()}
    names = sorted(prints)
    pairs = []
    for i, a in enumerate(names):
        others = [(b, prints[b]) for b in names[i + 1:]] + sorted(refs.items())
        for b, other in others:
            tokens, (score_a, score_b), _ = compare_files(prints[a], other)
            pairs.append(Pair(a, b, float(score_a), float(score_b), int(tokens)))
    return sorted(pairs, key=lambda p: (-p.score, p.a, p.b))


def write_csv(pairs: list[Pair], path: Path, threshold: float) -> list[Pair]:
    flagged = [p for p in pairs if p.score >= threshold]
    with open(path, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["student", "compared_with", "score", "share_of_student",
                         "share_of_other", "matched_characters"])
        for p in flagged:
            writer.writerow([p.a, p.b, f"{p.score:.3f}", f"{p.score_a:.3f}", f"{p.score_b:.3f}",
                             p.tokens])
    return flagged


def write_html(code_dir: Path, students: dict[str, str], references: dict[str, str],
               path: Path, threshold: float, noise: int = NOISE) -> None:
    """copydetect's report: each flagged student's code beside the other file, matched
    regions highlighted."""
    files = {}
    for folder, table in (("students", students), (REFERENCE, references)):
        (code_dir / folder).mkdir(parents=True, exist_ok=True)
        for name, code in table.items():
            file = code_dir / folder / (name if name.endswith(".py") else f"{name}.py")
            file.write_text(code + "\n", encoding="utf-8")
            files[file] = folder
    detector = CopyDetector(noise_t=noise, guarantee_t=noise, display_t=threshold,
                            autoopen=False, silent=True, out_file=str(path),
                            force_language="python")
    for file, folder in sorted(files.items()):
        detector.add_file(str(file), "testref" if folder == "students" else "ref")
    detector.run()
    detector.generate_html_report()


def similarity_report(course: Path, assignment: str, *, threshold: float = THRESHOLD,
                      out: Path | None = None, noise: int = NOISE) -> tuple[list[Pair], Path]:
    """Compare the submissions of `assignment`; write report.html, pairs.csv and code/.
    Returns (the flagged pairs, most similar first; the output folder)."""
    course = Path(course).resolve()
    release_dir = course / "notebooks" / assignment
    release = {p.stem: load_notebook(p) for p in sorted(release_dir.glob("*.ipynb"))}
    if not release:
        raise FileNotFoundError(f"no release of {assignment} in {release_dir}: the skeleton "
                                "to strip comes from it (python -m bpcourse release)")
    students = student_code(course, assignment, release)
    if not students:
        raise FileNotFoundError(f"no submission of {assignment} in {course / 'submitted'}")
    references = reference_code()
    out = out or course / "similarity" / assignment
    out.mkdir(parents=True, exist_ok=True)
    pairs = compare(students, references, noise)
    flagged = write_csv(pairs, out / "pairs.csv", threshold)
    write_html(out / "code", students, references, out / "report.html", threshold, noise)
    return flagged, out


# --- command line -------------------------------------------------------------------------------

def cli(command: str, argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="bpcourse similarity",
        description="Compare the code students wrote in the answer cells of ASSIGNMENT, pair "
                    "by pair and against the package's reference implementations. Writes "
                    "similarity/ASSIGNMENT/report.html and pairs.csv in the course. It flags "
                    "pairs for you to read; it never changes a grade.")
    parser.add_argument("assignment", help="e.g. 04_layers")
    parser.add_argument("--course", type=Path, default=Path.cwd(),
                        help="the course folder (default: here)")
    parser.add_argument("--threshold", type=float, default=THRESHOLD,
                        help="list pairs whose score is at least this (default %(default)s)")
    parser.add_argument("--out", type=Path, default=None,
                        help="output folder (default: COURSE/similarity/ASSIGNMENT)")
    args = parser.parse_args(argv)
    try:
        flagged, out = similarity_report(args.course, args.assignment,
                                         threshold=args.threshold, out=args.out)
    except FileNotFoundError as err:
        print(f"bpcourse similarity: {err}", file=sys.stderr)
        return 2
    for p in flagged:
        print(f"{p.score:5.2f}  {p.a}  ~  {p.b}")
    print(f"{len(flagged)} pair(s) at or above {args.threshold:g}: {out / 'pairs.csv'}, "
          f"side by side in {out / 'report.html'} (flags for you to read, not a verdict)")
    return 0


__all__ = ["Pair", "strip_comments", "written_code", "student_code", "reference_code",
           "compare", "similarity_report", "THRESHOLD"]
