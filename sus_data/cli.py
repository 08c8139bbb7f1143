"""Command line of the observatory: `python -m sus_data COMMAND …` (see README).

Exit codes: 0 success, 1 a file rejected or an action refused (the reason goes to stderr, nothing is
written), 2 a usage error.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path

from . import catalogue, exports, queries
from .config import get_config
from .errors import ImportRejected, SusError
from .store import Store

EXIT_OK = 0
EXIT_REJECTED = 1
EXIT_USAGE = 2


class FrenchParser(argparse.ArgumentParser):
    def error(self, message: str):  # argparse speaks English; usage errors must not
        self.print_usage(sys.stderr)
        translated = (
            message.replace("the following arguments are required", "arguments obligatoires manquants")
            .replace("unrecognized arguments", "arguments non reconnus")
            .replace("invalid choice", "choix invalide")
            .replace("argument", "argument")
            .replace("expected one argument", "une valeur est attendue")
            .replace("invalid int value", "nombre entier attendu, reçu")
        )
        self.exit(EXIT_USAGE, f"Erreur d'utilisation : {translated}\n")


def _db_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", metavar="CHEMIN", help="base DuckDB (défaut : $SUS_DB ou celle de la configuration)")


def build_parser() -> argparse.ArgumentParser:
    parser = FrenchParser(
        prog="python -m sus_data",
        description="Tableau de bord du schéma des solidarités : commandes de l'observatoire.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMANDE", parser_class=FrenchParser)

    p = sub.add_parser("init", help="créer ou mettre à jour la base : référentiel, chiffres réels, démonstration")
    _db_argument(p)
    p.add_argument("--no-demo", action="store_true", help="ne pas charger les données fictives de démonstration")

    p = sub.add_parser("import", help="importer un ou plusieurs fichiers (tout ou rien)")
    p.add_argument("files", nargs="+", metavar="FICHIER")
    _db_argument(p)
    p.add_argument("--dry-run", action="store_true", help="valider sans rien écrire")
    p.add_argument("--user", metavar="NOM", help="auteur de l'import (défaut : utilisateur du système)")

    p = sub.add_parser("export", help="exporter les valeurs courantes (ou tout l'historique)")
    p.add_argument("--out", required=True, metavar="FICHIER.csv|FICHIER.xlsx")
    _db_argument(p)
    p.add_argument("--history", action="store_true", help="toutes les valeurs jamais importées, avec leur import")

    p = sub.add_parser("referentiel", help="exporter le référentiel des indicateurs")
    p.add_argument("--out", required=True, metavar="FICHIER.csv")
    _db_argument(p)

    p = sub.add_parser("imports", help="lister les imports")
    _db_argument(p)

    p = sub.add_parser("rollback", help="annuler un import")
    p.add_argument("import_id", type=int, metavar="IMPORT_ID")
    _db_argument(p)
    p.add_argument("--user", metavar="NOM")

    p = sub.add_parser("backup", help="sauvegarder la base dans un dossier (export DuckDB en Parquet, avec manifeste)")
    p.add_argument("--out", required=True, metavar="DOSSIER", help="dossier à créer (ne doit pas exister ou être vide)")
    _db_argument(p)

    p = sub.add_parser("restore", help="reconstruire la base depuis un dossier de sauvegarde")
    p.add_argument("folder", metavar="DOSSIER")
    _db_argument(p)
    p.add_argument(
        "--force", action="store_true", help="remplacer la base existante (elle est conservée à côté, renommée)"
    )

    p = sub.add_parser("check", help="vérifier l'intégrité et la cohérence de la base")
    _db_argument(p)
    add_account_commands(sub)
    p = sub.add_parser("modele", help="écrire le classeur de saisie d'une période (le même que la page Import)")
    p.add_argument("--annee", type=int, required=True, metavar="AAAA")
    p.add_argument("--trimestre", type=int, choices=[0, 1, 2, 3, 4], default=0, help="1 à 4 ; 0 pour l'année")
    p.add_argument("--territoire", metavar="CODE", help="un seul territoire (son code, comme dans le référentiel)")
    p.add_argument("--out", required=True, metavar="FICHIER.xlsx")
    _db_argument(p)
    p = sub.add_parser("rapport", help="écrire le rapport annuel d'un territoire (le même que la page Suivi)")
    p.add_argument("--annee", type=int, required=True, metavar="AAAA")
    p.add_argument("--territoire", metavar="CODE", help="son code, comme dans le référentiel ; le département sinon")
    p.add_argument("--out", required=True, metavar="FICHIER.xlsx")
    _db_argument(p)
    return parser


def add_account_commands(sub) -> None:
    p = sub.add_parser("compte", help="gérer les comptes locaux (import des données)")
    actions = p.add_subparsers(dest="action", metavar="ACTION", parser_class=FrenchParser, required=True)
    q = actions.add_parser("ajouter", help="créer un compte ou changer son mot de passe et ses rôles")
    q.add_argument("login", metavar="IDENTIFIANT")
    q.add_argument("--nom", default="", help="nom affiché")
    q.add_argument("--role", action="append", default=[], help="rôle accordé (import, lecture) ; répétable")
    q.add_argument("--mot-de-passe-stdin", action="store_true", help="lire le mot de passe sur l'entrée standard")
    q = actions.add_parser("supprimer", help="supprimer un compte")
    q.add_argument("login", metavar="IDENTIFIANT")
    actions.add_parser("lister", help="lister les comptes (sans les mots de passe)")


def _store(args) -> Store:
    config = get_config()
    return Store(Path(args.db) if args.db else config.db_path)


def _user(args) -> str:
    if getattr(args, "user", None):
        return args.user
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return os.environ.get("USER", "inconnu")


def cmd_init(args) -> int:
    from .database import init_database

    store = _store(args)
    result = init_database(store, get_config(), demo=not args.no_demo)
    print(f"Base prête : {store.path}")
    print(result.summary())
    return EXIT_OK


def cmd_import(args) -> int:
    from .ingest import Upload, import_files

    store = _store(args)
    uploads = []
    for name in args.files:
        path = Path(name)
        if not path.is_file():
            print(f"Erreur d'utilisation : fichier introuvable : {name}", file=sys.stderr)
            return EXIT_USAGE
        uploads.append(Upload(path))
    try:
        results = import_files(store, get_config(), uploads, _user(args), dry_run=args.dry_run)
    except ImportRejected as exc:
        print(exc.message, file=sys.stderr)
        print(exc.report.to_text(), file=sys.stderr)
        return EXIT_REJECTED
    for result in results:
        if result.report.n_warnings:
            print(result.report.to_text(), file=sys.stderr)
        prefix = "[essai, rien n'est écrit] " if args.dry_run else ""
        print(prefix + result.summary())
    return EXIT_OK


def cmd_export(args) -> int:
    out = Path(args.out)
    if out.suffix.lower() not in {".csv", ".xlsx"}:
        print("Erreur d'utilisation : --out doit finir par .csv ou .xlsx", file=sys.stderr)
        return EXIT_USAGE
    with _store(args).read() as con:
        frame = catalogue.value_history(con) if args.history else catalogue.current_values(con)
    exports.write_file(frame, out)
    print(f"{len(frame)} ligne(s) écrites dans {out}")
    return EXIT_OK


def cmd_referentiel(args) -> int:
    out = Path(args.out)
    if out.suffix.lower() not in {".csv", ".xlsx"}:
        print("Erreur d'utilisation : --out doit finir par .csv ou .xlsx", file=sys.stderr)
        return EXIT_USAGE
    config = get_config()
    with _store(args).read() as con:
        frame = catalogue.indicator_catalogue(con, config)
        counts = catalogue.node_counts(con)
    exports.write_file(frame, out)
    programme = int((~frame["code_indicateur"].str.startswith("CTX-")).sum())
    parts = [f"{n} {pluriel.lower()}" for _cle, pluriel, n in counts]
    print(
        ", ".join(parts) + f", {programme} indicateurs de programme, {len(frame) - programme} indicateurs de contexte"
    )
    print(f"{len(frame)} indicateur(s) écrits dans {out}")
    return EXIT_OK


def cmd_imports(args) -> int:
    from . import formatting

    with _store(args).read() as con:
        frame = catalogue.operations(con)
    if frame.empty:
        print("Aucun import.")
        return EXIT_OK
    for row in frame.rename(columns={"import": "numero"}).itertuples(index=False):
        state = ""
        if not _isna(row.annule_par):
            state = f" — annulé par l'opération n°{row.annule_par}"
        if not _isna(row.annule_import):
            state = f" — annulation de l'import n°{row.annule_import}"
        print(
            f"n°{row.numero} {formatting.date_heure(row.horodatage)} {row.nature} « {row.fichier} » par {row.utilisateur} : "
            f"{row.nb_nouvelles} nouvelle(s), {row.nb_modifiees} modifiée(s), {row.nb_inchangees} inchangée(s){state}"
        )
    return EXIT_OK


def _isna(value) -> bool:
    import pandas as pd

    return value is None or bool(pd.isna(value))


def cmd_rollback(args) -> int:
    from .ingest import rollback

    result = rollback(_store(args), args.import_id, _user(args))
    print(result.summary())
    return EXIT_OK


def cmd_backup(args) -> int:
    from .backup import backup

    print(backup(_store(args), Path(args.out)).summary())
    return EXIT_OK


def cmd_restore(args) -> int:
    from .backup import restore

    print(restore(_store(args), Path(args.folder), force=args.force).summary())
    return EXIT_OK


def cmd_check(args) -> int:
    from .check import check_database

    result = check_database(_store(args))
    if result.ok:
        print(result.summary())
        return EXIT_OK
    print(result.summary(), file=sys.stderr)
    return EXIT_REJECTED


def cmd_compte(args) -> int:
    from . import accounts

    if args.action == "lister":
        found = accounts.load_accounts()
        if not found:
            print(f"Aucun compte dans {accounts.accounts_path()}.")
        for login, account in sorted(found.items()):
            print(f"{login} — {account.get('nom', login)} — rôles : {', '.join(account.get('roles', [])) or 'aucun'}")
        return EXIT_OK
    if args.action == "supprimer":
        if not accounts.remove_account(args.login):
            print(f"Le compte « {args.login} » n'existe pas.", file=sys.stderr)
            return EXIT_REJECTED
        print(f"Compte « {args.login} » supprimé.")
        return EXIT_OK
    if args.mot_de_passe_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass("Mot de passe : ")
        if getpass.getpass("Confirmez le mot de passe : ") != password:
            print("Les deux mots de passe diffèrent.", file=sys.stderr)
            return EXIT_REJECTED
    accounts.add_account(args.login, args.nom, password, args.role)
    print(
        f"Compte « {args.login} » enregistré dans {accounts.accounts_path()} (rôles : {', '.join(args.role) or 'aucun'})."
    )
    return EXIT_OK


def cmd_modele(args) -> int:
    from .templates import entry_workbook

    config = get_config()
    codes = {t.code for t in config.territories}
    if args.territoire and args.territoire not in codes:
        print(
            f"Erreur d'utilisation : territoire inconnu « {args.territoire} » ({', '.join(sorted(codes))}).",
            file=sys.stderr,
        )
        return EXIT_USAGE
    with _store(args).read() as con:
        content = entry_workbook(con, config, args.annee, args.trimestre, args.territoire)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(content)
    print(f"Modèle écrit dans {out}")
    return EXIT_OK


def cmd_rapport(args) -> int:
    from .annual_report import build

    config = get_config()
    with _store(args).read() as con:
        context = queries.territoires_context(con)
        territoire = args.territoire or context.departement
        allowed = [context.departement, *context.tas]
        if territoire not in allowed:
            known = ", ".join(allowed)
            print(
                f"Erreur d'utilisation : territoire inconnu « {territoire} » (le département ou un {config.sigle_territoires} : "
                f"{known}).",
                file=sys.stderr,
            )
            return EXIT_USAGE
        content = build(con, config, args.annee, territoire)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(content)
    libelle = context.table.set_index("code").loc[territoire, "libelle"]
    print(f"Rapport annuel {args.annee} ({libelle}) écrit dans {out}")
    return EXIT_OK


COMMANDS = {
    "rapport": cmd_rapport,
    "modele": cmd_modele,
    "compte": cmd_compte,
    "init": cmd_init,
    "import": cmd_import,
    "export": cmd_export,
    "referentiel": cmd_referentiel,
    "imports": cmd_imports,
    "rollback": cmd_rollback,
    "backup": cmd_backup,
    "restore": cmd_restore,
    "check": cmd_check,
}


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        return COMMANDS[args.command](args)
    except SusError as exc:
        print(exc.message, file=sys.stderr)
        return EXIT_REJECTED
