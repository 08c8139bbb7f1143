"""Creating and refreshing a database: schema, referential, real figures of the sources, demo series."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from .config import Config
from .demo import DEMO_FILENAME, demo_statuses, demo_values
from .errors import ImportRejected
from .ingest import ImportResult, Upload, validate_upload, write_validated
from .referential import read_referentiel, write_referentiel
from .report import Report
from .store import Store, create_schema
from .validate import Lookup, ValidatedFile
from .vocabulary import OPERATION_DEMO, OPERATION_IMPORT

INIT_USER = "initialisation"
# Optional files of the referential folder, loaded like any deposited file (versioned, undoable): targets
# set by the schéma itself (sheet `cibles`) and the territories where each action applies (`perimetre`).
FOLLOWUP_FILES = ("cibles.csv", "perimetres.csv")


def followup_files(config: Config) -> list[Path]:
    return [config.referentiel_dir / name for name in FOLLOWUP_FILES if (config.referentiel_dir / name).is_file()]


@dataclass
class InitResult:
    referentiel: dict[str, int]
    imports: list[ImportResult] = field(default_factory=list)

    def summary(self) -> str:
        ref = self.referentiel
        lines = [
            (
                f"Référentiel : {ref['noeuds']} nœuds, {ref['indicateurs']} indicateurs, "
                f"{ref['territoires']} territoires, {ref['sigles']} sigles."
            )
        ]
        # A referential file with its header only (no target, no perimeter yet) is not worth a line.
        lines += [r.summary() for r in self.imports if r.changed_anything or r.nb_inchangees or r.nb_statuts_inchanges]
        return "\n".join(lines)


def init_database(store: Store, config: Config, *, demo: bool = True, user: str = INIT_USER) -> InitResult:
    """Create the database if needed, (re)load the referential, import the real figures and the demo.

    Safe to run again: the referential is refreshed without touching values, and files already
    imported change nothing.
    """
    ref = read_referentiel(config)
    store.path.parent.mkdir(parents=True, exist_ok=True)
    with store.write(create=True) as con:
        create_schema(con)
        counts = write_referentiel(con, ref, config)
        lookup = Lookup.from_connection(con, config)
        files = [validate_upload(Upload(path), lookup) for path in [*config.donnees, *followup_files(config)]]
        report = Report()
        for validated in files:
            report.extend(validated.report)
        if not report.ok:
            raise ImportRejected("Les données réelles livrées avec l'application sont invalides.", report)
        result = InitResult(counts)
        for validated in files:
            result.imports.append(write_validated(con, validated, user, OPERATION_IMPORT))
        if demo:
            values = demo_values(con, config)
            statuses = demo_statuses(con, config)
            digest = hashlib.sha256(
                (values.to_csv(index=False) + statuses.to_csv(index=False)).encode("utf-8")
            ).hexdigest()
            validated = ValidatedFile(DEMO_FILENAME, digest, Report(), values, _no_indicators(), statuts=statuses)
            result.imports.append(write_validated(con, validated, user, OPERATION_DEMO))
    return result


def _no_indicators():
    import pandas as pd

    return pd.DataFrame()
