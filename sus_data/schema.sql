-- Schema of the SUS database. Names are in the domain's words (French), as the users read them.
CREATE TABLE IF NOT EXISTS meta (
    cle VARCHAR PRIMARY KEY,
    valeur VARCHAR
);
-- Levels of the schéma's tree, from configuration (ambition, orientation, objectif, action for the 71).
CREATE TABLE IF NOT EXISTS niveau (
    rang INTEGER PRIMARY KEY,
    cle VARCHAR NOT NULL UNIQUE,
    libelle VARCHAR NOT NULL,
    pluriel VARCHAR NOT NULL,
    prefixe VARCHAR NOT NULL
);
CREATE TABLE IF NOT EXISTS programme (
    code VARCHAR PRIMARY KEY,
    libelle VARCHAR NOT NULL,
    annee_debut INTEGER,
    annee_fin INTEGER,
    statut VARCHAR,
    source VARCHAR,
    ordre INTEGER
);
CREATE TABLE IF NOT EXISTS noeud (
    code VARCHAR PRIMARY KEY,
    parent VARCHAR,
    niveau VARCHAR NOT NULL,
    rang INTEGER NOT NULL,
    numero VARCHAR,
    libelle VARCHAR NOT NULL,
    libelle_court VARCHAR,
    ambition VARCHAR NOT NULL,       -- code of the root ancestor, kept for fast filtering
    chemin VARCHAR NOT NULL,         -- '/A5/A5-O1/A5-O1-Obj2/': ancestors and itself, to select a subtree
    role VARCHAR,
    beneficiaires VARCHAR,
    directions VARCHAR,
    partenaires VARCHAR,
    demarches_partenaires VARCHAR,
    remarque VARCHAR,
    ordre INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS noeud_programme (
    noeud VARCHAR NOT NULL,
    programme VARCHAR NOT NULL,
    PRIMARY KEY (noeud, programme)
);
CREATE TABLE IF NOT EXISTS lien (
    code_source VARCHAR NOT NULL,
    code_cible VARCHAR,
    libelle_source VARCHAR,
    remarque VARCHAR
);
CREATE TABLE IF NOT EXISTS indicateur (
    code VARCHAR PRIMARY KEY,
    libelle VARCHAR NOT NULL,
    noeud VARCHAR NOT NULL,
    ambition VARCHAR NOT NULL,
    unite VARCHAR NOT NULL,
    nature VARCHAR NOT NULL,
    agregation VARCHAR NOT NULL,
    additivite VARCHAR NOT NULL,
    sens VARCHAR NOT NULL,
    source VARCHAR,
    definition VARCHAR,
    secret_seuil INTEGER,
    origine VARCHAR NOT NULL,        -- 'referentiel' or 'import'
    ordre INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS territoire (
    code VARCHAR PRIMARY KEY,
    libelle VARCHAR NOT NULL,
    libelle_court VARCHAR NOT NULL,
    niveau VARCHAR NOT NULL,
    parent VARCHAR,
    couleur VARCHAR,
    population BIGINT,
    population_annee INTEGER,
    population_source VARCHAR,
    ordre INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS territoire_alias (
    alias VARCHAR PRIMARY KEY,       -- normalised with textnorm.key
    code VARCHAR NOT NULL
);
CREATE TABLE IF NOT EXISTS sigle (
    sigle VARCHAR NOT NULL,
    definition VARCHAR NOT NULL
);
-- Every write is an operation: an import, a rollback, the referential load.
CREATE TABLE IF NOT EXISTS operation (
    id INTEGER PRIMARY KEY,
    nature VARCHAR NOT NULL,         -- 'import', 'demo', 'annulation', 'referentiel'
    fichier VARCHAR,
    sha256 VARCHAR,
    utilisateur VARCHAR NOT NULL,
    horodatage TIMESTAMP NOT NULL,
    nb_nouvelles INTEGER NOT NULL DEFAULT 0,
    nb_modifiees INTEGER NOT NULL DEFAULT 0,
    nb_inchangees INTEGER NOT NULL DEFAULT 0,
    nb_ignorees INTEGER NOT NULL DEFAULT 0,
    annule INTEGER,                  -- for a rollback: the operation it undoes
    annule_par INTEGER,              -- for an import: the rollback that undid it
    commentaire VARCHAR
);
-- Current values. `trimestre` 0 is a yearly value; `mesure` is 'valeur' (achieved) or 'cible' (target).
CREATE TABLE IF NOT EXISTS valeur (
    indicateur VARCHAR NOT NULL,
    territoire VARCHAR NOT NULL,
    annee SMALLINT NOT NULL,
    trimestre TINYINT NOT NULL,
    mesure VARCHAR NOT NULL,
    valeur DOUBLE NOT NULL,
    commentaire VARCHAR,
    source VARCHAR,
    operation INTEGER NOT NULL
    -- The key (indicateur, territoire, annee, trimestre, mesure) is unique. It is kept so by the import
    -- (one transaction, writers serialised) and verified by `python -m sus_data check`, not by an index:
    -- DuckDB's index made imports of 100 000 values 40 % slower and holds the whole index in memory.
);
-- Every value an operation set or removed, with the value it replaced: rollback restores exactly.
CREATE TABLE IF NOT EXISTS historique (
    operation INTEGER NOT NULL,
    indicateur VARCHAR NOT NULL,
    territoire VARCHAR NOT NULL,
    annee SMALLINT NOT NULL,
    trimestre TINYINT NOT NULL,
    mesure VARCHAR NOT NULL,
    mouvement VARCHAR NOT NULL,      -- 'nouvelle', 'modifiée', 'restaurée', 'supprimée'
    ancienne_valeur DOUBLE,
    ancien_commentaire VARCHAR,
    ancienne_source VARCHAR,
    ancienne_operation INTEGER,
    nouvelle_valeur DOUBLE,
    nouveau_commentaire VARCHAR,
    nouvelle_source VARCHAR
);
-- Definitions of context indicators added or changed by an import, with the definition they replaced.
CREATE TABLE IF NOT EXISTS indicateur_historique (
    operation INTEGER NOT NULL,
    code VARCHAR NOT NULL,
    ancienne_definition VARCHAR,     -- JSON of the previous row, NULL when the import created it
    nouvelle_definition VARCHAR NOT NULL
);
-- Follow-up of the programme's actions: one status per action, territory and year, set by an import
-- (sheet `actions`) or on the Import page. Like `valeur`, the key (action, territoire, annee) is kept
-- unique by the writers, and every replaced status is kept in `suivi_action_historique`.
CREATE TABLE IF NOT EXISTS suivi_action (
    action VARCHAR NOT NULL,
    territoire VARCHAR NOT NULL,
    annee SMALLINT NOT NULL,
    statut VARCHAR NOT NULL,         -- vocabulary.ACTION_STATUSES
    date_statut DATE,
    commentaire VARCHAR,
    operation INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS suivi_action_historique (
    operation INTEGER NOT NULL,
    action VARCHAR NOT NULL,
    territoire VARCHAR NOT NULL,
    annee SMALLINT NOT NULL,
    mouvement VARCHAR NOT NULL,      -- 'nouvelle', 'modifiée', 'restaurée', 'supprimée'
    ancien_statut VARCHAR,
    ancienne_date DATE,
    ancien_commentaire VARCHAR,
    ancienne_operation INTEGER,
    nouveau_statut VARCHAR,
    nouvelle_date DATE,
    nouveau_commentaire VARCHAR
);
-- Territories where an action applies. An action without rows applies to the whole département.
-- Filled by the referential file perimetres.csv (loaded by `init` as an import) or a `perimetre` sheet.
CREATE TABLE IF NOT EXISTS perimetre_action (
    action VARCHAR NOT NULL,
    territoire VARCHAR NOT NULL,
    operation INTEGER NOT NULL
);
-- The perimeter of an action before and after an operation (JSON lists of territory codes).
CREATE TABLE IF NOT EXISTS perimetre_historique (
    operation INTEGER NOT NULL,
    action VARCHAR NOT NULL,
    ancien_perimetre VARCHAR NOT NULL,
    ancienne_operation INTEGER,
    nouveau_perimetre VARCHAR NOT NULL
);
