"""The kernel manager that adopts the kernel :mod:`bpcourse.tools.early_kernel` started first.

It adopts it once, when the notebook's kernel is this Python's own ``python3`` kernel and the
local provisioner runs it; otherwise it stops the early kernel and starts one as usual. The
adopted kernel is moved to the working folder nbgrader asks for (a silent ``os.chdir`` request,
which defines no name) before nbclient sees it, and stopped with the manager.
"""

from __future__ import annotations

import os
import sys

from jupyter_client.provisioning import LocalProvisioner

from . import early_kernel
from .early_kernel import KERNEL_ARGV, EarlyKernel
from .kernel_client import QuickExecute, QuickKernelManager


class EarlyKernelManager(QuickKernelManager):
    """A kernel manager that adopts the early kernel on its first start, when it fits."""

    _early: EarlyKernel | None = None
    _adopted: EarlyKernel | None = None

    def _fits(self) -> bool:
        """The notebook's kernel is the one the early kernel runs: this Python's ipykernel (a
        kernelspec's "python" is this Python for jupyter_client), with no environment of its
        own."""
        spec = self.kernel_spec
        argv = list(spec.argv)
        this_python = bool(argv) and argv[0] in ("python", "python3", sys.executable)
        return (self.kernel_name == "python3" and this_python and argv[1:] == KERNEL_ARGV[1:]
                and not spec.env)

    async def _async_pre_start_kernel(self, **kw):
        early = early_kernel.take()
        if early is not None and not self._fits():
            early.stop()
            early = None
        if early is not None:
            self._early = early
            self.load_connection_file(str(early.connection_file))
            self.connection_file = str(early.folder / "manager.json")  # never rewrite its file
            self.cache_ports = False
            self.transport_encryption = "disabled"
        return await super()._async_pre_start_kernel(**kw)

    async def _async_launch_kernel(self, kernel_cmd, **kw) -> None:
        early, self._early = self._early, None
        if early is None or not isinstance(self.provisioner, LocalProvisioner):
            if early is not None:
                early.stop()
            return await super()._async_launch_kernel(kernel_cmd, **kw)
        self._adopted = early
        provisioner = self.provisioner
        provisioner.process = early.process
        provisioner.pid = early.process.pid
        provisioner.pgid = os.getpgid(early.process.pid)
        provisioner.cwd = kw.get("cwd") or str(early.folder)
        self._reconcile_connection_info(provisioner.connection_info)
        await self._change_folder(kw.get("cwd"))

    async def _change_folder(self, cwd: str | None) -> None:
        """The kernel works in `cwd`, as if started there; nothing enters its namespace."""
        if not cwd:
            return
        client = self.client()
        client.start_channels()
        try:
            await client.wait_for_ready(timeout=120)
            reply = await client.execute_interactive(
                f"__import__('os').chdir({str(cwd)!r})", silent=True, store_history=False,
                timeout=120)
            if reply["content"]["status"] != "ok":
                raise RuntimeError(f"the early kernel could not work in {cwd}: {reply['content']}")
        finally:
            client.stop_channels()

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        await super()._async_cleanup_resources(restart=restart)
        if self._adopted is not None and not restart:
            self._adopted.stop()
            self._adopted = None

    cleanup_resources = _async_cleanup_resources  # what nbclient calls


class EarlyExecute(QuickExecute):
    """nbgrader's Execute, adopting the early kernel (:func:`bpcourse.tools.early_kernel.start`)."""

    manager = EarlyKernelManager
