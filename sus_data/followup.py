"""Follow-up of the programme's actions: statuses per year and territory, counts, perimeters, milestones.

Rules, in the words of the Suivi page:
- the actions followed are the action-level nodes of the programmes in progress;
- an action's status in a year is the latest one recorded up to that year (a status « réalisée » in
  2024 still holds in 2025 unless a new one is recorded), with the year it was recorded;
- a TAS (or a sector) with no status of its own takes the status recorded for the level above it,
  up to the département: an action followed as a whole is followed everywhere;
- an action applies where its perimeter says; without a perimeter (the source lost its checkmarks), it
  applies to the whole département, hence to every TAS;
- an action with no status yet is « sans statut ».
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from . import formatting, queries
from .config import get_config
from .schema_upgrade import has_table
from .vocabulary import (
    ACTION_STATUSES,
    NATURE_MILESTONE,
    STATUT_ABANDONNEE,
    STATUT_EN_COURS,
    STATUT_NON_DEMARREE,
    STATUT_REALISEE,
    STATUT_REPORTEE,
    UNIT_YESNO,
)

NO_STATUS = "sans statut"
ICONS = {
    STATUT_NON_DEMARREE: "○",
    STATUT_EN_COURS: "◐",
    STATUT_REALISEE: "✔",
    STATUT_ABANDONNEE: "✖",
    STATUT_REPORTEE: "↷",
    NO_STATUS: "?",
}
STATUS_ORDER = (*ACTION_STATUSES, NO_STATUS)
DEPARTEMENT_WIDE = "Département (par défaut)"


def status_label(statut: str) -> str:
    """« ✔ réalisée »: the icon and the word, never a colour alone."""
    return f"{ICONS.get(statut, '')} {statut}".strip()


def programme_actions(con, niveau_action: str | None = None, programme: str | None = None) -> pd.DataFrame:
    """The actions of the programmes in progress (or of one programme, archived or not: its nodes of the
    deepest level, e.g. the fiches of a PDI), with their ambition and their node at the second level (the
    orientation for Saône-et-Loire), in the schéma's order."""
    if programme is not None:
        deepest = con.execute(
            """SELECT n.niveau FROM noeud_programme np JOIN noeud n ON n.code = np.noeud
               WHERE np.programme = ? ORDER BY n.rang DESC LIMIT 1""",
            [programme],
        ).fetchone()
        niveau_action = deepest[0] if deepest else niveau_action
    if niveau_action is None:
        from .config import get_config

        niveau_action = get_config().niveau_action
    frame = con.execute(
        """
        WITH suivis AS (
            SELECT DISTINCT np.noeud FROM noeud_programme np JOIN programme p ON p.code = np.programme
            WHERE CASE WHEN $programme IS NULL THEN coalesce(p.statut, 'en cours') <> 'archivé'
                       ELSE p.code = $programme END
        )
        SELECT n.code, n.numero, n.libelle, n.ambition, n.chemin, n.ordre,
               a.numero AS ambition_numero, coalesce(a.libelle_court, a.libelle) AS ambition_libelle
        FROM noeud n JOIN suivis e ON e.noeud = n.code JOIN noeud a ON a.code = n.ambition
        WHERE n.niveau = $niveau
        ORDER BY n.ordre
        """,
        {"niveau": niveau_action, "programme": programme},
    ).df()
    second = [chain.strip("/").split("/")[1] if chain.count("/") > 2 else None for chain in frame["chemin"]]
    frame["orientation"] = second
    codes = sorted({code for code in second if code})
    labels = {
        code: f"{numero}. {libelle}" if numero else libelle
        for code, numero, libelle in con.execute(
            "SELECT code, numero, libelle FROM noeud WHERE list_contains(?, code)", [codes]
        ).fetchall()
    }
    frame["orientation_libelle"] = frame["orientation"].map(labels)
    return frame.drop(columns=["chemin"])


def perimeters(con) -> dict[str, list[str]]:
    """Each action's declared territories (an action absent applies to the whole département)."""
    if not has_table(con, "perimetre_action"):
        return {}
    out: dict[str, list[str]] = {}
    for action, territoire in con.execute(
        """SELECT p.action, p.territoire FROM perimetre_action p JOIN territoire t ON t.code = p.territoire
           ORDER BY p.action, t.ordre"""
    ).fetchall():
        out.setdefault(action, []).append(territoire)
    return out


def covers(perimeter: list[str] | None, territoire: str, departement: str, parents: dict[str, str | None]) -> bool:
    """Does an action with this perimeter apply to the territory? (see the module's rules)"""
    if not perimeter or departement in perimeter or territoire == departement:
        return True
    children = {code for code, up in parents.items() if up == territoire}
    return territoire in perimeter or parents.get(territoire) in perimeter or bool(children & set(perimeter))


def _latest_statuses(con, annee: int) -> dict[tuple[str, str], dict]:
    """(action, territory) → the latest status recorded up to `annee`."""
    if not has_table(con, "suivi_action"):
        return {}
    rows = con.execute(
        """SELECT action, territoire, CAST(annee AS INTEGER), statut, date_statut, commentaire
           FROM suivi_action WHERE annee <= ?
           QUALIFY row_number() OVER (PARTITION BY action, territoire ORDER BY annee DESC) = 1""",
        [annee],
    ).fetchall()
    return {(a, t): {"annee": y, "statut": s, "date": d, "commentaire": c} for a, t, y, s, d, c in rows}


def _ancestors(territoire: str, parents: dict[str, str | None]) -> list[str]:
    chain, node = [territoire], parents.get(territoire)
    while node is not None and node not in chain:
        chain.append(node)
        node = parents.get(node)
    return chain


@dataclass(frozen=True)
class Inputs:
    """What every table of a year reads: read once, shared by the tables of one page."""

    actions: pd.DataFrame
    context: queries.Territoires
    parents: dict[str, str | None]
    declared: dict[str, list[str]]
    latest: dict[tuple[str, str], dict]


def read_inputs(con, annee: int, niveau_action: str | None = None, programme: str | None = None) -> Inputs:
    context = queries.territoires_context(con)
    parents = {
        k: (None if pd.isna(v) else v) for k, v in zip(context.table["code"], context.table["parent"], strict=True)
    }
    return Inputs(
        programme_actions(con, niveau_action, programme),
        context,
        parents,
        perimeters(con),
        _latest_statuses(con, annee),
    )


def status_table(
    con, annee: int, territoire: str, niveau_action: str | None = None, inputs: Inputs | None = None
) -> pd.DataFrame:
    """One row per action that applies to the territory, with its status in `annee`.

    Columns: code, numero, libelle, ambition, ambition_numero, ambition_libelle, orientation,
    orientation_libelle, statut, annee_statut, date_statut, commentaire, herite_de, perimetre, statuts_tas.
    """
    inputs = inputs or read_inputs(con, annee, niveau_action)
    actions, context, parents, declared, latest = (
        inputs.actions, inputs.context, inputs.parents, inputs.declared, inputs.latest,
    )  # fmt: skip
    rows = []
    for action in actions.to_dict("records"):
        perimeter = declared.get(action["code"])
        if not covers(perimeter, territoire, context.departement, parents):
            continue
        found, source = None, None
        for level in _ancestors(territoire, parents):
            if (action["code"], level) in latest:
                found, source = latest[(action["code"], level)], level
                break
        tas_statuses = [
            f"{context.libelles[t]} : {latest[(action['code'], t)]['statut']}"
            for t in context.tas
            if (action["code"], t) in latest
        ]
        rows.append(
            {
                **action,
                "statut": found["statut"] if found else NO_STATUS,
                "annee_statut": found["annee"] if found else None,
                "date_statut": found["date"] if found else None,
                "commentaire": found["commentaire"] if found else None,
                "herite_de": source if source not in (None, territoire) else None,
                "perimetre": ", ".join(context.libelles.get(t, t) for t in perimeter)
                if perimeter
                else DEPARTEMENT_WIDE,
                "statuts_tas": " ; ".join(tas_statuses),
            }
        )
    frame = pd.DataFrame(rows)
    if frame.empty:
        return pd.DataFrame(columns=[*actions.columns, "statut", "annee_statut", "date_statut", "commentaire",
                                     "herite_de", "perimetre", "statuts_tas"])  # fmt: skip
    frame["annee_statut"] = frame["annee_statut"].astype("Int64")
    return frame


def counts(table: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """How many actions are in each status (columns « ✔ réalisée »…, then Total), per group of `by`."""
    columns = [status_label(s) for s in STATUS_ORDER]
    if table.empty:
        return pd.DataFrame(columns=[*by, *columns, "Total"])
    out = (
        table.assign(label=table["statut"].map(status_label))
        .groupby(by, sort=False, dropna=False)["label"]
        .value_counts()
        .unstack(fill_value=0)
        .reindex(columns=columns, fill_value=0)
        .reset_index()
    )
    out.columns.name = None
    out[columns] = out[columns].astype(int)
    out["Total"] = out[columns].sum(axis=1)
    return out


def ambition_counts(table: pd.DataFrame) -> pd.DataFrame:
    """Per ambition, then per orientation under it: the counts of statuses (column « Niveau » says which)."""
    if table.empty:
        return counts(table, ["Ambition"]).assign(Niveau=[])
    table = table.assign(
        Ambition=[
            f"{n}. {label}" for n, label in zip(table["ambition_numero"], table["ambition_libelle"], strict=True)
        ],
        Orientation=table["orientation_libelle"].fillna(""),
    )
    parts = []
    for ambition, own in table.groupby("Ambition", sort=False):
        head = counts(own, ["Ambition"]).assign(Orientation="", Niveau="ambition")
        below = counts(own, ["Orientation"]).assign(Ambition=ambition, Niveau="orientation")
        parts += [head, below]
    out = pd.concat(parts, ignore_index=True)
    return out[["Niveau", "Ambition", "Orientation", *[status_label(s) for s in STATUS_ORDER], "Total"]]


def tas_counts(con, annee: int, niveau_action: str | None = None, inputs: Inputs | None = None) -> pd.DataFrame:
    """Per TAS (and the département), the counts of statuses of the actions that apply to it."""
    inputs = inputs or read_inputs(con, annee, niveau_action)
    context = inputs.context
    parts = []
    for code in [context.departement, *context.tas]:
        table = status_table(con, annee, code, niveau_action, inputs)
        own = counts(table.assign(Territoire=context.libelles[code]), ["Territoire"]) if len(table) else None
        if own is not None:
            parts.append(own)
    columns = ["Territoire", *[status_label(s) for s in STATUS_ORDER], "Total"]
    return pd.concat(parts, ignore_index=True)[columns] if parts else pd.DataFrame(columns=columns)


def actions_tables(table: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(display, data) of the status table: the status as an icon and a word, its year and date."""

    def status_text(row) -> str:
        text = status_label(row["statut"])
        if row["annee_statut"] is not pd.NA and pd.notna(row["annee_statut"]):
            text += f" ({int(row['annee_statut'])})"
        return text

    dates = [formatting.date_jour(d) if d is not None and not pd.isna(d) else "" for d in table["date_statut"]]
    display = pd.DataFrame(
        {
            "Action": table["code"],
            "Libellé": table["libelle"],
            "Statut": [status_text(r) for r in table.to_dict("records")],
            "Date": dates,
            "Commentaire": table["commentaire"].fillna(""),
            f"Statuts des {get_config().sigle_territoires}": table["statuts_tas"],
            "Périmètre": table["perimetre"],
        }
    )
    data = pd.DataFrame(
        {
            "Code action": table["code"],
            "Action": table["libelle"],
            "Ambition": table["ambition"],
            "Orientation": table["orientation"],
            "Statut": table["statut"],
            "Année du statut": table["annee_statut"],
            "Date": pd.to_datetime(table["date_statut"]).dt.date,
            "Commentaire": table["commentaire"],
            "Statut hérité de": table["herite_de"],
            f"Statuts des {get_config().sigle_territoires}": table["statuts_tas"],
            "Périmètre": table["perimetre"],
        }
    )
    return display, data


def milestones(
    con, annee: int, territoire: str, niveau_action: str | None = None, table: pd.DataFrame | None = None
) -> pd.DataFrame:
    """The milestone indicators (oui/non, nature jalon) of the actions followed: the latest value up to
    `annee` for the territory (or the département), with the date from the action's status when it is
    « réalisée », else the value's comment. `table`: the territory's status table, when already read."""
    actions = status_table(con, annee, territoire, niveau_action) if table is None else table
    if actions.empty:
        return pd.DataFrame(columns=["Action", "Jalon", "Code", "Réalisé", "Période", "Date ou commentaire"])
    context = queries.territoires_context(con)
    rows = con.execute(
        """
        SELECT i.code, i.libelle, i.noeud, v.valeur, CAST(v.annee AS INTEGER), CAST(v.trimestre AS INTEGER),
               v.commentaire, v.territoire
        FROM indicateur i
        LEFT JOIN (
            SELECT * FROM valeur WHERE mesure = 'valeur' AND annee <= ? AND list_contains(?, territoire)
            QUALIFY row_number() OVER (PARTITION BY indicateur ORDER BY (territoire = ?) DESC,
                                       annee DESC, trimestre DESC) = 1
        ) v ON v.indicateur = i.code
        WHERE i.unite = ? AND i.nature = ? AND list_contains(?, i.noeud)
        ORDER BY i.ordre
        """,
        [annee, list(dict.fromkeys([territoire, context.departement])), territoire, UNIT_YESNO, NATURE_MILESTONE,
         list(actions["code"])],
    ).fetchall()  # fmt: skip
    by_action = actions.set_index("code")
    out = []
    for code, libelle, noeud, valeur, year, quarter, comment, where in rows:
        action = by_action.loc[noeud]
        date = ""
        if (
            valeur is not None
            and valeur >= 1
            and action["statut"] == STATUT_REALISEE
            and pd.notna(action["date_statut"])
        ):
            date = formatting.date_jour(action["date_statut"])
        out.append(
            {
                "Action": f"{noeud} — {action['libelle']}",
                "Jalon": libelle,
                "Code": code,
                "Réalisé": formatting.valeur(valeur, UNIT_YESNO) if valeur is not None else "pas encore renseigné",
                "Période": formatting.periode(year, quarter)
                + ("" if where == territoire else f" ({context.libelles[where]})")
                if valeur is not None
                else "",
                "Date ou commentaire": date or (comment or ""),
            }
        )
    return pd.DataFrame(out, columns=["Action", "Jalon", "Code", "Réalisé", "Période", "Date ou commentaire"])


def perimeter_table(con, niveau_action: str | None = None, inputs: Inputs | None = None) -> pd.DataFrame:
    """Every action followed with the territories where it applies."""
    if inputs is None:
        actions, context, declared = (
            programme_actions(con, niveau_action),
            queries.territoires_context(con),
            perimeters(con),
        )
    else:
        actions, context, declared = inputs.actions, inputs.context, inputs.declared
    return pd.DataFrame(
        {
            "Action": actions["code"],
            "Libellé": actions["libelle"],
            "Périmètre": [
                ", ".join(context.libelles.get(t, t) for t in declared[c]) if c in declared else DEPARTEMENT_WIDE
                for c in actions["code"]
            ],
        }
    )


def actions_view(con, annee: int, territoire: str, programme: str | None = None) -> dict:
    """What the Suivi page shows of the actions (of the programmes in progress, or of `programme`):
    counts per ambition and orientation, per TAS, the table of actions, their perimeters and the milestones."""
    inputs = read_inputs(con, annee, programme=programme)
    table = status_table(con, annee, territoire, inputs=inputs)
    display, data = actions_tables(table) if len(table) else (pd.DataFrame(), pd.DataFrame())
    perimeter = perimeter_table(con, inputs=inputs)
    return {
        "annee": annee,
        "territoire": territoire,
        "table": table,
        "display": display,
        "data": data,
        "ambitions": ambition_counts(table),
        "tas": tas_counts(con, annee, inputs=inputs),
        "perimetres": perimeter,
        "nb_perimetres_declares": int((perimeter["Périmètre"] != DEPARTEMENT_WIDE).sum()),
        "jalons": milestones(con, annee, territoire, table=table),
        "nb_statuts": int((table["statut"] != NO_STATUS).sum()) if len(table) else 0,
    }
