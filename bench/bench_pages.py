"""Page benchmark: each dashboard page's script run time on a database of 1 000 000 values.

Builds (in a scratch folder) a database from the referential, then fills `valeur` in DuckDB SQL: every
non-qualitative indicator × territory (the TAS and sectors for the indicators that add up, so that the
département is computed from them, as in real life; every territory for the others) × the 4 quarters
of as many years as it takes, recent years first, until 1 000 000 values. Then, in the same run:

- the floor: an empty page (a script that only calls `st.title`), run by AppTest like the pages;
- each page of the app under AppTest (`app.py`, then `switch_page`): its first run (cold caches: the
  queries run) and a warm rerun (cached queries: what a reader waits for when nothing changed), with
  their ratio to the floor;
- the filter-change queries (`views.indicator_view`, `queries.series`, `queries.overview`) on a cursor
  of the in-memory copy, uncached, over about 50 different filter sets: median and 95th percentile;
- the app's read copy in memory: the process RSS before and after loading the snapshot.

Run by hand, never in pytest:  .venv/bin/python bench/bench_pages.py [--values 1000000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import gc
import os
import shutil
import statistics
import sys
import tempfile
import time
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

LAST_YEAR = 2027
PAGES = [
    ("Vue d'ensemble", None, {}),
    ("Ambition (liste)", "app_pages/ambition.py", {}),
    ("Ambition A5", "app_pages/ambition.py", {"ambition": "A5"}),
    ("Territoire", "app_pages/territoire.py", {}),
    ("Indicateur", "app_pages/indicateur.py", {}),
    ("Référentiel", "app_pages/referentiel.py", {}),
]
EMPTY_PAGE = 'import streamlit as st\n\nst.title("Page vide")\n'


def rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def build_database(path: Path, values: int) -> tuple[int, int, int]:
    """Referential and real figures by `init`, then `values` generated values in one SQL statement.

    Returns (values in the table, first year, last year)."""
    from sus_data.config import get_config
    from sus_data.database import init_database
    from sus_data.store import Store, next_operation_id

    store = Store(path)
    init_database(store, get_config(), demo=False)
    with store.write() as con:
        per_year = con.execute(
            """SELECT sum(CASE WHEN i.additivite = 'somme' THEN n_children ELSE n_all END) * 4
               FROM indicateur i,
                    (SELECT count(*) FILTER (WHERE parent IS NOT NULL) AS n_children, count(*) AS n_all
                     FROM territoire WHERE niveau <> 'comparateur')
               WHERE i.unite <> 'qualitatif'"""
        ).fetchone()[0]
        years = -(-values // int(per_year))
        first = LAST_YEAR - years + 1
        operation = next_operation_id(con)
        con.execute(
            """INSERT INTO operation (id, nature, fichier, sha256, utilisateur, horodatage, nb_nouvelles)
               VALUES (?, 'import', 'banc_essai_pages.xlsx', '', 'banc d''essai', current_timestamp, ?)""",
            [operation, values],
        )
        # The real figures are yearly values of 2018-2022: generated quarterly values never collide with them.
        con.execute(
            """
            INSERT INTO valeur (indicateur, territoire, annee, trimestre, mesure, valeur, commentaire, source, operation)
            WITH g AS (
                SELECT i.code AS indicateur, i.unite, t.code AS territoire, y.annee, q.trimestre,
                       hash(i.code, t.code, y.annee, q.trimestre) AS h
                FROM indicateur i
                JOIN territoire t ON t.niveau <> 'comparateur'
                     AND (i.additivite <> 'somme' OR t.parent IS NOT NULL)
                CROSS JOIN range(?, ? + 1) y(annee)
                CROSS JOIN range(1, 5) q(trimestre)
                WHERE i.unite <> 'qualitatif'
            )
            SELECT indicateur, territoire, annee, trimestre, 'valeur',
                   CASE WHEN unite = 'oui/non' THEN (h % 2)::DOUBLE
                        WHEN unite = '%' THEN round((h % 1000) / 10.0, 1)
                        ELSE (h % 5000)::DOUBLE END,
                   NULL, CASE WHEN h % 3 = 0 THEN 'Banc d''essai' END, ?
            FROM g
            ORDER BY annee DESC, indicateur, territoire, trimestre
            LIMIT ?
            """,
            [first, LAST_YEAR, operation, values],
        )
        count, low, high = con.execute("SELECT count(*), min(annee), max(annee) FROM valeur").fetchone()
    return int(count), int(low), int(high)


def timed(func) -> float:
    start = time.perf_counter()
    func()
    return time.perf_counter() - start


def clear_caches(resources: bool = False) -> None:
    import streamlit as st

    st.cache_data.clear()
    if resources:
        st.cache_resource.clear()


SHELL_ANCHOR = "navigation = st.navigation(pages)"
SHELL_PAGE = """

def _page_vide():
    st.title("Page vide")


navigation = st.navigation([st.Page(_page_vide, title="Page vide", url_path="vide", default=True)])"""


def shell_script(scratch: Path) -> Path | None:
    """app.py with a single empty page: the same navigation, sign-in and sidebar filters, no content."""
    source = (ROOT / "app.py").read_text(encoding="utf-8")
    if SHELL_ANCHOR not in source:
        return None
    source = source.replace(SHELL_ANCHOR, SHELL_PAGE.strip("\n"), 1)
    source = source.replace('st.Page("app_pages/', f'st.Page("{ROOT}/app_pages/')  # declared, never opened
    path = scratch / "app_page_vide.py"
    path.write_text(source, encoding="utf-8")
    return path


def floor_times(repeat: int, script: Path) -> tuple[float, float]:
    """(first run, warm rerun) of a script under AppTest, measured like the pages, best of `repeat`."""
    from streamlit.testing.v1 import AppTest

    firsts, warms = [], []
    for _ in range(repeat):
        at = AppTest.from_file(str(script), default_timeout=120)
        at.run()  # AppTest's own start-up, and the snapshot, outside the measures
        clear_caches()
        firsts.append(timed(at.run))
        assert not at.exception, at.exception
        warms.append(timed(at.run))
    return min(firsts), min(warms)


def page_times(repeat: int) -> list[tuple[str, float, float, float]]:
    """(page, first run, warm rerun, filter change) per page, best of `repeat`.

    First run: the page's queries run (the data caches are empty; the snapshot, loaded once per process,
    is already there). Warm rerun: the same page again, every query cached. Filter change: « Pas de
    temps » switched to « Trimestre » in the sidebar, whose queries are not cached yet.
    """
    from streamlit.testing.v1 import AppTest

    rows = []
    for label, page, params in PAGES:
        firsts, warms, changes = [], [], []
        for _ in range(repeat):
            at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
            at.run()  # loads the snapshot (cache_resource) outside the measures
            if page:
                at.switch_page(page)
            at.query_params.clear()
            at.query_params.update(params)
            clear_caches()
            firsts.append(timed(at.run))
            assert not at.exception, f"{label} : {at.exception}"
            warms.append(timed(at.run))
            radio = at.radio(key="flt_granularite")
            radio.set_value("trimestre" if radio.value == "annee" else "annee")
            changes.append(timed(at.run))
            assert not at.exception, f"{label} : {at.exception}"
        rows.append((label, min(firsts), min(warms), min(changes)))
    return rows


def filter_sets(choices, ambitions: list[str], indicators: list[str], n: int = 50):
    """About `n` different filter sets, as readers click them."""
    import itertools

    from sus_data.filters import GRANULARITES, Filters

    years = list(range(choices.annee_min, choices.annee_max + 1))
    tas = [t for t in choices.territoires if t.startswith("TAS")]
    combos = itertools.product(
        GRANULARITES,
        [None, years[-1], years[-2]],
        [(), tuple(tas[:1]), tuple(choices.territoires[4:6])],
        [None, years[-min(6, len(years))], years[-min(20, len(years))]],
    )
    out = []
    for index, (granularite, annee, territoires, debut) in enumerate(combos):
        out.append(
            Filters(
                ambition=ambitions[index % len(ambitions)],
                territoires=territoires,
                debut=debut,
                annee=annee,
                granularite=granularite,
                indicateur=indicators[(index * 7) % len(indicators)],
            )
        )
        if len(out) == n:
            break
    return out


def query_times(snapshot) -> dict[str, list[float]]:
    """Uncached data functions on cursors of the in-memory copy, one filter set after another."""
    from sus_data import queries, views

    con = snapshot.cursor()
    choices = queries.choices(con)
    ambitions = list(queries.ambitions(con)["code"])
    indicators = [c for (c,) in con.execute("SELECT DISTINCT indicateur FROM valeur ORDER BY 1").fetchall()]
    sets = filter_sets(choices, ambitions, indicators)
    out: dict[str, list[float]] = {
        "queries.series (1 indicateur)": [],
        "views.indicator_view": [],
        "views.latest_table (ambition)": [],
        "views.overview_tiles": [],
        "views.territory_portrait": [],
    }
    for flt in sets:
        cur = snapshot.cursor()
        out["queries.series (1 indicateur)"].append(timed(partial(queries.series, cur, [flt.indicateur], flt)))
        out["views.indicator_view"].append(timed(partial(views.indicator_view, cur, flt.indicateur, flt)))
    for flt in sets[:12]:
        cur = snapshot.cursor()
        codes = list(queries.indicators(cur, flt)["code"])
        territoire = flt.territoires[0] if flt.territoires else "TAS MP"
        out["views.latest_table (ambition)"].append(timed(partial(views.latest_table, cur, codes, flt)))
        out["views.overview_tiles"].append(timed(partial(views.overview_tiles, cur, flt)))
        out["views.territory_portrait"].append(timed(partial(views.territory_portrait, cur, territoire, flt)))
    return out


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def ms(seconds: float) -> str:
    return fr(seconds * 1000) + " ms"


def fr(number: float) -> str:
    return f"{number:.1f}".replace(".", ",")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--values", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3, help="mesures par page (la meilleure est gardée)")
    parser.add_argument("--keep", type=Path, help="garder la base construite à ce chemin")
    args = parser.parse_args(argv)

    scratch = Path(tempfile.mkdtemp(prefix="sus_bench_pages_"))
    try:
        return run(args, scratch)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def run(args, scratch: Path) -> int:
    from sus_data import formatting

    db = scratch / "bench.duckdb"
    os.environ["SUS_DB"] = str(db)  # never touch data/sus.duckdb

    build_time = time.perf_counter()
    count, low, high = build_database(db, args.values)
    build_time = time.perf_counter() - build_time
    print(f"Base : {formatting.entier(count)} valeurs ({low}-{high}), construite en {fr(build_time)} s")
    if args.keep:
        shutil.copy(db, args.keep)

    from sus_data.snapshot import open_snapshot
    from sus_data.store import Store

    gc.collect()
    before = rss_mb()
    load = time.perf_counter()
    snapshot = open_snapshot(Store(db))
    load = time.perf_counter() - load
    time.sleep(1)  # DuckDB's allocator threads give the load's working memory back to the system
    after = rss_mb()
    print(
        f"Copie en mémoire (snapshot) : RSS {before:.0f} Mo → {after:.0f} Mo (+{after - before:.0f} Mo),"
        f" chargée en {fr(load)} s"
    )

    print("\nRequêtes d'un changement de filtre (sans cache, curseur de la copie en mémoire) :")
    print(f"  {'fonction':<34} {'n':>3} {'médiane':>11} {'p95':>11}")
    for name, values in query_times(snapshot).items():
        print(f"  {name:<34} {len(values):>3} {ms(statistics.median(values))} {ms(percentile(values, 0.95))}")
    snapshot.close()

    print(f"\nPages sous AppTest (meilleure de {args.repeat}) :")
    empty = scratch / "page_vide.py"
    empty.write_text(EMPTY_PAGE, encoding="utf-8")
    shell = shell_script(scratch)
    bare = floor_times(args.repeat, empty)
    floor = floor_times(args.repeat, shell) if shell else bare
    rows = page_times(args.repeat)
    # Measured again after the pages: a drift of the machine during the run shows.
    bare = tuple(map(min, zip(bare, floor_times(args.repeat, empty), strict=True)))
    floor = tuple(map(min, zip(floor, floor_times(args.repeat, shell), strict=True))) if shell else bare
    print(
        f"  {'page':<24} {'1re exécution':>14} {'× plancher':>10} {'réexécution':>12} {'× plancher':>10}"
        f" {'chgt filtre':>12}"
    )
    print(f"  {'script nu (st.title)':<24} {ms(bare[0]):>14} {'':>10} {ms(bare[1]):>12} {'':>10}")
    print(f"  {'page vide dans app.py':<24} {ms(floor[0]):>14} {'1,0':>10} {ms(floor[1]):>12} {'1,0':>10}")
    for label, first, warm, change in rows:
        print(
            f"  {label:<24} {ms(first):>14} {fr(first / floor[0]):>10} {ms(warm):>12} {fr(warm / floor[1]):>10}"
            f" {ms(change):>12}"
        )
    print(
        "  (plancher : la même application, menu, connexion et filtres du panneau, autour d'une page qui "
        "n'appelle que st.title)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
