"""The data layer never imports Streamlit: it is used by the command line and tested without it."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MODULES = sorted((ROOT / "sus_data").glob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=[p.name for p in MODULES])
def test_no_streamlit_import(path):
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [node.module or ""]
        else:
            continue
        assert not any(n == "streamlit" or n.startswith("streamlit.") for n in names), f"{path.name}:{node.lineno}"


def test_importing_the_data_layer_loads_no_streamlit():
    modules = ", ".join(f"sus_data.{p.stem}" for p in MODULES if p.stem not in {"__init__", "__main__"})
    code = f"import {modules}; import sys; assert 'streamlit' not in sys.modules, 'streamlit importé'"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
