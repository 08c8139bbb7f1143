"""Faults: an import killed (SIGKILL) at random moments, a damaged or missing database file.

The kill test is long (about two minutes: 22 imports of 150 000 rows in subprocesses, each killed at a
random moment) and marked `slow`; `pytest` runs it (CI included), `pytest -m "not slow"` skips it.
The random moments come from a seed printed on failure (`SUS_KILL_SEED` replays one).
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import CONFIG_FILE, ROOT
from grands_fichiers import distinct_rows, xlsx_bytes

from sus_data.errors import StoreCorruptError, StoreError
from sus_data.store import Store

KILLS = 22
ROWS = 150_000
USER = "agent.nuit"


def cli(db: Path, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    env = {**os.environ, "SUS_CONFIG": str(CONFIG_FILE), "SUS_DB": str(db), "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "sus_data", *map(str, args)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def start_import(db: Path, path: Path) -> subprocess.Popen:
    env = {**os.environ, "SUS_CONFIG": str(CONFIG_FILE), "SUS_DB": str(db), "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-m", "sus_data", "import", str(path), "--db", str(db), "--user", USER],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def writer_holds_lock(db: Path) -> bool:
    """Whether a process holds the writers' lock file (read from /proc/locks: the test never takes it)."""
    try:
        inode = str(db.with_name(db.name + ".lock").stat().st_ino)
        locks = Path("/proc/locks").read_text()
    except OSError:
        return False
    # Lines read « 1: FLOCK  ADVISORY  WRITE 905 00:2f:1234 0 EOF » (« 1: -> FLOCK … » for a waiter).
    for line in locks.splitlines():
        tokens = line.split()
        held = "FLOCK" in tokens and "->" not in tokens
        if held and any(token.count(":") == 2 and token.rsplit(":", 1)[1] == inode for token in tokens):
            return True
    return False


def wait_for_write_phase(db: Path, process: subprocess.Popen, timeout: float) -> float | None:
    """Seconds until the importing process takes the writers' lock (None if it ended first)."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if writer_holds_lock(db):
            return time.monotonic() - start
        if process.poll() is not None:
            return None
        time.sleep(0.003)
    return None


def block(db: Path, last_year: int) -> tuple[int, float]:
    """(count, sum) of the values in the years the large files fill (nothing else lives there)."""
    with Store(db).read() as con:
        count, total = con.execute(
            "SELECT count(*), coalesce(sum(valeur), 0) FROM valeur WHERE annee BETWEEN 2000 AND ? AND trimestre > 0",
            [last_year],
        ).fetchone()
    return int(count), float(total)


@pytest.mark.slow
def test_an_import_killed_at_random_moments_leaves_all_of_it_or_none(db_path, tmp_path):
    seed = int(os.environ.get("SUS_KILL_SEED") or random.randrange(1_000_000))
    rng = random.Random(seed)
    with Store(db_path).read() as con:
        rows = distinct_rows(con, ROWS, first_year=2000)
    last_year = max(r[2] for r in rows)
    # Two files with the same keys and different values: each import changes all 150 000 values.
    files = {
        "a": (tmp_path / "grand_a.xlsx", rows),
        "b": (tmp_path / "grand_b.xlsx", [[*r[:4], r[4] + 1] for r in rows]),
    }
    for path, content in files.values():
        path.write_bytes(xlsx_bytes(content))
    sums = {name: float(sum(r[4] for r in content)) for name, (_path, content) in files.items()}

    # Calibration: one full import, timed, lands file a; and how long it holds the writers' lock.
    start = time.monotonic()
    process = start_import(db_path, files["a"][0])
    reached = wait_for_write_phase(db_path, process, timeout=300)
    _out, err = process.communicate(timeout=300)
    full = time.monotonic() - start
    assert process.returncode == 0, err.decode()
    assert reached is not None, "l'import n'a pas pris le verrou des écritures"
    writing = full - reached
    current = "a"
    assert block(db_path, last_year) == (ROWS, sums["a"])

    outcomes = []
    for attempt in range(KILLS):
        target = "b" if current == "a" else "a"
        with Store(db_path).read() as con:
            last_op = con.execute("SELECT max(id) FROM operation").fetchone()[0]
        process = start_import(db_path, files[target][0])
        if attempt % 2 == 0:  # any moment: start-up, reading, validation, writing, commit, exit
            delay = rng.uniform(0.2, full * 1.05)
            time.sleep(delay)
        else:  # a moment of the write transaction (or of the commit and checkpoint that end it)
            reached = wait_for_write_phase(db_path, process, timeout=full * 3)
            assert reached is not None, f"graine {seed}, essai {attempt + 1} : l'import n'a pas écrit"
            pause = rng.uniform(0.0, writing)
            time.sleep(pause)
            delay = reached + pause
        process.send_signal(signal.SIGKILL)
        process.communicate(timeout=60)
        killed = process.returncode == -signal.SIGKILL
        context = f"graine {seed}, essai {attempt + 1}, tué après {delay:.2f} s sur {full:.2f} s"

        # The database opens, DuckDB re-reads every block, values, history and referential agree.
        checked = cli(db_path, "check")
        assert checked.returncode == 0, f"{context} : {checked.stderr}"
        assert checked.stdout.startswith("Base cohérente"), context
        with Store(db_path).read() as con:
            new_ops = con.execute(
                "SELECT id, fichier, utilisateur, nb_nouvelles, nb_modifiees FROM operation WHERE id > ? ORDER BY id",
                [last_op],
            ).fetchall()
            if new_ops:
                [(op, fichier, user, nouvelles, modifiees)] = new_ops
                assert (fichier, user, nouvelles + modifiees) == (files[target][0].name, USER, ROWS), context
                in_values = con.execute("SELECT count(*) FROM valeur WHERE operation = ?", [op]).fetchone()[0]
                in_history = con.execute("SELECT count(*) FROM historique WHERE operation = ?", [op]).fetchone()[0]
                assert (in_values, in_history) == (ROWS, ROWS), context
        if new_ops:  # all of it
            current = target
        assert block(db_path, last_year) == (ROWS, sums[current]), context  # … or none of it
        outcomes.append("tué, rien" if killed and not new_ops else "tué, tout" if killed else "terminé")

    # Most kills must have hit the import while it ran, not after it ended.
    assert outcomes.count("tué, rien") + outcomes.count("tué, tout") >= KILLS // 2, (seed, outcomes)
    # After all this, the next import still lands.
    target = "b" if current == "a" else "a"
    final = cli(db_path, "import", files[target][0], "--user", USER)
    assert final.returncode == 0, final.stderr
    assert block(db_path, last_year) == (ROWS, sums[target])
    print(f"graine {seed} : " + ", ".join(f"{k} {outcomes.count(k)}" for k in sorted(set(outcomes))))


# ------------------------------------------------------------------------------------ damaged or missing
CORRUPT = (
    "La base {path} est endommagée ou n'est pas une base DuckDB. Restaurez la dernière sauvegarde "
    "(python -m sus_data restore DOSSIER --db {path} --force), ou mettez ce fichier de côté (renommez-le) puis "
    "recréez la base (python -m sus_data init --db {path})."
)


def _garbage(path: Path) -> None:
    path.write_bytes(random.Random(71).randbytes(300_000))


def _truncated(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 3])


def _text(path: Path) -> None:
    path.write_text("code_indicateur;valeur\nA1;3\n", encoding="utf-8")


@pytest.mark.parametrize("damage", [_garbage, _truncated, _text], ids=["octets au hasard", "fichier tronqué", "un CSV"])
@pytest.mark.parametrize(
    "command", [["imports"], ["export", "--out", "{tmp}/export.csv"], ["check"], ["import", "{tmp}/f.csv"]]
)
def test_a_damaged_database_gives_a_clear_message_and_the_way_out(db_path, tmp_path, damage, command):
    damage(db_path)
    (tmp_path / "f.csv").write_text(
        "code_indicateur;territoire;annee;trimestre;valeur\nA1-O1-Obj1-Ac1-I1;71;2025;1;3\n"
    )
    before = db_path.read_bytes()
    result = cli(db_path, *(part.format(tmp=tmp_path) for part in command), "--db", db_path)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == CORRUPT.format(path=db_path)
    assert "Traceback" not in result.stderr
    assert db_path.read_bytes() == before  # nothing tried to "repair" it


def test_the_way_out_of_a_damaged_database_works(db_path, tmp_path):
    backup = tmp_path / "sauvegarde"
    assert cli(db_path, "backup", "--out", backup).returncode == 0
    expected = cli(db_path, "export", "--out", tmp_path / "avant.csv")
    assert expected.returncode == 0
    _truncated(db_path)
    # Restore over the damaged file (it is kept aside), then the database is whole again.
    refused = cli(db_path, "restore", backup)
    assert refused.returncode == 1
    assert "existe déjà" in refused.stderr and "--force" in refused.stderr
    restored = cli(db_path, "restore", backup, "--force")
    assert restored.returncode == 0, restored.stderr
    assert cli(db_path, "check").returncode == 0
    assert cli(db_path, "export", "--out", tmp_path / "apres.csv").returncode == 0
    assert (tmp_path / "apres.csv").read_bytes() == (tmp_path / "avant.csv").read_bytes()
    kept = [p for p in db_path.parent.iterdir() if ".remplacee-" in p.name]
    assert len(kept) == 1  # the damaged file, set aside by the restore
    # Or: set the damaged file aside and make a new database.
    _garbage(db_path)
    db_path.rename(db_path.with_name("endommagee.duckdb"))
    made = cli(db_path, "init", "--no-demo")
    assert made.returncode == 0, made.stderr
    assert cli(db_path, "check").returncode == 0


def test_a_missing_database_says_how_to_create_or_restore_it(tmp_path):
    missing = tmp_path / "absente.duckdb"
    result = cli(missing, "export", "--out", tmp_path / "x.csv", "--db", missing)
    assert result.returncode == 1
    assert result.stderr == (
        f"La base {missing} n'existe pas encore. Créez-la avec : python -m sus_data init --db {missing} ; "
        f"ou restaurez une sauvegarde : python -m sus_data restore DOSSIER --db {missing}\n"
    )
    assert not missing.exists()


def test_an_empty_database_file_is_called_damaged(tmp_path):
    empty = tmp_path / "vide.duckdb"
    empty.write_bytes(b"")
    with pytest.raises(StoreCorruptError) as caught:
        Store(empty).require()
    assert caught.value.message.startswith(f"La base {empty} est vide (0 octet). Restaurez la dernière sauvegarde")


def test_the_store_turns_duckdb_errors_into_french(tmp_path):
    path = tmp_path / "base.duckdb"
    _text(path)
    with pytest.raises(StoreError) as caught, Store(path).read():
        pass
    assert caught.value.message == CORRUPT.format(path=path)


def test_the_app_says_what_is_wrong_with_a_damaged_database(db_path, monkeypatch):
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    _truncated(db_path)
    monkeypatch.setenv("SUS_DB", str(db_path))
    st.cache_data.clear()
    st.cache_resource.clear()
    try:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
        at.run()
        assert not at.exception
        assert [e.value for e in at.error] == [CORRUPT.format(path=db_path)]
        assert "python -m sus_data restore DOSSIER" in at.info[0].value
    finally:
        st.cache_data.clear()
        st.cache_resource.clear()
