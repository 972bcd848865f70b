"""The self-study grader's kernel, started first, while the grader imports nbgrader.

``bpcourse grade`` spends about a second importing nbgrader and preparing its course, and a fresh
Python kernel needs about as long to start (it imports numpy and ipykernel). One after the other,
the learner waits for both. :func:`start` launches the kernel as the command's first step, with
only the standard library imported, exactly as jupyter_client would launch the ``python3``
kernel (its own session, ``NBGRADER_EXECUTION=autograde`` as nbgrader sets it while grading);
nbgrader's Execute adopts it through :class:`bpcourse.tools.early_kernel_manager.
EarlyKernelManager` instead of starting another. This module imports the standard library
only, so that the kernel starts before anything heavy is imported.

What it refuses: it is adopted once, for a notebook whose kernel is this Python's own
``python3`` kernel and by the local provisioner; anything else starts its kernel as usual and
the early one is stopped. It is for a learner grading their own notebook: instructor grading
starts each kernel in the sandbox and never uses it. The kernel's working folder is set to the
one nbgrader asks for (a silent ``os.chdir`` request) before nbgrader sees the kernel.
"""

from __future__ import annotations

import atexit
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

KERNEL_ARGV = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]


@dataclass
class EarlyKernel:
    process: subprocess.Popen
    connection_file: Path
    folder: Path

    def stop(self) -> None:
        """Stop the kernel if it still runs and remove its folder."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        shutil.rmtree(self.folder, ignore_errors=True)


_pending: EarlyKernel | None = None


def start() -> EarlyKernel:
    """Launch this Python's ipykernel now; the next :class:`EarlyKernelManager` adopts it. It is
    stopped at exit if nothing did."""
    global _pending
    discard()
    folder = Path(tempfile.mkdtemp(prefix="bpcourse-kernel-"))
    names = ("shell_port", "iopub_port", "stdin_port", "control_port", "hb_port")
    info = {**dict(zip(names, _free_ports(len(names)), strict=True)), "ip": "127.0.0.1",
            "key": secrets.token_hex(32), "transport": "tcp",
            "signature_scheme": "hmac-sha256", "kernel_name": "python3"}
    connection_file = folder / "kernel.json"
    connection_file.write_text(json.dumps(info), encoding="utf-8")
    connection_file.chmod(0o600)
    env = {k: v for k, v in os.environ.items() if k != "BPCOURSE_DB_URL"}  # as grade_notebook
    env.update(NBGRADER_EXECUTION="autograde", JPY_PARENT_PID=str(os.getpid()))
    with open(folder / "kernel.log", "wb") as log:
        process = subprocess.Popen(
            [a.replace("{connection_file}", str(connection_file)) for a in KERNEL_ARGV],
            cwd=folder, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
            start_new_session=True)  # its own process group, as jupyter_client's kernels
    _pending = EarlyKernel(process, connection_file, folder)
    return _pending


def take() -> EarlyKernel | None:
    """The early kernel, still running, for one kernel manager to adopt (then None)."""
    global _pending
    early, _pending = _pending, None
    if early is not None and early.process.poll() is not None:
        early.stop()
        return None
    return early


def discard() -> None:
    """Stop the early kernel that nobody adopted."""
    global _pending
    if _pending is not None:
        _pending.stop()
        _pending = None


atexit.register(discard)


def _free_ports(count: int) -> list[int]:
    sockets = [socket.socket() for _ in range(count)]
    try:
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()
