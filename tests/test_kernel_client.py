"""The grading kernels' client and manager (bpcourse.tools.kernel_client): ready as soon as the
kernel has answered and its IOPub is connected (never by waiting out a silence), asked again
when IOPub connected too late, refused when the kernel dies; the configuration autograde runs
with; and ``python -m bpcourse grade`` ending at once with its output and exit handlers."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path
from queue import Empty

import pytest
from traitlets.config import Config

from bpcourse.tools.kernel_client import (
    NBGRADER_PREPROCESSORS,
    QuickExecute,
    QuickKernelManager,
    QuickReadyClient,
)
from bpcourse.tools.nbgrader_run import _config


def msg(msg_type: str, parent: str, **content) -> dict:
    return {"msg_type": msg_type, "parent_header": {"msg_id": parent}, "content": content}


class Channel:
    """A channel whose get_msg hands out a script: a message, or None for a timeout."""

    def __init__(self, script):
        self.script = list(script)

    async def get_msg(self, timeout=None):
        if not self.script or self.script[0] is None:
            if self.script:
                self.script.pop(0)
            raise Empty
        return self.script.pop(0)


class Scripted(QuickReadyClient):
    """QuickReadyClient on scripted channels: kernel_info requests are k1, k2, ..."""

    shell_channel = None
    iopub_channel = None

    def __init__(self, shell, iopub, alive=True):
        super().__init__()
        self.shell_channel, self.iopub_channel = Channel(shell), Channel(iopub)
        self.asked, self.alive, self.handled = 0, alive, []

    def kernel_info(self):
        self.asked += 1
        return f"k{self.asked}"

    def _handle_kernel_info_reply(self, reply):
        self.handled.append(reply["parent_header"]["msg_id"])

    async def _async_is_alive(self):
        return self.alive


def ready(client: Scripted, timeout=None) -> None:
    asyncio.run(client.wait_for_ready(timeout=timeout))


def test_ready_when_the_reply_and_the_idle_status_of_that_request_have_come():
    client = Scripted(shell=[msg("kernel_info_reply", "k1")],
                      iopub=[msg("status", "k1", execution_state="busy"),
                             msg("status", "k1", execution_state="idle"),
                             msg("stream", "later", name="stdout", text="not read")])
    ready(client)
    assert client.asked == 1 and client.handled == ["k1"]
    # nothing after the idle status is consumed: it belongs to what comes next
    assert client.iopub_channel.script == [msg("stream", "later", name="stdout", text="not read")]


def test_when_iopub_connected_too_late_to_see_the_status_the_kernel_is_asked_again():
    client = Scripted(shell=[msg("kernel_info_reply", "k1"), msg("kernel_info_reply", "k2")],
                      iopub=[None,  # the status of k1 was published before IOPub connected
                             msg("status", "k2", execution_state="busy"),
                             msg("status", "k2", execution_state="idle")])
    ready(client)
    assert client.asked == 2 and client.handled == ["k1", "k2"]


def test_an_earlier_requests_reply_and_status_do_not_count():
    client = Scripted(shell=[None, msg("kernel_info_reply", "k1"),
                             msg("kernel_info_reply", "k2")],
                      iopub=[msg("status", "k1", execution_state="idle"),
                             msg("status", "k2", execution_state="idle")])
    ready(client)
    assert client.asked == 2 and client.handled == ["k2"]
    assert client.iopub_channel.script == []


def test_a_dead_kernel_and_a_silent_one_are_errors_not_waits():
    with pytest.raises(RuntimeError, match="died before replying"):
        ready(Scripted(shell=[None], iopub=[], alive=False))
    with pytest.raises(RuntimeError, match="didn't respond in 0 seconds"):
        ready(Scripted(shell=[None], iopub=[]), timeout=0)


def test_a_real_kernel_is_ready_with_iopub_connected_and_nothing_stale_left():
    async def run():
        km = QuickKernelManager(kernel_name="python3")
        await km.start_kernel()
        kc = km.client()
        assert isinstance(kc, QuickReadyClient)
        kc.start_channels()
        try:
            await kc.wait_for_ready(timeout=120)
            msg_id = kc.execute("print('first output')")
            seen = []
            while True:
                m = await kc.get_iopub_msg(timeout=60)
                seen.append(m)
                if (m["msg_type"] == "status" and m["content"]["execution_state"] == "idle"
                        and m["parent_header"].get("msg_id") == msg_id):
                    break
            return seen
        finally:
            kc.stop_channels()
            await km.shutdown_kernel(now=True)
            assert not await km.is_alive()

    seen = asyncio.run(run())
    # the first message after ready is this request's: nothing of the readiness check is left
    assert seen[0]["parent_header"]["msg_id"] == seen[-1]["parent_header"]["msg_id"]
    assert {m["parent_header"]["msg_id"] for m in seen} == {seen[0]["parent_header"]["msg_id"]}
    assert any(m["msg_type"] == "stream" and m["content"]["text"] == "first output\n"
               for m in seen)


def test_autograde_runs_quick_kernels_stopped_at_once_unless_the_course_says_otherwise(tmp_path):
    cfg = _config(tmp_path, "a1", "sqlite:///x.db", "*", None, True, None)
    assert cfg.Autograde.autograde_preprocessors == [QuickExecute, *NBGRADER_PREPROCESSORS]
    assert cfg.Execute.shutdown_kernel == "immediate"

    (tmp_path / "nbgrader_config.py").write_text(
        "c = get_config()\n"
        "c.Autograde.autograde_preprocessors = ['nbgrader.preprocessors.Execute']\n"
        "c.Execute.shutdown_kernel = 'graceful'\n")
    cfg = _config(tmp_path, "a1", "sqlite:///x.db", "*", None, True, None)
    assert cfg.Autograde.autograde_preprocessors == ["nbgrader.preprocessors.Execute"]
    assert cfg.Execute.shutdown_kernel == "graceful"

    chosen = Config()
    chosen.Autograde.autograde_preprocessors = ["mine"]
    cfg = _config(tmp_path, "a1", "sqlite:///x.db", "*", None, True, chosen)
    assert cfg.Autograde.autograde_preprocessors == ["mine"]


EXIT_AT_ONCE = """
import atexit, pathlib, sys
from bpcourse.__main__ import exit_at_once
atexit.register(lambda: pathlib.Path(sys.argv[1]).write_text("ran"))
print("the grade table", end="")  # buffered: flushed before the process ends
exit_at_once(3)
print("never")
"""


def test_exit_at_once_runs_the_exit_handlers_and_flushes_the_output(tmp_path):
    marker = tmp_path / "marker"
    proc = subprocess.run([sys.executable, "-c", EXIT_AT_ONCE, str(marker)],
                          capture_output=True, text=True, timeout=120,
                          cwd=Path(__file__).resolve().parents[1])
    assert (proc.returncode, proc.stdout) == (3, "the grade table"), proc.stderr
    assert marker.read_text() == "ran"
