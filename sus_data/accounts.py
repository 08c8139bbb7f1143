"""Local accounts for sites without single sign-on: a TOML file of salted password hashes and roles.

No plain password is ever stored: each account keeps an scrypt hash with its own random salt. The file
lives outside git (config/comptes.toml by default, `SUS_COMPTES` to move it) and is managed with
`python -m sus_data compte …`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import secrets
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path

from .config import PROJECT_ROOT
from .errors import AccessDenied, SusError

ACCOUNTS_ENV = "SUS_COMPTES"
DEFAULT_ACCOUNTS = PROJECT_ROOT / "config" / "comptes.toml"
ROLE_IMPORT = "import"
ROLES = (ROLE_IMPORT, "lecture")
# scrypt cost: about 50 ms per check on these machines, slow enough to blunt guessing.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
SALT_BYTES = 16
MIN_PASSWORD_LENGTH = 12
FAILED_LOGIN_DELAY_S = 0.5
_LOGIN = re.compile(r"^[a-z0-9._-]{2,40}$")


@dataclass(frozen=True)
class User:
    login: str
    nom: str
    roles: frozenset[str]

    def can(self, role: str) -> bool:
        return role in self.roles


def accounts_path() -> Path:
    return Path(os.environ.get(ACCOUNTS_ENV) or DEFAULT_ACCOUNTS)


def hash_password(password: str, salt: bytes | None = None) -> str:
    salt = salt or secrets.token_bytes(SALT_BYTES)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=32)
    return (
        f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${base64.b64encode(salt).decode()}${base64.b64encode(digest).decode()}"
    )


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest)
        actual = hashlib.scrypt(
            password.encode("utf-8"), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p), dklen=len(expected)
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)


def load_accounts(path: Path | None = None) -> dict[str, dict]:
    path = path or accounts_path()
    if not path.is_file():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise SusError(f"Le fichier des comptes {path.name} est illisible : {exc}.") from exc
    return dict(data.get("comptes", {}))


def _toml_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def save_accounts(accounts: dict[str, dict], path: Path | None = None) -> None:
    path = path or accounts_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = ["# Comptes locaux du tableau de bord (géré par : python -m sus_data compte …).", ""]
    for login in sorted(accounts):
        account = accounts[login]
        roles = ", ".join(_toml_string(r) for r in account.get("roles", []))
        lines += [
            f"[comptes.{_toml_string(login)}]",
            f"nom = {_toml_string(account.get('nom', login))}",
            f"roles = [{roles}]",
            f"hachage = {_toml_string(account['hachage'])}",
            "",
        ]
    tmp = path.with_suffix(".tmp")
    tmp.write_text("\n".join(lines), encoding="utf-8")
    os.chmod(tmp, 0o600)
    tmp.replace(path)


def add_account(login: str, nom: str, password: str, roles: list[str], path: Path | None = None) -> None:
    if not _LOGIN.match(login):
        raise SusError("L'identifiant doit faire 2 à 40 caractères parmi a-z, 0-9, point, tiret et tiret bas.")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise SusError(f"Le mot de passe doit compter au moins {MIN_PASSWORD_LENGTH} caractères.")
    unknown = [r for r in roles if r not in ROLES]
    if unknown:
        raise SusError(f"Rôle inconnu : {', '.join(unknown)} (rôles possibles : {', '.join(ROLES)}).")
    accounts = load_accounts(path)
    accounts[login] = {"nom": nom or login, "roles": sorted(set(roles)), "hachage": hash_password(password)}
    save_accounts(accounts, path)


def remove_account(login: str, path: Path | None = None) -> bool:
    accounts = load_accounts(path)
    if login not in accounts:
        return False
    del accounts[login]
    save_accounts(accounts, path)
    return True


def authenticate(login: str, password: str, path: Path | None = None) -> User | None:
    """The user if the password matches, else None (after a short delay, against guessing)."""
    account = load_accounts(path).get(login.strip().lower())
    if account is None or not verify_password(password, account.get("hachage", "")):
        time.sleep(FAILED_LOGIN_DELAY_S)
        return None
    return User(login.strip().lower(), account.get("nom", login), frozenset(account.get("roles", [])))


def require(user: User | None, role: str) -> User:
    """The user, if they hold the role; otherwise AccessDenied with a French message."""
    if user is None:
        raise AccessDenied("Connectez-vous avec un compte autorisé pour effectuer cette action.")
    if not user.can(role):
        raise AccessDenied(f"Votre compte ({user.login}) n'a pas le rôle « {role} » nécessaire pour cette action.")
    return user
