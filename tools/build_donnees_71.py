"""Build the real figures of the Saône-et-Loire sources as data files of the project.

Writes, in the spreadsheet contract (docs/contrat_tableur.md) and the referential format
(docs/referentiel.md):

- data/71/referentiel/indicateurs_contexte.csv   the CTX- indicators
- data/71/donnees/chiffres_cles_2021.csv          key figures of the schéma's synthesis (seed 000)
- data/71/donnees/calpae_2018_2022.csv            CALPAE indicators 2018-2022 (seed 002)
- data/71/donnees/brsa_secteurs_diagnostic_2019.csv  RSA recipients per sector (seed 002, diagnostic 2019)

and copies the two seed texts the figures come from into tests/sources/, so that
tests/test_donnees_reelles.py can check every number against the line its `source` cites.

Every value below was read by hand on the seed line cited in its `source` (« l. N »); when the
cible comes from another line, the source carries « ; objectif : …, l. M ». The machine extractions of
/work/shared/reference/ were only used as a reading aid; their disagreements with the seed text are
listed in the report of the task and in the `commentaire` of the rows concerned.

Run: .venv/bin/python tools/build_donnees_71.py
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REFERENTIEL = ROOT / "data/71/referentiel/indicateurs_contexte.csv"
DONNEES = ROOT / "data/71/donnees"
SEEDS = Path("/work/shared/seeds")
SEED_FILES = ("000_e20de151751e9b8f.txt", "002_6d0f682446c84194.txt")
TEST_SOURCES = ROOT / "tests/sources"

INDICATOR_COLUMNS = [
    "code", "libelle", "noeud", "unite", "nature", "agregation", "additivite", "sens", "source",
    "definition", "secret_seuil",
]  # fmt: skip
DATA_COLUMNS = ["code_indicateur", "territoire", "annee", "trimestre", "valeur", "cible", "commentaire", "source"]

# --------------------------------------------------------------------------------------------------
# Documents (the `source` of a row is one of these + « , l. N »)
# --------------------------------------------------------------------------------------------------
SUS = "Département de Saône-et-Loire, Schéma unique des solidarités 2023-2027, synthèse"
DELIB = "CD71, délibération n°203 du 29/09/2022"
C22_ANNEXE_A = f"{DELIB}, CALPAE 2022, annexe A (tableau des engagements du socle)"
F_PASI = f"{DELIB}, CALPAE 2022, fiche action « Premier accueil social inconditionnel de proximité »"
F_RP = f"{DELIB}, CALPAE 2022, fiche action « Démarche référent de parcours »"
F_RSA = f"{DELIB}, CALPAE 2022, fiche action « Processus numérique d'orientation et d'accompagnement des bénéficiaires du RSA »"
F_DENSIFIER = f"{DELIB}, CALPAE 2022, fiche action « Densifier l'offre d'accompagnement des bénéficiaires du RSA »"
F_FORMATION = f"{DELIB}, CALPAE 2022, fiche action « Formation des travailleurs sociaux »"
F_VAN71 = f"{DELIB}, CALPAE 2022, annexe B, fiche action « Van71 – tiers-lieu numérique itinérant »"
F_INCLUSION = (
    f"{DELIB}, CALPAE 2022, annexe B, fiche action « Poursuite du déploiement du réseau d'inclusion numérique »"
)
F_CRR = f"{DELIB}, CALPAE 2022, annexe B, fiche action « Croix Rouge sur Roues »"
C19_ANNEXE_A = f"{DELIB}, CALPAE 2019-2021 signée le 28/06/2019, annexe A (tableau des engagements du socle)"
DIAG19 = f"{DELIB}, CALPAE 2019 annexe 1 diagnostic, tableau des BRSA et orientations par secteur"


def src(document: str, line: int, objectif: tuple[str, int] | None = None) -> str:
    """`source` of a row: the document and the seed line, then the line of the cible if elsewhere."""
    text = f"{document}, l. {line}"
    if objectif:
        text += f" ; objectif : {objectif[0]}, l. {objectif[1]}"
    return text


# --------------------------------------------------------------------------------------------------
# Indicators
# --------------------------------------------------------------------------------------------------
INDICATEURS: list[dict] = []


def ind(code, libelle, noeud, unite, nature, agregation, additivite, sens, source, definition, secret_seuil=""):
    INDICATEURS.append(
        {"code": code, "libelle": libelle, "noeud": noeud, "unite": unite, "nature": nature,
         "agregation": agregation, "additivite": additivite, "sens": sens, "source": source,
         "definition": definition, "secret_seuil": secret_seuil}
    )  # fmt: skip


# ---- Key figures of the synthesis (seed 000) -------------------------------------------------------
ind(
    "CTX-SSD-MENAGES",
    "Ménages (personnes seules ou familles) rencontrés par le Service social départemental",
    "A5",
    "nombre",
    "contexte",
    "somme",
    "somme",
    "neutre",
    f"{SUS}, chiffre clé de l'ambition 5",
    "Nombre de ménages (personnes seules ou familles) rencontrés dans l'année par les équipes du Service "
    "social départemental, sur l'ensemble du département. Flux annuel : 15 547 ménages en 2021.",
)
ind(
    "CTX-MDPH-DROITS-OUVERTS",
    "Personnes ayant au moins un droit ouvert à la MDPH",
    "A6",
    "nombre",
    "contexte",
    "dernier",
    "somme",
    "neutre",
    f"{SUS}, chiffre clé de l'ambition 6",
    "Nombre de personnes ayant au moins un droit ouvert auprès de la Maison départementale des personnes "
    "handicapées de Saône-et-Loire (prestation, orientation ou carte), tous âges confondus. Stock de "
    "l'année (la synthèse ne précise pas la date d'observation) : 44 571 personnes en 2021.",
)
ind(
    "CTX-PA-MAINTIEN-DOMICILE",
    "Personnes âgées accompagnées pour leur maintien à domicile chaque mois (moyenne)",
    "A6",
    "nombre",
    "contexte",
    "moyenne",
    "somme",
    "neutre",
    f"{SUS}, chiffre clé de l'ambition 6",
    "Nombre moyen, sur les mois de l'année, de personnes âgées accompagnées par le Département pour leur "
    "maintien à domicile (la synthèse ne détaille pas les prestations comptées, vraisemblablement l'APA à "
    "domicile). Moyenne mensuelle : 9 127 personnes en 2021.",
)
ind(
    "CTX-ASE-MESURES-PLACEMENT",
    "Mesures de placement (aide sociale à l'enfance)",
    "A7",
    "nombre",
    "contexte",
    "dernier",
    "somme",
    "neutre",
    f"{SUS}, chiffre clé de l'ambition 7",
    "Nombre de mesures de placement d'enfants au titre de la protection de l'enfance (accueil confié à "
    "l'aide sociale à l'enfance, administratif ou judiciaire), en Saône-et-Loire. La synthèse donne 1 608 "
    "mesures en 2021 sans préciser s'il s'agit d'un stock à une date ou des mesures de l'année ; le chiffre "
    "est traité comme un stock.",
)
ind(
    "CTX-TISF-FAMILLES",
    "Familles accompagnées par des techniciens de l'intervention sociale et familiale (TISF)",
    "A7",
    "nombre",
    "contexte",
    "somme",
    "somme",
    "neutre",
    f"{SUS}, chiffre clé de l'ambition 7",
    "Nombre de familles ayant bénéficié dans l'année d'un accompagnement à domicile par un technicien de "
    "l'intervention sociale et familiale (TISF) au titre de la politique enfance-familles du Département "
    "(prévention, soutien à la parentalité, protection de l'enfance) : 842 familles en 2021.",
)
ind(
    "CTX-RSA-ORIENTES-EMPLOI",
    "Bénéficiaires du RSA orientés « emploi »",
    "A8",
    "nombre",
    "contexte",
    "dernier",
    "somme",
    "neutre",
    f"{SUS}, chiffre clé de l'ambition 8",
    "Nombre de bénéficiaires du RSA dont l'orientation en vigueur est une orientation « emploi » "
    "(accompagnement professionnel), par opposition aux orientations sociales : 6 919 personnes en 2021. "
    "Voisin des orientations Pôle emploi du diagnostic 2019 (CTX-RSA-ORIENTATIONS-PE) sans que la source "
    "permette de dire que le périmètre est identique.",
)
ind(
    "CTX-VIF-RESEAUX",
    "Réseaux de lutte contre les violences intrafamiliales (VIF) en Saône-et-Loire",
    "A5",
    "nombre",
    "contexte",
    "dernier",
    "somme",
    "hausse",
    f"{SUS}, chiffre clé de l'ambition 5",
    "Nombre de réseaux locaux de professionnels de prévention et de lutte contre les violences "
    "intrafamiliales actifs en Saône-et-Loire : 12 réseaux en 2021.",
    "0",
)
ind(
    "CTX-ESSMS-EI-MALTRAITANCE",
    "Part des signalements d'événements indésirables des ESSMS concernant des motifs de maltraitance ou de négligence",
    "A4",
    "%",
    "contexte",
    "moyenne",
    "aucune",
    "neutre",
    f"{SUS}, chiffre clé de l'ambition 4",
    "Part, en %, des signalements d'événements indésirables transmis par les établissements et services "
    "sociaux et médico-sociaux (ESSMS) de Saône-et-Loire dont le motif est une maltraitance ou une "
    "négligence, rapportée à l'ensemble des signalements d'événements indésirables de l'année : 21 % en 2021.",
    "0",
)
ind(
    "CTX-AGENTS-SOLIDARITES",
    "Agents départementaux œuvrant dans le champ des solidarités",
    "A3",
    "nombre",
    "contexte",
    "dernier",
    "somme",
    "neutre",
    f"{SUS}, chiffre clé de l'ambition 3",
    "Effectif des agents du Département travaillant dans le champ des solidarités (accueil et "
    "accompagnement social de proximité, PMI, protection de l'enfance, violences intrafamiliales, insertion, "
    "autonomie, logement, lutte contre la pauvreté, protection des personnes vulnérables). La synthèse "
    "indique « près de 1 000 » agents, sans date (chiffre rattaché à 2021 comme les autres chiffres clés).",
    "0",
)

# ---- CALPAE 2022, premier accueil social inconditionnel ------------------------------------------
PASI_SRC = f"{F_PASI} ; {C22_ANNEXE_A} ; {C19_ANNEXE_A}"
ind(
    "CTX-PASI-TAUX-COUVERTURE",
    "Taux de couverture de premier accueil social inconditionnel par département accessible à moins de 30 minutes",
    "A2",
    "%",
    "résultat",
    "moyenne",
    "aucune",
    "hausse",
    PASI_SRC,
    "Part, en %, de la population du département qui dispose d'un lieu de premier accueil social "
    "inconditionnel accessible à moins de 30 minutes de son domicile, en transport. Situation au 31/12/2018 puis résultat de chaque année ; la "
    "valeur 2022 est celle du 01/01 au 31/05/2022. Objectifs : convention 2019-2021 (60 %, 80 %, 100 %) et "
    "CALPAE 2022 (95 %).",
    "0",
)
ind(
    "CTX-PASI-STRUCTURES-ENGAGEES",
    "Nombre de structures (hors dispositif du CD) ou lieux qui sont engagés dans la démarche de premier accueil inconditionnel",
    "A2",
    "nombre",
    "résultat",
    "dernier",
    "somme",
    "hausse",
    f"{F_PASI} ; {C22_ANNEXE_A}",
    "Nombre cumulé de structures ou lieux partenaires, hors services du Département, engagés dans la "
    "démarche de premier accueil social inconditionnel de proximité (charte multi-partenariale), à la fin "
    "de l'année ; au 31/05/2022 pour 2022. Objectif 2022 : 50 structures.",
    "0",
)
ind(
    "CTX-PASI-PERSONNES-RECUES-CD",
    "Nombre de personnes reçues par les structures de premier accueil social inconditionnel des CD uniquement",
    "A2",
    "nombre",
    "contexte",
    "somme",
    "somme",
    "neutre",
    f"{F_PASI} ; {C22_ANNEXE_A}",
    "Nombre de personnes reçues dans l'année par les lieux de premier accueil social inconditionnel du "
    "Département lui-même (Maisons départementales des solidarités notamment). Flux annuel ; valeur 2022 partielle (du 01/01 "
    "au 31/05/2022).",
)
ind(
    "CTX-PASI-PERSONNES-RECUES-AUTRES",
    "Nombre de personnes reçues au sein des autres structures de premier accueil social inconditionnel",
    "A2",
    "nombre",
    "contexte",
    "somme",
    "somme",
    "neutre",
    f"{F_PASI} ; {C22_ANNEXE_A}",
    "Nombre de personnes reçues dans l'année par les structures partenaires (hors Département) engagées "
    "dans la démarche de premier accueil social inconditionnel. Flux annuel ; valeur 2022 partielle (du "
    "01/01 au 31/05/2022).",
)

# ---- CALPAE, référent de parcours -----------------------------------------------------------------
ind(
    "CTX-REFPAR-INTERVENANTS-FORMES",
    "Nombre d'intervenants sociaux formés ou sensibilisés à la démarche du référent de parcours",
    "A2",
    "nombre",
    "contexte",
    "dernier",
    "somme",
    "hausse",
    f"{F_RP} ; {C22_ANNEXE_A}",
    "Nombre cumulé d'intervenants sociaux (Département et partenaires) formés ou sensibilisés à la démarche "
    "du référent de parcours depuis le début de l'expérimentation (formation-action), à la fin de l'année ; "
    "au 31/05/2022 pour 2022. Pas d'objectif chiffré en 2022 (« Pas de déploiement : partage des "
    "enseignements »).",
    "0",
)
ind(
    "CTX-REFPAR-PERSONNES-ACCOMPAGNEES",
    "Nombre total de personnes accompagnées par un référent de parcours",
    "A2",
    "nombre",
    "contexte",
    "dernier",
    "somme",
    "hausse",
    f"{F_RP} ; {C22_ANNEXE_A}",
    "Nombre total (cumulé) de personnes accompagnées par un référent de parcours dans le cadre de "
    "l'expérimentation départementale, à la fin de l'année ; au 31/05/2022 pour 2022.",
)
ind(
    "CTX-REFPAR-TAUX-COUVERTURE",
    "Taux de couverture de la population du département par la démarche de référent de parcours",
    "A2",
    "%",
    "résultat",
    "moyenne",
    "aucune",
    "hausse",
    C19_ANNEXE_A,
    "Part, en %, du public visé par l'expérimentation départementale couvert par la démarche de référent "
    "de parcours. La convention 2019-2021 fixe les objectifs (0 % en 2019, 50 % en 2020, 100 % en 2021) ; "
    "la source ne donne pas de valeur réalisée.",
    "0",
)
ind(
    "CTX-REFPAR-PRESENCE-PARTENAIRES",
    "Taux de présence des partenaires aux instances de décisions",
    "A2",
    "%",
    "résultat",
    "moyenne",
    "aucune",
    "hausse",
    C19_ANNEXE_A,
    "Part, en %, des professionnels partenaires présents aux instances de décision de la démarche de "
    "référent de parcours. Objectifs de la convention 2019-2021 uniquement (0 %, 50 %, 80 %) ; pas de "
    "valeur réalisée dans la source.",
    "0",
)
ind(
    "CTX-REFPAR-PRESENCE-PERSONNES",
    "Taux de présence des personnes accompagnées aux instances de décisions",
    "A2",
    "%",
    "résultat",
    "moyenne",
    "aucune",
    "hausse",
    C19_ANNEXE_A,
    "Part, en %, des personnes accompagnées par un référent de parcours présentes aux instances de "
    "décision qui les concernent. Objectifs de la convention 2019-2021 uniquement (0 %, 40 %, 80 %) ; pas "
    "de valeur réalisée dans la source.",
    "0",
)
ind(
    "CTX-REFPAR-SITUATIONS-POSITIVES",
    "Proportion de situations ayant évolué positivement dans l'année",
    "A2",
    "%",
    "résultat",
    "moyenne",
    "aucune",
    "hausse",
    C19_ANNEXE_A,
    "Part, en %, des situations suivies dans la démarche de référent de parcours ayant connu une évolution "
    "positive dans l'année (accès à un service ou une prestation, participation à une activité facilitant "
    "la réinsertion sociale ou professionnelle, accès à un emploi, solution éducative pour les enfants à "
    "charge…). Objectifs de la convention 2019-2021 uniquement (0 %, 40 %, 90 %).",
    "0",
)

# ---- CALPAE, orientation et accompagnement des BRSA ---------------------------------------------
RSA_SRC = f"{F_RSA} ; {C22_ANNEXE_A}"
ind(
    "CTX-RSA-NOUVEAUX-ENTRANTS",
    "Nombre de nouveaux entrants (RSA)",
    "A8",
    "nombre",
    "contexte",
    "somme",
    "somme",
    "neutre",
    RSA_SRC,
    "Nombre de personnes entrées (ou revenues) dans le RSA au cours de l'année en Saône-et-Loire. Flux "
    "annuel ; valeur 2022 partielle (du 01/01 au 31/05/2022).",
)
ind(
    "CTX-RSA-NE-ORIENTES-1MOIS",
    "Nombre de nouveaux entrants orientés en 1 mois et moins (parmi l'ensemble des nouveaux entrants ayant été orientés)",
    "A8",
    "nombre",
    "contexte",
    "somme",
    "somme",
    "hausse",
    RSA_SRC,
    "Nombre de nouveaux entrants dans le RSA dont l'orientation (professionnelle ou sociale) a été notifiée "
    "dans un délai d'un mois ou moins après l'ouverture de leurs droits, parmi les nouveaux entrants "
    "orientés dans l'année. Flux annuel ; valeur 2022 partielle (du 01/01 au 31/05/2022). L'objectif, "
    "exprimé en %, est porté par CTX-RSA-TAUX-ORIENTES-1MOIS.",
)
ind(
    "CTX-RSA-TAUX-ORIENTES-1MOIS",
    "Part des nouveaux entrants orientés en un mois et moins",
    "A8",
    "%",
    "résultat",
    "moyenne",
    "aucune",
    "hausse",
    f"{C19_ANNEXE_A} ; {F_RSA}",
    "Part, en %, des nouveaux entrants dans le RSA dont l'orientation est notifiée en un mois ou moins à "
    "compter de la notification d'ouverture de leurs droits au Département. Objectifs : 85 %, 90 %, 95 % "
    "(convention 2019-2021) et 80 % (CALPAE 2022). La source ne donne que le nombre correspondant "
    "(CTX-RSA-NE-ORIENTES-1MOIS), pas le taux réalisé.",
    "0",
)
ind(
    "CTX-RSA-NE-ORIENTES-HORS-PE",
    "Nombre de nouveaux entrants orientés hors Pôle Emploi",
    "A8",
    "nombre",
    "contexte",
    "somme",
    "somme",
    "neutre",
    F_RSA,
    "Nombre de nouveaux entrants dans le RSA orientés dans l'année vers un organisme d'accompagnement "
    "autre que Pôle emploi (service social départemental, garantie d'activité, partenaires). Flux annuel ; "
    "valeur 2022 partielle (du 01/01 au 31/05/2022).",
)
ind(
    "CTX-RSA-PREMIERS-RDV",
    "Nombre total de 1ers rendez-vous d'accompagnement fixés (parmi les nouveaux entrants orientés hors Pôle Emploi)",
    "A8",
    "nombre",
    "contexte",
    "somme",
    "somme",
    "hausse",
    RSA_SRC,
    "Nombre de premiers rendez-vous d'accompagnement fixés dans l'année aux nouveaux entrants du RSA "
    "orientés hors Pôle emploi. Flux annuel ; valeur 2022 partielle (du 01/01 au 31/05/2022). L'objectif "
    "2022 (92 %) est porté par CTX-RSA-TAUX-PREMIERS-RDV.",
)
ind(
    "CTX-RSA-TAUX-PREMIERS-RDV",
    "Part des nouveaux entrants orientés hors Pôle Emploi ayant un 1er rendez-vous d'accompagnement fixé",
    "A8",
    "%",
    "résultat",
    "moyenne",
    "aucune",
    "hausse",
    F_RSA,
    "Part, en %, des nouveaux entrants du RSA orientés hors Pôle emploi pour lesquels un premier "
    "rendez-vous d'accompagnement a été fixé. Objectif CALPAE 2022 : 92 % ; la source ne donne pas le taux "
    "réalisé.",
    "0",
)
ind(
    "CTX-RSA-PREMIERS-RDV-2SEM",
    "Nombre de 1ers rendez-vous à 2 semaines ou moins fixés",
    "A8",
    "nombre",
    "contexte",
    "somme",
    "somme",
    "hausse",
    RSA_SRC,
    "Nombre de premiers rendez-vous d'accompagnement fixés dans un délai de deux semaines ou moins après "
    "l'orientation, pour les nouveaux entrants du RSA orientés hors Pôle emploi. Flux annuel ; valeur 2022 "
    "partielle (du 01/01 au 31/05/2022).",
)
ind(
    "CTX-RSA-PREMIERS-CER",
    "Nombre total de 1ers contrats d'engagements réciproques (parmi les nouveaux entrants orientés hors Pôle Emploi)",
    "A8",
    "nombre",
    "contexte",
    "somme",
    "somme",
    "hausse",
    RSA_SRC,
    "Nombre de premiers contrats d'engagements réciproques (CER) signés dans l'année par les nouveaux "
    "entrants du RSA orientés hors Pôle emploi. Flux annuel ; valeur 2022 partielle (du 01/01 au "
    "31/05/2022). Les valeurs 2020-2022 de la source sont identiques à celles des premiers rendez-vous. "
    "L'objectif 2022 (100 %) est porté par CTX-RSA-TAUX-PREMIERS-CER.",
)
ind(
    "CTX-RSA-TAUX-PREMIERS-CER",
    "Part des nouveaux entrants orientés hors Pôle Emploi ayant signé un 1er contrat d'engagements réciproques",
    "A8",
    "%",
    "résultat",
    "moyenne",
    "aucune",
    "hausse",
    F_RSA,
    "Part, en %, des nouveaux entrants du RSA orientés hors Pôle emploi ayant signé un premier contrat "
    "d'engagements réciproques. Objectif CALPAE 2022 : 100 % ; la source ne donne pas le taux réalisé.",
    "0",
)
ind(
    "CTX-RSA-CER-2MOIS",
    "Nombre de 1ers contrats d'engagements réciproques dans les 2 mois",
    "A8",
    "nombre",
    "contexte",
    "somme",
    "somme",
    "hausse",
    RSA_SRC,
    "Nombre de premiers contrats d'engagements réciproques signés dans les deux mois suivant l'orientation, "
    "pour les nouveaux entrants du RSA orientés hors Pôle emploi. Flux annuel ; valeur 2022 partielle (du "
    "01/01 au 31/05/2022). L'objectif 2022 (90 %) est porté par CTX-RSA-TAUX-CER-2MOIS.",
)
ind(
    "CTX-RSA-TAUX-CER-2MOIS",
    "Part des 1ers contrats d'engagements réciproques signés dans les 2 mois",
    "A8",
    "%",
    "résultat",
    "moyenne",
    "aucune",
    "hausse",
    F_RSA,
    "Part, en %, des premiers contrats d'engagements réciproques des nouveaux entrants orientés hors Pôle "
    "emploi signés dans les deux mois. Objectif CALPAE 2022 : 90 % ; la source ne donne pas le taux "
    "réalisé.",
    "0",
)
ind(
    "CTX-RSA-TAUX-NOTIF-2SEM",
    "Part des demandeurs du RSA notifiés en moins de 2 semaines",
    "A8",
    "%",
    "résultat",
    "moyenne",
    "aucune",
    "hausse",
    C19_ANNEXE_A,
    "Part, en %, des demandeurs du RSA dont la décision est notifiée en moins de deux semaines à compter de "
    "la date de leur demande complète. Objectif 2021 de la convention 2019-2021 : 90 % (et 100 % en trois "
    "semaines) ; pas de valeur réalisée dans la source.",
    "0",
)
ind(
    "CTX-RSA-DELAI-1ER-RDV",
    "Délai de mise en œuvre de l'accompagnement (1er rendez-vous d'accompagnement fixé)",
    "A8",
    "mois",
    "résultat",
    "moyenne",
    "aucune",
    "baisse",
    C19_ANNEXE_A,
    "Délai, en mois, entre l'orientation d'un nouvel entrant du RSA et la mise en œuvre de son "
    "accompagnement (premier rendez-vous d'accompagnement fixé). Objectifs de la convention 2019-2021 : 3 "
    "mois en 2019, 2 mois en 2020, 1 mois en 2021 ; pas de valeur réalisée dans la source.",
    "0",
)
ind(
    "CTX-RSA-RELANCE-NON-PRESENTS",
    "Part des non-présents au 1er rendez-vous d'accompagnement faisant l'objet d'une action spécifique",
    "A8",
    "%",
    "résultat",
    "moyenne",
    "aucune",
    "hausse",
    C19_ANNEXE_A,
    "Part, en %, des personnes qui ne se présentent pas au premier rendez-vous d'accompagnement fixé (et "
    "n'ont pas fixé de nouveau rendez-vous) faisant l'objet d'une action spécifique (relance, "
    "avertissement…) sous 2 mois en 2019, sous 1 mois en 2020 et 2021. Objectifs de la convention "
    "2019-2021 uniquement.",
    "0",
)
ind(
    "CTX-RSA-CER-1SEMAINE",
    "Part des CER ou PPAE signés ou réactivés sous une semaine après le 1er rendez-vous effectif",
    "A8",
    "%",
    "résultat",
    "moyenne",
    "aucune",
    "hausse",
    C19_ANNEXE_A,
    "Part, en %, des personnes démarrant un parcours d'accompagnement dont le contrat d'engagements "
    "réciproques (CER) ou le projet personnalisé d'accès à l'emploi (PPAE) est signé ou réactivé sous une "
    "semaine à compter du premier rendez-vous effectif (premier contact effectif pour Pôle emploi). "
    "Objectifs de la convention 2019-2021 uniquement.",
    "0",
)
ind(
    "CTX-RSA-DIAG-PARTAGES",
    "Part des diagnostics individuels de situation partagés entre acteurs dans un délai de 3 jours ouvrés",
    "A8",
    "%",
    "résultat",
    "moyenne",
    "aucune",
    "hausse",
    C19_ANNEXE_A,
    "Part, en %, des diagnostics individuels de situation des allocataires du RSA partagés entre les "
    "acteurs concernés dans un délai de trois jours ouvrés (sans doublon). Objectif 2021 de la convention "
    "2019-2021 : 100 %.",
    "0",
)
ind(
    "CTX-RSA-OFFRE-VISIBLE",
    "Part de l'offre d'accompagnement d'un territoire visible de l'ensemble des acteurs et à jour",
    "A8",
    "%",
    "résultat",
    "moyenne",
    "aucune",
    "hausse",
    C19_ANNEXE_A,
    "Part, en %, de l'offre d'accompagnement des allocataires du RSA d'un territoire (opérateur, capacité, "
    "type, disponibilités) visible de l'ensemble des acteurs et à jour. Objectifs de la convention "
    "2019-2021 : 60 %, 80 %, 100 %.",
    "0",
)
ind(
    "CTX-RSA-REPRISE-EMPLOI-PARRAINAGE",
    "Taux de reprise d'emploi des bénéficiaires du RSA parrainés ou en clauses d'insertion",
    "A8",
    "%",
    "résultat",
    "moyenne",
    "aucune",
    "hausse",
    C19_ANNEXE_A,
    "Part, en %, des bénéficiaires du RSA accompagnés par la plateforme de parrainage ou positionnés sur "
    "des clauses d'insertion (garantie d'activité départementale) ayant repris un emploi. Objectifs de la "
    "convention 2019-2021 : 10 % en 2019, 30 % fin 2021 dont 15 % en reprise durable.",
    "0",
)
ind(
    "CTX-RSA-REPRISE-EMPLOI-CIRCUITS-COURTS",
    "Taux de reprise d'emploi des personnes accompagnées dans le dispositif « Circuits courts »",
    "A8",
    "%",
    "résultat",
    "moyenne",
    "aucune",
    "hausse",
    C19_ANNEXE_A,
    "Part, en %, des personnes accompagnées dans le dispositif « Circuits courts » (médiation active entre "
    "bénéficiaires du RSA et PME-TPE) ayant repris un emploi. Objectifs de la convention 2019-2021 : 20 % "
    "en 2019, 50 % en 2021 dont 25 % en reprise durable.",
    "0",
)

# ---- CALPAE, garantie d'activité et accompagnement global ---------------------------------------
GA_SRC = f"{F_DENSIFIER} ; {C22_ANNEXE_A}"
ind(
    "CTX-RSA-GAD-ORIENTES",
    "Nombre de bénéficiaires du RSA orientés vers la garantie d'activité départementale (nouveaux entrants, hors accompagnement global)",
    "A8",
    "nombre",
    "contexte",
    "somme",
    "somme",
    "hausse",
    GA_SRC,
    "Nombre de nouveaux entrants de l'année dans le RSA orientés vers la garantie d'activité départementale, "
    "hors accompagnement global. Flux annuel ; valeur 2022 partielle (1er semestre). Objectif 2022 non "
    "chiffré (« En lien avec le projet SPIE et RSA »).",
)
ind(
    "CTX-RSA-GAD-EN-COURS",
    "Nombre de bénéficiaires du RSA en cours d'accompagnement par la garantie départementale hors accompagnement global",
    "A8",
    "nombre",
    "contexte",
    "dernier",
    "somme",
    "hausse",
    GA_SRC,
    "Nombre de bénéficiaires du RSA en cours d'accompagnement par la garantie d'activité départementale, "
    "hors accompagnement global : stock en fin d'année, au 31/05/2022 pour 2022.",
)
ind(
    "CTX-RSA-AG-ORIENTES",
    "Nombre de bénéficiaires du RSA orientés vers l'accompagnement global",
    "A8",
    "nombre",
    "contexte",
    "somme",
    "somme",
    "hausse",
    GA_SRC,
    "Nombre de bénéficiaires du RSA orientés dans l'année vers l'accompagnement global (binôme conseiller "
    "Pôle emploi / travailleur social du Département), d'après les chiffres transmis par Pôle emploi. Flux "
    "annuel ; valeur 2022 partielle (1er semestre).",
)
ind(
    "CTX-RSA-AG-EN-COURS",
    "Nombre de bénéficiaires en cours d'accompagnement par l'accompagnement global",
    "A8",
    "nombre",
    "contexte",
    "dernier",
    "somme",
    "hausse",
    GA_SRC,
    "Nombre de bénéficiaires du RSA en cours d'accompagnement global (chiffres Pôle emploi renseignés par "
    "le Département) : stock en fin d'année, au 31/05/2022 pour 2022.",
)
ind(
    "CTX-RSA-AG-PERSONNES-PAR-CONSEILLER",
    "Nombre de personnes accompagnées par conseiller dédié à l'accompagnement global",
    "A8",
    "personnes par conseiller",
    "résultat",
    "moyenne",
    "aucune",
    "neutre",
    f"{F_DENSIFIER} ; {C22_ANNEXE_A} ; {C19_ANNEXE_A}",
    "Nombre moyen de personnes accompagnées par conseiller Pôle emploi dédié à l'accompagnement global "
    "(binôme Pôle emploi / Département), chiffres Pôle emploi. Objectif de la convention 2019-2021, "
    "rappelé en 2022 : 70 personnes par conseiller (taille de portefeuille de référence).",
    "0",
)
ind(
    "CTX-RSA-AG-DELAI-DEMARRAGE",
    "Délai moyen du démarrage de l'accompagnement global",
    "A8",
    "jours",
    "résultat",
    "moyenne",
    "aucune",
    "baisse",
    f"{F_DENSIFIER} ; {C22_ANNEXE_A} ; {C19_ANNEXE_A}",
    "Délai moyen, en jours, entre l'orientation d'un bénéficiaire du RSA vers l'accompagnement global et le "
    "démarrage effectif de cet accompagnement (chiffres Pôle emploi). Objectif : moins de 3 semaines, soit "
    "21 jours (convention 2019-2021 et CALPAE 2022). Valeur 2022 : du 01/01 au 31/05/2022.",
    "0",
)

# ---- CALPAE, formation des travailleurs sociaux --------------------------------------------------
for suffix, theme, cnfpt, specifique in (
    ("NUMERIQUE", "Numérique", True, True),
    ("PARTICIPATION", "Participation des personnes", True, True),
    ("DEV-SOCIAL", "Développement social", True, True),
    ("ALLER-VERS", "Aller vers", True, False),
    ("INSERTION", "Insertion socio-professionnelle", True, False),
):
    if cnfpt:
        ind(
            f"CTX-FORM-CNFPT-{suffix}",
            f"Nombre de personnes formées par des formations figurant sur le catalogue CNFPT – {theme}",
            "A3",
            "nombre",
            "contexte",
            "somme",
            "somme",
            "hausse",
            f"{F_FORMATION} ; {C22_ANNEXE_A}",
            f"Nombre de professionnels du travail social formés dans l'année, sur la thématique « {theme} » "
            "de la stratégie pauvreté, par des formations du catalogue du CNFPT (plan de formation des "
            "travailleurs sociaux de la CALPAE). Flux annuel ; valeur 2022 partielle (du 01/01 au 31/05/2022).",
            "0",
        )
    if specifique:
        ind(
            f"CTX-FORM-SPECIFIQUE-{suffix}",
            f"Nombre de personnes formées par des formations faisant l'objet d'un financement spécifique – {theme}",
            "A3",
            "nombre",
            "contexte",
            "somme",
            "somme",
            "hausse",
            f"{F_FORMATION} ; {C22_ANNEXE_A}",
            f"Nombre de professionnels du travail social formés dans l'année, sur la thématique « {theme} » "
            "de la stratégie pauvreté, par des formations faisant l'objet d'un financement spécifique (hors "
            "catalogue CNFPT). Flux annuel ; valeur 2022 partielle (du 01/01 au 31/05/2022).",
            "0",
        )

# ---- CALPAE, Van71 ---------------------------------------------------------------------------
ind(
    "CTX-VAN71-COMMUNES",
    "Van71 – Nombre de communes concernées",
    "A5",
    "nombre",
    "contexte",
    "aucune",
    "somme",
    "hausse",
    F_VAN71,
    "Nombre de communes ayant accueilli une tournée du Van71, tiers-lieu numérique itinérant du "
    "Département (médiation numérique et culturelle), sur la période. Action lancée le 3 mai 2022 ; une "
    "commune peut être revisitée d'une période à l'autre : pas de cumul entre périodes.",
    "0",
)
ind(
    "CTX-VAN71-USAGERS",
    "Van71 – Nombre d'usagers accueillis",
    "A5",
    "nombre",
    "contexte",
    "somme",
    "somme",
    "hausse",
    F_VAN71,
    "Nombre d'usagers accueillis ou accompagnés lors des tournées du Van71, tiers-lieu numérique itinérant "
    "du Département. Flux ; action lancée le 3 mai 2022.",
)
ind(
    "CTX-VAN71-SESSIONS",
    "Van71 – Nombre de sessions réalisées",
    "A5",
    "nombre",
    "contexte",
    "somme",
    "somme",
    "hausse",
    F_VAN71,
    "Nombre de sessions réalisées par le Van71 lors de ses tournées dans les communes. "
    "Flux ; action lancée le 3 mai 2022.",
    "0",
)
ind(
    "CTX-VAN71-ACTIONS-CULTURE",
    "Van71 – Nombre d'actions de sensibilisation à la culture effectuées",
    "A5",
    "nombre",
    "contexte",
    "somme",
    "somme",
    "hausse",
    F_VAN71,
    "Nombre d'actions de sensibilisation à la culture (numérique) menées par le Van71 (initiations, "
    "actions événementielles). Flux ; action lancée le 3 mai 2022.",
    "0",
)

# ---- CALPAE, réseau d'inclusion numérique / InfoPublic71 ----------------------------------------
ind(
    "CTX-INCLNUM-STRUCTURES",
    "Réseau d'inclusion numérique – Nombre de structures engagées dans la démarche (cumul)",
    "A5",
    "nombre",
    "contexte",
    "dernier",
    "somme",
    "hausse",
    F_INCLUSION,
    "Nombre cumulé de structures engagées dans le réseau départemental d'inclusion numérique : en 2020, "
    "structures ayant répondu à l'enquête de diagnostic ; à partir de 2021, structures référencées sur la "
    "plateforme InfoPublic71 (rupture de définition entre 2020 et 2021).",
    "0",
)
ind(
    "CTX-INCLNUM-AGENTS-FORMES",
    "Réseau d'inclusion numérique – Nombre d'agents formés (annuel)",
    "A3",
    "nombre",
    "contexte",
    "somme",
    "somme",
    "hausse",
    F_INCLUSION,
    "Nombre d'agents formés dans l'année par les formations professionnelles du réseau d'inclusion "
    "numérique (accompagnement des publics vers l'autonomie numérique). Flux annuel ; valeur 2022 "
    "partielle.",
    "0",
)
ind(
    "CTX-INCLNUM-FAMILLES-EQUIPEES",
    "Réseau d'inclusion numérique – Nombre de familles équipées en matériel (cumul)",
    "A5",
    "nombre",
    "contexte",
    "dernier",
    "somme",
    "hausse",
    F_INCLUSION,
    "Nombre cumulé de familles en difficulté équipées d'un ordinateur reconditionné prêté par le "
    "Département (dispositif de 200 ordinateurs lancé au 3e trimestre 2020) ; au 31/08/2022 pour 2022.",
)
ind(
    "CTX-INFOPUBLIC-UTILISATEURS",
    "Nombre d'utilisateurs de la plateforme collaborative InfoPublic71",
    "A1",
    "nombre",
    "contexte",
    "aucune",
    "aucune",
    "hausse",
    F_INCLUSION,
    "Nombre de visiteurs uniques de la plateforme collaborative InfoPublic71 (ressources pour l'accueil "
    "social et l'inclusion numérique) sur la période indiquée : août à décembre 2021, janvier à août 2022. "
    "Les visiteurs uniques ne s'additionnent pas d'une période à l'autre.",
    "0",
)
ind(
    "CTX-INFOPUBLIC-CONTRIBUTEURS",
    "Nombre de contributeurs de la plateforme collaborative InfoPublic71 (cumul)",
    "A1",
    "nombre",
    "résultat",
    "dernier",
    "somme",
    "hausse",
    F_INCLUSION,
    "Nombre cumulé de contributeurs (acteurs qui alimentent les contenus) de la plateforme "
    "collaborative InfoPublic71, en fin d'année ; au 25/08/2022 pour 2022. Objectif : 60 contributeurs fin "
    "2022.",
    "0",
)

# ---- CALPAE, Croix Rouge sur Roues ---------------------------------------------------------------
CRR_DEF = (
    " Action itinérante de la Croix-Rouge (colis alimentaires d'urgence avec la Banque alimentaire, aide "
    "vestimentaire, écoute, orientation) auprès des habitants des zones rurales ayant des difficultés de "
    "mobilité, sur deux bassins seulement : la Bresse louhannaise (TAS CL) et le Charolais (TAS MP). Périodes "
    "de la source : novembre 2020 à septembre 2021 (année 2021), octobre 2021 à mai 2022 (année 2022)."
)
ind(
    "CTX-CRR-FOYERS",
    "Croix Rouge sur Roues – Nombre de foyers aidés",
    "A5",
    "nombre",
    "contexte",
    "somme",
    "somme",
    "neutre",
    F_CRR,
    "Nombre de foyers aidés par la Croix Rouge sur Roues sur la période." + CRR_DEF,
)
ind(
    "CTX-CRR-PERSONNES",
    "Croix Rouge sur Roues – Nombre de personnes aidées",
    "A5",
    "nombre",
    "contexte",
    "somme",
    "somme",
    "neutre",
    F_CRR,
    "Nombre de personnes (membres des foyers aidés) aidées par la Croix Rouge sur Roues sur la période." + CRR_DEF,
)
ind(
    "CTX-CRR-FAMILLES-MONOPARENTALES",
    "Croix Rouge sur Roues – Nombre de familles monoparentales",
    "A5",
    "nombre",
    "contexte",
    "somme",
    "somme",
    "neutre",
    F_CRR,
    "Nombre de familles monoparentales parmi les foyers aidés par la Croix Rouge sur Roues sur la période." + CRR_DEF,
)
ind(
    "CTX-CRR-PERSONNES-SEULES",
    "Croix Rouge sur Roues – Nombre de personnes seules",
    "A5",
    "nombre",
    "contexte",
    "somme",
    "somme",
    "neutre",
    F_CRR,
    "Nombre de personnes seules parmi les foyers aidés par la Croix Rouge sur Roues sur la période." + CRR_DEF,
)
ind(
    "CTX-CRR-POIDS-ALIMENTAIRE",
    "Croix Rouge sur Roues – Poids total alimentaire distribué",
    "A5",
    "kg",
    "contexte",
    "somme",
    "somme",
    "neutre",
    F_CRR,
    "Poids total, en kilogrammes, des denrées alimentaires distribuées par la Croix Rouge sur Roues sur la "
    "période, Bresse et Charolais confondus (la source ne le ventile pas par bassin)." + CRR_DEF,
    "0",
)
ind(
    "CTX-CRR-COMMUNES",
    "Croix Rouge sur Roues – Nombre de communes visitées",
    "A5",
    "nombre",
    "contexte",
    "aucune",
    "somme",
    "hausse",
    F_CRR,
    "Nombre de communes visitées par le camion de la Croix Rouge sur Roues sur la période (une commune peut "
    "être revisitée d'une période à l'autre : pas de cumul entre périodes)." + CRR_DEF,
    "0",
)

# ---- Diagnostic 2019 : BRSA et orientations par secteur -----------------------------------------
DIAG_DEF = (
    " Diagnostic territorial annexé à la CALPAE 2019 (annexe 1), par secteur d'action sociale (7 secteurs "
    "qui forment les 3 TAS) ; la source ne date pas le tableau (données probablement 2018)."
)
ind(
    "CTX-RSA-BENEFICIAIRES",
    "Nombre de BRSA (allocataires + conjoints)",
    "A8",
    "nombre",
    "contexte",
    "dernier",
    "somme",
    "neutre",
    DIAG19,
    "Nombre de bénéficiaires du RSA, allocataires et conjoints, à la date d'observation." + DIAG_DEF,
)
ind(
    "CTX-RSA-ORIENTATIONS",
    "Nombre total d'orientations réalisées (BRSA)",
    "A8",
    "nombre",
    "contexte",
    "dernier",
    "somme",
    "neutre",
    DIAG19,
    "Nombre de bénéficiaires du RSA (allocataires et conjoints) disposant d'une orientation réalisée "
    "(Pôle emploi ou autonomie sociale) à la date d'observation." + DIAG_DEF,
)
ind(
    "CTX-RSA-TAUX-ORIENTATION",
    "Taux d'orientation des BRSA",
    "A8",
    "%",
    "contexte",
    "moyenne",
    "aucune",
    "hausse",
    DIAG19,
    "Rapport, en %, entre le nombre d'orientations réalisées et le nombre de BRSA (allocataires + "
    "conjoints)." + DIAG_DEF,
    "0",
)
ind(
    "CTX-RSA-ORIENTATIONS-PE",
    "Orientation Pôle Emploi des BRSA – nombre",
    "A8",
    "nombre",
    "contexte",
    "dernier",
    "somme",
    "neutre",
    DIAG19,
    "Nombre de bénéficiaires du RSA orientés vers Pôle emploi (orientation professionnelle) à la date "
    "d'observation." + DIAG_DEF,
)
ind(
    "CTX-RSA-PART-ORIENTATIONS-PE",
    "Orientation Pôle Emploi des BRSA – en %",
    "A8",
    "%",
    "contexte",
    "moyenne",
    "aucune",
    "neutre",
    DIAG19,
    "Part, en %, des orientations vers Pôle emploi parmi les orientations réalisées." + DIAG_DEF,
    "0",
)
ind(
    "CTX-RSA-ORIENTATIONS-SOCIALES",
    "Orientation Autonomie sociale des BRSA – nombre",
    "A8",
    "nombre",
    "contexte",
    "dernier",
    "somme",
    "neutre",
    DIAG19,
    "Nombre de bénéficiaires du RSA orientés vers un accompagnement « autonomie sociale » (orientation "
    "sociale) à la date d'observation." + DIAG_DEF,
)
ind(
    "CTX-RSA-PART-ORIENTATIONS-SOCIALES",
    "Orientation Autonomie sociale des BRSA – en %",
    "A8",
    "%",
    "contexte",
    "moyenne",
    "aucune",
    "neutre",
    DIAG19,
    "Part, en %, des orientations « autonomie sociale » parmi les orientations réalisées." + DIAG_DEF,
    "0",
)


# --------------------------------------------------------------------------------------------------
# Values
# --------------------------------------------------------------------------------------------------
def row(code, territoire, annee, valeur, source, cible=None, commentaire=""):
    return {"code_indicateur": code, "territoire": territoire, "annee": annee, "trimestre": "", "valeur": valeur,
            "cible": cible, "commentaire": commentaire, "source": source}  # fmt: skip


# ---- chiffres_cles_2021.csv (seed 000) ----------------------------------------------------------
CHIFFRES_CLES = [
    row("CTX-SSD-MENAGES", "71", 2021, 15547, src(f"{SUS}, chiffre clé de l'ambition 5", 450)),
    row("CTX-MDPH-DROITS-OUVERTS", "71", 2021, 44571, src(f"{SUS}, chiffre clé de l'ambition 6", 520)),
    row(
        "CTX-PA-MAINTIEN-DOMICILE",
        "71",
        2021,
        9127,
        src(f"{SUS}, chiffre clé de l'ambition 6", 510),
        commentaire="moyenne mensuelle sur l'année 2021",
    ),
    row("CTX-ASE-MESURES-PLACEMENT", "71", 2021, 1608, src(f"{SUS}, chiffre clé de l'ambition 7", 574)),
    row("CTX-TISF-FAMILLES", "71", 2021, 842, src(f"{SUS}, chiffre clé de l'ambition 7", 582)),
    row("CTX-RSA-ORIENTES-EMPLOI", "71", 2021, 6919, src(f"{SUS}, chiffre clé de l'ambition 8", 637)),
    row("CTX-VIF-RESEAUX", "71", 2021, 12, src(f"{SUS}, chiffre clé de l'ambition 5", 418)),
    row("CTX-ESSMS-EI-MALTRAITANCE", "71", 2021, 21, src(f"{SUS}, chiffre clé de l'ambition 4", 338)),
    row(
        "CTX-AGENTS-SOLIDARITES",
        "71",
        2021,
        1000,
        src(f"{SUS}, chiffre clé de l'ambition 3", 318),
        commentaire="près de 1 000 dans la source ; non daté (rattaché à 2021 comme les autres chiffres clés)",
    ),
]

# ---- calpae_2018_2022.csv (seed 002) -------------------------------------------------------------
PARTIEL = "valeur partielle : du 01/01 au 31/05/2022"
PARTIEL_STOCK = "situation au 31/05/2022"
OBJ19 = (C19_ANNEXE_A, 2184)

CALPAE: list[dict] = []


def serie(code, document, line, values, *, territoire="71", comments=None, cibles=None):
    """values: {year: value}; cibles: {year: (cible, (doc, line) or None)}; comments: {year: text}."""
    comments = comments or {}
    cibles = cibles or {}
    for year in sorted(set(values) | set(cibles)):
        value = values.get(year)
        cible, where = cibles.get(year, (None, None))
        if value is None:
            # objective without an achieved value: the row cites the objective's line
            CALPAE.append(row(code, territoire, year, None, src(*where), cible, comments.get(year, "")))
        else:
            CALPAE.append(row(code, territoire, year, value, src(document, line, where), cible, comments.get(year, "")))


# Premier accueil social inconditionnel : values of the fiche action (l. 429-432), objectives of the
# annex A table (l. 250-251) and of the 2019-2021 convention (l. 2184).
serie(
    "CTX-PASI-TAUX-COUVERTURE",
    F_PASI,
    429,
    {2018: 80, 2019: 80, 2020: 82, 2021: 90, 2022: 92},
    cibles={2019: (60, OBJ19), 2020: (80, OBJ19), 2021: (100, OBJ19), 2022: (95, (C22_ANNEXE_A, 250))},
    comments={
        2018: "situation au 31/12/2018",
        2019: "objectif de la convention 2019-2021 : taux de couverture à moins de 30 minutes en transport",
        2022: "valeur partielle : du 01/01 au 31/05/2022 (1er semestre dans le tableau annexe A)",
    },
)
serie(
    "CTX-PASI-STRUCTURES-ENGAGEES",
    F_PASI,
    430,
    {2020: 13, 2021: 37, 2022: 40},
    cibles={2022: (50, (C22_ANNEXE_A, 251))},
    comments={2022: PARTIEL_STOCK},
)
serie(
    "CTX-PASI-PERSONNES-RECUES-CD",
    F_PASI,
    431,
    {2020: 46145, 2021: 48235, 2022: 26250},
    comments={
        2020: "le tableau annexe A (l. 252) donne 46 165 ; valeur de la fiche action retenue (l. 431)",
        2022: PARTIEL,
    },
)
serie("CTX-PASI-PERSONNES-RECUES-AUTRES", F_PASI, 432, {2020: 17290, 2021: 18250, 2022: 7604}, comments={2022: PARTIEL})

# Référent de parcours (fiche l. 470-471 ; annex A l. 256-257 is shifted by extra values)
serie(
    "CTX-REFPAR-INTERVENANTS-FORMES",
    F_RP,
    470,
    {2018: 0, 2019: 0, 2020: 94, 2021: 144, 2022: 144},
    comments={2022: PARTIEL_STOCK + " ; objectif 2022 : « Pas de déploiement : partage des enseignements »"},
)
serie(
    "CTX-REFPAR-PERSONNES-ACCOMPAGNEES",
    F_RP,
    471,
    {2018: 0, 2019: 0, 2020: 120, 2021: 120, 2022: 120},
    comments={2022: PARTIEL_STOCK + " ; objectif 2022 : « Pas de déploiement : partage des enseignements »"},
)
OBJ_RP_2019 = (C19_ANNEXE_A, 2185)
OBJ_RP = (C19_ANNEXE_A, 2189)
CONV19 = "objectif de la convention 2019-2021 ; pas de valeur réalisée dans la source"
serie(
    "CTX-REFPAR-TAUX-COUVERTURE",
    C19_ANNEXE_A,
    2185,
    {},
    cibles={2019: (0, OBJ_RP_2019), 2020: (50, OBJ_RP), 2021: (100, OBJ_RP)},
    comments={
        2019: CONV19,
        2020: CONV19 + " (en % du public visé par l'expérimentation)",
        2021: CONV19 + " (en % du public visé par l'expérimentation)",
    },
)
serie(
    "CTX-REFPAR-PRESENCE-PARTENAIRES",
    C19_ANNEXE_A,
    2189,
    {},
    cibles={2019: (0, OBJ_RP), 2020: (50, OBJ_RP), 2021: (80, OBJ_RP)},
    comments={y: CONV19 for y in (2019, 2020, 2021)},
)
serie(
    "CTX-REFPAR-PRESENCE-PERSONNES",
    C19_ANNEXE_A,
    2189,
    {},
    cibles={2019: (0, OBJ_RP), 2020: (40, OBJ_RP), 2021: (80, OBJ_RP)},
    comments={y: CONV19 for y in (2019, 2020, 2021)},
)
serie(
    "CTX-REFPAR-SITUATIONS-POSITIVES",
    C19_ANNEXE_A,
    2189,
    {},
    cibles={2019: (0, OBJ_RP), 2020: (40, OBJ_RP), 2021: (90, OBJ_RP)},
    comments={y: CONV19 for y in (2019, 2020, 2021)},
)

# Orientation et accompagnement des BRSA (fiche l. 536-543)
serie(
    "CTX-RSA-NOUVEAUX-ENTRANTS",
    F_RSA,
    536,
    {2018: 3558, 2019: 4163, 2020: 3753, 2021: 2557, 2022: 581},
    comments={
        2018: "le tableau annexe A (l. 259) donne 3 588 ; valeur de la fiche action retenue (l. 536)",
        2022: PARTIEL + " ; objectif « nc »",
    },
)
serie(
    "CTX-RSA-NE-ORIENTES-1MOIS",
    F_RSA,
    537,
    {2019: 652, 2020: 1880, 2021: 1929, 2022: 378},
    comments={2022: PARTIEL + " ; objectif 2022 de 80 % porté par CTX-RSA-TAUX-ORIENTES-1MOIS"},
)
OBJ_RSA = (C19_ANNEXE_A, 2190)
serie(
    "CTX-RSA-TAUX-ORIENTES-1MOIS",
    F_RSA,
    537,
    {},
    cibles={2019: (85, OBJ_RSA), 2020: (90, OBJ_RSA), 2021: (95, OBJ_RSA), 2022: (80, (F_RSA, 537))},
    comments={
        **{
            y: "objectif de la convention 2019-2021 (orientations notifiées en moins d'un mois) ; taux "
            "réalisé non fourni par la source"
            for y in (2019, 2020, 2021)
        },
        2022: "objectif 2022 exprimé en % sur la ligne « Nombre de nouveaux entrants orientés en 1 mois "
        "et moins » ; taux réalisé non fourni par la source",
    },
)
serie(
    "CTX-RSA-NE-ORIENTES-HORS-PE",
    F_RSA,
    538,
    {2021: 1023, 2022: 275},
    comments={2021: "indicateur absent du tableau annexe A", 2022: PARTIEL + " ; objectif « nc »"},
)
serie(
    "CTX-RSA-PREMIERS-RDV",
    F_RSA,
    539,
    {2018: 694, 2019: 148, 2020: 879, 2021: 925, 2022: 262},
    comments={
        2019: "valeur très inférieure à 2018 et 2020 dans la source (fiche et tableau annexe A) : à confirmer",
        2022: PARTIEL + " ; objectif 2022 de 92 % porté par CTX-RSA-TAUX-PREMIERS-RDV",
    },
)
serie(
    "CTX-RSA-TAUX-PREMIERS-RDV",
    F_RSA,
    539,
    {},
    cibles={2022: (92, (F_RSA, 539))},
    comments={
        2022: "objectif 2022 exprimé en % sur la ligne « Nombre total de 1ers rendez-vous "
        "d'accompagnement fixés » ; taux réalisé non fourni par la source"
    },
)
serie(
    "CTX-RSA-PREMIERS-RDV-2SEM",
    F_RSA,
    541,
    {2020: 127, 2021: 219, 2022: 84},
    comments={2022: PARTIEL + " ; objectif « nc »"},
)
COPIE = (
    "valeur identique à celle des 1ers rendez-vous fixés la même année (copie probable dans la source, "
    "fiche et tableau annexe A) : à confirmer"
)
serie(
    "CTX-RSA-PREMIERS-CER",
    F_RSA,
    542,
    {2018: 879, 2019: 1002, 2020: 879, 2021: 925, 2022: 262},
    comments={
        2018: "égale à la valeur 2020 (879) : à confirmer",
        2020: COPIE,
        2021: COPIE,
        2022: PARTIEL + " ; " + COPIE + " ; objectif 2022 de 100 % porté par CTX-RSA-TAUX-PREMIERS-CER",
    },
)
serie(
    "CTX-RSA-TAUX-PREMIERS-CER",
    F_RSA,
    542,
    {},
    cibles={2022: (100, (F_RSA, 542))},
    comments={
        2022: "objectif 2022 exprimé en % sur la ligne « Nombre total de 1ers contrats d'engagements "
        "réciproques » ; taux réalisé non fourni par la source"
    },
)
serie(
    "CTX-RSA-CER-2MOIS",
    F_RSA,
    543,
    {2019: 263, 2020: 506, 2021: 695, 2022: 203},
    comments={2022: PARTIEL + " ; objectif 2022 de 90 % porté par CTX-RSA-TAUX-CER-2MOIS"},
)
serie(
    "CTX-RSA-TAUX-CER-2MOIS",
    F_RSA,
    543,
    {},
    cibles={2022: (90, (F_RSA, 543))},
    comments={
        2022: "objectif 2022 exprimé en % sur la ligne « Nombre de 1ers contrats d'engagements "
        "réciproques dans les 2 mois » ; taux réalisé non fourni par la source"
    },
)

# Objectives of the 2019-2021 convention (annex A, l. 2190-2196)
serie(
    "CTX-RSA-TAUX-NOTIF-2SEM",
    C19_ANNEXE_A,
    2190,
    {},
    cibles={2021: (90, OBJ_RSA)},
    comments={2021: CONV19 + " ; 2019 : néant ; la convention vise aussi 100 % dans un délai de 3 semaines"},
)
OBJ_RSA_SUITE = (C19_ANNEXE_A, 2192)
serie(
    "CTX-RSA-DELAI-1ER-RDV",
    C19_ANNEXE_A,
    2190,
    {},
    cibles={2019: (3, OBJ_RSA), 2020: (2, OBJ_RSA_SUITE), 2021: (1, OBJ_RSA_SUITE)},
    comments={
        2019: CONV19,
        2020: CONV19 + " (suite de l'objectif c) au haut de la page suivante du tableau)",
        2021: CONV19 + " (suite de l'objectif c) au haut de la page suivante du tableau)",
    },
)
serie(
    "CTX-RSA-RELANCE-NON-PRESENTS",
    C19_ANNEXE_A,
    2192,
    {},
    cibles={2019: (90, OBJ_RSA_SUITE), 2020: (60, OBJ_RSA_SUITE), 2021: (80, OBJ_RSA_SUITE)},
    comments={
        2019: CONV19 + " ; action spécifique sous 2 mois",
        2020: CONV19 + " ; action spécifique sous 1 mois",
        2021: CONV19 + " ; action spécifique sous 1 mois",
    },
)
serie(
    "CTX-RSA-CER-1SEMAINE",
    C19_ANNEXE_A,
    2192,
    {},
    cibles={2019: (46, OBJ_RSA_SUITE), 2020: (55, OBJ_RSA_SUITE), 2021: (70, OBJ_RSA_SUITE)},
    comments={y: CONV19 for y in (2019, 2020, 2021)},
)
serie("CTX-RSA-DIAG-PARTAGES", C19_ANNEXE_A, 2192, {}, cibles={2021: (100, OBJ_RSA_SUITE)}, comments={2021: CONV19})
serie(
    "CTX-RSA-OFFRE-VISIBLE",
    C19_ANNEXE_A,
    2192,
    {},
    cibles={2019: (60, OBJ_RSA_SUITE), 2020: (80, OBJ_RSA_SUITE), 2021: (100, OBJ_RSA_SUITE)},
    comments={y: CONV19 for y in (2019, 2020, 2021)},
)
OBJ_GAD = (C19_ANNEXE_A, 2196)
serie(
    "CTX-RSA-REPRISE-EMPLOI-PARRAINAGE",
    C19_ANNEXE_A,
    2196,
    {},
    cibles={2019: (10, OBJ_GAD), 2021: (30, OBJ_GAD)},
    comments={2019: CONV19, 2021: CONV19 + " ; objectif « fin 2021 », dont 15 % en reprise durable"},
)
serie(
    "CTX-RSA-REPRISE-EMPLOI-CIRCUITS-COURTS",
    C19_ANNEXE_A,
    2196,
    {},
    cibles={2019: (20, OBJ_GAD), 2021: (50, OBJ_GAD)},
    comments={2019: CONV19, 2021: CONV19 + " ; dont 25 % en reprise durable"},
)

# Garantie d'activité et accompagnement global (fiche l. 610-615)
GA_2022 = "valeur partielle : colonne « 2022 » de la fiche action, 1er semestre (01/01-30/05/2022) d'après le tableau annexe A"
serie(
    "CTX-RSA-GAD-ORIENTES",
    F_DENSIFIER,
    610,
    {2020: 435, 2021: 630, 2022: 196},
    comments={2022: GA_2022 + " ; objectif 2022 : « En lien avec le projet SPIE et RSA »"},
)
serie(
    "CTX-RSA-GAD-EN-COURS",
    F_DENSIFIER,
    611,
    {2020: 435, 2021: 312, 2022: 325},
    comments={
        2022: "stock à la date de la colonne « 2022 » (1er semestre d'après le tableau annexe A) ; "
        "objectif 2022 : « En lien avec le projet SPIE et RSA »"
    },
)
serie(
    "CTX-RSA-AG-ORIENTES",
    F_DENSIFIER,
    612,
    {2018: 119, 2019: 352, 2020: 291, 2021: 475, 2022: 92},
    comments={2022: GA_2022},
)
serie(
    "CTX-RSA-AG-EN-COURS",
    F_DENSIFIER,
    613,
    {2018: 291, 2020: 300, 2021: 287, 2022: 215},
    comments={2022: "stock à la date de la colonne « 2022 » (1er semestre d'après le tableau annexe A)"},
)
OBJ_AG = (C19_ANNEXE_A, 2197)
OBJ_AG_TXT = "objectif de la convention 2019-2021 : 70 personnes par conseiller Pôle emploi"
serie(
    "CTX-RSA-AG-PERSONNES-PAR-CONSEILLER",
    F_DENSIFIER,
    614,
    {2021: 59, 2022: 56},
    cibles={2019: (70, OBJ_AG), 2020: (70, OBJ_AG), 2021: (70, OBJ_AG), 2022: (70, (C22_ANNEXE_A, 268))},
    comments={
        2019: OBJ_AG_TXT + " ; valeur « nc »",
        2020: OBJ_AG_TXT + " ; valeur « nc »",
        2021: OBJ_AG_TXT,
        2022: "1er semestre 2022 ; objectif rappelé dans la colonne des commentaires du tableau annexe A "
        "(« Rappel de l'objectif : 70 personnes par binôme »)",
    },
)
SEMAINES = "objectif : moins de 3 semaines = 21 jours"
serie(
    "CTX-RSA-AG-DELAI-DEMARRAGE",
    F_DENSIFIER,
    615,
    {2019: 32.7, 2020: 25.5, 2021: 20.5, 2022: 17},
    cibles={2019: (21, OBJ_AG), 2020: (21, OBJ_AG), 2021: (21, OBJ_AG), 2022: (21, (C22_ANNEXE_A, 271))},
    comments={
        **{y: "objectif de la convention 2019-2021 : 3 semaines = 21 jours" for y in (2019, 2020, 2021)},
        2022: "1er semestre 2022 ; " + SEMAINES,
    },
)

# Formation des travailleurs sociaux : fiche l. 794-803 for 2021 and 2022 ; 2020 from the annex A
# table (l. 283-285) for the specifically funded trainings only (the CNFPT 2020 column repeats 16 on
# every theme, a merged cell, and is left out).
FICHE_A = "le tableau annexe A (l. {l}) donne {v} pour 2021 ; valeur de la fiche action retenue (l. {f})"
serie("CTX-FORM-CNFPT-NUMERIQUE", F_FORMATION, 794, {2021: 35, 2022: 3}, comments={2022: PARTIEL})
serie(
    "CTX-FORM-CNFPT-PARTICIPATION",
    F_FORMATION,
    795,
    {2021: 5, 2022: 47},
    comments={2021: FICHE_A.format(l=275, v=4, f=795), 2022: PARTIEL},
)
serie(
    "CTX-FORM-CNFPT-DEV-SOCIAL",
    F_FORMATION,
    796,
    {2021: 53, 2022: 7},
    comments={2021: FICHE_A.format(l=276, v=56, f=796), 2022: PARTIEL},
)
serie("CTX-FORM-CNFPT-ALLER-VERS", F_FORMATION, 797, {2021: 20, 2022: 14}, comments={2022: PARTIEL})
serie("CTX-FORM-CNFPT-INSERTION", F_FORMATION, 799, {2021: 3})
ANNEXE_2020 = (
    "colonne 2020 du tableau annexe A (3 valeurs pour 2020, 2021, 1er semestre 2022 ; alignement "
    "confirmé par la fiche action pour 2021 et 2022)"
)
serie("CTX-FORM-SPECIFIQUE-NUMERIQUE", F_FORMATION, 801, {2021: 98, 2022: 116}, comments={2022: PARTIEL})
serie("CTX-FORM-SPECIFIQUE-NUMERIQUE", C22_ANNEXE_A, 283, {2020: 5}, comments={2020: ANNEXE_2020})
serie("CTX-FORM-SPECIFIQUE-PARTICIPATION", F_FORMATION, 802, {2021: 32})
serie("CTX-FORM-SPECIFIQUE-PARTICIPATION", C22_ANNEXE_A, 284, {2020: 21}, comments={2020: ANNEXE_2020})
serie("CTX-FORM-SPECIFIQUE-DEV-SOCIAL", F_FORMATION, 803, {2021: 100})
serie("CTX-FORM-SPECIFIQUE-DEV-SOCIAL", C22_ANNEXE_A, 285, {2020: 85}, comments={2020: ANNEXE_2020})

# Van71 (fiche l. 888-892) : S1 2022 achieved ; the semester forecasts stay in the commentaire
VAN = "1er semestre 2022 réalisé (action lancée le 03/05/2022) ; prévisionnel : {p}"
serie(
    "CTX-VAN71-COMMUNES",
    F_VAN71,
    888,
    {2022: 6},
    comments={2022: VAN.format(p="12 au S2 2022, 12 au S1 2023, 12 au S2 2023")},
)
serie(
    "CTX-VAN71-USAGERS",
    F_VAN71,
    889,
    {2022: 118},
    comments={2022: VAN.format(p="200 au S2 2022, 200 au S1 2023, 200 au S2 2023")},
)
serie(
    "CTX-VAN71-SESSIONS",
    F_VAN71,
    891,
    {2022: 36},
    comments={2022: VAN.format(p="72 au S2 2022, 72 au S1 2023, 72 au S2 2023")},
)
serie(
    "CTX-VAN71-ACTIONS-CULTURE",
    F_VAN71,
    892,
    {2022: 1},
    comments={2022: VAN.format(p="S2 2022 « 8 réalisées + 2 prévues », 10 au S1 2023, 10 au S2 2023")},
)

# Réseau d'inclusion numérique (fiche l. 980-984)
serie(
    "CTX-INCLNUM-STRUCTURES",
    F_INCLUSION,
    980,
    {2020: 202, 2021: 352, 2022: 397},
    comments={
        2020: "nombre de structures ayant répondu à l'enquête",
        2021: "nombre de structures référencées sur InfoPublic71",
        2022: "nombre de structures référencées sur InfoPublic71 (date non précisée, fiche rédigée fin août 2022)",
    },
)
serie(
    "CTX-INCLNUM-AGENTS-FORMES",
    F_INCLUSION,
    981,
    {2021: 88, 2022: 116},
    comments={
        2021: "le texte de la fiche (l. 937) indique 204 professionnels formés au 2e semestre 2021 "
        "(3 modules, 27 sessions, dont 61 % chez les partenaires) ; valeur du tableau retenue",
        2022: "valeur partielle (2022 en cours, date non précisée)",
    },
)
serie(
    "CTX-INCLNUM-FAMILLES-EQUIPEES", F_INCLUSION, 982, {2020: 4, 2021: 142, 2022: 180}, comments={2022: "au 31/08/2022"}
)
serie(
    "CTX-INFOPUBLIC-UTILISATEURS",
    F_INCLUSION,
    983,
    {2021: 1241, 2022: 4411},
    comments={2021: "visiteurs uniques d'août à décembre 2021", 2022: "visiteurs uniques de janvier à août 2022"},
)
serie(
    "CTX-INFOPUBLIC-CONTRIBUTEURS",
    F_INCLUSION,
    984,
    {2021: 7, 2022: 49},
    cibles={2022: (60, None)},
    comments={2022: "au 25/08/2022 ; objectif de 60 contributeurs d'ici la fin de l'année"},
)

# Croix Rouge sur Roues (fiche l. 1169-1178) : Bresse → TAS CL, Charolais → TAS MP
P21 = "période de novembre 2020 à septembre 2021"
P22 = "période d'octobre 2021 à mai 2022"
BRESSE = (
    "bassin « Bresse » (Bresse louhannaise) de la source reporté sur le TAS CL : correspondance exacte, "
    "l'action n'intervient dans ce TAS que sur la Bresse louhannaise"
)
CHAROLAIS = (
    "bassin « Charolais » de la source reporté sur le TAS MP : correspondance exacte, l'action "
    "n'intervient dans ce TAS que sur le Charolais"
)
for code, line, (b21, c21, b22, c22) in (
    ("CTX-CRR-FOYERS", 1169, (78, 91, 131, 99)),
    ("CTX-CRR-PERSONNES", 1170, (180, 272, 203, 162)),
    ("CTX-CRR-FAMILLES-MONOPARENTALES", 1172, (31, 37, 41, 35)),
    ("CTX-CRR-PERSONNES-SEULES", 1173, (41, 29, 69, 41)),
    ("CTX-CRR-COMMUNES", 1178, (24, 16, 32, 9)),
):
    serie(
        code,
        F_CRR,
        line,
        {2021: b21, 2022: b22},
        territoire="TAS CL",
        comments={2021: f"{P21} ; {BRESSE}", 2022: f"{P22} ; {BRESSE}"},
    )
    serie(
        code,
        F_CRR,
        line,
        {2021: c21, 2022: c22},
        territoire="TAS MP",
        comments={2021: f"{P21} ; {CHAROLAIS}", 2022: f"{P22} ; {CHAROLAIS}"},
    )
BC = (
    "Bresse + Charolais (cellule fusionnée dans la source), seuls bassins d'intervention de l'action : "
    "total de l'action pour le département"
)
serie(
    "CTX-CRR-POIDS-ALIMENTAIRE",
    F_CRR,
    1174,
    {2021: 6124, 2022: 9141},
    comments={2021: f"{P21} ; {BC}", 2022: f"{P22} ; {BC}"},
)

# ---- brsa_secteurs_diagnostic_2019.csv (seed 002, l. 2533-2540) --------------------------------
NON_DATE = "non daté dans la source (diagnostic 2019, données probablement 2018)"
BRSA_TABLE = [  # territoire, line, BRSA, orientations, taux, PE, part PE, AS, part AS
    ("AUTUN", 2533, 925, 832, 90, 588, 71, 244, 29),
    ("CHALON", 2534, 3964, 3400, 86, 2367, 70, 1033, 30),
    ("LE CREUSOT", 2535, 1336, 1239, 93, 821, 66, 418, 34),
    ("LOUHANS", 2536, 1299, 1168, 90, 757, 65, 411, 35),
    ("MACON", 2537, 2860, 2623, 92, 1574, 60, 1049, 40),
    ("MONTCEAU", 2538, 1738, 1642, 94, 1032, 63, 610, 37),
    ("PARAY", 2539, 1772, 1519, 86, 1012, 67, 507, 33),
    ("71", 2540, 13894, 12423, 89, 8151, 66, 4272, 34),
]
BRSA_CODES = [
    "CTX-RSA-BENEFICIAIRES", "CTX-RSA-ORIENTATIONS", "CTX-RSA-TAUX-ORIENTATION", "CTX-RSA-ORIENTATIONS-PE",
    "CTX-RSA-PART-ORIENTATIONS-PE", "CTX-RSA-ORIENTATIONS-SOCIALES", "CTX-RSA-PART-ORIENTATIONS-SOCIALES",
]  # fmt: skip
BRSA = [
    row(code, territoire, 2018, value, src(DIAG19, line), commentaire=NON_DATE)
    for code_index, code in enumerate(BRSA_CODES)
    for territoire, line, *values in BRSA_TABLE
    for value in [values[code_index]]
]


# --------------------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------------------
def fr(number) -> str:
    if number is None:
        return ""
    if isinstance(number, float) and not number.is_integer():
        return repr(number).replace(".", ",")
    return str(int(number))


def write(path: Path, columns: list[str], rows: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, delimiter=";", lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
        writer.writerow(columns)
        for item in rows:
            writer.writerow([fr(item[c]) if c in ("valeur", "cible") else item[c] for c in columns])


def main() -> None:
    codes = [i["code"] for i in INDICATEURS]
    assert len(codes) == len(set(codes)), "code en double"
    files = {
        "chiffres_cles_2021.csv": CHIFFRES_CLES,
        "calpae_2018_2022.csv": CALPAE,
        "brsa_secteurs_diagnostic_2019.csv": BRSA,
    }
    used = set()
    for name, rows in files.items():
        keys = [(r["code_indicateur"], r["territoire"], r["annee"], r["trimestre"]) for r in rows]
        assert len(keys) == len(set(keys)), f"clé en double dans {name}"
        used |= {r["code_indicateur"] for r in rows}
        assert all(r["valeur"] is not None or r["cible"] is not None for r in rows), name
    assert used == set(codes), sorted(set(codes) ^ used)
    write(REFERENTIEL, INDICATOR_COLUMNS, INDICATEURS)
    order = {code: index for index, code in enumerate(codes)}
    for name, rows in files.items():
        rows = sorted(
            rows, key=lambda r: (order[r["code_indicateur"]], r["territoire"] != "71", r["territoire"], r["annee"])
        )
        write(DONNEES / name, DATA_COLUMNS, rows)
    TEST_SOURCES.mkdir(parents=True, exist_ok=True)
    for seed in SEED_FILES:
        origin, copy = SEEDS / seed, TEST_SOURCES / seed
        if origin.exists() and (not copy.exists() or copy.read_bytes() != origin.read_bytes()):
            shutil.copyfile(origin, copy)
    print(f"{len(INDICATEURS)} indicateurs ; " + " ; ".join(f"{n} : {len(r)} lignes" for n, r in files.items()))


if __name__ == "__main__":
    main()
