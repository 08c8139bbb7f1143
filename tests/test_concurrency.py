"""Several processes at once: writers queue on the lock file, readers of the app never block a writer.

- four writers started at the same moment (three imports and a rollback), each in its own process:
  all land, one after the other, with consecutive operation numbers, nothing lost, `check` passes;
- an import from the command line while `streamlit run app.py` serves readers (clients of Streamlit's
  websocket protocol, bench/ws_client.py): it lands, no reader sees an error, and both a reader already
  there and a new one then see the new value.

(Two imports at the same moment: tests/test_ingest.py::test_two_imports_started_at_the_same_moment_…)
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import CONFIG_FILE, COUNT, MILESTONE, ROOT

sys.path.insert(0, str(ROOT / "bench"))
from load_test import app_server
from ws_client import StreamlitSession

USER = "agent.concurrence"
WRITER_AT = """
import sys, time
import sus_data.ingest  # the heavy imports before the start line, so that all start together
from sus_data.cli import main
start, args = float(sys.argv[1]), sys.argv[2:]
time.sleep(max(0.0, start - time.time()))
sys.exit(main(args))
"""


def _python(code: str, *args, **popen) -> subprocess.Popen:
    env = {**os.environ, "SUS_CONFIG": str(CONFIG_FILE), "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-c", code, *map(str, args)], cwd=ROOT, env=env, text=True, **popen)


def _csv(path: Path, rows: list[list]) -> Path:
    lines = ["code_indicateur;territoire;annee;trimestre;valeur"] + [";".join(map(str, r)) for r in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_four_writers_at_the_same_moment_all_land_one_after_the_other(db_path, tmp_path, query, run_cli):
    files = [
        _csv(tmp_path / "a.csv", [[COUNT, "TAS MP", 2026, 1, 40], [COUNT, "TAS CL", 2026, 1, 41]]),
        _csv(tmp_path / "b.csv", [[COUNT, "TAS MALC", 2026, 1, 42]]),
        _csv(tmp_path / "c.csv", [[MILESTONE, "71", 2026, 1, "oui"], [COUNT, "TAS MP", 2026, 2, 43]]),
    ]
    start = time.time() + 5
    commands = [["import", f, "--db", db_path, "--user", f"{USER}-{i}"] for i, f in enumerate(files)]
    commands.append(["rollback", "4", "--db", db_path, "--user", f"{USER}-annulation"])  # the demo values
    processes = [_python(WRITER_AT, start, *c, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for c in commands]
    outputs = [p.communicate(timeout=180) for p in processes]
    assert [p.returncode for p in processes] == [0, 0, 0, 0], outputs
    rows = query("SELECT id, nature, utilisateur FROM operation WHERE id > 4 ORDER BY id")
    assert [r[0] for r in rows] == [5, 6, 7, 8]  # consecutive: serialised, nothing doubled
    assert sorted(r[2] for r in rows) == sorted([f"{USER}-0", f"{USER}-1", f"{USER}-2", f"{USER}-annulation"])
    assert query("SELECT count(*) FROM valeur WHERE annee = 2026") == [(5,)]
    assert query("SELECT count(*) FROM valeur WHERE operation = 4") == [(0,)]
    checked = run_cli("check")
    assert checked.returncode == 0, checked.stderr


def shows(run, value: int) -> bool:
    """Whether a page run sent the value: in a chart's data (926000) or a table's text (926 000)."""
    from sus_data.formatting import nombre

    marks = (str(value).encode(), nombre(value).encode())
    return any(mark in raw for raw in run.raw for mark in marks)


async def _readers(url: str, stop: asyncio.Event, problems: list[str], runs: list[int]) -> None:
    async def one(index: int) -> None:
        async with StreamlitSession(url, timeout=120) as session:
            run = await session.run()
            pages = list(session.pages)
            step = 0
            while not stop.is_set():
                step += 1
                run = await session.run(page=pages[(index + step) % len(pages)], query_string="")
                problems.extend(run.exceptions + run.errors)
                runs[index] += 1

    await asyncio.gather(*(one(i) for i in range(len(runs))))


async def _while_reading(url: str, action, readers: int = 4) -> tuple[list[str], list[int], object]:
    stop = asyncio.Event()
    problems: list[str] = []
    runs = [0] * readers
    task = asyncio.create_task(_readers(url, stop, problems, runs))
    await asyncio.sleep(3)
    try:
        outcome = await asyncio.to_thread(action)
        await asyncio.sleep(2)
    finally:
        stop.set()
        await task
    return problems, runs, outcome


@pytest.mark.slow
def test_an_import_from_the_command_line_lands_while_the_app_serves_readers(db_path, tmp_path, run_cli, query):
    code, value = COUNT, 918273
    path = _csv(tmp_path / "pendant.csv", [[code, "TAS MP", 2026, 3, value], [code, "TAS CL", 2026, 3, 5]])

    async def scenario(url: str):
        async with StreamlitSession(url, timeout=120) as already_there:
            await already_there.run()
            before = await already_there.run(page="indicateur", query_string=f"indicateur={code}")
            assert not before.exceptions and not shows(before, value)
            problems, runs, result = await _while_reading(url, lambda: run_cli("import", path, "--user", USER))
            # The same tab, at its next run, and a new tab: the app reloaded its copy of the database.
            after = await already_there.run(query_string=f"indicateur={code}")
            async with StreamlitSession(url, timeout=120) as newcomer:
                await newcomer.run()
                fresh = await newcomer.run(page="indicateur", query_string=f"indicateur={code}")
        return problems, runs, result, after, fresh

    with app_server(db_path, tmp_path / "streamlit.log") as app:
        problems, runs, result, after, fresh = asyncio.run(scenario(app.url))
        log = app.log_text()
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("pendant.csv : import n°5 — 2 nouvelle(s)")
    assert problems == []
    assert min(runs) >= 2, runs  # every reader kept reading during the import
    assert query(
        "SELECT valeur FROM valeur WHERE indicateur = ? AND annee = 2026 AND trimestre = 3 AND territoire = 'TAS MP'",
        code,
    ) == [(float(value),)]
    for run in (after, fresh):
        assert not run.exceptions and not run.errors
        assert shows(run, value)
    assert "Traceback" not in log


@pytest.mark.slow
def test_twenty_reader_sessions_hold_while_an_import_lands(db_path, tmp_path):
    """bench/load_test.py, shortened for CI: 20 sessions for 20 s on the demo database (the benchmark runs
    60 s on 1 000 000 values, see docs/benchmarks.md)."""
    from load_test import report, run_load

    result = run_load(db_path, sessions=20, duration=20, scratch=tmp_path)
    print(report(result))
    assert result.errors == []
    assert result.import_seconds is not None and result.import_output.startswith(
        "import_pendant_la_charge.csv : import n°5"
    )
    assert result.import_seen
    assert len(result.measures) >= 20 * 4  # every session kept reading
    assert len(result.pages()) >= 5  # and went to every page of the menu
