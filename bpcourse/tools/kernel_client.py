"""A grading kernel's manager and client that lose no time waiting out timeouts.

jupyter_client decides that a kernel is ready by waiting for 0.2 s of silence on its IOPub
channel after the kernel_info reply, so every kernel costs at least 0.2 s before its first cell.
:class:`QuickReadyClient` waits for the kernel's own "idle" status for that kernel_info request
instead: then IOPub is connected and everything the kernel published before has arrived, which
is what the silence was standing in for. When that status does not come within the same 0.2 s
(IOPub connected too late to see it), it asks again, as jupyter_client does.

:class:`QuickKernelManager` hands out that client. Every kernel grading starts (sandboxed, early
or plain) comes from a subclass of it; nbgrader's ``Execute`` runs with it through
:class:`QuickExecute` and the configuration :func:`bpcourse.tools.nbgrader_run.autograde_here`
gives, which also stops each kernel at once after its last cell (``shutdown_kernel =
"immediate"``): every output has arrived by then, and a polite shutdown costs 0.1-0.3 s of
polling per notebook for nothing the grade uses.
"""

from __future__ import annotations

import math
import time
from queue import Empty

from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.manager import AsyncKernelManager
from nbgrader.preprocessors import Execute
from traitlets import DottedObjectName, Type

IOPUB_WAIT = 0.2  # seconds, jupyter_client's own wait for a first IOPub message

NBGRADER_PREPROCESSORS = (
    "nbgrader.preprocessors.IgnorePattern",
    "nbconvert.preprocessors.ClearMetadataPreprocessor",
    "nbgrader.preprocessors.LimitOutput",
    "bpcourse.tools.sanitize.SanitizeStudentHTML",  # ours: what a submission wrote, as text
    "nbgrader.preprocessors.SaveAutoGrades",
    "nbgrader.preprocessors.AssignLatePenalties",
    "nbgrader.preprocessors.CheckCellMetadata",
)  # nbgrader 0.9.6's Autograde.autograde_preprocessors after Execute, in its order, + ours


class QuickReadyClient(AsyncKernelClient):
    """An asynchronous kernel client whose wait_for_ready returns as soon as the kernel is."""

    async def wait_for_ready(self, timeout: float | None = None) -> None:  # type: ignore[override]
        """Return once the kernel has answered a kernel_info request on the shell channel and
        published its idle status for it on IOPub. RuntimeError if the kernel dies first or
        takes longer than `timeout` seconds (None: no limit)."""
        deadline = time.monotonic() + (math.inf if timeout is None else timeout)
        while True:
            msg_id = self.kernel_info()
            reply = await self._shell_reply(msg_id)
            if reply is not None:
                self._handle_kernel_info_reply(reply)
                if await self._idle_after(msg_id):
                    return
            if not await self._async_is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
            if time.monotonic() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {timeout:g} seconds")

    async def _shell_reply(self, msg_id: str, wait: float = 1.0) -> dict | None:
        """The reply to `msg_id` (earlier replies are dropped), or None after `wait` s."""
        while True:
            try:
                msg = await self.shell_channel.get_msg(timeout=wait)
            except Empty:
                return None
            if msg["parent_header"].get("msg_id") == msg_id:
                return msg

    async def _idle_after(self, msg_id: str) -> bool:
        """True when the kernel's idle status for `msg_id` arrives on IOPub, each message
        within IOPUB_WAIT s of the one before; False when IOPub falls silent first."""
        while True:
            try:
                msg = await self.iopub_channel.get_msg(timeout=IOPUB_WAIT)
            except Empty:
                return False
            if (msg["msg_type"] == "status" and msg["content"].get("execution_state") == "idle"
                    and msg["parent_header"].get("msg_id") == msg_id):
                return True


class QuickKernelManager(AsyncKernelManager):
    """jupyter_client's asynchronous kernel manager, handing out :class:`QuickReadyClient`."""

    client_class = DottedObjectName("bpcourse.tools.kernel_client.QuickReadyClient")
    client_factory = Type(klass="bpcourse.tools.kernel_client.QuickReadyClient")


class QuickExecute(Execute):
    """nbgrader's Execute, its kernels managed by `manager` (a :class:`QuickKernelManager`;
    the sandboxed and the early Execute name their own). nbgrader 0.9.6 passes the kernel
    manager as an argument, so the ``kernel_manager_class`` option would be ignored."""

    manager: type[QuickKernelManager] = QuickKernelManager

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("kernel_manager_class", self.manager)
        super().__init__(*args, **kwargs)

    @classmethod
    def autograde_preprocessors(cls) -> list:
        """nbgrader's autograde preprocessors with this Execute in place of its own."""
        return [cls, *NBGRADER_PREPROCESSORS]
