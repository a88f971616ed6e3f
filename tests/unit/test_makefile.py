"""The Makefile's two commands on a fresh clone, read with `make -n` (nothing is run):
`make run` installs requirements.txt only, `make test` the test tools on top."""

import os
import shutil
import subprocess

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FILES = ("Makefile", "requirements.txt", "requirements-dev.txt", "package.json",
         "package-lock.json")  # fmt: skip

pytestmark = pytest.mark.skipif(not shutil.which("make"), reason="make is not installed")


def _dry_run(clone, target):
    """The set-up commands (venv, pip) `make -n target` would run in clone."""
    done = subprocess.run(
        ["make", "-n", target], cwd=clone, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    return [line for line in lines if " pip install " in line or " -m venv " in line]


@pytest.fixture
def clone(tmp_path):
    """The Makefile and what it reads, with no .venv (nor widget build) yet."""
    for name in FILES:
        shutil.copy(os.path.join(ROOT, name), tmp_path / name)
    # The widget's and the console's sources and build script: `run` and `test` build it when stale.
    for sources in ("widget", "console"):
        shutil.copytree(os.path.join(ROOT, "static", sources), tmp_path / "static" / sources)
    (tmp_path / "scripts").mkdir()
    shutil.copy(os.path.join(ROOT, "scripts", "build_static.mjs"), tmp_path / "scripts")
    return tmp_path


def test_make_run_creates_the_venv_and_installs_only_the_runtime_requirements(clone):
    lines = _dry_run(clone, "run")
    assert any("-m venv .venv" in line for line in lines), lines
    installs = [line for line in lines if " pip install " in line]
    assert installs and all("requirements-dev.txt" not in line for line in installs), installs
    assert any("-r requirements.txt" in line for line in installs), installs


def test_make_test_installs_the_test_tools_too_even_after_make_run(clone):
    assert any("requirements-dev.txt" in line for line in _dry_run(clone, "test"))
    (clone / ".venv" / "bin").mkdir(parents=True)
    (clone / ".venv" / ".installed").touch()  # as `make run` leaves it
    assert _dry_run(clone, "run") == [], "make run installed again"
    assert any("requirements-dev.txt" in line for line in _dry_run(clone, "test"))
