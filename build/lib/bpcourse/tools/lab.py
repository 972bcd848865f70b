"""The course in JupyterLab: ``python -m bpcourse lab`` (learner) and ``teach`` (instructor).

``lab`` copies the release ``notebooks/`` into the git-ignored ``work/`` on first run (a notebook
already there is never overwritten: it holds the learner's edits), then starts JupyterLab on
that copy with nbgrader's Validate button and nothing else of nbgrader. Each edition has its own
copy (:func:`work_folder`): ``work/en/`` and ``work/zh/``; a copy made before there were editions,
``work/NN_topic/``, stays where it is and is the English one. ``lab --lang zh`` copies only the zh
edition's assignments (``NN_topic_zh``) and shows JupyterLab itself in Chinese, through its
zh-CN language pack and the settings override in ``scripts/jupyter/lang-zh/`` (never ``LANG``;
``lang-en/`` keeps ``make lab`` English whatever the machine's locale).
``teach`` starts JupyterLab on the repository with every nbgrader extension (formgrader, Create
Assignment), for editing ``solutions/`` and grading.

Both listen on 127.0.0.1 with a token (Jupyter's default, printed in the URL), without the news
pop-up or the update check, and read their JupyterLab settings from ``scripts/jupyter/<role>/``
through ``JUPYTER_CONFIG_PATH``. Their workspaces (open tabs) stay in the project: in the
learner's copy (``work/en/.jupyter/``) and in ``work/.jupyter/teach/``; outside the project only
Jupyter's usual per-user files change (runtime files, and user settings such as the theme if you
change them).

:class:`LabServer` starts the same server on a free port for the browser test.
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from ..i18n import _, speaking
from .course import EDITIONS, ROOT, assignments, language_of_edition, nbgrader_env

RELEASE = ROOT / "notebooks"
SOLUTIONS = ROOT / "solutions"
WORK = ROOT / "work"
JUPYTER_CONFIG = ROOT / "scripts" / "jupyter"

ROLES = {"lab": "learner", "teach": "teach"}
# JupyterLab's own language per edition: a folder used as LabApp.app_settings_dir, whose
# overrides.json sets @jupyterlab/translation-extension:plugin's locale (the language pack's).
# English is set too: JupyterLab's "default" locale would follow the server's LANG.
LAB_LOCALES = {"en": "en", "zh": "zh_CN"}
LAB_LANGUAGE_SETTINGS = {lang: JUPYTER_CONFIG / f"lang-{lang}" for lang in LAB_LOCALES}
_NBGRADER = "nbgrader.server_extensions."
# Server side of nbgrader per role; the lab side is in scripts/jupyter/<role>/labconfig.
SERVER_EXTENSIONS = {
    "lab": {_NBGRADER + "validate_assignment": True, _NBGRADER + "formgrader": False,
            _NBGRADER + "course_list": False, _NBGRADER + "assignment_list": False},
    "teach": {_NBGRADER + "validate_assignment": True, _NBGRADER + "formgrader": True,
              _NBGRADER + "course_list": True, _NBGRADER + "assignment_list": True},
}


def course_notebooks(folder: Path, edition: str | None = None) -> list[Path]:
    """The course notebooks ``folder/NN_topic/NN_topic.ipynb``, sorted by number; only
    ``edition``'s ("en": ``NN_topic``, "zh": ``NN_topic_zh``) when given."""
    return [folder / name / f"{name}.ipynb" for name in assignments(folder, ".", edition)]


def work_folder(edition: str = "en", work: Path = WORK) -> Path:
    """Where the learner's copy of ``edition`` lives: ``work/<edition>/``.

    A learner whose copy predates editions has it in ``work/`` itself (``work/NN_topic/``):
    that copy stays where it is, untouched, and is the English edition's.
    """
    if edition not in EDITIONS:
        raise ValueError(f"edition must be one of {sorted(EDITIONS)}, got {edition!r}")
    if edition == "en" and course_notebooks(work, "en"):
        return work
    return work / edition


@dataclass
class WorkCopy:
    """What :func:`make_work_copy` did: files copied now, files kept as the learner left them."""

    work: Path
    copied: list[Path] = field(default_factory=list)
    kept: list[Path] = field(default_factory=list)


def make_work_copy(release: Path = RELEASE, work: Path = WORK,
                   edition: str | None = None) -> WorkCopy:
    """Copy every file of ``release`` that ``work`` lacks into ``work``; never overwrite one.

    With ``edition``, only the folders of that edition's assignments are copied.
    A notebook added to the release later is copied on the next run; a notebook the learner has
    (edited or not) is kept. Raises FileNotFoundError when ``release`` holds no course notebook
    (of that edition).
    """
    if not course_notebooks(release, edition):
        if edition not in (None, "en"):
            raise FileNotFoundError(_(
                "the {edition} edition is not built yet: no NN_topic{suffix} notebooks in "
                "{release} (docs/editions.md says how to build it).").format(
                    edition=edition, suffix=EDITIONS[edition], release=release))
        raise FileNotFoundError(
            f"no course notebooks (NN_topic/NN_topic.ipynb) in {release}; "
            "regenerate the release with `make release`, or check out notebooks/ from git.")
    other_editions = ({p.parent.name for p in course_notebooks(release)}
                      - {p.parent.name for p in course_notebooks(release, edition)})
    result = WorkCopy(work=work)
    for source in sorted(release.rglob("*")):
        rel = source.relative_to(release)
        if not source.is_file() or any(part.startswith(".") for part in rel.parts):
            continue  # .ipynb_checkpoints and other hidden state are not part of the release
        if rel.parts[0] in other_editions:
            continue
        target = work / rel
        if target.exists():
            result.kept.append(target)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
            result.copied.append(target)
    return result


def server_env(role: str, base: dict[str, str] | None = None) -> dict[str, str]:
    """``base`` (default os.environ) with scripts/jupyter/<role>/ first on JUPYTER_CONFIG_PATH.

    The server runs nbgrader, so its environment is :func:`nbgrader_env`'s.
    """
    env = nbgrader_env(base)
    config = str(JUPYTER_CONFIG / ROLES[role])
    env["JUPYTER_CONFIG_PATH"] = os.pathsep.join(
        p for p in (config, env.get("JUPYTER_CONFIG_PATH", "")) if p)
    return env


def server_command(role: str, root_dir: Path, *, state_dir: Path, port: int | None = None,
                   token: str | None = None, open_browser: bool = True,
                   default_url: str | None = None, lang: str = "en",
                   extra: list[str] | tuple = ()) -> list[str]:
    """The ``jupyter lab`` command line for ``role`` ("lab" or "teach") serving ``root_dir``.

    ``state_dir`` keeps JupyterLab's workspaces (open tabs), so they stay with the project.
    ``port=None`` lets Jupyter pick (8888, then the next free); ``token=None`` lets it make a
    random one. ``lang`` ("en", "zh") is the language of JupyterLab's own menus and dialogs.
    ``extra`` arguments come last and override the others.
    """
    if role not in ROLES:
        raise ValueError(f"role must be one of {sorted(ROLES)}, got {role!r}")
    if lang not in LAB_LOCALES:
        raise ValueError(f"lang must be one of {sorted(LAB_LOCALES)}, got {lang!r}")
    cmd = [sys.executable, "-m", "jupyter", "lab",
           f"--ServerApp.root_dir={root_dir}",
           "--ServerApp.ip=127.0.0.1",
           f"--ServerApp.open_browser={open_browser}",
           f"--LabApp.workspaces_dir={state_dir / 'workspaces'}",
           "--LabApp.news_url=None",
           "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
    cmd += [f"--ServerApp.jpserver_extensions={name}={enabled}"
            for name, enabled in SERVER_EXTENSIONS[role].items()]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--ServerApp.allow_root=True")  # containers and CI run as root
    if port is not None:
        cmd += [f"--ServerApp.port={port}", "--ServerApp.port_retries=0"]
    if token is not None:
        cmd.append(f"--IdentityProvider.token={token}")
    if default_url is not None:
        cmd.append(f"--LabApp.default_url={default_url}")
    if role == "lab":  # its overrides.json picks the language (pack)
        cmd.append(f"--LabApp.app_settings_dir={LAB_LANGUAGE_SETTINGS[lang]}")
    return cmd + list(extra)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _children(pid: int) -> list[int]:
    """PIDs of the live descendants of ``pid`` (Linux /proc; empty elsewhere)."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        parents[int(text.split()[0])] = int(text.rsplit(")", 1)[1].split()[1])
    found, frontier = [], [pid]
    while frontier:
        kids = [child for child, parent in parents.items() if parent in frontier]
        found += kids
        frontier = kids
    return found


class LabServer:
    """A JupyterLab server of ``role`` on a free port with a fresh token, stopped by its PID.

    ``env`` should point JUPYTER_CONFIG_DIR, JUPYTER_DATA_DIR, JUPYTER_RUNTIME_DIR and
    IPYTHONDIR at temporary folders when testing. Use as a context manager; the server's output
    goes to ``log_path``.
    """

    def __init__(self, role: str, root_dir: Path, *, state_dir: Path, log_path: Path,
                 env: dict[str, str] | None = None, cwd: Path = ROOT, lang: str = "en",
                 startup_timeout: float = 90.0):
        self.role, self.root_dir, self.log_path = role, Path(root_dir), Path(log_path)
        self.port, self.token = free_port(), secrets.token_hex(16)
        self.url = f"http://127.0.0.1:{self.port}"
        self._cmd = server_command(role, self.root_dir, state_dir=Path(state_dir),
                                   port=self.port, token=self.token, open_browser=False,
                                   lang=lang)
        self._env, self._cwd, self._timeout = server_env(role, env), cwd, startup_timeout
        self.process: subprocess.Popen | None = None
        self.leftover_pids: list[int] = []

    @property
    def pid(self) -> int:
        if self.process is None:
            raise RuntimeError("the server is not started: call start(), or use it in `with`")
        return self.process.pid

    def lab_url(self, path: str = "") -> str:
        """URL of ``/lab`` (or ``/lab/tree/<path>``) with the token."""
        tree = f"/tree/{path}" if path else ""
        return f"{self.url}/lab{tree}?token={self.token}"

    def start(self) -> LabServer:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = open(self.log_path, "wb")  # the server writes to it until stop()
        self.process = subprocess.Popen(self._cmd, env=self._env, cwd=self._cwd, stdout=log,
                                        stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        log.close()
        deadline = time.monotonic() + self._timeout
        status = f"{self.url}/api/status?token={self.token}"
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"JupyterLab exited with code {self.process.returncode} while "
                                   f"starting; its log:\n{self.log_path.read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(status, timeout=5) as response:
                    if response.status == 200:
                        return self
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise TimeoutError(f"JupyterLab did not answer {self.url} within "
                                   f"{self._timeout:.0f} s; its log: {self.log_path}")
            time.sleep(0.25)

    def stop(self, timeout: float = 30.0) -> None:
        """SIGTERM the server (it shuts its kernels down), SIGKILL after ``timeout``; then kill
        any kernel it left behind, by PID, and record those PIDs in ``leftover_pids``."""
        if self.process is None or self.process.poll() is not None:
            return
        children = _children(self.process.pid)
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)
        for pid in children:
            if Path(f"/proc/{pid}").exists():
                self.leftover_pids.append(pid)
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass

    def __enter__(self) -> LabServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def _say_where(copy: WorkCopy, release: Path, edition: str = "en") -> None:
    """Where the learner's copy is, in the edition's language (make lab-zh speaks Chinese)."""
    make = "make lab" if edition == "en" else f"make lab-{edition}"
    first = course_notebooks(copy.work, edition)[0]
    example = first.relative_to(ROOT) if first.is_relative_to(ROOT) else first
    lines = [_("Your copy of the course: {work}").format(work=copy.work)]
    if copy.copied:
        names = sorted({p.relative_to(copy.work).parts[0] for p in copy.copied})
        lines.append("  " + _("copied from {release}/ just now: {names}").format(
            release=release.name, names=", ".join(names)))
    if copy.kept:
        lines.append("  " + _("{count} file(s) already there are kept as you left them; to "
                              "start a notebook over, delete its folder in {work}/ and run "
                              "`{make}` again.").format(count=len(copy.kept),
                                                        work=copy.work.name, make=make))
    lines.append("  " + _("{work}/ is git-ignored: your edits never touch the release in "
                          "{release}/.").format(work=copy.work.name, release=release.name))
    lines.append("  " + _("Validate button: the visible tests. Full grade: make grade "
                          "NB={example}").format(example=example) + "\n")
    print("\n".join(lines))


def cli(command: str, argv: list[str]) -> int:
    """``python -m bpcourse lab|teach [--port N] [--no-browser] [-- jupyter options]``."""
    parser = argparse.ArgumentParser(
        prog=f"bpcourse {command}",
        description=("open the course in JupyterLab, on your copy in work/" if command == "lab"
                     else "instructor's JupyterLab on the repository, with nbgrader's formgrader"),
        epilog="Anything after -- goes to `jupyter lab` as it is.")
    parser.add_argument("--port", type=int, default=None,
                        help="port to listen on (default: 8888 or the next free one)")
    parser.add_argument("--no-browser", action="store_true", help="do not open a browser")
    if command == "lab":
        parser.add_argument("--lang", choices=sorted(EDITIONS), default="en",
                            help="the edition: en (English) or zh (中文版, JupyterLab in Chinese)")
        parser.add_argument("--work", type=Path, default=None,
                            help=f"where your copy of the course lives (default: "
                                 f"{WORK.name}/<lang>/)")
    parser.add_argument("jupyter_args", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    lang = getattr(args, "lang", "en")
    if command == "lab":
        work = args.work.resolve() if args.work else work_folder(lang)
        with speaking(language_of_edition(lang)):
            try:
                copy = make_work_copy(RELEASE, work, lang)
            except FileNotFoundError as error:
                print(f"bpcourse lab: {error}", file=sys.stderr)
                return 1
            _say_where(copy, RELEASE, lang)
        root_dir, state_dir = copy.work, copy.work / ".jupyter" / "learner"
        first = course_notebooks(copy.work, lang)[0]
        # First run: open notebook 01; later runs restore the learner's own tabs.
        default_url = (f"/lab/tree/{first.relative_to(root_dir).as_posix()}"
                       if first in copy.copied else None)
    else:
        root_dir, state_dir, default_url = ROOT, WORK / ".jupyter" / "teach", "/lab/tree/solutions"
        print(f"Instructor's JupyterLab on {ROOT}: menu Nbgrader > Formgrader; Create Assignment "
              "in the right sidebar. Edit solutions/, then `make release`.\n")
    cmd = server_command(command, root_dir, state_dir=state_dir, port=args.port,
                         open_browser=not args.no_browser, default_url=default_url, lang=lang,
                         extra=args.jupyter_args)
    with speaking(language_of_edition(lang)):
        print(_("Stop the server with Ctrl-C.") + "\n", flush=True)
    os.chdir(ROOT)  # nbgrader reads nbgrader_config.py from the server's working folder
    if os.name == "posix":  # become the server: Ctrl-C and kill PID reach Jupyter itself
        os.execve(cmd[0], cmd, server_env(command))
    return subprocess.call(cmd, env=server_env(command))
