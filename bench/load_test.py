"""Load test: `streamlit run app.py` on localhost, many reader sessions at once, while an import lands.

Builds (or reuses) a database of 1 000 000 values with bench_pages.py's builder, starts the app on a free
local port, then holds N sessions (default 20) for D seconds (default 60). Each session is a client of
Streamlit's websocket protocol (bench/ws_client.py: what a browser tab sends and receives, without the
browser) and behaves like a reader: it opens the app, then switches pages from the menu, changes the
sidebar filters (period, time step, ambition, territories) or opens a shared link, pausing between
actions. A third of the way in, `python -m sus_data import` lands a file of new values from another
process. Counted as errors: an exception element, an `st.error` on a page, a run that does not finish
within the timeout, a dropped connection. Printed: runs, errors, p50 / p95 per page and overall, the
import's time, the app's resident memory (peak).

Bounded: at most 50 sessions and 300 s, 127.0.0.1 only. The app is always stopped at the end.

    .venv/bin/python bench/load_test.py                          # 1 000 000 values, 20 sessions, 60 s
    .venv/bin/python bench/load_test.py --values 100000 --duration 20
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
for folder in (ROOT, BENCH):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

import websockets
from ws_client import StreamlitSession

MAX_SESSIONS = 50
MAX_DURATION_S = 300
START_TIMEOUT_S = 120
RUN_TIMEOUT_S = 120
RESULTS = BENCH / "results"
IMPORT_VALUE = 987654  # the imported values, easy to find in what the app sends afterwards


# ------------------------------------------------------------------------------------------------ the app
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def rss_mb(pid: int, field_name: str = "VmRSS") -> float:
    """Resident memory of a process in Mo (`VmHWM`: its peak so far)."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as handle:
            for line in handle:
                if line.startswith(field_name + ":"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


@dataclass
class App:
    process: subprocess.Popen
    url: str
    log: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace") if self.log.exists() else ""


@contextlib.contextmanager
def app_server(db: Path, log: Path, env: dict | None = None, args: tuple[str, ...] = (), cwd: Path = ROOT):
    """`streamlit run app.py` on a free port of 127.0.0.1 with SUS_DB=db; stopped (by its pid) on exit.

    `cwd` is where Streamlit looks for `.streamlit/config.toml` and `secrets.toml`."""
    port = free_port()
    environment = {**os.environ, "SUS_DB": str(db), "PYTHONUNBUFFERED": "1", **(env or {})}
    environment.setdefault("SUS_CONFIG", str(ROOT / "config" / "71.toml"))
    handle = log.open("w", encoding="utf-8")
    process = subprocess.Popen(
        [
            sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"),
            "--server.port", str(port), "--server.address", "127.0.0.1", "--server.headless", "true",
            "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none", *args,
        ],
        cwd=cwd, env=environment, stdout=handle, stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    app = App(process, url, log)
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                handle.flush()
                raise RuntimeError("Streamlit n'a pas démarré :\n" + app.log_text())
            time.sleep(0.2)
        yield app
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        handle.close()


# -------------------------------------------------------------------------------------------- the readers
@dataclass
class Measure:
    page: str
    action: str
    seconds: float
    errors: list[str] = field(default_factory=list)


@dataclass
class LoadResult:
    sessions: int
    duration: float
    measures: list[Measure] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)  # errors outside a page run (connection, timeout)
    import_seconds: float | None = None
    import_output: str = ""
    import_seen: bool = False
    rss_peak_mb: float = float("nan")
    rss_end_mb: float = float("nan")
    values: int = 0
    app_log: str = ""

    @property
    def errors(self) -> list[str]:
        return [e for m in self.measures for e in m.errors] + self.failures

    @property
    def failed_runs(self) -> int:
        """Page runs that went wrong (an exception, an error shown, a timeout, a lost connection)."""
        return sum(1 for m in self.measures if m.errors) + sum(1 for f in self.failures if not f.startswith("journal"))

    def seconds(self, page: str | None = None) -> list[float]:
        return [m.seconds for m in self.measures if page is None or m.page == page]

    def pages(self) -> list[str]:
        return list(dict.fromkeys(m.page for m in self.measures))


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def _problems(run) -> list[str]:
    return [f"exception : {e}" for e in run.exceptions] + [f"erreur affichée : {e}" for e in run.errors]


async def reader(
    index: int, url: str, deadline: float, result: LoadResult, rng: random.Random, think: tuple[float, float]
) -> None:
    """One reader: the app, then pages, filters and shared links until the deadline."""
    try:
        async with StreamlitSession(url, timeout=RUN_TIMEOUT_S) as session:
            run = await session.run()
            page_names = list(session.pages)
            result.measures.append(
                Measure(page_names[0] if page_names else "?", "ouverture", run.seconds, _problems(run))
            )
            current = page_names[0] if page_names else ""
            while time.monotonic() < deadline:
                await asyncio.sleep(rng.uniform(*think))
                if time.monotonic() >= deadline:
                    break
                action = rng.choices(["page", "filtre", "lien"], weights=[4, 4, 1])[0]
                if action == "page":
                    current = rng.choice([p for p in page_names if p != current] or page_names)
                    run = await session.run(page=current, query_string="")
                elif action == "filtre":
                    changed = _change_a_filter(session, run, rng)
                    action = f"filtre {changed}"
                    run = await session.run()
                else:
                    ambition = rng.randint(1, 8)
                    granularite = rng.choice(["annee", "trimestre"])
                    run = await session.run(query_string=f"ambition=A{ambition}&granularite={granularite}")
                problems = _problems(run)
                if problems:  # where and when: the page, the action, the URL, the time
                    problems = [
                        f"{p} [session {index}, {current}, {action}, ?{session.query_string}, {time.strftime('%H:%M:%S')}]"
                        for p in problems
                    ]
                result.measures.append(Measure(current, action, run.seconds, problems))
    except TimeoutError:
        result.failures.append(f"session {index} : une page n'a pas fini en {RUN_TIMEOUT_S} s")
    except (
        OSError,
        RuntimeError,
        ValueError,
        websockets.WebSocketException,
    ) as exc:  # a dropped connection, a protocol error
        result.failures.append(f"session {index} : {type(exc).__name__} : {exc}")


def _change_a_filter(session: StreamlitSession, run, rng: random.Random) -> str:
    """Set one sidebar widget to another of its options, as a click would."""
    candidates = []
    for key in ("flt_granularite", "flt_ambition", "flt_annee", "flt_debut", "flt_territoires"):
        element = run.widget(key)
        if element is not None and len(element.options) > 1:
            candidates.append((key, element))
    if not candidates:
        return "aucun"
    key, element = rng.choice(candidates)
    options = list(element.options)
    if key == "flt_territoires":
        picked = rng.sample(options, k=rng.randint(0, min(3, len(options))))
        from streamlit.proto.Common_pb2 import StringArray

        session.set_widget(element, string_array_value=StringArray(data=picked))
    else:
        session.set_widget(element, string_value=rng.choice(options))
    return key.removeprefix("flt_")


async def _all_readers(url: str, sessions: int, duration: float, result: LoadResult, seed: int, think) -> None:
    deadline = time.monotonic() + duration
    tasks = []
    for index in range(sessions):
        rng = random.Random(seed * 1000 + index)
        tasks.append(asyncio.create_task(reader(index, url, deadline, result, rng, think)))
        await asyncio.sleep(0.05)  # tabs do not all open in the same millisecond
    await asyncio.gather(*tasks)


# -------------------------------------------------------------------------------------------- the import
def import_file(db: Path, folder: Path, rows: int = 5000) -> tuple[Path, str]:
    """A CSV of `rows` new values (year 2027), all equal to IMPORT_VALUE; returns it and one of its codes."""
    from sus_data.store import Store

    with Store(db).read() as con:
        codes = [
            c for (c,) in con.execute("SELECT code FROM indicateur WHERE unite = 'nombre' ORDER BY ordre").fetchall()
        ]
        territories = [
            t
            for (t,) in con.execute(
                "SELECT code FROM territoire WHERE niveau <> 'comparateur' ORDER BY ordre"
            ).fetchall()
        ]
        taken = {
            (c, t, q)
            for c, t, q in con.execute(
                "SELECT indicateur, territoire, trimestre FROM valeur WHERE annee = 2027"
            ).fetchall()
        }
    lines = ["code_indicateur;territoire;annee;trimestre;valeur;commentaire"]
    first = None
    for code in codes:
        for territory in territories:
            for quarter in (1, 2, 3, 4):
                if len(lines) > rows:
                    break
                if (code, territory, quarter) in taken:
                    continue
                first = first or code
                lines.append(f"{code};{territory};2027;{quarter};{IMPORT_VALUE};import pendant la charge")
    path = folder / "import_pendant_la_charge.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path, first


def _run_import(db: Path, path: Path) -> tuple[float, int, str]:
    env = {**os.environ, "SUS_DB": str(db), "PYTHONPATH": str(ROOT)}
    env.setdefault("SUS_CONFIG", str(ROOT / "config" / "71.toml"))
    start = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "sus_data", "import", str(path), "--db", str(db), "--user", "banc de charge"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    return time.monotonic() - start, done.returncode, (done.stdout + done.stderr).strip()


async def _load(
    app: App, db: Path, sessions: int, duration: float, seed: int, think, import_path: Path, import_code: str
) -> LoadResult:
    result = LoadResult(sessions, duration)

    async def land_import():
        await asyncio.sleep(duration / 3)
        print(f"import lancé à {time.strftime('%H:%M:%S')}", flush=True)
        seconds, code, output = await asyncio.to_thread(_run_import, db, import_path)
        print(f"import terminé à {time.strftime('%H:%M:%S')}", flush=True)
        result.import_seconds, result.import_output = seconds, output
        if code != 0:
            result.failures.append(f"l'import a échoué ({code}) : {output}")

    await asyncio.gather(_all_readers(app.url, sessions, duration, result, seed, think), land_import())
    # The app shows what the import brought: the indicator's page, opened by a new reader.
    async with StreamlitSession(app.url, timeout=RUN_TIMEOUT_S) as session:
        await session.run()
        run = await session.run(page="indicateur", query_string=f"indicateur={import_code}&debut=2020")
        result.import_seen = any(str(IMPORT_VALUE).encode() in raw for raw in run.raw)
        result.measures.append(Measure("Indicateur", "après l'import", run.seconds, _problems(run)))
    result.rss_peak_mb = rss_mb(app.pid, "VmHWM")
    result.rss_end_mb = rss_mb(app.pid, "VmRSS")
    return result


async def _warm_up(url: str) -> float:
    """One session opens the app: the first reader pays for loading the database into memory."""
    start = time.monotonic()
    async with StreamlitSession(url, timeout=START_TIMEOUT_S * 2) as session:
        await session.run()
    return time.monotonic() - start


def run_load(
    db: Path, sessions: int = 20, duration: float = 60, *, seed: int = 71, think=(0.5, 2.0), scratch: Path
) -> LoadResult:
    """Start the app on `db`, warm it, hold the sessions while an import lands; the app is stopped after."""
    if not 1 <= sessions <= MAX_SESSIONS:
        raise ValueError(f"de 1 à {MAX_SESSIONS} sessions")
    if not 1 <= duration <= MAX_DURATION_S:
        raise ValueError(f"de 1 à {MAX_DURATION_S} s")
    path, code = import_file(db, scratch)
    with app_server(db, scratch / "streamlit.log") as app:
        asyncio.run(_warm_up(app.url))
        result = asyncio.run(_load(app, db, sessions, duration, seed, think, path, code))
        log = app.log_text()
    result.app_log = log
    for line in log.splitlines():
        if "Traceback" in line or "Error" in line or "Exception" in line:
            result.failures.append(f"journal de l'app : {line.strip()}")
    if result.errors:  # the whole log, tracebacks included, for whoever looks into it
        RESULTS.mkdir(parents=True, exist_ok=True)
        (RESULTS / "charge_journal_app.log").write_text(log, encoding="utf-8")
    return result


def report(result: LoadResult) -> str:
    ms = lambda s: f"{s * 1000:,.0f} ms".replace(",", "\u202f")
    lines = [
        (
            f"{result.sessions} sessions pendant {result.duration:.0f} s : {len(result.measures)} exécutions de page, "
            f"{len(result.errors)} erreur(s)."
        ),
        f"  {'page':<24} {'n':>5} {'p50':>9} {'p95':>9}",
    ]
    for page in sorted(result.pages()):
        values = result.seconds(page)
        lines.append(
            f"  {page:<24} {len(values):>5} {ms(statistics.median(values)):>9} {ms(percentile(values, 0.95)):>9}"
        )
    values = result.seconds()
    lines.append(
        f"  {'toutes':<24} {len(values):>5} {ms(statistics.median(values)):>9} {ms(percentile(values, 0.95)):>9}"
    )
    if result.import_seconds is not None:
        lines.append(
            f"Import pendant la charge : {result.import_seconds:.1f} s — {result.import_output.splitlines()[-1] if result.import_output else ''}"
        )
    lines.append(f"Nouvelle valeur visible dans l'app après l'import : {'oui' if result.import_seen else 'NON'}")
    lines.append(f"Mémoire résidente de l'app : pic {result.rss_peak_mb:.0f} Mo, fin {result.rss_end_mb:.0f} Mo")
    for error in result.errors[:20]:
        lines.append(f"  ERREUR {error}")
    if result.errors:
        lines.append(f"  (journal complet de l'app : {RESULTS / 'charge_journal_app.log'})")
    return "\n".join(lines)


def build_or_reuse(values: int, scratch: Path, keep: Path | None) -> Path:
    from bench_pages import build_database

    db = scratch / "charge.duckdb"
    if keep is not None and keep.exists():
        shutil.copyfile(keep, db)
        return db
    count, low, high = build_database(db, values)
    print(f"Base : {count:,} valeurs ({low}-{high})".replace(",", "\u202f"), flush=True)
    if keep is not None:
        shutil.copyfile(db, keep)
    return db


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--values", type=int, default=1_000_000)
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--duration", type=float, default=60)
    parser.add_argument("--seed", type=int, default=71)
    parser.add_argument("--keep", type=Path, help="garder (ou réutiliser) la base construite à ce chemin")
    args = parser.parse_args(argv)
    scratch = Path(tempfile.mkdtemp(prefix="sus_charge_"))
    os.environ["SUS_DB"] = str(scratch / "jamais.duckdb")  # never data/sus.duckdb
    try:
        db = build_or_reuse(args.values, scratch, args.keep)
        result = run_load(db, args.sessions, args.duration, seed=args.seed, scratch=scratch)
        print(report(result))
        return 0 if not result.errors and result.import_seen else 1
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())


# ------------------------------------------------------------------------------------------- app memory
async def _visit_every_page(url: str) -> list[str]:
    async with StreamlitSession(url, timeout=START_TIMEOUT_S * 2) as session:
        await session.run()
        visited = []
        for page in list(session.pages):
            for query in ("", "granularite=trimestre", "ambition=A5"):
                run = await session.run(page=page, query_string=query)
                if run.exceptions or run.errors:
                    raise RuntimeError(f"{page} ?{query} : {run.exceptions + run.errors}")
            visited.append(page)
        return visited


def memory_after_every_page(db: Path, scratch: Path) -> tuple[float, float, list[str]]:
    """(resident memory now, peak, pages) of the app process after one reader opened every page of the
    menu, at its defaults, by quarter and for one ambition."""
    with app_server(db, scratch / "memoire.log") as app:
        visited = asyncio.run(_visit_every_page(app.url))
        time.sleep(1.0)
        return rss_mb(app.pid, "VmRSS"), rss_mb(app.pid, "VmHWM"), visited
