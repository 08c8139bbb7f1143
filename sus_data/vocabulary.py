"""Closed lists of the referential and of the spreadsheet contract."""

NATURES = ("réalisation", "contexte", "résultat", "jalon")
AGREGATIONS = ("somme", "dernier", "moyenne", "aucune")
ADDITIVITES = ("somme", "aucune")
SENS = ("hausse", "baisse", "neutre")
MESURES = ("valeur", "cible", "reference")
MESURE_VALEUR = "valeur"
MESURE_CIBLE = "cible"
# The baseline of a target: the value observed at `annee_reference` (stored at that year, trimestre 0).
MESURE_REFERENCE = "reference"
MESURE_LABELS = {MESURE_VALEUR: "Réalisé", MESURE_CIBLE: "Cible", MESURE_REFERENCE: "Référence"}
YEARLY = 0  # `trimestre` of a yearly value
QUARTERS = (1, 2, 3, 4)

UNIT_COUNT = "nombre"
UNIT_PERCENT = "%"
UNIT_YESNO = "oui/non"
UNIT_QUALITATIVE = "qualitatif"

CONTEXT_PREFIX = "CTX-"
DEMO_SOURCE = "Données fictives de démonstration"
LIST_SEPARATOR = " | "

OPERATION_IMPORT = "import"
OPERATION_DEMO = "demo"
OPERATION_ROLLBACK = "annulation"
OPERATION_REFERENTIEL = "referentiel"
# A status set by hand on the Import page: recorded, and undone, like an import.
OPERATION_SAISIE = "saisie"
UNDOABLE_OPERATIONS = (OPERATION_IMPORT, OPERATION_DEMO, OPERATION_SAISIE)

# Follow-up of the programme's actions: the status of an action, per year and territory.
STATUT_NON_DEMARREE = "non démarrée"
STATUT_EN_COURS = "en cours"
STATUT_REALISEE = "réalisée"
STATUT_ABANDONNEE = "abandonnée"
STATUT_REPORTEE = "reportée"
ACTION_STATUSES = (STATUT_NON_DEMARREE, STATUT_EN_COURS, STATUT_REALISEE, STATUT_ABANDONNEE, STATUT_REPORTEE)
NATURE_MILESTONE = "jalon"
