"""Build the Saône-et-Loire referential CSVs (data/71/referentiel/) from the reference extraction.

Why: the schéma's tree (8 ambitions, 31 orientations, 112 objectives, 183 actions of the *programme
d'actions n°1*), its 353 *indicateurs de réalisation*, the links between actions and the glossary were
extracted by a machine into `../shared/reference/sus71_programme_actions_2024.json`. That extraction is a
start, not a truth: this script turns it into the French Excel CSVs described in docs/referentiel.md,
applies the corrections found by comparing it with the source text (listed below, each with its reason),
classifies the indicators (unit, nature, aggregation, additivity, direction), writes the source's
inconsistencies into the `remarque` columns, and finally runs tools/check_referentiel_71.py, which
re-reads the source text independently and fails on any difference.

Once written, the CSVs are the canonical, human-corrected source: edit them by hand afterwards and keep
them passing `python tools/check_referentiel_71.py`. Re-running this script overwrites them (it needs the
shared folder, which CI does not have).

Usage: python tools/build_referentiel_71.py [--json PATH] [--out DIR] [--sources DIR]
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import check_referentiel_71 as checker

from sus_data.referential import FILES, INDICATOR_COLUMNS

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_JSON = ROOT.parent / "shared" / "reference" / "sus71_programme_actions_2024.json"
DEFAULT_OUT = ROOT / "data" / "71" / "referentiel"

PROGRAMME = {
    "code": "PA1",
    "libelle": "Programme d'actions n°1 (actions à engager en 2024)",
    "annee_debut": 2024,
    "annee_fin": 2024,
    "statut": "en cours",
}

# Short labels of the ambitions, for the dashboard tiles (2 to 5 words).
LIBELLES_COURTS = {
    1: "Chef de file de l'action sociale",
    2: "Parcours des bénéficiaires",
    3: "Métiers des solidarités",
    4: "Dialogue avec les ESSMS",
    5: "Action sociale départementale",
    6: "Autonomie et handicap",
    7: "Enfance et familles",
    8: "Insertion vers l'emploi",
}

# The file format is the app's: the same columns, in the same order, as sus_data/referential.py reads.
NOEUDS_COLUMNS = FILES["noeuds"][1]
INDICATEURS_COLUMNS = INDICATOR_COLUMNS
LIENS_COLUMNS = ["code_source", "code_cible", "libelle_source", "remarque"]

# --------------------------------------------------------------------------------------------------
# Corrections of the JSON, found by comparing it with the source text (001_e26dc32b3669d8a3.txt).
# Each entry: code -> {field: corrected value}. Fields are those of the CSV (lists for list columns).
# --------------------------------------------------------------------------------------------------
CORRECTIONS: dict[str, dict] = {
    # Source line 582: "<i>In fine</i>, les publics en insertion" (no space before the comma); the
    # extraction added a space where the italic tag was. Line 557 (A8-O1-Obj4-Ac1) really has the space.
    "A8-O2-Obj1-Ac1": {
        "beneficiaires": [
            "Professionnels du Département",
            "Partenaires de l'insertion",
            "Partenaires du monde économique",
            "In fine, les publics en insertion",
        ]
    },
    # Same at source lines 626-627.
    "A8-O4-Obj1-Ac1": {
        "beneficiaires": [
            "Service Public de l'emploi",
            "Collectivités territoriales (dont EPCI)",
            "In fine, les publics en insertion",
        ]
    },
    "A8-O4-Obj2-Ac1": {
        "beneficiaires": [
            "Professionnels du Département",
            "Partenaires de l'insertion",
            "Partenaires du monde économique",
            "In fine, les publics en insertion",
        ]
    },
    # Source line 271: "PRAPS, Contrats locaux de santé, contrats locaux de santé mentale"; the extraction
    # capitalised the last item.
    "A5-O1-Obj2-Ac1": {
        "demarches_partenaires": ["PRAPS", "Contrats locaux de santé", "contrats locaux de santé mentale"]
    },
}

# Links cells written in free text (no "Ambition n Orientation m" citation): how each one is resolved.
# (code_source, citation) -> (code_cible, remarque)
LIENS_TEXTE_LIBRE = {
    ("A7-O3-Obj5-Ac1", "Toutes les autres actions de l'orientation liés au placement"): (
        "A7-O3",
        "texte libre : les autres actions de l'orientation A7-O3 liées au placement",
    ),
    ("A7-O3-Obj5-Ac1", "Les autres référentiels"): (
        "",
        "texte libre : « les autres référentiels » de l'objectif A7-O3-Obj5, sans nœud désigné",
    ),
    ("A7-O3-Obj5-Ac2", "Les autres référentiels"): (
        "",
        "texte libre : « les autres référentiels » de l'objectif A7-O3-Obj5, sans nœud désigné",
    ),
    ("A7-O3-Obj5-Ac3", "Les autres référentiels"): (
        "",
        "texte libre : « les autres référentiels » de l'objectif A7-O3-Obj5, sans nœud désigné",
    ),
    ("A7-O3-Obj5-Ac4", "Les autres référentiels"): (
        "",
        "texte libre : « les autres référentiels » de l'objectif A7-O3-Obj5, sans nœud désigné",
    ),
    ("A7-O3-Obj5-Ac11", "Référentiel placement"): (
        "A7-O3-Obj5-Ac1",
        (
            "texte libre « Référentiel placement » : action A7-O3-Obj5-Ac1 (diagnostic "
            "préalable au référentiel de placement)"
        ),
    ),
    ("A8-O2-Obj1-Ac1", "Lien avec les autres observatoires départementaux"): (
        "",
        (
            "texte libre : les autres observatoires départementaux (A1-O2-Obj1, A6-O5-Obj2, A7-O4-Obj2…), "
            "sans nœud désigné"
        ),
    ),
    ("A7-O4-Obj4", "Objectif transversal, irrigue les autres actions de l'ambition"): (
        "A7",
        "texte libre : objectif transversal à toute l'ambition 7",
    ),
}
# The extraction kept "Toutes les autres actions de l'orientation liés au placement Les autres
# référentiels" as one item: the cell holds two citations (the second one recurs in the next rows).
SPLIT_FREE_TEXT = {
    "Toutes les autres actions de l'orientation liés au placement Les autres référentiels": [
        "Toutes les autres actions de l'orientation liés au placement",
        "Les autres référentiels",
    ],
}

# Remarks on doubtful or impossible citations (source inconsistencies).
LIENS_REMARQUES = {
    (
        "A6-O4-Obj3-Ac1",
        "Ambition 3 Orientation 3 Objectif 4",
    ): "objectif inexistant dans la source (l'orientation A3-O3 n'a que 3 objectifs) ; probablement "
    "A3-O2-Obj4 (mutualisation de formations entre partenaires)",
    (
        "A7-O3-Obj3-Ac1",
        "Ambition 5 Orientation 1 Objectif 1",
    ): "cible douteuse : A5-O1-Obj1 porte sur la précarité alimentaire ; A5-O1-Obj2 (accès à la santé) "
    "semble plus probable",
    (
        "A8-O1-Obj2-Ac2",
        "Ambition 8 Orientation 2 Objectif 3",
    ): "relation peu claire entre les co-diagnostics France Travail et A8-O2-Obj3 (illettrisme)",
    (
        "A8-O4-Obj3",
        "Ambition 8 Orientation 2 Objectif 2",
    ): "rattachement incertain : ligne sans action alignée sur l'objectif 3 ; elle pourrait concerner "
    "l'objectif 4 (lignes 3 et 4 du tableau probablement fusionnées dans le PDF)",
}

# Remarks on nodes: source inconsistencies, truncations, missing cells, extraction notes.
REMARQUES: dict[str, list[str]] = {
    "A1": [
        (
            "bandeau de l'ambition absent du programme d'actions extrait ; titre pris de la synthèse "
            "(sommaire) ; numéro déduit de la numérotation des orientations"
        )
    ],
    "A2": [
        (
            "titre pris de la synthèse (sommaire) ; dans le programme d'actions le bandeau « AMBITION 2 » "
            "est imprimé après l'orientation 1 de l'ambition, en capitales"
        )
    ],
    "A1-O3": ["titre de l'orientation coupé sur deux lignes dans la source, réunies ici"],
    "A2-O2-Obj3-Ac1": [
        (
            "directions et partenaires identiques, dans la source, à ceux de l'action "
            "A2-O2-Obj2-Ac2 (DIEL, DSID, France Travail) : copie possible"
        )
    ],
    "A2-O1-Obj2-Ac1": [
        (
            "cellule « Bénéficiaires de l'action » absente dans la source (colonnes décalées "
            "d'un cran) : bénéficiaires non renseignés"
        )
    ],
    "A4-O3-Obj1-Ac2": ["aucun indicateur de réalisation dans la source (cellule vide)"],
    "A5-O1-Obj2-Ac1": [("bénéficiaires tronqués dans la source : « Personnes majeures cumulant des problématiques »")],
    "A6-O4-Obj3-Ac1": [("cite « Ambition 3 Orientation 3 Objectif 4 », objectif inexistant (probablement A3-O2-Obj4)")],
    "A7-O1-Obj1": ["coquille de la source conservée : « réperant »"],
    "A7-O3-Obj1-Ac2": [
        ("la colonne des démarches des partenaires renvoie à l'actualisation du protocole (action A7-O3-Obj1-Ac1)")
    ],
    "A7-O3-Obj3-Ac1": [
        ("cite A5-O1-Obj1 (précarité alimentaire) ; A5-O1-Obj2 (accès à la santé) semble plus probable")
    ],
    "A8-O1": ["titre de l'orientation coupé sur deux lignes dans la source, réunies ici"],
    "A8-O1-Obj2-Ac2": ["cite A8-O2-Obj3 (illettrisme) : relation peu claire"],
    "A8-O2-Obj3": ["libellé rédigé comme une action dans la source (« Participation à des événements… »)"],
    "A8-O2-Obj4": ["libellé rédigé comme une action dans la source (« Mise en place d'un système… »)"],
    "A8-O3": [
        "titre de l'orientation coupé sur deux lignes dans la source, réunies ici",
        ("le tableau de la source n'a que 3 colonnes de périmètre (Dépt., TAS MP, TAS CL) : colonne TAS MALC absente"),
    ],
    "A8-O4-Obj3": [
        (
            "le lien vers A8-O2-Obj2 lui est rattaché par alignement des lignes du tableau ; il "
            "pourrait concerner l'objectif 4 (lignes 3 et 4 probablement fusionnées dans le PDF)"
        )
    ],
    "A8-O4-Obj4": ["rôle « Pilote » indiqué malgré l'absence d'action"],
}
for _n in (3, 4, 5, 6, 7, 8):
    REMARQUES.setdefault(f"A{_n}", []).append(
        "bandeau de l'ambition absent du programme d'actions extrait ; titre pris de la synthèse (sommaire) ; "
        "numéro déduit de la numérotation des orientations"
    )
# Wording that differs between the programme d'actions (the labels kept here) and the synthesis of the
# schéma (seed 000): inconsistencies between the two source documents worth knowing.
SYNTHESE_DIFFERENCES = {
    "A3-O3-Obj2": "la synthèse écrit « Créer les conditions favorables à l'innovation sociale et à l'expérimentation »",
    "A5-O1-Obj4": "la synthèse écrit « Impulser et fédérer les acteurs du territoire… »",
    "A6-O1": "la synthèse écrit « Garantir le choix de vivre chez soi » (programme : « vieillir »)",
    "A6-O5-Obj2": "la synthèse écrit « capacités d'observation » (programme : « d'observatoire »)",
    "A7-O1-Obj1": "la synthèse écrit « repérant »",
    "A7-O1-Obj3": "objectifs 3 et 4 de l'orientation dans l'ordre inverse dans la synthèse",
    "A7-O1-Obj4": "objectifs 3 et 4 de l'orientation dans l'ordre inverse dans la synthèse",
    "A7-O2-Obj4": "la synthèse écrit « … dans le cadre du schéma départemental des services aux familles, "
    "accompagner les professionnels et structures d'accueil »",
    "A8-O1": "la synthèse compte 6 objectifs : elle ajoute en 2e position « Définir des outils de parcours "
    "partagés et uniques des bénéficiaires du RSA », absent du programme d'actions",
    "A8-O1-Obj2": "la synthèse écrit « … en lien avec les orientations France Travail »",
    "A8-O4": "la synthèse écrit « l'efficience » (programme : « l'efficacité »)",
}
for _code, _note in SYNTHESE_DIFFERENCES.items():
    REMARQUES.setdefault(_code, []).append(_note)

# --------------------------------------------------------------------------------------------------
# Indicator classification
# --------------------------------------------------------------------------------------------------

# Counts describing a stock at a date or a cumulative total: the last quarter gives the year.
STOCK_COUNTS = {
    "Nombre de réseaux référencés par thématique et territoire d'action sociale",
    "Nombre d'ESSMS disposant au 31/12/24 d'un référent identifié",
    "Nombre de jeunes dans la file active, par tranches d'âge",
    "Nombre d'instances de coordination et de gouvernance identifiées",
    "Nombre de dispositifs de lutte contre la précarité alimentaire recensés",
    "Nombre de référentiels départementaux recensés et révisés",
    "Nombre d'indicateurs identifiés",
    'Nombre de projets "service autonomie mixte" identifiés',
    "Nombre de professionnels engagés dans le réseau d'animation",
    'Nombre d\'agents engagés en tant que référents "logiciels métiers"',
    "Nombre d'agents départementaux engagés",
    "Nombre de bénévoles et de services civiques engagés dans la démarche",
    "Nombre de référents handicap",
    "Nombre et typologie de référents de parcours",
    "Nombre de BRSA rattachés à un référent",
    "Nombre de chartes",
    "Nombre de partenaires conventionnés",
    "Nombre d'utilisateurs du référentiel",
    "Nombre d'accueillants familiaux proposant de l'accueil de jour",
    "Nombre d'accueillants et d'accueillis qui les utilisent",
    "Nombre d'accueils PA/PH développés sur le chalonais",
    "Nombre de professionnels impliqués dans les sites qualifiants",
    "Nombre d'instances",
    "Nombre d'instances de concertation",
    "Nombre de comités",
    "Nombre de CPOM",
    "Nombre de marchés",
    ("Nombre de CPOM SAAD avec un axe formation à l'approche des maladies neuro-évolutives et/ou troubles psychiques"),
    "Nombre de jeu de données, et de partenaires contributeurs",
    "Evolution du nombre de mesures non exécutées ou en attente",
}

# Counts to reduce.
COUNTS_DOWN = {
    "Nombre de ré-hospitalisation de moins 48H chez les patients de 75 ans et plus",
    "Nombre de ruptures de contrats",
    "Evolution du nombre de mesures non exécutées ou en attente",
}

# Counts whose TAS values do not add up to the département: one departmental event, body or tool.
# Keyed by (action code, label) because the same wording is additive elsewhere.
NON_ADDITIVE = {
    ("A1-O1-Obj2-Ac1", "Nombre de participants"),  # journée départementale annuelle
    ("A1-O1-Obj2-Ac1", "Nombre d'acteurs mobilisés"),
    ("A1-O1-Obj3-Ac1", "Nombre d'instances de coordination et de gouvernance identifiées"),
    ("A1-O2-Obj3-Ac1", "Nombre de référentiels construits avec les professionnels"),
    ("A1-O3-Obj2-Ac1", "Nombre de supports produits"),
    ("A2-O1-Obj1-Ac1", "Nombre de supports produits (digitaux et print)"),
    ("A2-O1-Obj2-Ac1", "Nombre de supports produits ou retravaillés en français facile à lire et à comprendre"),
    ("A2-O3-Obj1-Ac1", "Nombre d'outils et de supports de formalisation déployés"),
    ("A2-O3-Obj1-Ac2", "Nombre d'outils utilisés et renouvelés"),
    ("A2-O3-Obj2-Ac2", "Nombre de journées départementales portes ouvertes organisées"),
    ("A2-O3-Obj4-Ac4", "Nombre de participants à la journée"),  # journée professionnelle départementale
    ("A2-O3-Obj4-Ac4", "Nombre de partenaires mobilisés"),
    ("A2-O4-Obj1-Ac1", "Nombre de formations développées"),
    ("A3-O2-Obj1-Ac1", "Nombre de réunions partenariales"),
    ("A4-O1-Obj2-Ac1", "Nombre d'indicateurs identifiés"),  # observatoire financier départemental
    ("A4-O1-Obj2-Ac1", "Nombre de réunions de travail partenariales réalisées"),
    ("A4-O1-Obj2-Ac2", "Nombre de commissions suivies"),  # commission départementale
    ("A4-O2-Obj1-Ac1", "Nombre d'indicateurs identifiés"),  # observatoire des risques départemental
    ("A4-O2-Obj1-Ac1", "Nombre de réunions de travail partenariales réalisées"),
    ("A5-O4-Obj4-Ac1", "Nombre de référentiels départementaux recensés et révisés"),
    ("A5-O5-Obj2-Ac1", "Nombre de réunions du CPSSD consacrées à la démarche"),
    ("A6-O1-Obj3-Ac1", "Nombre de groupes de travail"),
    ("A6-O1-Obj3-Ac2", "Nombre d'outils créés"),
    ("A6-O1-Obj4-Ac1", "Nombre de réunions de travail"),
    ("A6-O2-Obj4-Ac1", "Nombre de réunions de travail"),
    ("A6-O4-Obj1-Ac3", "Nombre de conventions signées"),  # conventions avec les caisses de retraite
    ("A7-O4-Obj2-Ac1", "Nombre de jeu de données, et de partenaires contributeurs"),
    ("A7-O4-Obj3-Ac1", "Nombre de participants à l'événement"),  # assises départementales
    ("A7-O4-Obj3-Ac1", "Nombre de partenaires représentés"),
    ("A8-O2-Obj2-Ac1", "Nombre d'instances"),
    ("A8-O2-Obj2-Ac1", "Nombre de partenaires conventionnés"),
    ("A8-O2-Obj2-Ac1", "Nombre de marchés"),
    ("A8-O2-Obj2-Ac1", "Nombre d'AAP"),
    ("A8-O2-Obj2-Ac1", "Nombre de CPOM"),
    ("A8-O2-Obj2-Ac1", "Nombre de règlements modifiés"),
    ("A8-O2-Obj3-Ac1", "Nombre de plateformes soutenues"),
    ("A8-O2-Obj3-Ac2", "Nombre de campagnes de sensibilisation réalisées/an"),
    ("A8-O3-Obj3-Ac1", "Nombre de conférences par an"),  # conférence départementale des financeurs
    ("A8-O3-Obj3-Ac1", "Nombre et typologie de participants"),
}

# Indicators the extraction calls "qualitative" but which are done / not done.
QUALITATIVE_TO_MILESTONE = {
    "Association des bénéficiaires à la révision/conception des supports",
    "Association du collectif d'usagers BRSA pour la réalisation du support",
}

# Special cases, by label: (unite, nature, agregation, additivite, sens, definition).
SPECIAL = {
    "Montant des aides accordées": (
        "€",
        "réalisation",
        "somme",
        "somme",
        "hausse",
        "Montant total des aides accordées sur la période.",
    ),
    "Durée des interventions": (
        "mois",
        "réalisation",
        "moyenne",
        "aucune",
        "neutre",
        "Durée moyenne des interventions de TISF auprès des familles d'enfants de moins de 6 ans.",
    ),
    "Délais d'obtention des rendez-vous": (
        "jours",
        "réalisation",
        "moyenne",
        "aucune",
        "baisse",
        "Délai moyen, en jours, entre la demande et le rendez-vous de consultation en PMI.",
    ),
    "Délai de traitement du premier niveau d'analyse": (
        "jours",
        "réalisation",
        "moyenne",
        "aucune",
        "baisse",
        (
            "Délai moyen, en jours, de traitement du premier niveau d'analyse des informations préoccupantes "
            "par la CRIP."
        ),
    ),
    "Fréquence des réunions": (
        "nombre",
        "réalisation",
        "somme",
        "aucune",
        "hausse",
        "Nombre moyen de réunions tenues par instance sur la période.",
    ),
    "Fréquence de réunions des instances": (
        "nombre",
        "réalisation",
        "somme",
        "aucune",
        "hausse",
        "Nombre moyen de réunions tenues par instance sur la période.",
    ),
    "Ratio nombre de tuteurs/ nombre de stagiaires accueillis": (
        "%",
        "réalisation",
        "moyenne",
        "aucune",
        "hausse",
        "Nombre de tuteurs formés rapporté au nombre de stagiaires accueillis, en %.",
    ),
    "Nombre de dossiers traités rapportés à la population": (
        "%",
        "réalisation",
        "moyenne",
        "aucune",
        "hausse",
        ("Nombre de dossiers traités par les instances de concertation rapporté à la population du territoire, en %."),
    ),
    "Nombre / taux de projets d'accès à l'autonomie réalisés": (
        "nombre",
        "réalisation",
        "somme",
        "somme",
        "hausse",
        (
            "La source demande le nombre et le taux : le nombre de projets réalisés est suivi ici ; le taux "
            "s'obtient en le rapportant au nombre de jeunes confiés de 16 ans et plus."
        ),
    ),
    "Taux de couverture territoriale": (
        "%",
        "réalisation",
        "dernier",
        "aucune",
        "hausse",
        "Part du territoire couverte par une charte PASIP en fin de période (état à une date).",
    ),
    "Évolution du taux de participation": (
        "%",
        "réalisation",
        "moyenne",
        "aucune",
        "hausse",
        (
            "Taux de participation des personnes contactées par SMS ou mail ; son évolution se lit d'une "
            "période à l'autre."
        ),
    ),
    "Augmentation du nombre de créneaux de consultations": (
        "nombre",
        "réalisation",
        "somme",
        "somme",
        "hausse",
        (
            "Nombre de créneaux de consultations médicales ouverts en PMI ; l'augmentation se lit par rapport "
            "à la période précédente."
        ),
    ),
    "Évolution du nombre de retours en famille": (
        "nombre",
        "réalisation",
        "somme",
        "somme",
        "hausse",
        "Nombre de retours en famille ; son évolution se lit d'une période à l'autre.",
    ),
    "Evolution du nombre de mesures non exécutées ou en attente": (
        "nombre",
        "réalisation",
        "dernier",
        "somme",
        "baisse",
        (
            "Nombre de mesures non exécutées ou en attente en fin de période ; son évolution se lit d'une "
            "période à l'autre."
        ),
    ),
    "Fréquentation": ("nombre", "réalisation", "somme", "somme", "hausse", "Nombre de personnes ayant participé."),
    "Fréquentation des actions": (
        "nombre",
        "réalisation",
        "somme",
        "somme",
        "hausse",
        "Nombre de personnes ayant participé aux actions.",
    ),
}

KIND_DEFAULTS = {
    "count": ("nombre", "réalisation", "somme", "somme", "hausse"),
    "milestone": ("oui/non", "jalon", "dernier", "aucune", "hausse"),
    "qualitative": ("qualitatif", "réalisation", "aucune", "aucune", "neutre"),
    "progress_or_trend": ("qualitatif", "réalisation", "aucune", "aucune", "neutre"),
    "rate": ("%", "réalisation", "moyenne", "aucune", "hausse"),
}


def classify(action_code: str, action_label: str, label: str, kind: str) -> dict:
    """unite / nature / agregation / additivite / sens / definition of one indicator."""
    about = f"Indicateur de réalisation de l'action « {action_label} »."
    if label in SPECIAL:
        unite, nature, agregation, additivite, sens, definition = SPECIAL[label]
        definition = f"{definition} {about}"
    else:
        if kind == "qualitative" and label in QUALITATIVE_TO_MILESTONE:
            kind = "milestone"
        if kind not in KIND_DEFAULTS:
            raise ValueError(f"{action_code}: indicateur non classé {label!r} ({kind})")
        unite, nature, agregation, additivite, sens = KIND_DEFAULTS[kind]
        parts = []
        if kind == "milestone":
            parts.append(f"Jalon : « oui » lorsque c'est réalisé (« {label} »), « non » sinon.")
        elif kind in ("qualitative", "progress_or_trend"):
            parts.append("Appréciation qualitative, à renseigner en commentaire.")
        elif kind == "count":
            if label in STOCK_COUNTS:
                agregation = "dernier"
                parts.append("Valeur en fin de période (stock ou cumul).")
            if label in COUNTS_DOWN:
                sens = "baisse"
            if (action_code, label) in NON_ADDITIVE:
                additivite = "aucune"
                parts.append(
                    "Valeur départementale (événement, instance ou outil unique) : ne s'additionne pas entre TAS."
                )
            if re.search(
                r"typologie|types|composition|état d'avancement|par tranches|par objectif", label, re.IGNORECASE
            ):
                parts.append(
                    "Le nombre est suivi ; le détail demandé (typologie, répartition ou état "
                    "d'avancement) est précisé en commentaire."
                )
        parts.append(about)
        definition = " ".join(parts)
    return {
        "unite": unite,
        "nature": nature,
        "agregation": agregation,
        "additivite": additivite,
        "sens": sens,
        "definition": definition,
    }


# --------------------------------------------------------------------------------------------------
# Building the rows
# --------------------------------------------------------------------------------------------------


def _join(values) -> str:
    return " | ".join(v for v in values if v) if values else ""


def _remarque(code: str, extra: list[str] | None = None) -> str:
    notes = list(extra or []) + list(REMARQUES.get(code, []))
    return " ; ".join(dict.fromkeys(notes))


def build(data: dict) -> tuple[list[dict], list[dict], list[dict], list[dict]]:
    noeuds: list[dict] = []
    indicateurs: list[dict] = []
    liens: list[dict] = []

    def node(code, parent, niveau, numero, libelle, **fields):
        row = {c: "" for c in NOEUDS_COLUMNS}
        row.update(code=code, parent=parent, niveau=niveau, numero=str(numero), libelle=libelle)
        row.update({k: v for k, v in fields.items() if v is not None})
        for field, value in CORRECTIONS.get(code, {}).items():
            row[field] = _join(value) if isinstance(value, list) else value
        noeuds.append(row)
        return row

    def add_links(code, links, free_texts, extra_note=None):
        for link in links or []:
            targets = link["target_ids"] or [""]
            for target in targets:
                note = LIENS_REMARQUES.get((code, link["raw"]), "")
                if not target and not note:
                    note = "citation sans nœud correspondant dans la source"
                if len(link["target_ids"]) > 1:
                    note = note or "citation de plusieurs orientations, une ligne par orientation"
                liens.append(
                    {"code_source": code, "code_cible": target, "libelle_source": link["raw"], "remarque": note}
                )
        for text in free_texts or []:
            for part in SPLIT_FREE_TEXT.get(text, [text]):
                target, note = LIENS_TEXTE_LIBRE.get((code, part), ("", "texte libre sans nœud désigné"))
                liens.append({"code_source": code, "code_cible": target, "libelle_source": part, "remarque": note})

    for amb in data["ambitions"]:
        a_code = f"A{amb['number']}"
        node(
            a_code,
            "",
            "ambition",
            amb["number"],
            amb["title"],
            libelle_court=LIBELLES_COURTS[amb["number"]],
            remarque=_remarque(a_code),
        )
        for ori in amb["orientations"]:
            o_code = ori["id"]
            node(o_code, a_code, "orientation", ori["number"], ori["title"], remarque=_remarque(o_code))
            for obj in ori["objectives"]:
                ob_code = obj["id"]
                extra = []
                role = ""
                if not obj["has_actions_2024"]:
                    marker = obj["no_action_marker"]
                    extra.append(
                        "aucune action en 2024 (« / » dans la source)"
                        if marker == "/"
                        else "aucune action en 2024 (ligne vide dans la source)"
                    )
                    role = obj.get("role_without_action") or ""
                node(
                    ob_code,
                    o_code,
                    "objectif",
                    obj["number"],
                    obj["title"],
                    role=role,
                    remarque=_remarque(ob_code, extra),
                )
                level = obj.get("objective_level_links") or {}
                add_links(ob_code, level.get("links_to_other_actions"), level.get("links_free_text"))
                for number, act in enumerate(obj["actions"], start=1):
                    ac_code = act["id"]
                    assert ac_code == f"{ob_code}-Ac{number}", ac_code
                    extra = []
                    role_raw = checker.normalise(act["role_raw"] or "")
                    if role_raw.lower() != " ".join(act["roles"]).lower():
                        extra.append(f"rôle écrit « {role_raw} » dans la source")
                    node(
                        ac_code,
                        ob_code,
                        "action",
                        number,
                        act["text"],
                        programmes="PA1",
                        role=_join(act["roles"]),
                        beneficiaires=_join(act["beneficiaries"]),
                        directions=act["directions_dpt"] or "",
                        partenaires=act["partners"] or "",
                        demarches_partenaires=_join(act["links_partner_plans"]),
                        remarque=_remarque(ac_code, extra),
                    )
                    add_links(ac_code, act["links_to_other_actions"], act["links_free_text"])
                    for k, ind in enumerate(act["indicators"], start=1):
                        assert ind["id"] == f"{ac_code}-I{k}", ind["id"]
                        row = {
                            "code": ind["id"],
                            "libelle": ind["text"],
                            "noeud": ac_code,
                            "source": "",
                            "secret_seuil": "",
                        }
                        row.update(classify(ac_code, act["text"], ind["text"], ind["kind"]))
                        indicateurs.append(row)

    sigles = [{"sigle": s, "definition": d} for s, d in data["glossary"].items()]
    return noeuds, indicateurs, liens, sigles


def write_csv(path: Path, columns: list[str], rows: list[dict]) -> None:
    """French Excel CSV: `;`, UTF-8 with BOM, quotes only where needed, CRLF line ends."""
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.DictWriter(
            handle, fieldnames=columns, delimiter=";", quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n"
        )
        writer.writeheader()
        for row in rows:
            writer.writerow({c: row.get(c, "") for c in columns})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, default=DEFAULT_JSON)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--sources", type=Path, default=checker.DEFAULT_SOURCES)
    args = parser.parse_args(argv)

    data = json.loads(args.json.read_text(encoding="utf-8"))
    noeuds, indicateurs, liens, sigles = build(data)
    programme = dict(PROGRAMME, source=data["source"]["title"])

    args.out.mkdir(parents=True, exist_ok=True)
    write_csv(args.out / "programmes.csv", list(programme), [programme])
    write_csv(args.out / "noeuds.csv", NOEUDS_COLUMNS, noeuds)
    write_csv(args.out / "indicateurs.csv", INDICATEURS_COLUMNS, indicateurs)
    write_csv(args.out / "liens.csv", LIENS_COLUMNS, liens)
    write_csv(args.out / "sigles.csv", ["sigle", "definition"], sigles)
    print(
        f"{len(noeuds)} nœuds, {len(indicateurs)} indicateurs, {len(liens)} liens, {len(sigles)} sigles "
        f"écrits dans {args.out}"
    )

    problems = checker.check(args.out, args.sources)
    for problem in problems:
        print(problem)
    print(f"{len(problems)} problème(s)" if problems else "Référentiel conforme aux sources.")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
