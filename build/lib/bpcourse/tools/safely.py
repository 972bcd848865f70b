"""Steps that lose nothing: each works on a copy and replaces the previous output only when it
succeeded; a failure an instructor can fix is one line that names the cause and the fix.

It refuses to guess: a gradebook that cannot be reached or an assignment that was never
released stops the step before anything is written.
"""

from __future__ import annotations

import os
import re
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .gradebook import describe_db_url, open_gradebook

STAGING = ".bpcourse-staging"  # under the course root, so that a swap is a rename


class CourseError(Exception):
    """A failure the instructor can fix. str() is one line: what went wrong, then what to do."""


DRIVER_FIX = {
    "psycopg": "pip install 'psycopg[binary]' (SQLAlchemy 2's postgresql:// uses psycopg 3)",
    "psycopg2": "pip install psycopg2-binary, or write postgresql+psycopg:// with psycopg 3",
}


def check_gradebook(db_url: str, timeout: int = 5) -> None:
    """Raise CourseError when the gradebook's driver is missing or the database is unreachable."""
    from sqlalchemy import create_engine, exc
    from sqlalchemy.engine import make_url

    url = describe_db_url(db_url)
    try:
        engine = create_engine(db_url, **_connect_args(db_url, timeout))
    except ImportError as err:
        module = err.name or str(err)
        fix = DRIVER_FIX.get(module, f"pip install {module}")
        raise CourseError(f"the gradebook, {url}, needs the Python driver {module!r}, which is "
                          f"not installed: .venv/bin/{fix}") from None
    except exc.ArgumentError as err:
        raise CourseError(f"the gradebook URL is not valid ({err}): fix BPCOURSE_DB_URL "
                          "or --db-url") from None
    try:
        with engine.connect():
            pass
    except exc.SQLAlchemyError as err:
        cause = " ".join(str(getattr(err, "orig", err) or err).split())[:200]
        password = make_url(db_url).password
        cause = cause.replace(password, "***") if password else cause
        raise CourseError(f"cannot reach the gradebook, {url} ({cause}): start the database "
                          "server or fix BPCOURSE_DB_URL / --db-url (host, port, user, "
                          "folder)") from None
    finally:
        engine.dispose()


def _connect_args(db_url: str, timeout: int) -> dict:
    if db_url.startswith("postgresql"):
        return {"connect_args": {"connect_timeout": timeout}}
    return {}


def check_released(course: Path, assignment: str, db_url: str) -> list[str]:
    """The notebook names of a released assignment; CourseError when it was not released."""
    from nbgrader.api import MissingEntry

    release = course / "notebooks" / assignment
    fix = f"release it first (python -m bpcourse release {assignment})"
    with open_gradebook(db_url) as gb:
        try:
            notebooks = [nb.name for nb in gb.find_assignment(assignment).notebooks]
        except MissingEntry:
            raise CourseError(f"assignment {assignment!r} was never released into the gradebook "
                              f"{describe_db_url(db_url)}: {fix}") from None
    if not release.is_dir():
        raise CourseError(f"assignment {assignment!r} has no release folder {release}: {fix}")
    return notebooks


def staging_dir(course: Path, what: str) -> Path:
    """A fresh folder under the course's staging area (same file system as the outputs)."""
    path = course / STAGING / f"{what}-{uuid.uuid4().hex[:8]}"
    path.mkdir(parents=True)
    return path


def replace_folder(new: Path, target: Path) -> None:
    """Put the folder `new` where `target` is, removing the old `target` only after the swap."""
    target.parent.mkdir(parents=True, exist_ok=True)
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}.old-{uuid.uuid4().hex[:8]}")
        os.replace(target, old)
    os.replace(new, target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


@contextmanager
def staged(course: Path, what: str) -> Iterator[Path]:
    """A staging folder that is deleted afterwards, whatever happens."""
    path = staging_dir(course, what)
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)
        try:
            (course / STAGING).rmdir()
        except OSError:
            pass


@contextmanager
def kept_unless_replaced(course: Path, folders: list[Path]) -> Iterator[dict[Path, Path]]:
    """Copy `folders` aside; the caller calls restore(folder) for each one whose new version
    failed. On an exception every folder is put back as it was."""
    with staged(course, "backup") as backup:
        saved = {}
        for i, folder in enumerate(folders):
            if folder.is_dir():
                saved[folder] = backup / str(i)
                shutil.copytree(folder, saved[folder])
        try:
            yield saved
        except BaseException:
            for folder, copy in saved.items():
                replace_folder(copy, folder)
            raise


def restore(saved: dict[Path, Path], folder: Path) -> bool:
    """Put back the saved copy of `folder`; False when there was none."""
    copy = saved.pop(folder, None)
    if copy is None or not copy.exists():
        return False
    replace_folder(copy, folder)
    return True


def last_error(log: str) -> str:
    """The line of an nbgrader log that says what failed."""
    lines = [line.strip() for line in log.splitlines() if line.strip()]
    errors = [line for line in lines if re.match(r"\w*(Error|Exception)\b", line)]
    return (errors or [line for line in lines if "ERROR" in line] or lines or ["no log"])[-1][:300]
