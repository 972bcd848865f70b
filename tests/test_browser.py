"""The course as a learner meets it: JupyterLab in headless Chromium, driven by Playwright.

One JupyterLab server, configured exactly as ``make lab`` configures it (bpcourse.tools.lab),
serves a temporary copy of the release ``notebooks/`` plus, next to each notebook, a copy of its
solution (``NN_topic/NN_topic.solution.ipynb``). For every release notebook the test clicks Run >
Run All Cells and Validate as a learner would, and checks what appears on the screen:

- release: every cell before the first exercise ran without an error; Validate lists every
  visible test cell as failing (an unanswered exercise cannot pass);
- solution copy: every cell ran without an error; every figure in the outputs rendered in the
  page (graphviz SVG in 02 and 03, matplotlib PNG in 01, 05, 06 and 07 at least); Validate says
  "Success".

Screenshots go to artifacts/browser/ (NN_topic-release.png: the Validate dialog listing the
failing tests, over the first failing cell; NN_topic-solution.png: the first figure of the
solved notebook), each with a .json of what was counted, and the server's log. Jupyter's state
lives in temporary folders; the server is stopped by its PID and must leave no kernel behind.

Chromium's own profile and crash reports go to a temporary folder too (XDG_CONFIG_HOME).

Needs Debian's Chromium (``scripts/system-deps.sh chromium``, run by ``make test``); Playwright's
own browser download is not used. Set BPCOURSE_CHROMIUM to use another Chromium binary.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
import urllib.error
import urllib.request
from pathlib import Path

import nbformat
import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import sync_playwright

from bpcourse.tools.lab import RELEASE, ROOT, SOLUTIONS, LabServer, course_notebooks, make_work_copy

pytestmark = pytest.mark.browser

CHROMIUM = os.environ.get("BPCOURSE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
ARTIFACTS = ROOT / "artifacts" / "browser"
NOTEBOOKS = [path.parent.name for path in course_notebooks(RELEASE, "en")]
ZH_NOTEBOOKS = [path.parent.name for path in course_notebooks(RELEASE, "zh")]
# The figures the course promises, by notebook number: at least one of each must render.
PROMISED_FIGURES = {"01": "image/png", "02": "image/svg+xml", "03": "image/svg+xml",
                    "05": "image/png", "06": "image/png", "07": "image/png"}
# Exactly how many figures of each type a solved notebook shows, where that is fixed.
FIGURE_COUNTS = {"07": {"image/svg+xml": 1, "image/png": 1}}  # the graph; the gradient norms
FIGURE_TYPES = ("image/png", "image/svg+xml")
NOTEBOOK = ".jp-NotebookPanel:not(.lm-mod-hidden)"  # the notebook on screen
KERNEL_WAIT_MS = 120_000  # a cold kernel start plus numpy/matplotlib imports on a busy machine
RUN_ALL_WAIT_MS = 600_000  # the notebooks' own demos; nbgrader interrupts a cell after 60 s
VALIDATE_WAIT_MS = 600_000  # the server runs the whole notebook again

KERNEL_READY_JS = r"""([idle, noKernel]) => {
  const indicator = document.querySelector('.jp-Notebook-ExecutionIndicator');
  const status = [...document.querySelectorAll('#jp-main-statusbar .jp-StatusBar-TextItem')]
                   .map(item => item.textContent.trim());
  return indicator && indicator.getAttribute('data-status') === 'idle'
         && status.some(text => text.endsWith(' | ' + idle) && !text.startsWith(noKernel));
}"""
# The words the tests click or wait for, in JupyterLab's English UI and in its zh-CN language
# pack (make lab-zh).
UI = {"en": {"run": "Run", "run_all": "Run All Cells", "idle": "Idle", "no_kernel": "No Kernel"},
      "zh": {"run": "运行", "run_all": "运行所有单元格", "idle": "空闲", "no_kernel": "无内核"}}
RUN_STARTED_JS = r"""() => [...document.querySelectorAll(
    '.jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell .jp-InputPrompt')]
    .some(p => /\[(\*|\d+)\]/.test(p.textContent))"""
# Run All is finished when the kernel is idle, the first code cell has a number and no cell is
# queued or running ([*]). Cells after an error are not run and keep an empty prompt.
RUN_FINISHED_JS = r"""() => {
  const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
  if (!panel) return false;
  const prompts = [...panel.querySelectorAll('.jp-CodeCell .jp-InputPrompt')]
                    .map(p => p.textContent.trim());
  const indicator = document.querySelector('.jp-Notebook-ExecutionIndicator');
  const idle = !indicator || indicator.getAttribute('data-status') === 'idle';
  return idle && prompts.length > 0 && /\[\d+\]/.test(prompts[0])
         && !prompts.some(t => t.includes('*'));
}"""
RUN_STATE_JS = r"""() => {
  const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
  const prompts = panel ? [...panel.querySelectorAll('.jp-CodeCell .jp-InputPrompt')]
                            .map(p => p.textContent.trim()) : [];
  const indicator = document.querySelector('.jp-Notebook-ExecutionIndicator');
  const status = [...document.querySelectorAll('#jp-main-statusbar .jp-StatusBar-TextItem')]
                   .map(item => item.textContent.trim()).filter(text => text.includes(' | '));
  return `kernel ${indicator && indicator.getAttribute('data-status')} (${status}), `
         + `${document.querySelectorAll('.jp-Notebook-ExecutionIndicator').length} indicator(s), `
         + `prompts ${prompts.join(' ')}; screenshot in artifacts/browser`;
}"""
# The cells of the failing-tests dialog: pairs of <pre> (cell source, its error).
FAILED_SOURCES_JS = """() => [...document.querySelectorAll(
    '#validation-message > div.jp-RenderedText > pre')].filter((_, i) => i % 2 === 0)
    .map(pre => pre.innerText)"""


def _nbgrader(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def _code_lines(source: str) -> list[str]:
    return [line for line in source.splitlines() if line.strip() and
            not line.strip().startswith("#")]


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> Path:
    """A learner's folder made by make lab's own copy step, plus a copy of each solution."""
    assert NOTEBOOKS, f"no release notebooks in {RELEASE}: run `make release`"
    root = tmp_path_factory.mktemp("course")
    make_work_copy(RELEASE, root)
    for name in NOTEBOOKS:
        solution = SOLUTIONS / name / f"{name}.ipynb"
        assert solution.is_file(), f"{name} is released but has no solution at {solution}"
        shutil.copy(solution, root / name / f"{name}.solution.ipynb")
    return root


@pytest.fixture(scope="module")
def server(course, tmp_path_factory):
    """`make lab`'s JupyterLab on `course`, on a free port, Jupyter state in temporary folders."""
    state = tmp_path_factory.mktemp("jupyter")
    env = dict(os.environ)
    for var in ("JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR", "IPYTHONDIR"):
        env[var] = str(state / var.lower())
        os.makedirs(env[var])
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    lab = LabServer("lab", course, state_dir=state / "lab", log_path=ARTIFACTS / "server.log",
                    env=env)
    with lab:
        yield lab
    assert lab.process.returncode is not None, f"the server (PID {lab.pid}) is still running"
    assert not lab.leftover_pids, (
        f"kernels still alive after the server stopped (killed now): {lab.leftover_pids}")


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"no Chromium at {CHROMIUM}: run `scripts/system-deps.sh chromium` (as root "
                    "on Debian), or set BPCOURSE_CHROMIUM to a Chromium binary")
    home = tmp_path_factory.mktemp("chromium")  # its crash reports go to ~/.config otherwise
    env = dict(os.environ, XDG_CONFIG_HOME=str(home / "config"),
               XDG_CACHE_HOME=str(home / "cache"))
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS,
                                              env=env)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, server):
    """A fresh browser page; afterwards every kernel the page started is shut down."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    yield page
    context.close()
    for session in _api(server, "sessions"):
        _api(server, f"sessions/{session['id']}", method="DELETE")


def _api(server: LabServer, path: str, method: str = "GET"):
    request = urllib.request.Request(f"{server.url}/api/{path}", method=method,
                                     headers={"Authorization": f"token {server.token}"})
    with urllib.request.urlopen(request, timeout=30) as response:
        body = response.read()
    return json.loads(body) if body else None


def open_notebook(page, server: LabServer, path: str, n_cells: int, ui: str = "en") -> None:
    """Open `path` in a fresh workspace; wait until all its cells are shown and the kernel idles."""
    page.goto(server.lab_url(path) + "&reset")
    page.wait_for_function(
        "([panel, n]) => document.querySelectorAll(panel + ' .jp-Cell').length === n",
        arg=[NOTEBOOK, n_cells], timeout=KERNEL_WAIT_MS)
    # The toolbar's indicator says idle before any kernel exists ("No Kernel | Initializing" in
    # the status bar), and Run All then runs nothing: wait for "<kernel name> | Idle".
    page.wait_for_function(KERNEL_READY_JS, arg=[UI[ui]["idle"], UI[ui]["no_kernel"]],
                           timeout=KERNEL_WAIT_MS)


def show(page, locator) -> None:
    """Scroll `locator` to the middle of the screen and wait until it stays there, painted.

    JupyterLab sizes off-screen cells lazily (content-visibility), so the page can shift once
    after a scroll: scroll again until the node is on screen in two checks in a row.
    """
    on_screen = locator.evaluate("""async node => {
      const frame = () => new Promise(done => requestAnimationFrame(() => setTimeout(done, 50)));
      const visible = () => { const r = node.getBoundingClientRect();
        return r.height > 0 && r.top >= 0 && r.top < window.innerHeight; };
      for (let i = 0, seen = 0; i < 50; i++) {
        if (!visible()) { seen = 0; node.scrollIntoView({block: 'center'}); }
        await frame();
        if (visible() && ++seen >= 2) return true;
      }
      return false;
    }""")
    assert on_screen, "could not scroll the output into view for the screenshot"


def run_all_cells(page, name: str, ui: str = "en") -> None:
    """Run > Run All Cells, and wait until it is done; on a timeout, say where it stopped."""
    words = UI[ui]
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(f"^{words['run']}$")).click()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile(f"^{words['run_all']}$")).click()
    try:
        page.wait_for_function(RUN_STARTED_JS, timeout=KERNEL_WAIT_MS)
    except PlaywrightTimeout:
        page.screenshot(path=str(ARTIFACTS / f"{name}-timeout.png"))
        raise AssertionError(f"{name}: Run All did not start a cell; "
                             f"{page.evaluate(RUN_STATE_JS)}") from None
    try:
        page.wait_for_function(RUN_FINISHED_JS, timeout=RUN_ALL_WAIT_MS)
    except PlaywrightTimeout:
        page.screenshot(path=str(ARTIFACTS / f"{name}-timeout.png"))
        raise AssertionError(f"{name}: Run All did not finish in {RUN_ALL_WAIT_MS / 1000:.0f} s; "
                             f"{page.evaluate(RUN_STATE_JS)}") from None


def click_validate(page) -> tuple[str, str, list[str]]:
    """Click Validate; return the dialog's result class, its text and the failed cells' sources.

    Leaves the dialog open (for the screenshot); close it with close_dialog.
    """
    page.locator(".validate-button").click()
    message = page.wait_for_selector("#validation-message", timeout=VALIDATE_WAIT_MS)
    result = next((c for c in (message.get_attribute("class") or "").split()
                   if c.startswith("validation-")), "no result class")
    return result, message.inner_text(), page.evaluate(FAILED_SOURCES_JS)


def close_dialog(page) -> None:
    page.locator(".jp-Dialog-button.jp-mod-accept").click()
    page.wait_for_selector("#validation-message", state="detached")


def rendered_figures(page) -> list[tuple[str, int, int]]:
    """(mime type, width, height) of every figure output on the page, each scrolled into view
    and decoded as a learner's browser would show it."""
    figures = []
    for mime in FIGURE_TYPES:
        images = page.locator(f"{NOTEBOOK} .jp-OutputArea-output[data-mime-type='{mime}'] img")
        for i in range(images.count()):
            image = images.nth(i)
            image.scroll_into_view_if_needed()
            width, height = image.evaluate(
                "img => img.decode().then(() => [img.naturalWidth, img.naturalHeight],"
                " () => [0, 0])")
            figures.append((mime, width, height))
    return figures


def saved_figures(nb) -> int:
    return sum(1 for cell in nb.cells if cell.cell_type == "code" for out in cell.outputs
               if any(mime in out.get("data", {}) for mime in FIGURE_TYPES))


def errors_in(cells) -> list[str]:
    """'cell N: Ename: value' for every error output among (index, cell) pairs."""
    return [f"cell {i}: {out.ename}: {out.evalue}" for i, cell in cells
            for out in cell.get("outputs", []) if out.output_type == "error"]


def _record(stem: str, **facts) -> None:
    """What the test saw, next to its screenshot: ARTIFACTS/<stem>.json."""
    (ARTIFACTS / f"{stem}.json").write_text(json.dumps(facts, indent=1) + "\n")


def test_release_has_notebooks_with_solutions():
    assert NOTEBOOKS, f"no release notebooks in {RELEASE}: run `make release`"
    missing = [n for n in NOTEBOOKS if not (SOLUTIONS / n / f"{n}.ipynb").is_file()]
    assert not missing, f"released without a solution in {SOLUTIONS}: {missing}"


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_release_runs_to_the_first_exercise_and_validate_lists_failing_tests(
        name, course, server, page):
    path = course / name / f"{name}.ipynb"
    release = nbformat.read(path, as_version=4)
    first_exercise = next((i for i, cell in enumerate(release.cells) if
                           cell.cell_type == "code" and _nbgrader(cell).get("solution")), None)
    assert first_exercise is not None, f"{name}: no exercise (nbgrader answer cell) in the release"
    visible_tests = [cell.source for cell in release.cells if cell.cell_type == "code" and
                     _nbgrader(cell).get("grade") and _code_lines(cell.source)]
    assert visible_tests, f"{name}: no visible test cell in the release"

    open_notebook(page, server, f"{name}/{name}.ipynb", len(release.cells))
    run_all_cells(page, name)
    show(page, page.locator(f"{NOTEBOOK} .jp-OutputArea-output[data-mime-type="
                            "'application/vnd.jupyter.stderr']").first)
    result, text, failed = click_validate(page)  # Validate saves the notebook first
    page.screenshot(path=str(ARTIFACTS / f"{name}-release.png"))
    close_dialog(page)

    ran = nbformat.read(path, as_version=4)
    before = [(i, c) for i, c in enumerate(ran.cells[:first_exercise]) if c.cell_type == "code"]
    _record(f"{name}-release", code_cells_before_first_exercise=len(before),
            errors_before_first_exercise=errors_in(before), validate=result,
            failed_cells=len(failed), visible_test_cells=len(visible_tests))
    assert not errors_in(before), f"{name}: errors before the first exercise: {errors_in(before)}"
    not_run = [i for i, cell in before if cell.execution_count is None]
    assert not not_run, f"{name}: cells before the first exercise did not run: {not_run}"
    assert result == "validation-failed", (
        f"{name}: Validate on the unanswered release should list failing tests; it showed "
        f"{result}:\n{text[:2000]}")
    normalised = {s.strip() for s in failed}
    passing = [src.splitlines()[0] for src in visible_tests if src.strip() not in normalised]
    assert not passing, (
        f"{name}: these visible tests pass on the unanswered release, so they cannot catch a "
        f"missing answer (first lines): {passing}")


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_solution_copy_runs_shows_its_figures_and_validates(name, course, server, page):
    path = course / name / f"{name}.solution.ipynb"
    solution = nbformat.read(path, as_version=4)

    open_notebook(page, server, f"{name}/{name}.solution.ipynb", len(solution.cells))
    run_all_cells(page, name)
    figures = rendered_figures(page)
    result, text, _ = click_validate(page)
    close_dialog(page)
    if figures:
        show(page, page.locator(f"{NOTEBOOK} .jp-OutputArea-output img").first)
    page.screenshot(path=str(ARTIFACTS / f"{name}-solution.png"))

    ran = nbformat.read(path, as_version=4)
    code = [(i, c) for i, c in enumerate(ran.cells) if c.cell_type == "code"]
    _record(f"{name}-solution", code_cells=len(code), errors=errors_in(code), validate=result,
            figures={mime: sum(1 for f in figures if f[0] == mime) for mime in FIGURE_TYPES},
            blank_figures=[f for f in figures if 0 in f[1:]],
            figure_outputs_in_notebook=saved_figures(ran))
    assert not errors_in(code), f"{name} solution: errors: {errors_in(code)}"
    not_run = [i for i, cell in code if cell.execution_count is None]
    assert not not_run, f"{name} solution: cells that did not run: {not_run}"
    blank = [f for f in figures if f[1] == 0 or f[2] == 0]
    assert not blank, f"{name}: figures that did not render in the browser: {blank}"
    assert len(figures) == saved_figures(ran), (
        f"{name}: the notebook has {saved_figures(ran)} figure outputs, the page shows "
        f"{len(figures)}")
    counts = FIGURE_COUNTS.get(name[:2])
    if counts:
        shown = {mime: sum(1 for f in figures if f[0] == mime) for mime in counts}
        assert shown == counts, f"{name}: expected figures {counts}, the page shows {shown}"
    promised = PROMISED_FIGURES.get(name[:2])
    if promised:
        assert any(mime == promised for mime, _, _ in figures), (
            f"{name}: no {promised} figure rendered; found {figures}")
    assert result == "validation-success", (
        f"{name}: Validate on the solution should say Success; it showed {result}:\n"
        f"{text[:2000]}")
    assert "Success! Your notebook passes all the tests." in text


def test_learner_lab_has_validate_and_no_instructor_tools(course, server, page):
    name = NOTEBOOKS[0]
    release = nbformat.read(course / name / f"{name}.ipynb", as_version=4)
    open_notebook(page, server, f"{name}/{name}.ipynb", len(release.cells))
    assert page.locator(".validate-button").is_visible()
    menus = page.locator(".lm-MenuBar-itemLabel").all_inner_texts()
    assert "Nbgrader" not in menus, f"the learner's Lab shows the Nbgrader menu: {menus}"
    assert page.locator("#nbgrader-create_assignemnt").count() == 0  # (sic) nbgrader's id

    config = json.loads(page.locator("#jupyter-config-data").text_content())
    disabled = {k for k, v in config["disabledExtensions"].items() if v} \
        if isinstance(config["disabledExtensions"], dict) else set(config["disabledExtensions"])
    for plugin in ("@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:create-assignment",
                   "@jupyter/nbgrader:course-list", "@jupyter/nbgrader:assignment-list",
                   "@jupyterlab/apputils-extension:announcements"):
        assert plugin in disabled, f"{plugin} is enabled in the learner's Lab"
    assert "@jupyter/nbgrader:validate-assignment" not in disabled
    assert config["news"] == {"disabled": True}, f"news pop-up not disabled: {config['news']}"

    def status(path: str) -> int:
        try:
            with urllib.request.urlopen(f"{server.url}/{path}?token={server.token}", timeout=30):
                return 200
        except urllib.error.HTTPError as error:
            return error.code

    assert status("formgrader") == 404, "the formgrader server extension runs for the learner"
    assert status("nbgrader_version") != 404, "the Validate server extension is missing"
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"{server.url}/api/contents", timeout=30)
    assert refused.value.code == 403, "the server answers without its token"


def test_instructor_lab_has_formgrader_and_create_assignment(browser, tmp_path):
    """`make teach`'s JupyterLab (on the repository, gradebook in a temporary file)."""
    env = dict(os.environ, BPCOURSE_DB_URL=f"sqlite:///{tmp_path / 'gradebook.db'}")
    for var in ("JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR", "IPYTHONDIR"):
        env[var] = str(tmp_path / var.lower())
    with LabServer("teach", ROOT, state_dir=tmp_path / "lab", env=env,
                   log_path=ARTIFACTS / "server-teach.log") as teach:
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        page = context.new_page()
        try:
            page.goto(teach.lab_url())
            page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Nbgrader$")).click()
            items = page.locator(".lm-Menu-itemLabel").all_inner_texts()
            assert "Formgrader" in items, f"the Nbgrader menu has no Formgrader: {items}"
            page.keyboard.press("Escape")
            page.wait_for_selector("#nbgrader-create_assignemnt", state="attached")  # (sic)
            page.locator(".jp-DirListing-item", has_text="solutions").wait_for()
            page.screenshot(path=str(ARTIFACTS / "teach.png"))
        finally:
            context.close()
        with urllib.request.urlopen(f"{teach.url}/formgrader?token={teach.token}",
                                    timeout=60) as response:
            assert response.status == 200
    assert not teach.leftover_pids


# Draws `text` on a canvas in the page's UI font and compares it with an unassigned code point,
# which no font has: the same pixels mean the text is drawn as missing-glyph boxes (tofu).
GLYPHS_DIFFER_FROM_TOFU_JS = r"""(text) => {
  const font = getComputedStyle(document.body).fontFamily;
  const draw = (s) => {
    const canvas = document.createElement('canvas');
    canvas.width = 64; canvas.height = 32;
    const ctx = canvas.getContext('2d');
    ctx.font = `24px ${font}`;
    ctx.fillText(s, 2, 26);
    return Array.from(ctx.getImageData(0, 0, 64, 32).data).join(',');
  };
  return [...text].every(ch => draw(ch) !== draw('\u0378'));
}"""


# The zh edition in `make lab-zh`'s JupyterLab: a solved notebook with figures, and a notebook
# with a named mistake whose Validate must say it in Chinese.
ZH_SOLVED = next((n for n in ZH_NOTEBOOKS if n.startswith("01")), None)
ZH_MISTAKEN = next((n for n in ZH_NOTEBOOKS if n.startswith("04")), None)
CJK = re.compile(r"[\u4e00-\u9fff]")


def _with_a_named_mistake(name: str) -> tuple[dict, str]:
    """The zh release of 04 with every answer filled in from its solution, except the linear
    layer's, which has the corpus's first named mistake (dW transposed). Returns the notebook
    and the English hint (which must not appear: the zh hint says it in Chinese)."""
    sys.path.insert(0, str(ROOT / "tests"))
    try:
        from corpus import nb04
        from corpus.build import Submission, build
    finally:
        sys.path.remove(str(ROOT / "tests"))
    _, change, hint = nb04.MISTAKES["linear"][0]
    sub = Submission("zh-browser", name, answers={"linear": change})
    release = json.loads((RELEASE / name / f"{name}.ipynb").read_text(encoding="utf-8"))
    solution = json.loads((SOLUTIONS / name / f"{name}.ipynb").read_text(encoding="utf-8"))
    return build(sub, release, solution), hint


@pytest.fixture(scope="module")
def zh_course(tmp_path_factory) -> Path:
    """make lab-zh's copy of the zh edition, with the zh solution of 01 beside its release and
    04's release answered with one named mistake."""
    assert ZH_SOLVED and ZH_MISTAKEN, f"the zh edition of 01 and 04 is not released: {ZH_NOTEBOOKS}"
    root = tmp_path_factory.mktemp("course-zh")
    make_work_copy(RELEASE, root, edition="zh")
    shutil.copy(SOLUTIONS / ZH_SOLVED / f"{ZH_SOLVED}.ipynb",
                root / ZH_SOLVED / f"{ZH_SOLVED}.solution.ipynb")
    mistaken, _ = _with_a_named_mistake(ZH_MISTAKEN)
    (root / ZH_MISTAKEN / f"{ZH_MISTAKEN}.mistake.ipynb").write_text(
        json.dumps(mistaken, ensure_ascii=False), encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def zh_server(zh_course, tmp_path_factory):
    state = tmp_path_factory.mktemp("jupyter-zh")
    env = dict(os.environ)
    for var in ("JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR", "IPYTHONDIR"):
        env[var] = str(state / var.lower())
        os.makedirs(env[var])
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with LabServer("lab", zh_course, state_dir=state / "lab", env=env, lang="zh",
                   log_path=ARTIFACTS / "server-zh.log") as lab:
        yield lab
    assert lab.process.returncode is not None, f"the server (PID {lab.pid}) is still running"
    assert not lab.leftover_pids, f"kernels left running: {lab.leftover_pids}"


@pytest.fixture
def zh_page(browser, zh_server):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    page = context.new_page()
    yield page
    context.close()
    for session in _api(zh_server, "sessions"):
        _api(zh_server, f"sessions/{session['id']}", method="DELETE")


def test_the_zh_lab_shows_jupyterlab_in_chinese_with_real_glyphs(zh_server, zh_page):
    """`make lab-zh`'s JupyterLab: menus from the zh-CN language pack, drawn with a CJK font."""
    zh_page.goto(zh_server.lab_url())
    zh_page.locator(".lm-MenuBar-itemLabel", has_text="文件").wait_for(timeout=120_000)
    menus = zh_page.locator(".lm-MenuBar-itemLabel").all_inner_texts()
    assert {"文件", "编辑", "内核"} <= set(menus), f"menus not in Chinese: {menus}"
    zh_page.screenshot(path=str(ARTIFACTS / "lab-zh.png"))
    assert zh_page.evaluate(GLYPHS_DIFFER_FROM_TOFU_JS, "文件内核梯度"), (
        "Chinese shows as boxes: install a CJK font (scripts/system-deps.sh fonts)")


def test_zh_solution_runs_with_chinese_prose_and_figures_and_validates(zh_course, zh_server,
                                                                       zh_page):
    name, page = ZH_SOLVED, zh_page
    path = zh_course / name / f"{name}.solution.ipynb"
    solution = nbformat.read(path, as_version=4)
    open_notebook(page, zh_server, f"{name}/{name}.solution.ipynb", len(solution.cells), ui="zh")
    heading = page.locator(f"{NOTEBOOK} .jp-MarkdownOutput h1").first.inner_text()
    assert CJK.search(heading), f"{name}: the first heading is not Chinese: {heading!r}"
    assert page.evaluate(GLYPHS_DIFFER_FROM_TOFU_JS, "".join(CJK.findall(heading))[:8])
    run_all_cells(page, name, ui="zh")
    figures = rendered_figures(page)
    result, text, _ = click_validate(page)
    close_dialog(page)
    show(page, page.locator(f"{NOTEBOOK} .jp-OutputArea-output img").first)
    page.screenshot(path=str(ARTIFACTS / f"{name}-solution.png"))

    ran = nbformat.read(path, as_version=4)
    code = [(i, c) for i, c in enumerate(ran.cells) if c.cell_type == "code"]
    printed = "".join(out.get("text", "") for _, c in code for out in c.outputs)
    _record(f"{name}-solution", code_cells=len(code), errors=errors_in(code), validate=result,
            figures={mime: sum(1 for f in figures if f[0] == mime) for mime in FIGURE_TYPES},
            chinese_printed_lines=sum(bool(CJK.search(x)) for x in printed.splitlines()))
    assert not errors_in(code), f"{name} solution: errors: {errors_in(code)}"
    assert "Glyph" not in printed and "missing from" not in printed, (
        f"{name}: matplotlib could not draw a Chinese character: {printed[-1500:]}")
    assert CJK.search(printed), f"{name}: no Chinese in what the demo cells print"
    assert figures and all(f[1] and f[2] for f in figures), f"{name}: figures {figures}"
    assert len(figures) == saved_figures(ran)
    assert result == "validation-success", f"{name}: Validate showed {result}:\n{text[:2000]}"


def test_zh_validate_names_the_mistake_in_chinese(zh_course, zh_server, zh_page):
    name, page = ZH_MISTAKEN, zh_page
    nb = nbformat.read(zh_course / name / f"{name}.mistake.ipynb", as_version=4)
    open_notebook(page, zh_server, f"{name}/{name}.mistake.ipynb", len(nb.cells), ui="zh")
    run_all_cells(page, name, ui="zh")
    result, text, failed = click_validate(page)
    page.screenshot(path=str(ARTIFACTS / f"{name}-mistake.png"))
    close_dialog(page)
    _, english_hint = _with_a_named_mistake(name)
    _record(f"{name}-mistake", validate=result, failed_cells=len(failed), message=text[-800:])
    assert result == "validation-failed", f"{name}: Validate showed {result}:\n{text[:2000]}"
    assert "linear_backward" in text and "转置" in text, (
        f"{name}: Validate does not name the transposed dW in Chinese:\n{text[-2000:]}")
    assert english_hint not in text, f"{name}: the English hint in the zh edition:\n{text}"
