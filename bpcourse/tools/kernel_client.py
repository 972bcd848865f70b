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

import asyncio
import math
import os
import secrets
import shutil
import socket
import tempfile
import threading
import time
from pathlib import Path
from queue import Empty

from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.manager import AsyncKernelManager
from jupyter_core.utils import run_sync
from nbformat import from_dict
from nbgrader.preprocessors import Execute
from nbgrader.utils import is_grade, is_solution
from traitlets import Bool, DottedObjectName, Type, Unicode, default

from bpcourse import i18n, judge
from bpcourse.tools.course import edition_of
from bpcourse.tools.notebook import cell_source, load_notebook, nbgrader_meta

IOPUB_WAIT = 0.2  # seconds, jupyter_client's own wait for a first IOPub message
JUDGE_GRACE = 2.0  # seconds a judge has to finish once the kernel's probe cell has ended

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
    manager as an argument, so the ``kernel_manager_class`` option would be ignored.

    Its test cells are judged (``bpcourse.judge``): the kernel runs only the probe, which
    answers the judge; the test itself runs here and its outputs are the cell's."""

    manager: type[QuickKernelManager] = QuickKernelManager
    judged = Bool(help="run graded test cells in the grader (bpcourse.judge), the kernel "
                       "only answering; BPCOURSE_JUDGE=0 runs them in the kernel, as nbgrader "
                       "does (only for benchmarks/ to compare the two: such grades can be "
                       "faked)").tag(config=True)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("kernel_manager_class", self.manager)
        super().__init__(*args, **kwargs)

    @classmethod
    def autograde_preprocessors(cls) -> list:
        """nbgrader's autograde preprocessors with this Execute in place of its own."""
        return [cls, *NBGRADER_PREPROCESSORS]

    @default("judged")
    def _judged_default(self) -> bool:
        return os.environ.get("BPCOURSE_JUDGE", "1") != "0"

    source_directory = Unicode(
        "", help="The course's source folder (solutions/): its notebook's import cells give "
                 "the names a judged test takes from the grader, not the kernel").tag(config=True)
    language: str | None = None  # the judge's, from the assignment's edition
    machinery: dict | None = None  # what the course's notebook imports, imported here

    def preprocess(self, nb, resources=None, km=None):
        names = (resources or {}).get("nbgrader") or {}
        self.language = edition_of(names.get("assignment") or "")
        self.machinery = self._course_imports(names)
        return super().preprocess(nb, resources, km)

    def _course_imports(self, names: dict) -> dict:
        path = (Path(self.source_directory) / (names.get("assignment") or "")
                / f"{names.get('notebook') or ''}.ipynb")
        try:
            cells = [c for c in load_notebook(path)["cells"] if c.get("cell_type") == "code"]
        except (OSError, ValueError, KeyError, TypeError):
            return {}
        answers = [cell_source(c) for c in cells if nbgrader_meta(c).get("solution")]
        return judge.course_imports([cell_source(c) for c in cells], answers)

    async def async_execute_cell(self, cell, cell_index, execution_count=None,
                                 store_history=True):
        """Run `cell`; a graded test cell is judged: the kernel runs the probe meanwhile."""
        if not (self.judged and cell.cell_type == "code" and is_grade(cell)
                and not is_solution(cell) and cell.source.strip()):
            return await super().async_execute_cell(cell, cell_index, execution_count,
                                                    store_history)
        folder = self._probe_folder()
        path = folder / f"probe-{secrets.token_hex(8)}.sock"
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            listener.bind(str(path))
            os.chmod(path, 0o777)  # a kernel run as a uid of its own must connect
            listener.listen(1)
            outputs: list = []
            timeout = float(self.timeout or 600)
            source = cell.source
            language, machinery = self.language, self.machinery

            def run_judge():
                with i18n.speaking(language):
                    outputs.extend(judge.serve_cell(listener, source, timeout, machinery))

            thread = threading.Thread(target=run_judge, name="bpcourse-judge", daemon=True)
            thread.start()
            cell.source = f"__import__('bpcourse.probe').probe.serve({str(path)!r})"
            try:
                await super().async_execute_cell(cell, cell_index, execution_count,
                                                 store_history)
            finally:
                cell.source = source
            await asyncio.to_thread(thread.join, JUDGE_GRACE)
            listener.close()  # a judge still waiting for the kernel gives up now
            await asyncio.to_thread(thread.join)
        finally:
            listener.close()
            path.unlink(missing_ok=True)
            if folder != self._kernel_job():
                shutil.rmtree(folder, ignore_errors=True)
        cell.outputs = [from_dict(o) for o in outputs]
        return cell

    execute_cell = run_sync(async_execute_cell)  # nbclient binds it to its own, else

    def _kernel_job(self) -> Path | None:
        job = getattr(self.km, "job", None)
        return Path(job) if job else None

    def _probe_folder(self) -> Path:
        """Where the probe's socket goes: the sandboxed kernel's job folder (the only one it
        shares with the grader), else a fresh private folder."""
        return self._kernel_job() or Path(tempfile.mkdtemp(prefix="bpj-", dir="/tmp"))
