"""Import benchmark: our import of a 100 000-row workbook against plain reads of the same file.

Builds (once, cached in bench/results/) a realistic quarterly workbook — programme and context
indicators × the 11 territories × 10 years × 4 quarters, a title row above the header, mostly numbers
with some French number text (`1 234`, `12,5 %`), yes/no milestones and a few comments — then measures in
the same run, best of N:

- a bare python-calamine read of the sheet (the floor: parsing the xlsx, nothing else),
- a plain pandas + openpyxl read (`pd.read_excel(engine="openpyxl")`), what a naive import would do,
- our reading (`workbook.read_workbook`: limits, zip checks, calamine),
- our reading and validation (`ingest.validate_upload`: everything but the database write),
- our full import into a fresh copy of a database (`ingest.import_files`: lookup, validation, diff,
  write in one transaction).

Run by hand, never in pytest:  .venv/bin/python bench/bench_import.py [--rows 100000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

RESULTS = ROOT / "bench" / "results"
# Bump when the generated workbook changes, so that a cached file of the old shape is not reused.
WORKBOOK_VERSION = 1
YEARS = range(2018, 2028)
QUARTERS = (1, 2, 3, 4)
HEADER = ["code_indicateur", "territoire", "annee", "trimestre", "valeur", "cible", "commentaire", "source"]
SHEET = "valeurs"


def template_database(folder: Path) -> Path:
    """A database made by `init` (referential, real figures, demo), in a scratch folder."""
    from sus_data.config import get_config
    from sus_data.database import init_database
    from sus_data.store import Store

    path = folder / "template.duckdb"
    init_database(Store(path), get_config(), demo=True)
    return path


def indicator_plan(db_path: Path) -> list[tuple[str, str]]:
    """(code, unit) of the indicators to fill, programme ones first, in referential order."""
    from sus_data.store import Store

    with Store(db_path).read() as con:
        return con.execute("SELECT code, unite FROM indicateur ORDER BY origine DESC, ordre").fetchall()


def _value(unit: str, n: int, rng):
    """A cell as people fill it: mostly typed numbers, some French text, yes/no for milestones."""
    if unit == "oui/non":
        return "oui" if rng.random() < 0.6 else "non"
    if unit == "%":
        value = round(rng.uniform(5, 95), 1)
        return f"{value:.1f} %".replace(".", ",") if n % 7 == 0 else value
    value = int(rng.integers(0, 5000))
    if n % 11 == 0:
        return f"{value:,}".replace(",", "\u202f")  # narrow no-break space, as Babel and Excel FR write it
    return value


def build_workbook(path: Path, rows: int, plan: list[tuple[str, str]], territories: list[str]) -> None:
    import numpy as np
    from openpyxl import Workbook

    rng = np.random.default_rng(71)
    book = Workbook(write_only=True)
    sheet = book.create_sheet(SHEET)
    sheet.append(["Schéma unique des solidarités — valeurs trimestrielles (banc d'essai)"])
    sheet.append([])
    sheet.append(HEADER)
    n = 0
    for code, unit in plan:
        for territory in territories:
            for year in YEARS:
                for quarter in QUARTERS:
                    if n == rows:
                        book.save(path)
                        return
                    comment = "saisie provisoire" if n % 53 == 0 else None
                    target = _value(unit, n + 1, rng) if (quarter == 4 and unit != "oui/non" and n % 5 == 0) else None
                    source = "Service de l'observatoire" if n % 3 == 0 else None
                    sheet.append([code, territory, year, quarter, _value(unit, n, rng), target, comment, source])
                    n += 1
    raise SystemExit(f"Pas assez d'indicateurs pour {rows} lignes : {n} au plus.")


def best_of(repeat: int, func) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return min(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3, help="mesures par étape (la meilleure est gardée)")
    args = parser.parse_args(argv)

    scratch = Path(tempfile.mkdtemp(prefix="sus_bench_"))
    os.environ["SUS_DB"] = str(scratch / "unused.duckdb")  # never touch data/sus.duckdb
    try:
        return run(args.rows, args.repeat, scratch)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def run(rows: int, repeat: int, scratch: Path) -> int:
    import pandas as pd
    import python_calamine

    from sus_data.config import get_config
    from sus_data.ingest import Upload, import_files, load_lookup, validate_upload
    from sus_data.store import Store
    from sus_data.workbook import read_workbook

    config = get_config()
    print("Base de référence (init)…", flush=True)
    template = template_database(scratch)
    plan = [(code, unit) for code, unit in indicator_plan(template) if unit in {"nombre", "%", "oui/non"}]
    territories = [t.code for t in config.territories]
    RESULTS.mkdir(parents=True, exist_ok=True)
    book = RESULTS / f"bench_{rows}_v{WORKBOOK_VERSION}.xlsx"
    if not book.exists():
        print(f"Construction du classeur de {rows} lignes ({book.name})…", flush=True)
        build_workbook(book, rows, plan, territories)
    size_mb = book.stat().st_size / 1024 / 1024
    print(f"Classeur : {book} ({size_mb:.1f} Mo), meilleure de {repeat} mesures par étape.\n", flush=True)

    store = Store(template)
    lookup = load_lookup(store, config)
    probe = validate_upload(Upload(book), lookup)
    if not probe.ok:
        print(probe.report.to_text(limit=20))
        raise SystemExit("Le classeur du banc d'essai est refusé : corrigez le générateur.")

    def calamine_read():
        python_calamine.CalamineWorkbook.from_path(str(book)).get_sheet_by_name(SHEET).to_python()

    def pandas_read():
        pd.read_excel(book, sheet_name=SHEET, engine="openpyxl", header=2)

    def our_read():
        read_workbook(book, limits=config.limites)

    def our_validation():
        validate_upload(Upload(book), lookup)

    counter = iter(range(10_000))

    def fresh_copy() -> Store:
        target = scratch / f"copie_{next(counter)}.duckdb"
        shutil.copyfile(template, target)
        return Store(target)

    def timed_import() -> float:
        """One import into a fresh copy of the database; the copy itself is not timed."""
        copy = fresh_copy()
        start = time.perf_counter()
        results = import_files(copy, config, [Upload(book)], "banc d'essai")
        elapsed = time.perf_counter() - start
        assert results[0].nb_nouvelles + results[0].nb_modifiees > 0
        copy.path.unlink()
        return elapsed

    measures = [
        ("lecture python-calamine seule", best_of(repeat, calamine_read)),
        ("lecture pandas + openpyxl", best_of(repeat, pandas_read)),
        ("notre lecture (read_workbook)", best_of(repeat, our_read)),
        ("notre lecture + validation", best_of(repeat, our_validation)),
        ("notre import complet (import_files)", min(timed_import() for _ in range(repeat))),
    ]
    floor = measures[0][1]
    width = max(len(name) for name, _ in measures)
    print(f"{'étape':<{width}}  {'secondes':>9}  {'lignes/s':>10}  {'× calamine':>10}")
    for name, seconds in measures:
        print(f"{name:<{width}}  {seconds:>9.3f}  {rows / seconds:>10,.0f}  {seconds / floor:>10.2f}".replace(",", " "))
    ratio = measures[-1][1] / floor
    verdict = "atteint" if ratio < 1.5 else "NON atteint"
    print(f"\nObjectif import complet < 1,5 × lecture calamine : {verdict} ({ratio:.2f} ×).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
