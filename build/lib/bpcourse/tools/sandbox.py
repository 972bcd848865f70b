"""The sandbox a grading kernel runs in: Debian's bubblewrap (``bwrap``), built as a command.

A graded submission runs with the grader's rights unless something stops it. The kernel this
module describes sees only its job folder (writable: its working folder, its home, the sockets
it talks over) and a read-only Python: the virtual environment, the Python it was made from,
/usr and the ``bpcourse`` package folder (never the repository root, which holds solutions/ and
the gradebook). It has no network (``--unshare-net``; it talks to nbgrader over ZeroMQ IPC
sockets in its job folder), its own PID namespace, and limits on address space, processes,
CPU time and file size (``prlimit``, applied inside the sandbox).

Processes: RLIMIT_NPROC does not apply to root, so as root the kernel is started under a fresh,
unused uid of its own (``setpriv`` inside the sandbox, which keeps CAP_SETUID only for that
step). The limit then counts this kernel's processes only, so a fork bomb stops at the limit
and never starves another student's kernel. As an ordinary user bwrap makes a user namespace,
where the limit counts the sandbox's processes only, too.

This module only builds commands and checks that bwrap works here; the kernel manager that
uses it for nbgrader is ``bpcourse.tools.sandbox_kernel``. It refuses to pretend: when bwrap is
missing or cannot make namespaces, ``unavailable_reason()`` says why and nothing is sandboxed.
"""

from __future__ import annotations

import functools
import os
import secrets
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import bpcourse

# The uids a kernel run as root gets, one per job: far above any real account or subuid range.
FIRST_SANDBOX_UID = 3_000_000
SANDBOX_UIDS = 1_000_000
# Environment variables a kernel keeps from its parent (everything else is dropped: tokens,
# the instructor's paths, the database URL).
KEPT_ENV = ("LANG", "LC_ALL", "LC_CTYPE", "TZ", "NBGRADER_EXECUTION", "OPENBLAS_NUM_THREADS",
            "OMP_NUM_THREADS", "MKL_NUM_THREADS", "PYTHONHASHSEED", "MPLBACKEND",
            "BPCOURSE_LANG")
# Files of /etc a Python kernel reads; nothing else of /etc (passwd, the grader's config).
ETC_FILES = ("/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/localtime",
             "/etc/alternatives", "/etc/fonts", "/etc/mime.types")
ROOT_LINKS = ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")


@dataclass(frozen=True)
class Limits:
    """What one grading kernel may use. memory: address space (RLIMIT_AS); processes: threads
    included (RLIMIT_NPROC; a kernel with numpy uses about 15); cpu: seconds of CPU time for
    the whole notebook (RLIMIT_CPU; then the kernel is killed and the submission is NOT
    GRADED); file: the largest file it may write (RLIMIT_FSIZE); tmp: size of its /tmp."""

    memory_mb: int = 2048
    processes: int = 64
    cpu_seconds: int = 600
    file_mb: int = 256
    tmp_mb: int = 64


def bwrap_path() -> str | None:
    """The bwrap program: BPCOURSE_BWRAP if set (an empty value means none), else on PATH."""
    chosen = os.environ.get("BPCOURSE_BWRAP")
    if chosen is not None:
        return chosen if chosen and os.access(chosen, os.X_OK) else None
    return shutil.which("bwrap")


@functools.lru_cache(maxsize=1)
def unavailable_reason() -> str | None:
    """None when a kernel can be sandboxed here, else one sentence saying why not."""
    if not sys.platform.startswith("linux"):
        return f"no sandbox on {sys.platform} (bubblewrap is Linux only)"
    bwrap = bwrap_path()
    if bwrap is None:
        return ("bubblewrap (bwrap) is not installed: apt-get install bubblewrap (Debian, "
                "Ubuntu; `make setup` does it as root), or dnf/pacman install bubblewrap")
    for tool in ("prlimit", "setpriv"):
        if shutil.which(tool) is None:
            return f"{tool} (util-linux) is not installed"
    probe = [bwrap, *namespace_args(is_root()), *filesystem_args(()), "--", "/usr/bin/true"]
    try:
        proc = subprocess.run(probe, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as err:
        return f"bwrap does not run here: {err}"
    if proc.returncode != 0:
        return "bwrap cannot make namespaces here: " + (proc.stderr.strip() or "no message")
    return None


def is_root() -> bool:
    return os.geteuid() == 0


def sandbox_uid() -> int:
    """A fresh uid for one kernel run as root: nobody else's processes count against its
    process limit, and it owns no file outside its job folder."""
    return FIRST_SANDBOX_UID + secrets.randbelow(SANDBOX_UIDS)


def namespace_args(as_root: bool) -> list[str]:
    """New IPC, PID, network and UTS namespaces; a user namespace unless run as root (root
    drops to a uid of its own instead, which needs the real uid switch)."""
    args = ["--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts",
            "--unshare-cgroup-try", "--die-with-parent", "--new-session"]
    if as_root:
        return args + ["--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]
    return args + ["--unshare-user", "--uid", "65534", "--gid", "65534"]


def readonly_paths() -> list[Path]:
    """What the kernel reads besides /usr: the environment, its base Python, the package
    folder (an editable install points into the repository: only bpcourse/ is bound)."""
    paths = [Path(sys.prefix), Path(sys.base_prefix), Path(sys.executable).resolve().parent,
             kernel_package_dir()]
    return minimal_cover(Path(os.path.realpath(p)) for p in paths)


@functools.lru_cache(maxsize=1)
def kernel_package_dir() -> Path:
    """The bpcourse folder a kernel imports: as this Python finds it from outside any course
    (nbgrader runs in the course folder, where a copy of the repository has a bpcourse/ of its
    own on sys.path; the kernel, in its job folder, gets the installed one)."""
    probe = [sys.executable, "-I", "-c",
             "import bpcourse, os; print(os.path.dirname(os.path.realpath(bpcourse.__file__)))"]
    try:
        proc = subprocess.run(probe, cwd="/", capture_output=True, text=True, timeout=60)
        if proc.returncode == 0 and proc.stdout.strip():
            return Path(proc.stdout.strip())
    except (OSError, subprocess.TimeoutExpired):
        pass
    return Path(bpcourse.__file__).resolve().parent


def minimal_cover(paths) -> list[Path]:
    """The paths that are neither under /usr nor under another of them, sorted."""
    chosen: list[Path] = []
    for path in sorted(set(paths), key=lambda p: len(p.parts)):
        if path.is_relative_to("/usr") or any(path.is_relative_to(c) for c in chosen):
            continue
        chosen.append(path)
    return sorted(chosen)


def _parents(paths) -> list[str]:
    found = set()
    for path in paths:
        found.update(str(p) for p in Path(path).parents if str(p) != "/")
    return sorted(found, key=lambda p: (p.count("/"), p))


def filesystem_args(readonly, job: Path | None = None, tmp_mb: int = 64) -> list[str]:
    """A root of its own: /usr and `readonly` read-only, `job` writable (at the same path,
    so the socket paths of the connection file mean the same inside), fresh /proc, /dev,
    /tmp; nothing else of the host."""
    args = ["--ro-bind", "/usr", "/usr"]
    for link in ROOT_LINKS:
        if os.path.islink(link):
            args += ["--symlink", os.readlink(link), link]
        elif os.path.isdir(link):
            args += ["--ro-bind", link, link]
    args += ["--perms", "0755", "--dir", "/etc"]  # else 0700: the kernel could not enter it
    for etc in ETC_FILES:
        args += ["--ro-bind-try", etc, etc]
    args += ["--proc", "/proc", "--dev", "/dev",
             "--size", str(tmp_mb * 2**20), "--tmpfs", "/tmp"]
    mounted = [*readonly, *([job] if job else [])]
    # bwrap would make the folders above a bound path 0700: unreadable to the kernel. (A course
    # or environment under /tmp, as a fresh clone may be, has its parents on the new /tmp.)
    for parent in _parents(mounted):
        if parent not in ("/tmp", "/usr") and not parent.startswith("/usr/"):
            args += ["--perms", "0755", "--dir", parent]
    for path in readonly:
        args += ["--ro-bind", str(path), str(path)]
    if job is not None:
        args += ["--bind", str(job), str(job)]
    return args


def limit_args(limits: Limits) -> list[str]:
    mb = 2**20
    return ["prlimit", f"--as={limits.memory_mb * mb}", f"--nproc={limits.processes}",
            f"--cpu={limits.cpu_seconds}", f"--fsize={limits.file_mb * mb}", "--core=0", "--"]


def sandbox_command(kernel_cmd: list[str], job: Path, workdir: Path, limits: Limits, *,
                    uid: int | None = None, readonly=None, bwrap: str = "bwrap") -> list[str]:
    """The command that runs `kernel_cmd` in the sandbox, in `workdir` (inside `job`).

    uid: as root, the uid the kernel runs under (see sandbox_uid); None when not root.
    """
    readonly = readonly_paths() if readonly is None else list(readonly)
    cmd = [bwrap, *namespace_args(uid is not None),
           *filesystem_args(readonly, job, limits.tmp_mb), "--chdir", str(workdir),
           # ipykernel would watch this pid, which is not its parent in the PID namespace;
           # --die-with-parent ends the kernel with the grader instead.
           "--unsetenv", "JPY_PARENT_PID", "--"]
    if uid is not None:
        cmd += ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups",
                "--inh-caps=-all", "--"]
    return cmd + limit_args(limits) + list(kernel_cmd)


def sandbox_env(parent: dict[str, str], job: Path, workdir: Path) -> dict[str, str]:
    """The kernel's environment: what it needs to run Python, state kept in the job folder,
    and only the harmless variables of the parent (KEPT_ENV)."""
    home = job / "home"
    env = {k: v for k, v in parent.items() if k in KEPT_ENV}
    env.update({
        "PATH": os.pathsep.join([str(Path(sys.executable).parent), "/usr/local/bin",
                                 "/usr/bin", "/bin"]),
        "HOME": str(home), "USER": "student", "TMPDIR": "/tmp", "PWD": str(workdir),
        "IPYTHONDIR": str(home / ".ipython"), "MPLCONFIGDIR": str(home / ".matplotlib"),
        "JUPYTER_CONFIG_DIR": str(home / ".jupyter"), "JUPYTER_DATA_DIR": str(home / "data"),
        "JUPYTER_RUNTIME_DIR": str(home / "runtime"), "JUPYTER_PLATFORM_DIRS": "1",
        "MALLOC_ARENA_MAX": "2",  # each thread's malloc arena reserves 64 MB of address space
        "PYDEVD_DISABLE_FILE_VALIDATION": "1",
    })
    # No MPLBACKEND of our own: ipykernel's inline backend puts the plots in the notebook.
    # OpenBLAS starts a thread per core: on a big machine that alone would pass the limit on
    # processes (and each thread's buffers the one on memory).
    threads = str(min(4, os.cpu_count() or 1))
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        env.setdefault(var, threads)
    return env


def give_to(path: Path, uid: int) -> None:
    """chown -R path to uid (as root, for a kernel that runs as uid)."""
    os.chown(path, uid, uid)
    for folder, dirs, files in os.walk(path):
        for name in dirs + files:
            os.chown(os.path.join(folder, name), uid, uid, follow_symlinks=False)
