"""Check the Saône-et-Loire referential CSVs against the text of the source documents.

Why this script exists: `data/71/referentiel/*.csv` were first generated from a machine extraction
(`sus71_programme_actions_2024.json`, see `tools/build_referentiel_71.py`) and are now the canonical,
hand-corrected referential. Every label in them must remain the exact wording of the source, and the tree
must have the shape of the source tables. This script re-reads the source texts *independently of the
JSON* (its own small parser of the programme's tables) and reports every difference, so that a wrong split,
a truncation, a merged row, a shifted column or a hand edit that drifted from the source is caught.

Sources (copies kept in `tests/sources/` so that CI can run without the shared folder):
- `000_e20de151751e9b8f.txt`: the schéma's synthesis (ambition titles, in its "SOMMAIRE");
- `001_e26dc32b3669d8a3.txt`: the *programme d'actions n°1* (orientations, objectives, actions,
  indicators, links, glossary).

Usage: python tools/check_referentiel_71.py [--referentiel DIR] [--sources DIR]
Exit code 0 when everything matches, 1 otherwise (each problem printed on its own line).

Only the standard library is used, so that the script runs anywhere (and can be imported by the build
script and by tests).
"""

from __future__ import annotations

import argparse
import csv
import html
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_REFERENTIEL = ROOT / "data" / "71" / "referentiel"
DEFAULT_SOURCES = ROOT / "tests" / "sources"
SEED_SYNTHESE = "000_e20de151751e9b8f.txt"
SEED_PROGRAMME = "001_e26dc32b3669d8a3.txt"

EXPECTED_COUNTS = {"ambition": 8, "orientation": 31, "objectif": 112, "action": 183}
EXPECTED_INDICATORS = 353
EXPECTED_SIGLES = 139

# Codes built from the level prefixes of config/71.toml (A, O, Obj, Ac) and the indicator prefix (I).
CODE_PATTERNS = {
    "ambition": re.compile(r"^A[1-9]\d*$"),
    "orientation": re.compile(r"^A[1-9]\d*-O[1-9]\d*$"),
    "objectif": re.compile(r"^A[1-9]\d*-O[1-9]\d*-Obj[1-9]\d*$"),
    "action": re.compile(r"^A[1-9]\d*-O[1-9]\d*-Obj[1-9]\d*-Ac[1-9]\d*$"),
}
INDICATOR_PATTERN = re.compile(r"^(A[1-9]\d*-O[1-9]\d*-Obj[1-9]\d*-Ac[1-9]\d*)-I([1-9]\d*)$")

# The role words of the source, and the canonical spelling used in noeuds.csv. The source writes
# "Financier" in a few rows (A5-O3, A7-O3) where every other table says "Financeur": same role.
ROLE_WORDS = {
    "pilote": "Pilote",
    "co-pilote": "Co-pilote",
    "animateur": "Animateur",
    "contributeur": "Contributeur",
    "financeur": "Financeur",
    "financier": "Financeur",
    "co-financeur": "Co-financeur",
    "partenaire": "Partenaire",
}

# --------------------------------------------------------------------------------------------------
# Text normalisation
# --------------------------------------------------------------------------------------------------

_INLINE_TAGS = re.compile(r"</?(?:b|i|em|strong|span|u|sub)\b[^>]*>", re.IGNORECASE)
_SUP = re.compile(r"\s*<sup>(.*?)</sup>", re.IGNORECASE)
_ANY_TAG = re.compile(r"<[^>]+>")
_SPACES = re.compile(r"\s+")


def strip_markup(text: str) -> str:
    """Remove the HTML and Markdown markup of the extracted PDF text, keeping the words.

    Inline tags (<b>, <i>, <sup>…) are removed without adding a space ("<i>In fine</i>, les" stays
    "In fine, les"; "1 <sup>er</sup>" becomes "1er"), block tags (<p>, <li>, <ul>…) become a space,
    Markdown bold markers disappear.
    """
    text = _SUP.sub(r"\1", text)
    text = _INLINE_TAGS.sub("", text)
    text = _ANY_TAG.sub(" ", text)
    text = text.replace("**", " ")
    return html.unescape(text)


def normalise(text: str) -> str:
    """Markup removed, "›" bullets removed, every run of white space (line breaks, tabs) made one space."""
    text = strip_markup(text).replace("›", " ")
    text = text.replace("\u00a0", " ").replace("\u202f", " ")
    return _SPACES.sub(" ", text).strip()


def cell_items(cell: str) -> list[str]:
    """The items of a list cell ("› A › B" or "<li>A</li><li>B</li>"), normalised, empty ones dropped."""
    marked = re.sub(r"<li\b[^>]*>", "›", cell, flags=re.IGNORECASE)
    marked = strip_markup(marked)
    return [item for item in (normalise(part) for part in marked.split("›")) if item]


# --------------------------------------------------------------------------------------------------
# Independent parser of the source
# --------------------------------------------------------------------------------------------------


def parse_ambition_titles(synthese: str) -> dict[int, str]:
    """Ambition titles from the SOMMAIRE of the synthesis: "## **AMBITION n**" then the title line."""
    titles: dict[int, str] = {}
    lines = synthese.splitlines()
    for i, line in enumerate(lines):
        match = re.match(r"^## \*\*AMBITION (\d+)\*\*\s*$", line.strip())
        if not match:
            continue
        for nxt in lines[i + 1 :]:
            if nxt.strip():
                title = normalise(nxt.split("\t")[0])
                titles[int(match.group(1))] = re.sub(r"\s*\.{3,}\s*$", "", title)
                break
    return titles


def _split_directions(cell: str) -> tuple[str, str]:
    """("Directions du DPT : X › Partenaires : Y") -> (X, Y)."""
    directions, partners = "", ""
    for item in cell_items(cell):
        if re.match(r"^Directions du (?:DPT|CD71)\s*:", item):
            directions = item.split(":", 1)[1].strip()
        elif re.match(r"^Partenaires\s*:", item):
            partners = item.split(":", 1)[1].strip()
        else:  # never seen in the source: keep it visible
            partners = (partners + " " + item).strip()
    return directions, partners


def parse_programme(text: str) -> list[dict]:
    """The orientation blocks of the programme d'actions, with objectives, actions and their cells.

    Returns a list of orientations: {ambition, numero, libelle, perimetre_colonnes, objectifs: [...]}, each
    objective {numero, libelle, actions: [...], row (the action-table cells when it has no action),
    liens (links cell of its own directions row, when it has one)}, each action {role, libelle,
    beneficiaires, beneficiaires_absents, directions, partenaires, indicateurs, liens, demarches}.
    Ambition numbers follow from the orientation numbering restarting at 1 (the ambition banners were
    lost in the extraction, except the one of ambition 2).
    """
    lines = text.split("\n")
    end = next((i for i, x in enumerate(lines) if x.startswith("## LISTE DES SIGLES")), len(lines))
    lines = lines[:end]

    orientations: list[dict] = []
    ambition = 0
    i = 0
    while i < len(lines):
        line = lines[i]
        match = re.match(r"^(?:\*\*)?Orientation (\d+) : (.*)$", line.strip())
        if not match:
            i += 1
            continue
        numero = int(match.group(1))
        parts = [match.group(2)]
        j = i + 1
        # The title may continue on following lines (split in the PDF) until the table header.
        while j < len(lines) and not lines[j].startswith("Objectifs\t"):
            if lines[j].strip():
                parts.append(lines[j])
            j += 1
        if numero == 1:
            ambition += 1
        orientation = {
            "ambition": ambition,
            "numero": numero,
            "libelle": normalise(" ".join(parts)),
            "perimetre_colonnes": None,
            "objectifs": [],
        }
        orientations.append(orientation)
        i = _parse_tables(lines, j, orientation)
    return orientations


def _parse_tables(lines: list[str], i: int, orientation: dict) -> int:
    """Parse the action table(s) and directions table(s) of one orientation, from line i."""
    pending_actions: list[dict] = []  # actions waiting for their directions row (7-column layout)
    pending_objectives: list[dict] = []  # objectives without action, waiting for a possible links row
    n_perim = 4
    while i < len(lines):
        line = lines[i]
        if re.match(r"^(?:\*\*)?Orientation \d+ : ", line.strip()):
            break
        if line.startswith("Objectifs\t"):
            wide = "Directions et partenaires" in line  # 11-column layout: one table for everything
            header2 = lines[i + 1].split("\t")
            n_perim = sum(1 for c in header2 if c.strip())
            orientation["perimetre_colonnes"] = [c.strip() for c in header2 if c.strip()]
            i += 2
            while i < len(lines) and lines[i].strip():
                _parse_action_row(lines[i].split("\t"), n_perim, wide, orientation, pending_actions, pending_objectives)
                i += 1
            continue
        if line.startswith("Directions et partenaires concernés\t"):
            i += 1
            while i < len(lines) and lines[i].strip():
                cells = lines[i].split("\t") + ["", "", "", ""]
                dir_cell, ind_cell, links_cell, plans_cell = cells[:4]
                if not normalise(dir_cell) and not normalise(ind_cell):
                    # A row carrying only links: it belongs to an objective without action.
                    target = pending_objectives.pop(0) if pending_objectives else None
                    if target is not None:
                        target["liens"] = normalise(links_cell)
                        target["demarches"] = normalise(plans_cell)
                else:
                    action = pending_actions.pop(0)
                    _fill_directions(action, dir_cell, ind_cell, links_cell, plans_cell)
                i += 1
            continue
        i += 1
    return i


def _fill_directions(action: dict, dir_cell: str, ind_cell: str, links_cell: str, plans_cell: str) -> None:
    action["directions"], action["partenaires"] = _split_directions(dir_cell)
    action["indicateurs"] = cell_items(ind_cell)
    action["liens"] = normalise(links_cell)
    action["demarches"] = normalise(plans_cell)


def _parse_action_row(cells, n_perim, wide, orientation, pending_actions, pending_objectives) -> None:
    cells = cells + [""] * 16
    obj_cell, role_cell, action_cell = cells[0], cells[1], cells[2]
    if normalise(obj_cell):
        obj_text = normalise(obj_cell)
        match = re.match(r"^OBJECTIF (\d+)\s*(.*)$", obj_text)
        objective = {
            "numero": int(match.group(1)),
            "libelle": match.group(2).strip(),
            "actions": [],
            "role": normalise(role_cell),
            "marqueur": "",
            "liens": "",
            "demarches": "",
        }
        orientation["objectifs"].append(objective)
    objective = orientation["objectifs"][-1]
    role, action_text = normalise(role_cell), normalise(action_cell)
    ben_index = 3 + n_perim
    if not action_text or action_text == "/":
        # No action in 2024: "/" in the role or action column, or a completely empty row.
        objective["marqueur"] = "/" if "/" in (role, action_text) else "vide"
        objective["role"] = role if role != "/" else ""
        if wide:
            objective["liens"] = normalise(cells[ben_index + 3])
            objective["demarches"] = normalise(cells[ben_index + 4])
        else:
            pending_objectives.append(objective)
        return
    action = {
        "role": role,
        "libelle": action_text,
        "beneficiaires": [],
        "beneficiaires_absents": False,
        "directions": "",
        "partenaires": "",
        "indicateurs": [],
        "liens": "",
        "demarches": "",
    }
    ben_cell = cells[ben_index]
    if wide:
        if "Directions du" in ben_cell:
            # Beneficiaries cell missing in the source row: the other cells moved one column left.
            action["beneficiaires_absents"] = True
            _fill_directions(action, cells[ben_index], cells[ben_index + 1], cells[ben_index + 2], cells[ben_index + 3])
        else:
            action["beneficiaires"] = cell_items(ben_cell)
            _fill_directions(
                action, cells[ben_index + 1], cells[ben_index + 2], cells[ben_index + 3], cells[ben_index + 4]
            )
    else:
        action["beneficiaires"] = cell_items(ben_cell)
        pending_actions.append(action)
    objective["actions"].append(action)


def parse_sigles(text: str) -> list[tuple[str, str]]:
    """The glossary at the end of the programme: lines "**SIGLE** : définition"."""
    start = text.index("## LISTE DES SIGLES")
    sigles = []
    for line in text[start:].splitlines():
        match = re.match(r"^\*\*(.+?)\*\* : (.+?)\s*$", line.strip())
        if match:
            sigles.append((match.group(1).strip(), match.group(2).strip()))
    return sigles


def roles_from_source(role_raw: str) -> list[str]:
    """Canonical role words of a source role cell ("Pilote ou partenaire financier" -> Pilote,
    Partenaire, Financeur; "Co-Pilote avec les autres instituts de formation" -> Co-pilote)."""
    roles = []
    for word in re.findall(r"[\w-]+", role_raw.lower()):
        canonical = ROLE_WORDS.get(word)
        if canonical and canonical not in roles:
            roles.append(canonical)
    return roles


# --------------------------------------------------------------------------------------------------
# Reading the CSVs
# --------------------------------------------------------------------------------------------------


def read_csv(path: Path) -> list[dict]:
    """A French Excel CSV (`;`, UTF-8 with BOM) as a list of dicts; a missing file gives an empty list."""
    if not path.exists():
        return []
    raw = path.read_bytes()
    if not raw.startswith(b"\xef\xbb\xbf"):
        raise ValueError(f"{path.name}: no UTF-8 BOM")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle, delimiter=";"))


def split_list(cell: str) -> list[str]:
    return [x.strip() for x in cell.split(" | ")] if cell and cell.strip() else []


# --------------------------------------------------------------------------------------------------
# The checks
# --------------------------------------------------------------------------------------------------


def check(referentiel: Path = DEFAULT_REFERENTIEL, sources: Path = DEFAULT_SOURCES) -> list[str]:
    """Every difference between the CSVs of `referentiel` and the source texts in `sources`."""
    problems: list[str] = []
    synthese = (sources / SEED_SYNTHESE).read_text(encoding="utf-8")
    programme = (sources / SEED_PROGRAMME).read_text(encoding="utf-8")
    synthese_norm = normalise(synthese)
    programme_norm = normalise(programme.split("## LISTE DES SIGLES")[0])

    # The archived PDI 2013-2018 (levels axe and fiche) is checked by tests/test_referentiel_pdi.py.
    noeuds = [
        n
        for n in read_csv(referentiel / "noeuds.csv")
        if n["niveau"] in {"ambition", "orientation", "objectif", "action"}
    ]
    indicateurs = read_csv(referentiel / "indicateurs.csv")
    liens = read_csv(referentiel / "liens.csv")
    sigles = read_csv(referentiel / "sigles.csv")
    programmes = read_csv(referentiel / "programmes.csv")
    by_code = {n["code"]: n for n in noeuds}

    # 1. Counts, codes, parents, order.
    for level, expected in EXPECTED_COUNTS.items():
        got = sum(1 for n in noeuds if n["niveau"] == level)
        if got != expected:
            problems.append(f"noeuds.csv: {got} nœuds de niveau {level}, {expected} attendus")
    if len(indicateurs) != EXPECTED_INDICATORS:
        problems.append(f"indicateurs.csv: {len(indicateurs)} indicateurs, {EXPECTED_INDICATORS} attendus")
    if len(by_code) != len(noeuds):
        problems.append("noeuds.csv: codes en double")
    seen: set[str] = set()
    for n in noeuds:
        pattern = CODE_PATTERNS.get(n["niveau"])
        if pattern is None or not pattern.match(n["code"]):
            problems.append(f"noeuds.csv {n['code']}: code ou niveau invalide ({n['niveau']})")
        expected_parent = n["code"].rsplit("-", 1)[0] if "-" in n["code"] else ""
        if n["parent"] != expected_parent:
            problems.append(f"noeuds.csv {n['code']}: parent {n['parent']!r}, {expected_parent!r} attendu")
        if n["parent"] and n["parent"] not in seen:
            problems.append(f"noeuds.csv {n['code']}: parent {n['parent']} absent ou placé après l'enfant")
        suffix = re.search(r"(\d+)$", n["code"]).group(1)
        if n["numero"] != suffix:
            problems.append(f"noeuds.csv {n['code']}: numero {n['numero']} ≠ {suffix}")
        if n["niveau"] == "action" and "PA1" not in split_list(n["programmes"]):
            problems.append(f"noeuds.csv {n['code']}: action sans programme PA1")
        seen.add(n["code"])
    codes_programmes = {p["code"] for p in programmes}
    for n in noeuds:
        for p in split_list(n["programmes"]):
            if p not in codes_programmes:
                problems.append(f"noeuds.csv {n['code']}: programme inconnu {p}")
    ind_codes: set[str] = set()
    for ind in indicateurs:
        match = INDICATOR_PATTERN.match(ind["code"])
        if not match:
            problems.append(f"indicateurs.csv {ind['code']}: code invalide")
            continue
        if ind["code"] in ind_codes:
            problems.append(f"indicateurs.csv {ind['code']}: code en double")
        ind_codes.add(ind["code"])
        if match.group(1) != ind["noeud"] or by_code.get(ind["noeud"], {}).get("niveau") != "action":
            problems.append(f"indicateurs.csv {ind['code']}: noeud {ind['noeud']} n'est pas son action")

    # 2. Every label appears in the normalised source text.
    for n in noeuds:
        haystack = synthese_norm if n["niveau"] == "ambition" else programme_norm
        if normalise(n["libelle"]) != n["libelle"]:
            problems.append(f"noeuds.csv {n['code']}: libellé non normalisé (espaces, balises, puces)")
        if n["libelle"] not in haystack:
            problems.append(f"noeuds.csv {n['code']}: libellé introuvable dans la source : {n['libelle']!r}")
    for ind in indicateurs:
        if ind["libelle"] not in programme_norm:
            problems.append(f"indicateurs.csv {ind['code']}: libellé introuvable : {ind['libelle']!r}")

    # 3. Ambition titles equal the synthesis (SOMMAIRE), in sentence case as printed there.
    titles = parse_ambition_titles(synthese)
    for number, title in titles.items():
        node = by_code.get(f"A{number}")
        if node is None:
            problems.append(f"noeuds.csv: ambition A{number} absente")
        elif node["libelle"] != title:
            problems.append(f"noeuds.csv A{number}: {node['libelle']!r} ≠ synthèse {title!r}")

    # 4. Tree, labels and cells equal the independent parse of the programme.
    problems += _compare_tree(parse_programme(programme), by_code, noeuds, indicateurs, liens)

    # 5. Glossary.
    source_sigles = parse_sigles(programme)
    if len(source_sigles) != EXPECTED_SIGLES:
        problems.append(f"source: {len(source_sigles)} sigles lus, {EXPECTED_SIGLES} attendus")
    csv_sigles = [(s["sigle"], s["definition"]) for s in sigles]
    if csv_sigles != source_sigles:
        missing = [s for s in source_sigles if s not in csv_sigles]
        extra = [s for s in csv_sigles if s not in source_sigles]
        problems.append(f"sigles.csv: différences avec la source, absents {missing}, en trop {extra}")
    return problems


def _compare_tree(orientations, by_code, noeuds, indicateurs, liens) -> list[str]:
    problems: list[str] = []
    inds_by_action: dict[str, list[dict]] = {}
    for ind in indicateurs:
        inds_by_action.setdefault(ind["noeud"], []).append(ind)
    liens_by_source: dict[str, list[dict]] = {}
    for lien in liens:
        liens_by_source.setdefault(lien["code_source"], []).append(lien)
        if lien["code_cible"] and lien["code_cible"] not in by_code:
            problems.append(f"liens.csv {lien['code_source']}: cible inconnue {lien['code_cible']}")
        if not lien["code_cible"] and not lien["remarque"]:
            problems.append(f"liens.csv {lien['code_source']}: cible vide sans remarque")

    expected_codes: list[str] = []
    for o in orientations:
        a_code = f"A{o['ambition']}"
        o_code = f"{a_code}-O{o['numero']}"
        if a_code not in expected_codes:
            expected_codes.append(a_code)
        expected_codes.append(o_code)
        node = by_code.get(o_code)
        if node is None:
            problems.append(f"{o_code}: orientation absente de noeuds.csv")
            continue
        if node["libelle"] != o["libelle"]:
            problems.append(f"{o_code}: libellé {node['libelle']!r} ≠ source {o['libelle']!r}")
        for number, obj in enumerate(o["objectifs"], start=1):
            ob_code = f"{o_code}-Obj{obj['numero']}"
            expected_codes.append(ob_code)
            if obj["numero"] != number:
                problems.append(f"{ob_code}: objectif numéroté {obj['numero']} en position {number}")
            node = by_code.get(ob_code)
            if node is None:
                problems.append(f"{ob_code}: objectif absent de noeuds.csv")
                continue
            if node["libelle"] != obj["libelle"]:
                problems.append(f"{ob_code}: libellé {node['libelle']!r} ≠ source {obj['libelle']!r}")
            if not obj["actions"]:
                if "aucune action en 2024" not in node["remarque"]:
                    problems.append(f"{ob_code}: objectif sans action dont la remarque ne le dit pas")
                if roles_from_source(obj["role"]) != split_list(node["role"]):
                    problems.append(f"{ob_code}: rôle {node['role']!r} ≠ source {obj['role']!r}")
                problems += _compare_links(ob_code, obj["liens"], liens_by_source.get(ob_code, []))
            for k, act in enumerate(obj["actions"], start=1):
                ac_code = f"{ob_code}-Ac{k}"
                expected_codes.append(ac_code)
                problems += _compare_action(
                    ac_code,
                    act,
                    by_code.get(ac_code),
                    inds_by_action.get(ac_code, []),
                    liens_by_source.get(ac_code, []),
                )
    actual_codes = [n["code"] for n in noeuds]
    if actual_codes != expected_codes:
        missing = [c for c in expected_codes if c not in actual_codes]
        extra = [c for c in actual_codes if c not in expected_codes]
        if missing or extra:
            problems.append(f"noeuds.csv: nœuds absents {missing}, en trop {extra}")
        else:
            problems.append("noeuds.csv: nœuds dans un autre ordre que la source")
    known = set(expected_codes)
    for lien in liens:
        if lien["code_source"] not in known:
            problems.append(f"liens.csv: source inconnue {lien['code_source']}")
    return problems


def _compare_action(code, act, node, inds, liens) -> list[str]:
    if node is None:
        return [f"{code}: action absente de noeuds.csv"]
    problems = []
    if node["libelle"] != act["libelle"]:
        problems.append(f"{code}: libellé {node['libelle']!r} ≠ source {act['libelle']!r}")
    if split_list(node["role"]) != roles_from_source(act["role"]):
        problems.append(f"{code}: rôle {node['role']!r} ≠ source {act['role']!r}")
    if split_list(node["beneficiaires"]) != act["beneficiaires"]:
        problems.append(f"{code}: bénéficiaires {node['beneficiaires']!r} ≠ source {act['beneficiaires']!r}")
    if act["beneficiaires_absents"] and "bénéficiaires" not in node["remarque"].lower():
        problems.append(f"{code}: cellule bénéficiaires absente de la source, sans remarque")
    if node["directions"] != act["directions"]:
        problems.append(f"{code}: directions {node['directions']!r} ≠ source {act['directions']!r}")
    if node["partenaires"] != act["partenaires"]:
        problems.append(f"{code}: partenaires {node['partenaires']!r} ≠ source {act['partenaires']!r}")
    got = [i["libelle"] for i in inds]
    if got != act["indicateurs"]:
        problems.append(f"{code}: indicateurs {got!r} ≠ source {act['indicateurs']!r}")
    for position, ind in enumerate(inds, start=1):
        if ind["code"] != f"{code}-I{position}":
            problems.append(f"{ind['code']}: numéro ≠ position {position} dans l'action")
    if not act["indicateurs"] and "indicateur" not in node["remarque"].lower():
        problems.append(f"{code}: aucun indicateur dans la source, sans remarque")
    # Démarches des partenaires: the source cell, with only separators left once the items are removed.
    rest = act["demarches"]
    for item in split_list(node["demarches_partenaires"]):
        if item not in rest:
            problems.append(f"{code}: démarche {item!r} absente de la cellule source {act['demarches']!r}")
        rest = rest.replace(item, " ", 1)
    if rest.strip(" ,.;"):
        problems.append(f"{code}: démarches partenaires non reprises : {rest.strip()!r}")
    problems += _compare_links(code, act["liens"], liens)
    return problems


def _compare_links(code: str, cell: str, liens: list[dict]) -> list[str]:
    """Every citation of the links cell is in liens.csv, and nothing else."""
    problems = []
    rest = cell
    for lien in liens:
        citation = lien["libelle_source"]
        if citation in rest:
            rest = rest.replace(citation, " ", 1)
        elif citation not in cell:
            problems.append(f"liens.csv {code}: citation {citation!r} absente de la cellule {cell!r}")
    if rest.strip():
        problems.append(f"{code}: liens de la source non repris dans liens.csv : {rest.strip()!r}")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--referentiel", type=Path, default=DEFAULT_REFERENTIEL)
    parser.add_argument("--sources", type=Path, default=DEFAULT_SOURCES)
    args = parser.parse_args(argv)
    problems = check(args.referentiel, args.sources)
    for problem in problems:
        print(problem)
    print(f"{len(problems)} problème(s)" if problems else "Référentiel conforme aux sources.")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
