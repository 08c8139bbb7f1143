"""Writes on behalf of a signed-in user: every path that imports or rolls back checks the role here.

The Import page calls only these functions, so that a crafted request cannot reach the write path
without the `import` role, whatever the page shows or hides.
"""

from __future__ import annotations

import datetime as dt
import hashlib

import pandas as pd

from .accounts import ROLE_IMPORT, User, require
from .config import Config
from .errors import ImportRejected
from .ingest import ImportResult, RollbackResult, import_files, rollback, write_validated
from .report import Report
from .store import Store
from .validate import Lookup, ValidatedFile, empty_values
from .validate_followup import check_actions_sheet, status_entry_sheet
from .vocabulary import OPERATION_SAISIE


def commit_import(user: User | None, store: Store, config: Config, files: list[ValidatedFile]) -> list[ImportResult]:
    require(user, ROLE_IMPORT)
    return import_files(store, config, [], user.login, validated=files)


def rollback_import(user: User | None, store: Store, operation_id: int) -> RollbackResult:
    require(user, ROLE_IMPORT)
    return rollback(store, operation_id, user.login)


def set_action_status(
    user: User | None,
    store: Store,
    config: Config,
    action: str,
    territoire: str,
    annee: int,
    statut: str,
    date: dt.date | None = None,
    commentaire: str | None = None,
) -> ImportResult:
    """Record the status of an action for a territory and a year, typed on the Import page.

    Checked by the rules of the `actions` sheet and written like an import (an operation of nature
    'saisie', kept in the history and undoable). Raises ImportRejected with the report when the entry
    is not valid: nothing is written.
    """
    require(user, ROLE_IMPORT)
    sheet = status_entry_sheet(action, territoire, annee, statut, date, commentaire)
    fichier = f"saisie du statut de l'action {action}"
    report = Report()
    with store.read() as con:
        lookup = Lookup.from_connection(con, config)
    statuts = check_actions_sheet(fichier, sheet, lookup, report)
    if not report.ok:
        raise ImportRejected(f"Statut non enregistré : {report.summary()}.", report)
    digest = hashlib.sha256(statuts.to_csv(index=False).encode("utf-8")).hexdigest()
    validated = ValidatedFile(fichier, digest, report, empty_values(), pd.DataFrame(), statuts=statuts)
    with store.write() as con:
        return write_validated(con, validated, user.login, OPERATION_SAISIE)
