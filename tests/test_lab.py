"""`make lab` and `make teach` (bpcourse.tools.lab): the learner's copy, the server's
configuration, and both commands started for real on a free port (no browser;
tests/test_browser.py drives one)."""

from __future__ import annotations

import hashlib
import json
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import nbformat
import pytest

from bpcourse.tools import lab

NBGRADER_PLUGINS = ("@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:create-assignment",
                    "@jupyter/nbgrader:course-list", "@jupyter/nbgrader:assignment-list")
NEWS = "@jupyterlab/apputils-extension:announcements"


def _release(root: Path, names=("01_a", "02_b")) -> Path:
    release = root / "notebooks"
    for name in names:
        (release / name).mkdir(parents=True)
        nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(f"# {name}")]),
                       release / name / f"{name}.ipynb")
    return release


def test_first_run_copies_the_release_into_work(tmp_path):
    release = _release(tmp_path)
    (release / "01_a" / "data.csv").write_text("1,2\n")
    (release / "01_a" / ".ipynb_checkpoints").mkdir()
    (release / "01_a" / ".ipynb_checkpoints" / "01_a-checkpoint.ipynb").write_text("{}")

    copy = lab.make_work_copy(release, tmp_path / "work")

    assert sorted(p.relative_to(copy.work).as_posix() for p in copy.copied) == [
        "01_a/01_a.ipynb", "01_a/data.csv", "02_b/02_b.ipynb"]
    assert copy.kept == []
    assert not (tmp_path / "work" / "01_a" / ".ipynb_checkpoints").exists()
    assert lab.course_notebooks(copy.work) == [copy.work / "01_a" / "01_a.ipynb",
                                               copy.work / "02_b" / "02_b.ipynb"]


def test_the_learners_edits_are_never_overwritten_and_new_notebooks_arrive(tmp_path):
    release = _release(tmp_path)
    work = tmp_path / "work"
    lab.make_work_copy(release, work)
    edited = work / "01_a" / "01_a.ipynb"
    edited.write_text("my answers")
    _release(tmp_path, names=("03_c",))  # a notebook released later

    copy = lab.make_work_copy(release, work)

    assert edited.read_text() == "my answers"
    assert [p.relative_to(work).as_posix() for p in copy.copied] == ["03_c/03_c.ipynb"]
    assert sorted(p.relative_to(work).as_posix() for p in copy.kept) == [
        "01_a/01_a.ipynb", "02_b/02_b.ipynb"]


def test_an_empty_release_says_to_run_make_release(tmp_path):
    (tmp_path / "notebooks").mkdir()
    with pytest.raises(FileNotFoundError, match="make release"):
        lab.make_work_copy(tmp_path / "notebooks", tmp_path / "work")
    assert not (tmp_path / "work").exists()


def _configured_disabled(role: str) -> dict:
    path = lab.JUPYTER_CONFIG / lab.ROLES[role] / "labconfig" / "page_config.json"
    return json.loads(path.read_text())["disabledExtensions"]


def test_learner_lab_keeps_only_validate_of_nbgrader_and_no_news():
    disabled = _configured_disabled("lab")
    assert all(disabled.get(plugin) is True for plugin in NBGRADER_PLUGINS), disabled
    assert disabled.get(NEWS) is True
    assert "@jupyter/nbgrader:validate-assignment" not in disabled
    server = lab.SERVER_EXTENSIONS["lab"]
    assert server["nbgrader.server_extensions.validate_assignment"] is True
    assert not any(enabled for name, enabled in server.items() if "validate" not in name)


def test_instructor_lab_has_every_nbgrader_tool_and_no_news():
    disabled = _configured_disabled("teach")
    assert not any(plugin.startswith("@jupyter/nbgrader") for plugin in disabled), disabled
    assert disabled.get(NEWS) is True
    assert all(lab.SERVER_EXTENSIONS["teach"].values())


def test_server_listens_on_localhost_with_jupyters_token(tmp_path):
    cmd = lab.server_command("lab", tmp_path, state_dir=tmp_path / "state")
    assert "--ServerApp.ip=127.0.0.1" in cmd
    assert not any("token" in arg.lower() for arg in cmd), "the token must stay Jupyter's own"
    assert "--LabApp.news_url=None" in cmd
    assert f"--LabApp.workspaces_dir={tmp_path / 'state' / 'workspaces'}" in cmd
    assert "--ServerApp.jpserver_extensions=nbgrader.server_extensions.formgrader=False" in cmd
    cmd = lab.server_command("lab", tmp_path, state_dir=tmp_path, port=9999, token="abc",
                             extra=["--debug"])
    assert cmd[-1] == "--debug"
    assert {"--ServerApp.port=9999", "--ServerApp.port_retries=0",
            "--IdentityProvider.token=abc"} <= set(cmd)
    with pytest.raises(ValueError, match="role must be one of"):
        lab.server_command("learner", tmp_path, state_dir=tmp_path)


def test_server_env_puts_the_project_config_first_and_this_python_on_path():
    env = lab.server_env("lab", {"JUPYTER_CONFIG_PATH": "/elsewhere", "PATH": "/usr/bin"})
    assert env["JUPYTER_CONFIG_PATH"].split(os.pathsep) == [
        str(lab.JUPYTER_CONFIG / "learner"), "/elsewhere"]
    assert env["PATH"].split(os.pathsep) == [str(Path(sys.executable).parent), "/usr/bin"]
    assert lab.server_env("teach", {})["JUPYTER_CONFIG_PATH"] == str(lab.JUPYTER_CONFIG / "teach")


# --- the commands themselves -------------------------------------------------------------------

def _jupyter_env(tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ)
    for var in ("JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR", "IPYTHONDIR"):
        env[var] = str(tmp_path / var.lower())
    env["BPCOURSE_DB_URL"] = f"sqlite:///{tmp_path / 'gradebook.db'}"  # formgrader's, in teach
    return env


class _Command:
    """`python -m bpcourse ARGS` in the background, its output collected line by line."""

    def __init__(self, args: list[str], env: dict[str, str]):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bpcourse", *args], env=env, cwd=lab.ROOT, text=True,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        self.lines: list[str] = []
        self._queue: queue.Queue = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.process.stdout:
            self._queue.put(line)
        self._queue.put(None)

    def wait_for(self, pattern: str, timeout: float = 120) -> re.Match:
        while True:
            for line in self.lines:
                if match := re.search(pattern, line):
                    return match
            try:
                line = self._queue.get(timeout=timeout)
            except queue.Empty:
                raise AssertionError(f"no line matching {pattern!r} in {timeout} s:\n"
                                     + "".join(self.lines)) from None
            if line is None:
                raise AssertionError(f"exited ({self.process.wait()}) before printing "
                                     f"{pattern!r}:\n" + "".join(self.lines))
            self.lines.append(line)

    def stop(self):
        """SIGTERM by PID (the command has become the Jupyter server), then wait."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)


def _get(url: str, wait: float = 60) -> tuple[int, str]:
    """Status and body of a GET. Jupyter prints its URL just before it starts listening, so a
    refused connection is retried for `wait` seconds."""
    deadline = time.monotonic() + wait
    while True:
        try:
            with urllib.request.urlopen(url, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, ""
        except urllib.error.URLError as error:
            if not isinstance(error.reason, ConnectionRefusedError) or \
                    time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def _page_config(html: str) -> dict:
    """The page config JupyterLab embeds in its HTML."""
    found = re.search(r'id="jupyter-config-data"[^>]*>(.*?)</script>', html, re.S)
    assert found, f"no jupyter-config-data in the page:\n{html[:500]}"
    return json.loads(found.group(1))


def _release_digest() -> str:
    digest = hashlib.sha256()
    for path in sorted(lab.RELEASE.rglob("*")):
        if path.is_file():
            digest.update(path.relative_to(lab.RELEASE).as_posix().encode() + path.read_bytes())
    return digest.hexdigest()


@pytest.mark.slow
def test_make_lab_serves_the_learners_copy_on_localhost_with_a_token(tmp_path):
    if not lab.course_notebooks(lab.RELEASE):
        pytest.fail("no release notebooks in notebooks/: run `make release`")
    before = _release_digest()
    work, port = tmp_path / "work", lab.free_port()
    command = _Command(["lab", "--no-browser", "--port", str(port), "--work", str(work)],
                       _jupyter_env(tmp_path))
    try:
        command.wait_for(rf"Your copy of the course: {re.escape(str(work))}")
        token = command.wait_for(rf"http://127\.0\.0\.1:{port}/lab[^\s]*\?token=(\w+)").group(1)
        status, page = _get(f"http://127.0.0.1:{port}/lab?token={token}")
        assert status == 200
        config = _page_config(page)
        assert config["serverRoot"] == str(work) or Path(config["serverRoot"]) == work
        disabled = config["disabledExtensions"]
        assert all(plugin in disabled for plugin in (*NBGRADER_PLUGINS, NEWS)), disabled
        status, tree = _get(f"http://127.0.0.1:{port}/tree?token={token}")  # Notebook 7's UI
        assert status == 200
        assert set(NBGRADER_PLUGINS) <= set(_page_config(tree)["disabledExtensions"])
        assert _get(f"http://127.0.0.1:{port}/api/contents")[0] == 403, "served without token"
        assert _get(f"http://127.0.0.1:{port}/formgrader?token={token}")[0] == 404
        names = [p.parent.name for p in lab.course_notebooks(work)]
        assert names == [p.parent.name for p in lab.course_notebooks(lab.RELEASE)]
        (work / names[0] / f"{names[0]}.ipynb").write_text("a learner's edit")
    except BaseException:
        print("".join(command.lines))  # the server's log, shown with the failure
        raise
    finally:
        command.stop()
    assert command.process.returncode is not None
    assert _release_digest() == before, "make lab changed the release in notebooks/"


@pytest.mark.slow
def test_make_teach_serves_the_repository_with_formgrader(tmp_path):
    port = lab.free_port()
    command = _Command(["teach", "--no-browser", "--port", str(port)], _jupyter_env(tmp_path))
    try:
        token = command.wait_for(rf"http://127\.0\.0\.1:{port}/lab[^\s]*\?token=(\w+)").group(1)
        status, page = _get(f"http://127.0.0.1:{port}/lab?token={token}")
        assert status == 200
        config = _page_config(page)
        assert Path(config["serverRoot"]) == lab.ROOT
        assert not any(p.startswith("@jupyter/nbgrader") for p in config["disabledExtensions"])
        assert _get(f"http://127.0.0.1:{port}/formgrader?token={token}")[0] == 200
    except BaseException:
        print("".join(command.lines))  # the server's log, shown with the failure
        raise
    finally:
        command.stop()
    assert command.process.returncode is not None


# --- editions: `make lab-zh` -------------------------------------------------------------------

def test_each_edition_has_its_own_copy_and_a_copy_from_before_editions_stays(tmp_path):
    work = tmp_path / "work"
    assert lab.work_folder("en", work) == work / "en"
    assert lab.work_folder("zh", work) == work / "zh"
    lab.make_work_copy(_release(tmp_path), work)  # a learner's copy made before editions
    assert lab.work_folder("en", work) == work, "the old copy is the English one, not moved"
    assert lab.work_folder("zh", work) == work / "zh"
    with pytest.raises(ValueError, match="edition must be one of"):
        lab.work_folder("fr", work)


def test_the_zh_copy_takes_only_the_zh_assignments_and_the_en_copy_none(tmp_path):
    release = _release(tmp_path, names=("01_a", "01_a_zh", "02_b"))
    zh = lab.make_work_copy(release, tmp_path / "work" / "zh", "zh")
    assert [p.relative_to(zh.work).as_posix() for p in zh.copied] == ["01_a_zh/01_a_zh.ipynb"]
    en = lab.make_work_copy(release, tmp_path / "work" / "en", "en")
    assert sorted(p.parent.name for p in en.copied) == ["01_a", "02_b"]


def test_lab_zh_says_in_one_line_when_the_zh_edition_is_not_built(tmp_path):
    release = _release(tmp_path)
    with pytest.raises(FileNotFoundError, match="zh edition is not built yet"):
        lab.make_work_copy(release, tmp_path / "work" / "zh", "zh")
    assert not (tmp_path / "work").exists()
    if lab.course_notebooks(lab.RELEASE, "zh"):
        return  # the real release has a zh edition: nothing left to refuse
    done = subprocess.run([sys.executable, "-m", "bpcourse", "lab", "--lang", "zh",
                           "--no-browser", "--work", str(tmp_path / "zh")], cwd=lab.ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    # `make lab-zh` speaks to a learner of the zh edition: in Chinese
    assert done.stderr.count("\n") == 1 and "zh 版本还没有构建" in done.stderr, done.stderr


@pytest.mark.parametrize("lang, locale", [("zh", "zh_CN"), ("en", "en")])
def test_the_lab_sets_jupyterlabs_language_in_its_settings_never_through_lang(tmp_path, lang,
                                                                               locale):
    cmd = lab.server_command("lab", tmp_path, state_dir=tmp_path, lang=lang)
    settings = lab.LAB_LANGUAGE_SETTINGS[lang]
    assert f"--LabApp.app_settings_dir={settings}" in cmd
    overrides = json.loads((settings / "overrides.json").read_text())
    assert overrides == {"@jupyterlab/translation-extension:plugin": {"locale": locale}}
    assert not any(arg.startswith("LANG") for arg in cmd)
    assert lab.server_env("lab", {"LANG": "C.UTF-8"})["LANG"] == "C.UTF-8", "LANG left alone"
    with pytest.raises(ValueError, match="lang must be one of"):
        lab.server_command("lab", tmp_path, state_dir=tmp_path, lang="fr")


def _translation_locale(server: lab.LabServer) -> str:
    """The locale JupyterLab's front end will use: the user's setting, else the default that
    the overrides set."""
    url = (f"{server.url}/lab/api/settings/@jupyterlab/translation-extension:plugin"
           f"?token={server.token}")
    status, body = _get(url)
    assert status == 200
    plugin = json.loads(body)
    return plugin["settings"].get("locale", plugin["schema"]["properties"]["locale"]["default"])


@pytest.mark.slow
def test_the_zh_lab_serves_jupyterlabs_chinese_language_pack_and_the_en_lab_stays_english(
        tmp_path):
    env = _jupyter_env(tmp_path)
    env.pop("LANG", None)
    course = tmp_path / "course"
    course.mkdir()
    with lab.LabServer("lab", course, state_dir=tmp_path / "zh", log_path=tmp_path / "zh.log",
                       env=env, lang="zh") as server:
        assert _translation_locale(server) == "zh_CN"
        status, body = _get(f"{server.url}/lab/api/translations/zh_CN?token={server.token}")
        assert status == 200
        pack = json.loads(body)
        assert pack["message"] == "", pack["message"]
        strings = json.dumps(pack["data"], ensure_ascii=False)
        assert "文件" in strings and "内核" in strings, "not JupyterLab's zh-CN language pack"
    assert not server.leftover_pids
    with lab.LabServer("lab", course, state_dir=tmp_path / "en", log_path=tmp_path / "en.log",
                       env=env) as server:
        assert _translation_locale(server) == "en"
        status, body = _get(f"{server.url}/lab/api/translations/en?token={server.token}")
        assert status == 200 and "文件" not in json.loads(body)["data"].__repr__()
