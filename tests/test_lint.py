"""The code stays as ruff wants it (rules and format in pyproject.toml): checked with the tests."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
RUFF = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")


@pytest.mark.skipif(RUFF is None, reason="ruff absent")
@pytest.mark.parametrize("command", [["check", "."], ["format", "--check", "."]], ids=["regles", "format"])
def test_ruff(command):
    done = subprocess.run([RUFF, *command], cwd=ROOT, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
