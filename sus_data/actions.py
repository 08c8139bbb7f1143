"""Writes on behalf of a signed-in user: every path that imports or rolls back checks the role here.

The Import page calls only these functions, so that a crafted request cannot reach the write path
without the `import` role, whatever the page shows or hides.
"""

from __future__ import annotations

from .accounts import ROLE_IMPORT, User, require
from .config import Config
from .ingest import ImportResult, RollbackResult, import_files, rollback
from .store import Store
from .validate import ValidatedFile


def commit_import(user: User | None, store: Store, config: Config, files: list[ValidatedFile]) -> list[ImportResult]:
    require(user, ROLE_IMPORT)
    return import_files(store, config, [], user.login, validated=files)


def rollback_import(user: User | None, store: Store, operation_id: int) -> RollbackResult:
    require(user, ROLE_IMPORT)
    return rollback(store, operation_id, user.login)
