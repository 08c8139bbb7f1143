"""Attack: hostile text in the data, SQL where values go, formulas in exports, writes without the role,
secrets in logs or pages.

- Labels of the referential, context indicators declared by an import, comments, sources and file names
  that carry HTML, Markdown and script are shown as text on every page (AppTest: no Markdown-rendered
  field holds them unescaped; in Chromium, `-m e2e`: no alert fires, no script, image or javascript link
  from the data reaches the DOM, and the text is there, readable).
- SQL in URL parameters, in the search box and in uploaded cells changes nothing (the database file and
  the app's in-memory copy keep their counts; a comment is stored verbatim).
- Exported CSV and xlsx cells that would start a formula (`=`, `+`, `-`, `@`, tab, CR) are neutralised,
  in every export function and in the command line's export.
- Import and rollback are refused without the `import` role: through the page (AppTest), through
  `sus_data.actions` (AccessDenied), and the Import page is not even in a reader's menu (websocket client
  of a real server); no page or UI module reaches the write path any other way.
- Secrets (`.streamlit/secrets.toml`) and password hashes appear neither in the app's pages nor in its
  logs (a real server, signed into with a local account, logs captured).
"""

from __future__ import annotations

import asyncio
import csv
import hashlib
import io
import re
import sys
import urllib.request
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from conftest import COUNT, ROOT, workbook_bytes

from sus_data import exports, formatting
from sus_data.accounts import User
from sus_data.errors import AccessDenied, ImportRejected
from sus_data.ingest import Upload, import_files, validate_upload
from sus_data.store import Store

sys.path.insert(0, str(ROOT / "bench"))
from load_test import app_server
from ws_client import StreamlitSession

HOSTILE = "<script>alert(1)</script> <img src=x onerror=alert(1)> **gras** [lien](javascript:alert(1))"
HOSTILE_FILE = "<img src=x onerror=alert(1)> **gras**.xlsx"
CONTEXT = "CTX-ATTAQUE"
USER = "agent.attaque"
PAGE_FILES = {p.stem: p for p in ROOT.glob("*/*.py") if p.parent.name in ("pages", "app_pages")}
# Element types whose text Streamlit shows as plain text (never Markdown), where raw data is harmless.
PLAIN_TEXT = {
    "selectbox",
    "multiselect",
    "arrow_data_frame",
    "dataframe",
    "plotly_chart",
    "text",
    "code",
    "json",
    "exception",
}


# --------------------------------------------------------------------------------------- the hostile data
def make_hostile(store, config) -> None:
    """Hostile text everywhere the data reaches a page: referential labels, a context indicator declared by
    an import, its values' comments and sources, the imported file's name, an acronym's definition."""
    data = workbook_bytes(
        [[CONTEXT, "71", 2025, q, 10 * q, HOSTILE, HOSTILE] for q in (1, 2, 3, 4)]
        + [[COUNT, "TAS MP", 2025, 1, 7, HOSTILE, HOSTILE]],
        header=["code_indicateur", "territoire", "annee", "trimestre", "valeur", "commentaire", "source"],
        other_sheets={
            "indicateurs": [
                [
                    "code_indicateur",
                    "libelle",
                    "ambition",
                    "unite",
                    "nature",
                    "agregation",
                    "sens",
                    "source",
                    "definition",
                ],
                [CONTEXT, HOSTILE, "1", "nombre", "contexte", "somme", "hausse", HOSTILE, HOSTILE],
            ]
        },
    )
    import_files(store, config, [Upload(data, HOSTILE_FILE)], USER)
    with store.write() as con:
        con.execute("UPDATE noeud SET libelle = ?, libelle_court = ? WHERE code = 'A1'", [HOSTILE, HOSTILE])
        con.execute(
            "UPDATE noeud SET libelle = ?, role = ?, partenaires = ? WHERE code = 'A1-O1'", [HOSTILE, HOSTILE, HOSTILE]
        )
        con.execute("UPDATE indicateur SET libelle = ?, definition = ? WHERE code = ?", [HOSTILE, HOSTILE, COUNT])
        con.execute("UPDATE sigle SET definition = ? WHERE sigle = (SELECT min(sigle) FROM sigle)", [HOSTILE])


@pytest.fixture
def hostile_env(store, config, monkeypatch):
    import streamlit as st

    make_hostile(store, config)
    st.cache_data.clear()
    st.cache_resource.clear()
    yield store
    st.cache_data.clear()
    st.cache_resource.clear()


def strings(message) -> list[str]:
    """Every string field of a protobuf message, recursively."""
    out = []
    for descriptor, value in message.ListFields():
        repeated = (
            not isinstance(value, (str, bytes)) and not hasattr(value, "ListFields") and hasattr(value, "__len__")
        )
        values = value if repeated else [value]
        for item in values:
            if isinstance(item, str):
                out.append(item)
            elif hasattr(item, "ListFields"):
                out.extend(strings(item))
    return out


def unescaped(text: str) -> list[str]:
    """The hostile fragments that `text` holds as Markdown would read them (not preceded by a backslash)."""
    found = []
    for fragment in ("<script", "<img", "**gras**", "[lien](javascript"):
        for match in re.finditer(re.escape(fragment), text):
            if match.start() == 0 or text[match.start() - 1] != "\\":
                found.append(fragment)
                break
    return found


def markdown_violations(at) -> list[tuple[str, str]]:
    """(element type, text) of every Markdown-rendered field of the page that holds hostile data raw."""
    out = []
    for node in at._tree:
        proto = getattr(node, "proto", None)
        if proto is None or node.type in PLAIN_TEXT:
            continue
        for text in strings(proto):
            if unescaped(text):
                out.append((node.type, text[:120]))
    return out


def shown_escaped(at) -> bool:
    escaped = formatting.markdown("<script>alert(1)</script>")
    return any(
        escaped in text for node in at._tree if getattr(node, "proto", None) is not None for text in strings(node.proto)
    )


def run_page(page: str | None, user: User | None = None, **params):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    if user is not None:
        at.session_state["auth_utilisateur"] = user
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    if page:
        at.switch_page(str(PAGE_FILES[page].relative_to(ROOT)))
    at.query_params.clear()
    at.query_params.update(params)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


IMPORTER = User("mdupont", "Marie <b>Dupont</b> **gras**", frozenset({"import"}))
READER = User("lecteur", "Lecteur", frozenset({"lecture"}))
VIEWS = [
    ("vue_ensemble", {}),
    ("ambition", {}),
    ("ambition", {"ambition": "A1"}),
    ("indicateur", {"indicateur": CONTEXT}),
    ("indicateur", {"indicateur": COUNT}),
    ("territoire", {}),
    ("referentiel", {"q": "script"}),
    ("suivi", {}),
    ("qualite", {}),
]


@pytest.mark.parametrize(("page", "params"), VIEWS, ids=[f"{p} {v}" for p, v in VIEWS])
def test_hostile_data_is_shown_as_text_on_every_page(hostile_env, page, params):
    if page not in PAGE_FILES:
        pytest.skip(f"pas de page {page}")
    at = run_page(page, **params)
    assert markdown_violations(at) == []


def test_hostile_data_is_there_escaped(hostile_env):
    at = run_page("indicateur", indicateur=CONTEXT)
    assert shown_escaped(at)  # the header: the label, readable, as text
    assert markdown_violations(at) == []


def test_hostile_file_name_and_user_name_on_the_import_page(hostile_env):
    at = run_page("import_donnees", user=IMPORTER)
    assert markdown_violations(at) == []
    assert any(t.value == "Import des données" for t in at.title)


# --------------------------------------------------------------------------------------------------- SQL
SQL = "'; DROP TABLE valeur; --"


def _counts(con) -> tuple:
    return tuple(
        con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("valeur", "operation", "indicateur", "noeud")
    )


@pytest.mark.parametrize(
    "params",
    [
        {"ambition": "A1' OR 1=1--"},
        {"indicateur": "x'); DELETE FROM valeur; --"},
        {"territoires": "TAS MP' OR '1'='1"},
        {"debut": "2020; DROP TABLE valeur", "fin": "2025 OR 1=1"},
        {"q": SQL},
        {"noeud": "A1-O1' UNION SELECT * FROM operation --"},
        {"granularite": SQL, "annee": SQL, "trimestre": SQL, "territoire": SQL, "programme": SQL},
    ],
    ids=["ambition", "indicateur", "territoires", "années", "recherche", "noeud", "tout le reste"],
)
def test_sql_in_url_parameters_has_no_effect(demo_env, params):
    from ui import data

    before = hashlib.sha256(demo_env.read_bytes()).hexdigest()
    for page in ("vue_ensemble", "indicateur", "referentiel", "ambition"):
        at = run_page(page, **params)
        assert not at.error, [e.value for e in at.error]
    with data.snapshot().cursor() as con:
        after_copy = _counts(con)
    with Store(demo_env).read() as con:
        assert _counts(con) == after_copy  # the app's copy is whole
    assert hashlib.sha256(demo_env.read_bytes()).hexdigest() == before


def test_sql_in_the_search_box_has_no_effect(demo_env):
    from ui import data

    at = run_page("referentiel")
    with data.snapshot().cursor() as con:
        before = _counts(con)
    for text in (SQL, "') OR 1=1 --", "%' OR '%'='", "\\'; SELECT 1; --"):
        at.text_input(key="flt_recherche").input(text).run()
        assert not at.exception and not at.error
        assert any("Aucun résultat" in i.value for i in at.info), text
    with data.snapshot().cursor() as con:
        assert _counts(con) == before


def test_sql_in_uploaded_cells_is_refused_or_stored_verbatim(store, config, query, db_digest):
    before = db_digest()
    bad = workbook_bytes(
        [["A1'; DROP TABLE valeur;--", "TAS MP", 2025, 1, 3], [COUNT, "TAS MP' OR '1'='1", 2025, 1, 3]]
    )
    with pytest.raises(ImportRejected) as rejected:
        import_files(store, config, [Upload(bad, "injection.xlsx")], USER)
    messages = list(rejected.value.report.frame()["message"])
    assert messages == ["Ce code d'indicateur n'existe pas dans le référentiel.", "Ce territoire n'est pas reconnu."]
    assert db_digest() == before
    counts = query("SELECT count(*) FROM valeur")[0][0]
    comment = "'); DELETE FROM valeur; --"
    good = workbook_bytes(
        [[COUNT, "TAS MP", 2026, 1, 3, comment, "x' OR 1=1 --"]],
        header=["code_indicateur", "territoire", "annee", "trimestre", "valeur", "commentaire", "source"],
    )
    import_files(store, config, [Upload(good, "x'); DROP TABLE operation;--.xlsx")], "u'; DROP TABLE operation; --")
    assert query("SELECT count(*) FROM valeur")[0][0] == counts + 1
    assert query("SELECT commentaire, source FROM valeur WHERE annee = 2026") == [(comment, "x' OR 1=1 --")]
    assert query("SELECT fichier, utilisateur FROM operation WHERE id = 5") == [
        ("x'); DROP TABLE operation;--.xlsx", "u'; DROP TABLE operation; --")
    ]


# ----------------------------------------------------------------------------------------------- exports
TRIGGERS = ["=1+1", "+33 6 12", "-2+3", "@SUM(A1)", "\t=1", "\r=1", '=HYPERLINK("http://exemple.invalid";"clic")']
# What a spreadsheet then reads: a leading apostrophe, and a carriage return made a line feed (a lone CR
# would end the row in a CSV read by a spreadsheet, and start a new one with a formula).
NEUTRALISED = ["'" + t.replace("\r", "\n") for t in TRIGGERS]


def _frame() -> pd.DataFrame:
    return pd.DataFrame(
        {"texte": TRIGGERS, "nombre": [-5.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0], "=entete": ["a"] * len(TRIGGERS)}
    )


def test_csv_exports_neutralise_formula_cells():
    for raw, sep in ((exports.csv_bytes(_frame()), ","), (exports.csv_fr_bytes(_frame()), ";")):
        text = raw.decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=sep))
        assert rows[0] == ["texte", "nombre", "'=entete"]
        assert [r[0] for r in rows[1:]] == NEUTRALISED
        assert len(rows) == 1 + len(TRIGGERS)  # no cell broke its row
        assert rows[1][1] in ("-5.0", "-5,0")  # numbers stay numbers


def test_xlsx_export_neutralises_formula_cells():
    book = openpyxl.load_workbook(io.BytesIO(exports.xlsx_bytes(_frame())))
    sheet = book.active
    cells = [c for row in sheet.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    assert [sheet.cell(row=r, column=1).value for r in range(2, 2 + len(TRIGGERS))] == NEUTRALISED
    assert sheet.cell(row=1, column=3).value == "'=entete"
    assert sheet.cell(row=2, column=2).value == -5  # a number, not text


def test_the_command_line_export_neutralises_a_hyperlink_comment(store, config, run_cli, tmp_path):
    comment = '=HYPERLINK("http://exemple.invalid/?"&A1;"cliquez ici")'
    (tmp_path / "lien.csv").write_text(
        "code_indicateur;territoire;annee;trimestre;valeur;commentaire\n"
        + f'{COUNT};TAS MP;2026;1;3;"{comment.replace(chr(34), chr(34) * 2)}"\n',
        encoding="utf-8",
    )
    assert run_cli("import", tmp_path / "lien.csv", "--user", USER).returncode == 0
    assert run_cli("export", "--out", tmp_path / "export.csv").returncode == 0
    rows = [
        r for r in csv.DictReader((tmp_path / "export.csv").open(encoding="utf-8", newline="")) if r["annee"] == "2026"
    ]
    assert [r["commentaire"] for r in rows] == ["'" + comment]
    assert run_cli("export", "--out", tmp_path / "export.xlsx").returncode == 0
    sheet = openpyxl.load_workbook(tmp_path / "export.xlsx").active
    assert not [c.coordinate for row in sheet.iter_rows() for c in row if c.data_type == "f"]
    assert "'" + comment in [c.value for row in sheet.iter_rows() for c in row]
    assert run_cli("export", "--history", "--out", tmp_path / "historique.csv").returncode == 0
    with (tmp_path / "historique.csv").open(encoding="utf-8", newline="") as handle:
        assert [r["commentaire"] for r in csv.DictReader(handle) if r["annee"] == "2026"] == ["'" + comment]


# -------------------------------------------------------------------------------------------------- roles
def _validated(store, config):
    from sus_data.validate import Lookup

    with store.read() as con:
        lookup = Lookup.from_connection(con, config)
    validated = validate_upload(Upload(workbook_bytes([[COUNT, "TAS MP", 2026, 1, 40]]), "a.xlsx"), lookup)
    assert validated.ok
    return validated


@pytest.mark.parametrize(
    ("user", "message"),
    [
        (None, "Connectez-vous avec un compte autorisé pour effectuer cette action."),
        (READER, "Votre compte (lecteur) n'a pas le rôle « import » nécessaire pour cette action."),
        (
            User("sans.role", "Sans rôle", frozenset()),
            "Votre compte (sans.role) n'a pas le rôle « import » nécessaire pour cette action.",
        ),
    ],
    ids=["anonyme", "lecteur", "sans rôle"],
)
def test_import_and_rollback_are_refused_without_the_role_through_actions(store, config, db_digest, user, message):
    from sus_data import actions

    validated = _validated(store, config)
    before = db_digest()
    with pytest.raises(AccessDenied) as refused:
        actions.commit_import(user, store, config, [validated])
    assert refused.value.message == message
    with pytest.raises(AccessDenied) as refused:
        actions.rollback_import(user, store, 4)
    assert refused.value.message == message
    for name in dir(actions):  # every other writer of actions checks the role too
        function = getattr(actions, name)
        if callable(function) and getattr(function, "__module__", "") == actions.__name__ and not name.startswith("_"):
            params = list(__import__("inspect").signature(function).parameters)
            if params and params[0] == "user":
                with pytest.raises(AccessDenied):
                    function(user, *([None] * (len(params) - 1)))
    assert db_digest() == before


def test_the_import_page_refuses_whoever_lacks_the_role(demo_env):
    from streamlit.testing.v1 import AppTest

    page = PAGE_FILES["import_donnees"]
    for user, expected in (
        (
            None,
            "Cette page est réservée aux personnes autorisées à importer des données. Connectez-vous (panneau de gauche).",
        ),
        (READER, "Votre compte (lecteur) n'a pas le rôle « import » : cette page vous est refusée."),
    ):
        at = AppTest.from_file(str(page), default_timeout=60)
        if user is not None:
            at.session_state["auth_utilisateur"] = user
        # Forged state, as if an upload had been validated and confirmed: the page stops before reading it.
        at.session_state["import_validated"] = {("a.xlsx", 1, 1): "forgé"}
        at.session_state["confirm_0"] = True
        at.run()
        assert not at.exception
        assert [e.value for e in at.error] == [expected]
        assert not at.get("file_uploader") and not at.button and not at.title


def test_readers_never_reach_the_import_page_through_the_app(demo_env):
    for user in (None, READER):
        at = run_page(None, user=user)
        with pytest.raises(ValueError, match="Could not find a navigation page"):  # not even registered
            at.switch_page(str(PAGE_FILES["import_donnees"].relative_to(ROOT)))
        assert "Import des données" not in [t.value for t in at.title]
        assert not at.get("file_uploader")
    at = run_page("import_donnees", user=IMPORTER)  # the control: with the role, the page is there
    assert at.get("file_uploader")


def test_no_page_reaches_the_write_path_except_through_actions():
    forbidden = re.compile(
        r"\bimport_files\(|\bwrite_validated\(|\bingest\.rollback\(|from sus_data\.ingest import[^\n]*\brollback\b"
        r"|store\(\)\.write\(|Store\([^)]*\)\.write\(|\.write\(create"
    )
    sources = [ROOT / "app.py", *ROOT.glob("ui/*.py"), *PAGE_FILES.values()]
    offenders = [
        f"{p.relative_to(ROOT)}: {m.group(0)}"
        for p in sources
        for m in forbidden.finditer(p.read_text(encoding="utf-8"))
    ]
    assert offenders == []


@pytest.mark.slow
def test_the_import_page_is_not_in_a_readers_menu_on_a_real_server(db_path, tmp_path):
    async def scenario(url):
        async with StreamlitSession(url) as session:
            first = await session.run()
            pages = dict(session.pages)
            # Asked for by its address or by its hash, as a crafted client would: the page never runs.
            runs = [await session.run(page="import_donnees", query_string="")]
            runs.append(await session.run(page=hashlib.md5(b"import_donnees").hexdigest()))
        return first, pages, runs

    with app_server(db_path, tmp_path / "app.log") as app:
        first, pages, runs = asyncio.run(scenario(app.url))
    assert not first.exceptions
    assert "Import" not in pages and len(pages) >= 5
    for run in runs:
        assert not run.exceptions
        assert "Import des données" not in run.texts()
        assert not run.of("file_uploader")


# ------------------------------------------------------------------------------------------------ secrets
PASSWORD = "mot-de-passe-tres-secret-71"
OIDC_SECRET = "oidc-client-secret-ne-doit-jamais-sortir"
COOKIE_SECRET = "cookie-secret-ne-doit-jamais-sortir-non-plus"


def _account_file(tmp_path: Path) -> tuple[Path, list[str]]:
    from sus_data.accounts import add_account, load_accounts

    path = tmp_path / "comptes.toml"
    add_account("mdupont", "Marie Dupont", PASSWORD, ["import"], path)
    stored = load_accounts(path)["mdupont"]["hachage"]
    _scheme, _n, _r, _p, salt, digest = stored.split("$")
    return path, [PASSWORD, stored, salt, digest]


def test_no_page_shows_a_password_or_a_hash(demo_env, tmp_path, monkeypatch):
    from streamlit.testing.v1 import AppTest

    path, secrets_ = _account_file(tmp_path)
    monkeypatch.setenv("SUS_COMPTES", str(path))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.run()
    at.text_input(key="auth_login_name").input("mdupont")
    at.text_input(key="auth_password").input(PASSWORD)
    [submit] = [b for b in at.button if b.label == "Se connecter"]
    submit.click().run()
    assert not at.exception
    assert any("Marie Dupont" in c.value for c in at.caption)  # signed in
    at.switch_page(str(PAGE_FILES["import_donnees"].relative_to(ROOT)))
    at.run()
    for page in [None, *[p for p in PAGE_FILES if p != "import_donnees"]]:
        shown = [t for node in at._tree if getattr(node, "proto", None) is not None for t in strings(node.proto)]
        for secret in secrets_[1:]:  # the password is in the password widget's own state, never in a page
            assert not any(secret in t for t in shown), (page, secret)
        if page:
            at.switch_page(str(PAGE_FILES[page].relative_to(ROOT)))
            at.run()


@pytest.mark.slow
def test_secrets_and_hashes_never_reach_the_logs_or_the_pages_of_a_real_server(db_path, tmp_path):
    path, secrets_ = _account_file(tmp_path)
    secrets_ += [OIDC_SECRET, COOKIE_SECRET]

    async def sign_in_and_browse(url):
        raw = []
        async with StreamlitSession(url) as session:
            run = await session.run()
            raw += run.raw
            for password in ("mauvais-mot-de-passe-1234", PASSWORD):
                session.set_widget(run.widget("auth_login_name"), string_value="mdupont")
                session.set_widget(run.widget("auth_password"), string_value=password)
                submit = next(e for k, e in run.elements if k == "button" and e.label == "Se connecter")
                run = await session.run(triggers=[submit])
                raw += run.raw
            signed_in = "Import" in session.pages
            for page in list(session.pages):
                run = await session.run(page=page, query_string="")
                raw += run.raw
        return raw, signed_in

    with app_server(db_path, tmp_path / "comptes.log", env={"SUS_COMPTES": str(path)}) as app:
        raw, signed_in = asyncio.run(sign_in_and_browse(app.url))
        log = app.log_text()
    assert signed_in
    sent = b"".join(raw)
    # The password was typed by the client: it must not come back from the server, nor be logged.
    for secret in secrets_:
        assert secret.encode() not in sent, secret
        assert secret not in log, secret

    # Single sign-on configured by .streamlit/secrets.toml: its secrets stay on the server too.
    folder = tmp_path / "oidc"
    (folder / ".streamlit").mkdir(parents=True)
    (folder / ".streamlit" / "config.toml").write_text((ROOT / ".streamlit" / "config.toml").read_text())
    (folder / ".streamlit" / "secrets.toml").write_text(
        "[auth]\n"
        'redirect_uri = "http://127.0.0.1:1/oauth2callback"\n'
        f'cookie_secret = "{COOKIE_SECRET}"\n'
        'client_id = "tableau-de-bord"\n'
        f'client_secret = "{OIDC_SECRET}"\n'
        'server_metadata_url = "http://127.0.0.1:9/.well-known/openid-configuration"\n\n'
        '[roles]\nimport = ["marie.dupont@example.invalid"]\n'
    )

    async def browse_and_try_to_sign_in(url):
        raw = []
        async with StreamlitSession(url) as session:
            run = await session.run()
            raw += run.raw
            login = next((e for k, e in run.elements if k == "button" and e.label == "Se connecter"), None)
            if login is not None:
                run = await session.run(triggers=[login])
                raw += run.raw
            for page in list(session.pages):
                run = await session.run(page=page, query_string="")
                raw += run.raw
        return raw, login is not None

    with app_server(db_path, tmp_path / "oidc.log", cwd=folder) as app:
        raw, had_login = asyncio.run(browse_and_try_to_sign_in(app.url))
        try:  # the sign-in route itself, which reads the provider's settings
            urllib.request.urlopen(f"{app.url}/auth/login?provider=default", timeout=10).read()
        except OSError:
            pass
        log = app.log_text()
    assert had_login
    sent = b"".join(raw)
    for secret in (OIDC_SECRET, COOKIE_SECRET):
        assert secret.encode() not in sent
        assert secret not in log


# ------------------------------------------------------------------------------------------- in Chromium
CHROMIUM = Path("/usr/bin/chromium")
BROWSER_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]
HOSTILE_VIEWS = [
    "",
    "ambition",
    "ambition?ambition=A1",
    f"indicateur?indicateur={CONTEXT}",
    f"indicateur?indicateur={COUNT}",
    "referentiel?q=script",
    "territoire",
    "suivi",
    "qualite",
]
DOM_FROM_DATA = """() => ({
    scripts: [...document.scripts].filter(s => s.textContent.includes('alert(1)')).length,
    images: document.querySelectorAll('img[src="x"], img[onerror]').length,
    links: [...document.querySelectorAll('a[href]')].filter(a => a.href.trim().toLowerCase().startsWith('javascript')).length,
    handlers: [...document.querySelectorAll('*')].filter(e => [...e.attributes].some(a => a.name.startsWith('on'))).length,
})"""


def _settle(page) -> None:
    import time

    page.wait_for_selector('[data-testid="stApp"]', timeout=90_000)
    page.wait_for_selector("h1", timeout=90_000)
    quiet_since = None
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        running = page.locator('[data-testid="stStatusWidget"], [data-testid="stSkeleton"]').count() > 0
        if running:
            quiet_since = None
        elif quiet_since is None:
            quiet_since = time.monotonic()
        elif time.monotonic() - quiet_since > 1.0:
            return
        time.sleep(0.2)
    raise AssertionError("la page ne s'est pas stabilisée")


@pytest.mark.e2e
@pytest.mark.skipif(not CHROMIUM.exists(), reason="Chromium absent (/usr/bin/chromium)")
def test_in_a_real_browser_no_script_from_the_data_runs(store, config, db_path, tmp_path):
    from playwright.sync_api import sync_playwright

    make_hostile(store, config)
    alerts: list[str] = []
    seen_text = False
    with app_server(db_path, tmp_path / "app.log") as app, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=BROWSER_ARGS, headless=True)
        try:
            context = browser.new_context(viewport={"width": 1400, "height": 2400}, locale="fr-FR")
            page = context.new_page()
            page.on("dialog", lambda dialog: (alerts.append(dialog.message), dialog.dismiss()))
            for view in HOSTILE_VIEWS:
                page.goto(f"{app.url}/{view}")
                _settle(page)
                for expander in page.locator('[data-testid="stExpander"] summary').all()[:12]:
                    if expander.is_visible():  # what is folded is opened, as a reader would
                        expander.click(timeout=10_000)
                page.mouse.move(10, 10)
                page.wait_for_timeout(300)
                found = page.evaluate(DOM_FROM_DATA)
                assert found == {"scripts": 0, "images": 0, "links": 0, "handlers": 0}, (view, found)
                assert page.locator('[data-testid="stException"]').count() == 0, view
                seen_text = seen_text or "<script>alert(1)</script>" in page.locator("body").inner_text()
            context.close()
        finally:
            browser.close()
    assert alerts == []
    assert seen_text  # the hostile label is shown, as text
