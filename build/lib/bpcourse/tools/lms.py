"""Collecting an LMS download into submitted/, keyed by the LMS's stable numeric user id.

Canvas' "Download submissions" zip names each file ``lastfirst_[late_]USERID_SUBMISSIONID_FILE``:
the name part is lossy (two Jane Does are both ``doejane``), the user id is not. A roster CSV
(Canvas' gradebook export: Student, ID, SIS User ID, SIS Login ID, Section) gives the names.

Rules, so that no student silently disappears:

- ``FILE`` may carry the copy suffixes the self-study grader accepts: ``-Copy1``, `` (1)``,
  ``-1`` (Canvas' own suffix for a resubmission).
- A file that is not a submission of a released notebook, or whose user id is not in the
  roster, is an error naming it (nothing is collected) unless ``skip_unknown``.
- Each submission keeps its time: the zip entry's time stamp (Canvas stamps a file with its
  submission time; read as UTC), written to ``timestamp.txt`` where nbgrader reads it to apply
  the due date and the late penalty. Canvas' ``late`` marker is reported beside it.
- Several files of one student for one notebook: the highest submission id, then the latest
  time, is kept, and the line says so.
- A re-download replaces a student's earlier submission only with a newer one; an identical one
  is "unchanged", an older one is kept out ("kept the newer one already collected"). Students
  absent from the new download keep what they had.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import shutil
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from .gradebook import open_gradebook
from .safely import CourseError, replace_folder, staged

CANVAS_NAME = re.compile(
    r"^(?P<name>[^_/]+)_(?:(?P<late>late)_)?(?P<user_id>\d+)_(?P<submission_id>\d+)_"
    r"(?P<file>.+)$", re.IGNORECASE)
COPY_SUFFIX = re.compile(r"(?:-Copy\d+| \(\d+\)|-\d+)+$")
IGNORED = re.compile(r"(^|/)(__MACOSX|\.DS_Store|Thumbs\.db)(/|$)")
TIME_FORMAT = "%Y-%m-%d %H:%M:%S %Z"


@dataclass
class Student:
    user_id: str
    name: str  # as the LMS writes it, "Last, First"
    sis_user_id: str = ""
    sis_login_id: str = ""
    section: str = ""

    @property
    def first_last(self) -> tuple[str, str]:
        last, _, first = self.name.partition(",")
        return (first.strip(), last.strip()) if first else ("", self.name.strip())


def read_roster(path: Path) -> dict[str, Student]:
    """user id -> Student, from a CSV with at least the columns Student and ID (Canvas'
    gradebook export; its "Points Possible" row and rows without a numeric ID are skipped)."""
    with open(path, newline="", encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    if not rows or not {"Student", "ID"} <= set(rows[0]):
        raise CourseError(f"the roster {path} needs the columns Student and ID (Canvas' gradebook "
                          "export has them): export it again from the LMS")
    roster = {}
    for row in rows:
        user_id = (row.get("ID") or "").strip()
        if user_id.isdigit():
            roster[user_id] = Student(user_id, (row.get("Student") or "").strip(),
                                      (row.get("SIS User ID") or "").strip(),
                                      (row.get("SIS Login ID") or "").strip(),
                                      (row.get("Section") or "").strip())
    return roster


@dataclass
class Found:
    """One file of the download that is a submission."""

    user_id: str
    notebook: str  # the released notebook it is, e.g. 02_chain_rule
    source: str  # its name in the download
    submission_id: int
    time: dt.datetime
    late: bool
    data: bytes


@dataclass
class Download:
    submissions: dict[tuple[str, str], Found] = field(default_factory=dict)
    dropped: dict[tuple[str, str], list[str]] = field(default_factory=dict)  # older duplicates
    unknown: list[str] = field(default_factory=list)  # "file (why)"


def entries(source: Path):
    """(name, time, bytes) of every file in a download: zips are opened, folders walked."""
    paths = sorted(p for p in source.rglob("*") if p.is_file()) if source.is_dir() else [source]
    for path in paths:
        if path.suffix.lower() == ".zip":
            with zipfile.ZipFile(path) as zf:
                for info in zf.infolist():
                    if not info.is_dir():
                        when = dt.datetime(*info.date_time, tzinfo=dt.UTC)
                        yield info.filename, when, zf.read(info)
        else:
            when = dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC)
            name = str(path.relative_to(source) if source.is_dir() else path.name)
            yield name, when, path.read_bytes()


def read_download(source: Path, notebooks: list[str],
                  roster: dict[str, Student] | None) -> Download:
    """Sort the files of a Canvas download into submissions and unknown files."""
    out = Download()
    for name, when, data in entries(source):
        if IGNORED.search(name):
            continue
        base = name.rsplit("/", 1)[-1]
        match = CANVAS_NAME.match(base)
        if not match:
            out.unknown.append(f"{name} (not a Canvas name "
                               "lastfirst_[late_]USERID_SUBMISSIONID_FILE)")
            continue
        stem, dot, ext = match["file"].rpartition(".")
        notebook = COPY_SUFFIX.sub("", stem) if dot and ext.lower() == "ipynb" else None
        if notebook not in notebooks:
            out.unknown.append(f"{name} (not a notebook of the assignment: "
                               f"{', '.join(n + '.ipynb' for n in notebooks)})")
            continue
        user_id = match["user_id"]
        if roster is not None and user_id not in roster:
            out.unknown.append(f"{name} (user id {user_id} is not in the roster)")
            continue
        found = Found(user_id, notebook, name, int(match["submission_id"]), when,
                      bool(match["late"]), data)
        key = (user_id, notebook)
        best = out.submissions.get(key)
        if best is None or (found.submission_id, found.time) > (best.submission_id, best.time):
            out.submissions[key] = found
            best, found = found, best
        if found is not None:
            out.dropped.setdefault(key, []).append(found.source)
    return out


def read_timestamp(folder: Path) -> dt.datetime | None:
    path = folder / "timestamp.txt"
    if not path.exists():
        return None
    from dateutil.parser import parse  # nbgrader's own parser for timestamp.txt
    when = parse(path.read_text().strip())
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)


def collect(course: Path, assignment: str, notebooks: list[str], source: Path,
            roster: dict[str, Student] | None = None, skip_unknown: bool = False
            ) -> list[str]:
    """Put each student's newest submission in submitted/<user id>/<assignment>/, with its
    timestamp.txt. Returns one line per student (and one per skipped file)."""
    if not source.exists():
        raise CourseError(f"no download at {source}: put the LMS's zip in "
                          f"downloaded/{assignment}/archive/ or pass --download PATH")
    found = read_download(source, notebooks, roster)
    if found.unknown and not skip_unknown:
        raise CourseError(f"{len(found.unknown)} file(s) of the download are not submissions, "
                          f"nothing was collected: {'; '.join(found.unknown)}. Rename them, or "
                          "pass --skip-unknown to leave them out")
    by_student: dict[str, list[Found]] = {}
    for (user_id, _), sub in sorted(found.submissions.items()):
        by_student.setdefault(user_id, []).append(sub)
    lines = []
    with staged(course, "collect") as stage:
        for user_id, subs in by_student.items():
            lines.append(_collect_student(course, assignment, stage, user_id, subs, found,
                                          roster))
    lines += [f"skipped: {u}" for u in found.unknown]
    return lines


def _collect_student(course, assignment, stage, user_id, subs, found, roster) -> str:
    target = course / "submitted" / user_id / assignment
    when = max(s.time for s in subs)
    name = roster[user_id].name if roster else subs[0].source.split("_", 1)[0]
    late = " late" if any(s.late for s in subs) else ""
    head = f"{user_id}  {name}: {when.strftime(TIME_FORMAT)}{late}"
    notes = [f"{len(found.dropped[(user_id, s.notebook)])} older file(s) not used"
             for s in subs if (user_id, s.notebook) in found.dropped]
    before = read_timestamp(target)
    if before is not None and before > when:
        return f"{head}, kept the newer one already collected ({before.strftime(TIME_FORMAT)})"
    new = stage / user_id
    new.mkdir()
    if target.is_dir():  # other files of an earlier collection stay unless replaced
        shutil.copytree(target, new, dirs_exist_ok=True)
    for sub in subs:
        (new / f"{sub.notebook}.ipynb").write_bytes(sub.data)
    (new / "timestamp.txt").write_text(when.strftime(TIME_FORMAT) + "\n")
    if target.is_dir() and _same(new, target):
        status = "unchanged"
    else:
        status = "replaced an earlier one" if target.is_dir() else "collected"
        replace_folder(new, target)
    return ", ".join([f"{head}, {status}", *notes])


def _same(a: Path, b: Path) -> bool:
    files = sorted(p.name for p in a.iterdir())
    return files == sorted(p.name for p in b.iterdir()) and all(
        (a / f).read_bytes() == (b / f).read_bytes() for f in files)


def register_students(db_url: str, user_ids: list[str],
                      roster: dict[str, Student] | None) -> None:
    """Add the students to the gradebook, with their names from the roster."""
    with open_gradebook(db_url) as gb:
        for user_id in user_ids:
            first, last = roster[user_id].first_last if roster and user_id in roster else ("", "")
            gb.update_or_create_student(user_id, first_name=first, last_name=last)
