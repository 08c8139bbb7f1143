"""Closed lists of the referential and of the spreadsheet contract."""

NATURES = ("réalisation", "contexte", "résultat", "jalon")
AGREGATIONS = ("somme", "dernier", "moyenne", "aucune")
ADDITIVITES = ("somme", "aucune")
SENS = ("hausse", "baisse", "neutre")
MESURES = ("valeur", "cible")
MESURE_VALEUR = "valeur"
MESURE_CIBLE = "cible"
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
