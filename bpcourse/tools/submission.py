"""A submission folder is data, never a path to follow.

A student controls every entry of ``submitted/<student>/<assignment>/``. A symbolic link there
(``gb.db -> ../../../gradebook.db``) would make whoever copies or reads the folder, outside the
sandbox, copy or read what it points at: the class's gradebook, the hidden tests. A device or a
FIFO would block or flood the reader. So before anything reads a submission, :func:`refusal`
walks it *without following links* and names the first entry that is not a regular file or a
folder; such a submission is refused (NOT GRADED, with that sentence), never read. So is a
submission larger than :func:`max_bytes` (50 MB unless ``BPCOURSE_MAX_SUBMISSION_MB`` says
otherwise): whatever reads it outside the sandbox is bounded before it starts.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from ..i18n import N_, _

REFUSED = N_("{entry} is {kind}: a submission may hold only regular files and folders "
             "(replace it by the file itself and collect again)")

TOO_LARGE = N_("the submission holds {mb:.0f} MB, more than the {limit:.0f} MB a submission may "
               "hold (BPCOURSE_MAX_SUBMISSION_MB)")

_KINDS = {stat.S_IFLNK: N_("a symbolic link"), stat.S_IFCHR: N_("a device"),
          stat.S_IFBLK: N_("a device"), stat.S_IFIFO: N_("a named pipe"),
          stat.S_IFSOCK: N_("a socket")}


class SubmissionRefused(Exception):
    """A submission folder holds an entry that is not data (see :func:`refusal`)."""


def refusal(folder: Path) -> str | None:
    """Why `folder` cannot be read as a submission (its first symbolic link, device, pipe or
    socket, by sorted path), or None when it holds regular files and folders only. The folder
    itself must not be a link either. Nothing is followed: only ``lstat`` is called."""
    folder = Path(folder)
    try:
        mode = os.lstat(folder).st_mode
    except FileNotFoundError:
        return None
    if not stat.S_ISDIR(mode):
        return _(REFUSED).format(entry=folder.name, kind=_(_kind(mode)))
    total = 0
    for root, dirs, files in os.walk(folder, followlinks=False):
        dirs.sort()
        for name in sorted(dirs) + sorted(files):
            path = Path(root) / name
            info = os.lstat(path)
            if not (stat.S_ISREG(info.st_mode) or stat.S_ISDIR(info.st_mode)):
                entry = path.relative_to(folder).as_posix()
                return _(REFUSED).format(entry=entry, kind=_(_kind(info.st_mode)))
            total += info.st_size if stat.S_ISREG(info.st_mode) else 0
    if total > max_bytes():
        return _(TOO_LARGE).format(mb=total / 2**20, limit=max_bytes() / 2**20)
    return None


def max_bytes() -> int:
    """The largest submission, in bytes: BPCOURSE_MAX_SUBMISSION_MB (default 50) MB."""
    value = os.environ.get("BPCOURSE_MAX_SUBMISSION_MB", "50")
    try:
        return int(float(value) * 2**20)
    except ValueError:
        raise ValueError(f"BPCOURSE_MAX_SUBMISSION_MB={value!r}: give a number of megabytes, "
                         "e.g. BPCOURSE_MAX_SUBMISSION_MB=50") from None


def refuse_links(folder: Path) -> None:
    """Raise :class:`SubmissionRefused` with :func:`refusal`'s sentence, if there is one."""
    reason = refusal(folder)
    if reason:
        raise SubmissionRefused(reason)


def _kind(mode: int) -> str:
    return _KINDS.get(stat.S_IFMT(mode), N_("not a regular file"))


__all__ = ["SubmissionRefused", "refusal", "refuse_links", "max_bytes", "REFUSED", "TOO_LARGE"]
