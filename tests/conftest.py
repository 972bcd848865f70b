"""Shared test set-up: Jupyter state kept out of $HOME, hypothesis settings, gradient oracles.

Helpers for the tests are fixtures, so that no test file imports another:

    assert_matches_oracle(got, expected, name)  the course's standard for a gradient
    copy_repo(dest)                             the repository as a fresh clone has it
    extrapolated_gradient(f, x)                 central differences, Richardson-extrapolated
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, settings

# Gradient checks are pure computation; timing them is not the point (no deadline), and
# many examples per property are cheap at the small shapes used.
settings.register_profile(
    "bpcourse", deadline=None, max_examples=40, print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
# BPCOURSE_HYPOTHESIS_PROFILE=thorough: many more examples, to hunt for flaky tolerances.
settings.register_profile("thorough", parent=settings.get_profile("bpcourse"), max_examples=1000)
settings.load_profile(os.environ.get("BPCOURSE_HYPOTHESIS_PROFILE", "bpcourse"))

_JUPYTER_DIRS = {"JUPYTER_CONFIG_DIR": "config", "JUPYTER_DATA_DIR": "data",
                 "JUPYTER_RUNTIME_DIR": "runtime", "IPYTHONDIR": "ipython"}
_saved_env: dict[str, str | None] = {}
_jupyter_root: list[str] = []


def pytest_configure(config):
    """Point every Jupyter/IPython state directory at a fresh temporary folder.

    Done at configure time, before any test module is imported, so nothing a test
    starts (kernels, nbgrader, JupyterLab) reads or writes the user's ~/.jupyter.
    """
    root = tempfile.mkdtemp(prefix="bpcourse-jupyter-")
    _jupyter_root.append(root)
    for var, sub in _JUPYTER_DIRS.items():
        _saved_env[var] = os.environ.get(var)
        os.makedirs(os.path.join(root, sub))
        os.environ[var] = os.path.join(root, sub)
    _saved_env.setdefault("JUPYTER_PLATFORM_DIRS", os.environ.get("JUPYTER_PLATFORM_DIRS"))
    os.environ["JUPYTER_PLATFORM_DIRS"] = "1"  # silences jupyter_core's migration warning
    # `bpcourse grade` keeps prepared courses in a cache: a temporary one, not ~/.cache
    _saved_env.setdefault("BPCOURSE_CACHE_DIR", os.environ.get("BPCOURSE_CACHE_DIR"))
    os.makedirs(os.path.join(root, "cache"))
    os.environ["BPCOURSE_CACHE_DIR"] = os.path.join(root, "cache")


def pytest_unconfigure(config):
    for var, value in _saved_env.items():
        if value is None:
            os.environ.pop(var, None)
        else:
            os.environ[var] = value
    for root in _jupyter_root:
        shutil.rmtree(root, ignore_errors=True)


def error_relative_to_scale(got: np.ndarray, expected: np.ndarray, floor: float = 1e-3) -> float:
    """max_i |got_i - expected_i| / max(max_i |expected_i|, floor).

    A central difference has an *absolute* error of about 1e-16 · |L| / h ≈ 1e-11 · |L|
    from rounding, so an entry of the gradient much smaller than the others (a saturated
    tanh, a near-zero upstream value) has no meaningful elementwise relative error, and a
    whole gradient below ~1e-3 (a deep sigmoid network) has none either. So: the error
    relative to the gradient's largest entry, that scale taken at least `floor`.
    Measured over 3000 random cases per layer, a correct float64 backward stays below
    ~3e-8; any real mistake is of order 1.
    """
    got, expected = np.asarray(got, dtype=np.float64), np.asarray(expected, dtype=np.float64)
    if expected.size == 0:
        return 0.0
    scale = max(float(np.max(np.abs(expected))), floor)
    return float(np.max(np.abs(got - expected))) / scale


def _assert_matches_oracle(got, expected, name: str = "gradient", tol: float = 1e-7) -> None:
    got, expected = np.asarray(got), np.asarray(expected)
    assert got.shape == expected.shape, (
        f"{name}: shape {got.shape}, but the oracle's is {expected.shape}")
    assert np.all(np.isfinite(got)), f"{name}: contains NaN or inf: {got}"
    err = error_relative_to_scale(got, expected)
    assert err < tol, (
        f"{name}: error {err:.2e} relative to the gradient's scale (tolerance {tol:.0e}).\n"
        f"got:\n{got}\nexpected (oracle):\n{expected}")


@pytest.fixture(scope="session")
def assert_matches_oracle():
    """assert_matches_oracle(got, expected, name, tol=1e-7): same shape, finite, and
    error_relative_to_scale below tol (float64)."""
    return _assert_matches_oracle


def _extrapolated_gradient(f, x: np.ndarray, h: float = 1e-4) -> np.ndarray:
    from bpcourse.numgrad import numerical_gradient

    # A central difference D(h) = f' + c h² + O(h⁴); (4 D(h/2) − D(h)) / 3 cancels the h²
    # term. Deep compositions (a network's loss w.r.t. its first weights) have third
    # derivatives large enough that plain D(1e-5) is off by ~1e-9; this is off by ~1e-12.
    return (4 * numerical_gradient(f, x, h / 2) - numerical_gradient(f, x, h)) / 3


@pytest.fixture(scope="session")
def extrapolated_gradient():
    """extrapolated_gradient(f, x, h=1e-4): bpcourse.numgrad's central differences at h and
    h/2, Richardson-extrapolated to error O(h⁴). x is left unchanged."""
    return _extrapolated_gradient


# ---------------------------------------------------------------------------------------------
# A real PostgreSQL server for the gradebook tests (marker `postgres`)

PG_BIN_CANDIDATES = ("/usr/lib/postgresql/17/bin", "/usr/lib/postgresql/16/bin",
                     "/usr/lib/postgresql/15/bin")


def _pg_bin() -> str | None:
    for folder in PG_BIN_CANDIDATES:
        if os.path.isfile(os.path.join(folder, "pg_ctl")):
            return folder
    found = shutil.which("pg_ctl")
    return os.path.dirname(found) if found else None


def _unprivileged_user() -> str | None:
    """Who runs the server when the tests run as root (PostgreSQL refuses root)."""
    import pwd

    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
            return name
        except KeyError:
            continue
    return None


@pytest.fixture(scope="session")
def postgres_server(tmp_path_factory):
    """A PostgreSQL server of this machine's binaries, started by pytest-postgresql's executor:
    initdb in a temporary folder, listening on 127.0.0.1 on a free port, stopped at the end
    (pg_ctl stop signals the postmaster by the PID in its pid file).

    As root, pg_ctl runs as an unprivileged user (``postgres``, else ``nobody``) through a small
    wrapper, and the folder is theirs. Yields a function ``new_database(name) -> URL``.
    """
    executors = pytest.importorskip("pytest_postgresql.executors")
    psycopg = pytest.importorskip("psycopg")
    from port_for import get_port

    bindir = _pg_bin()
    if bindir is None:
        pytest.skip("no PostgreSQL server binaries (pg_ctl): apt-get install postgresql")
    base = tempfile.mkdtemp(prefix="bpcourse-pg-")
    os.chmod(base, 0o755)
    pg_ctl = os.path.join(bindir, "pg_ctl")
    if os.geteuid() == 0:
        user = _unprivileged_user()
        if user is None or shutil.which("runuser") is None:
            pytest.skip("running as root without an unprivileged user or runuser for PostgreSQL")
        shutil.chown(base, user)
        wrapper = os.path.join(tempfile.mkdtemp(prefix="bpcourse-pgctl-"), "pg_ctl")
        with open(wrapper, "w") as f:
            f.write(f'#!/bin/sh\nexec runuser -u {user} -- "{pg_ctl}" "$@"\n')
        os.chmod(wrapper, 0o755)
        os.chmod(os.path.dirname(wrapper), 0o755)
        pg_ctl = wrapper
    port = get_port(None)
    server = executors.PostgreSQLExecutor(
        executable=pg_ctl, host="127.0.0.1", port=port,
        datadir=os.path.join(base, "data"), unixsocketdir=base,
        logfile=os.path.join(base, "postgresql.log"), startparams="-w", dbname="postgres",
        user="postgres", timeout=120, postgres_options="-c listen_addresses=127.0.0.1")
    server.start()
    admin = f"postgresql://postgres@127.0.0.1:{port}/postgres"

    def new_database(name: str) -> str:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
        return f"postgresql://postgres@127.0.0.1:{port}/{name}"

    new_database.port = port
    new_database.server = server
    try:
        yield new_database
    finally:
        server.stop()
        shutil.rmtree(base, ignore_errors=True)


def _copy_repo(dest: Path) -> Path:
    """The repository's files as a fresh clone would have them (tracked and new, not ignored),
    taken from the working tree, without tests/ and benchmarks/; nothing that grading writes."""
    root = Path(__file__).resolve().parent.parent
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others",
                             "--exclude-standard"], cwd=root, capture_output=True, check=True)
    for rel in filter(None, listed.stdout.decode().split("\0")):
        src = root / rel
        if src.is_file() and not rel.startswith(("tests/", "benchmarks/")):
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / rel)
    for leftover in ("gradebook.db", "submitted", "autograded", "feedback", "downloaded"):
        assert not (dest / leftover).exists(), f"{leftover} would be copied into the course"
    return dest


@pytest.fixture(scope="session")
def copy_repo():
    """copy_repo(dest): the repository as a fresh clone has it (no tests/, benchmarks/)."""
    return _copy_repo


@pytest.fixture
def english_afterwards():
    """Each test starts and ends in English, whatever language it chose (the zh tests)."""
    import bpcourse

    bpcourse.set_language("en")
    yield
    bpcourse.set_language("en")
