"""nbgrader's Execute preprocessor with its kernel in the sandbox of ``bpcourse.tools.sandbox``.

nbgrader 0.9.6's ``Execute`` sets ``kernel_manager_class`` as a keyword argument, so the
``Execute.kernel_manager_class`` option is ignored: ``SandboxedExecute`` replaces ``Execute``
in ``Autograde.autograde_preprocessors`` (``nbgrader_config`` gives that configuration) and
starts its kernels with ``SandboxedKernelManager``.

Each kernel gets a job folder of its own (a fresh temporary folder): a copy of the folder
nbgrader would run it in (the submission's files) as its working folder, its home, its
connection file and its ZeroMQ IPC sockets. The job folder is deleted when the kernel is. An
interrupt (a cell that ran past the timeout) is sent as a message: a signal to the bwrap
process would not reach the kernel.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from traitlets import Integer
from traitlets.config import Config

from bpcourse.tools import sandbox
from bpcourse.tools.kernel_client import QuickExecute, QuickKernelManager


class SandboxedKernelManager(QuickKernelManager):
    """A kernel manager whose kernels run under bwrap and talk over IPC sockets."""

    memory_mb = Integer(sandbox.Limits.memory_mb, help="address space limit, MB").tag(
        config=True)
    processes = Integer(sandbox.Limits.processes, help="process/thread limit").tag(config=True)
    cpu_seconds = Integer(sandbox.Limits.cpu_seconds, help="CPU time limit, s").tag(config=True)
    file_mb = Integer(sandbox.Limits.file_mb, help="largest file written, MB").tag(config=True)

    job: Path | None = None

    def limits(self) -> sandbox.Limits:
        return sandbox.Limits(memory_mb=self.memory_mb, processes=self.processes,
                              cpu_seconds=self.cpu_seconds, file_mb=self.file_mb)

    async def _async_pre_start_kernel(self, **kw):
        reason = sandbox.unavailable_reason()
        if reason:  # never run a submission unsandboxed behind the grader's back
            raise RuntimeError(f"the grading sandbox is not available: {reason}")
        # Short path: a unix socket's path must stay under 108 bytes.
        self.job = job = Path(tempfile.mkdtemp(prefix="bpk-", dir="/tmp"))
        job.chmod(0o755)
        workdir, home = job / "work", job / "home"
        source = kw.get("cwd")
        if source and Path(source).is_dir():
            shutil.copytree(source, workdir, symlinks=True,
                            ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
        else:
            workdir.mkdir()
        home.mkdir()
        self.transport = "ipc"
        self.ip = str(job / "kernel")
        self.connection_file = str(job / "kernel.json")
        self.kernel_spec.interrupt_mode = "message"
        kw["cwd"] = str(workdir)
        kw["env"] = sandbox.sandbox_env(kw.get("env") or dict(os.environ), job, workdir)
        cmd, kw = await super()._async_pre_start_kernel(**kw)
        uid = None
        if sandbox.is_root():
            uid = sandbox.sandbox_uid()
            sandbox.give_to(job, uid)
        bwrap = sandbox.bwrap_path() or "bwrap"
        cmd = sandbox.sandbox_command(cmd, job, workdir, self.limits(), uid=uid, bwrap=bwrap)
        return cmd, kw

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        await super()._async_cleanup_resources(restart=restart)
        if self.job is not None and not restart:
            shutil.rmtree(self.job, ignore_errors=True)
            self.job = None

    cleanup_resources = _async_cleanup_resources  # what nbclient calls


class SandboxedExecute(QuickExecute):
    """nbgrader's Execute, with each notebook's kernel in the sandbox."""

    manager = SandboxedKernelManager


def nbgrader_config(limits: sandbox.Limits | None = None) -> Config:
    """nbgrader configuration that runs every kernel in the sandbox, with `limits`."""
    limits = limits or sandbox.Limits()
    cfg = Config()
    cfg.Autograde.autograde_preprocessors = SandboxedExecute.autograde_preprocessors()
    cfg.SandboxedKernelManager.memory_mb = limits.memory_mb
    cfg.SandboxedKernelManager.processes = limits.processes
    cfg.SandboxedKernelManager.cpu_seconds = limits.cpu_seconds
    cfg.SandboxedKernelManager.file_mb = limits.file_mb
    return cfg
