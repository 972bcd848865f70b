"""The repository keeps its promises: two commands, one dependency list in two formats, CI runs
`make test`, generated and private files stay out of git, and the package core is numpy only."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

try:
    import tomllib
except ImportError:  # Python 3.10
    tomllib = pytest.importorskip("tomli")
yaml = pytest.importorskip("yaml")

# PyPI name -> conda-forge name where they differ
PYPI_TO_CONDA = {"graphviz": "python-graphviz"}
# conda-only entries: the interpreter, pip, Graphviz's `dot` binary and a CJK font (for Chinese
# in figures); PyPI has no such packages
CONDA_ONLY = {"python", "pip", "graphviz", "font-ttf-noto-cjk"}


def _split(requirement: str, sep: str) -> tuple[str, str]:
    """'nbgrader==0.9.6' -> ('nbgrader', '==0.9.6'); conda's 'nbgrader=0.9.6' -> same."""
    match = re.match(r"^\s*([A-Za-z0-9_.\-]+)(?:\[[\w,]+\])?\s*(.*?)\s*(#.*)?$", requirement)
    assert match, f"cannot parse requirement {requirement!r}"
    name, spec = match[1].lower(), match[2].replace(" ", "")
    if sep == "conda" and re.fullmatch(r"=[^=].*", spec):
        spec = "=" + spec  # conda's exact pin `=x` is pip's `==x`
    return name, spec


def pyproject_requirements() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"]
    requirements = project["dependencies"] + [
        r for name in ("course", "dev", "scale", "postgres", "grading") for r in extras[name]]
    return dict(_split(r, "pip") for r in requirements)


def conda_requirements() -> tuple[dict[str, str], list]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    plain = [d for d in env["dependencies"] if isinstance(d, str)]
    pip_sections = [d["pip"] for d in env["dependencies"] if isinstance(d, dict)]
    # packages that conda-forge lacks come from PyPI through the pip section
    from_pypi = [r for section in pip_sections for r in section if not r.startswith("-")]
    return dict([*(_split(d, "conda") for d in plain),
                 *(_split(r, "pip") for r in from_pypi)]), pip_sections


def test_environment_yml_and_pyproject_name_the_same_dependencies():
    pip = {PYPI_TO_CONDA.get(name, name): spec for name, spec in pyproject_requirements().items()}
    conda, _ = conda_requirements()
    conda_only = {name for name in conda if name in CONDA_ONLY and name not in pip}
    assert conda_only == CONDA_ONLY, (
        "environment.yml must bring python, pip, graphviz (dot) and a CJK font")
    shared = {name: spec for name, spec in conda.items() if name not in conda_only}
    missing = sorted(set(pip) - set(shared))
    extra = sorted(set(shared) - set(pip))
    assert not missing, f"in pyproject.toml but not in environment.yml: {missing}"
    assert not extra, f"in environment.yml but not in pyproject.toml: {extra}"
    differ = {n: (pip[n], shared[n]) for n in pip if pip[n] != shared[n]}
    assert not differ, f"versions differ (pyproject, environment.yml): {differ}"


def test_environment_yml_installs_this_package_and_uses_conda_forge():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert env["channels"] == ["conda-forge"]
    _, pip_sections = conda_requirements()
    assert len(pip_sections) == 1 and pip_sections[0][-1] == "-e .", pip_sections
    python = dict(_split(d, "conda") for d in env["dependencies"] if isinstance(d, str))["python"]
    requires = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    assert re.fullmatch(r"==3\.(\d+)", python) and requires == ">=3.11"
    assert int(python.split(".")[1]) >= 11


def test_readme_gives_the_two_commands_make_lab_and_make_test():
    readme = (ROOT / "README.md").read_text()
    blocks = re.findall(r"```(?:bash|sh|console)?\n(.*?)```", readme, re.S)
    assert blocks, "README has no code block"
    commands = [line.split("#")[0].strip() for line in blocks[0].splitlines() if line.strip()]
    assert commands == ["make lab", "make test"]


def test_make_test_runs_lint_and_every_test_including_slow_and_browser_ones():
    makefile = (ROOT / "Makefile").read_text()
    recipe = re.search(r"^test:.*?\n((?:\t.*\n)+)", makefile, re.M)
    assert recipe, "Makefile has no `test` target"
    body = recipe[1]
    assert "ruff check" in body
    assert re.search(r'pytest -m ""', body), "make test must select every marker (-m \"\")"
    markers = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"][
        "ini_options"]["markers"]
    assert {m.split(":")[0] for m in markers} >= {"slow", "browser"}


def test_ci_runs_make_test():
    run = ROOT / ".ci" / "run"
    assert os.access(run, os.X_OK), ".ci/run must be executable"
    lines = [ln.strip() for ln in run.read_text().splitlines()
             if ln.strip() and not ln.lstrip().startswith("#")]
    assert "make test" in lines
    assert any(ln.startswith("set -e") for ln in lines), "CI must stop at the first failure"


@pytest.mark.parametrize("path", [
    ".venv/bin/python", "gradebook.db", "submitted/alice/01/01.ipynb",
    "autograded/alice/01/01.ipynb", "feedback/alice/01/01.html",
    "course/submitted/bob/x.ipynb",  # at any depth
])
def test_gitignore_keeps_environments_and_student_work_out_of_git(path):
    result = subprocess.run(["git", "check-ignore", "-q", "--no-index", path], cwd=ROOT)
    assert result.returncode == 0, f"{path} is not ignored by .gitignore"


def test_the_package_core_imports_numpy_only():
    code = ("import sys, bpcourse, bpcourse.numgrad, bpcourse.check, bpcourse.autograd, "
            "bpcourse.layers, bpcourse.nn, bpcourse.data, bpcourse.graph; "
            "print(' '.join(sorted({m.split('.')[0] for m in sys.modules})))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=ROOT)
    loaded = set(out.stdout.split())
    heavy = {"matplotlib", "graphviz", "tqdm", "nbgrader", "torch", "IPython", "jupyter_core",
             "nbformat", "scipy", "pandas"}
    assert "numpy" in loaded and not loaded & heavy, sorted(loaded & heavy)


def test_tests_keep_jupyter_state_out_of_home():
    home = Path.home().resolve()
    for var in ("JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR", "IPYTHONDIR"):
        path = Path(os.environ[var]).resolve()
        assert path.is_dir() and home not in path.parents, f"{var}={path}"


def test_the_license_is_an_spdx_string_so_set_up_prints_no_deprecation_warning():
    """setuptools warns twice on every install that `license = { text = ... }` (a TOML table)
    is deprecated; PEP 639's SPDX string needs setuptools >= 77 in the build environment."""
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert pyproject["project"]["license"] == "MIT"
    assert "setuptools>=77" in pyproject["build-system"]["requires"]


def test_make_grade_points_at_the_learners_copy_not_the_blank_release():
    """The answers live in work/en/ (make lab's copy); notebooks/ is the untouched release."""
    makefile = (ROOT / "Makefile").read_text()
    assert "NB=notebooks/" not in makefile
    assert "make grade NB=work/en/04_layers/04_layers.ipynb" in makefile
