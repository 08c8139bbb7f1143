"""Who is using the app, and with which roles.

Two ways, set up by the administrator (see README):
- single sign-on (OIDC, `st.login`) when `.streamlit/secrets.toml` has an `[auth]` section; roles come from
  its `[roles]` table, e.g. `import = ["prenom.nom@saoneetloire71.fr"]`;
- otherwise local accounts from the account file (salted scrypt hashes), signed in from the sidebar.
Reading the dashboard needs no account unless `[acces] lecture_reservee = true` in the configuration.
"""

from __future__ import annotations

import streamlit as st
from streamlit.errors import StreamlitSecretNotFoundError

from sus_data import accounts
from sus_data.accounts import User

from .components import md

SESSION_USER = "auth_utilisateur"


def _secrets_section(name: str):
    try:
        return st.secrets.get(name, None)
    except (FileNotFoundError, KeyError, StreamlitSecretNotFoundError):  # no secrets file: no single sign-on
        return None


def oidc_enabled() -> bool:
    return _secrets_section("auth") is not None


def current_user() -> User | None:
    if oidc_enabled():
        if not getattr(st.user, "is_logged_in", False):
            return None
        email = str(st.user.get("email", "")).lower()
        roles_map = _secrets_section("roles") or {}
        roles = frozenset(role for role, members in roles_map.items() if email in {str(m).lower() for m in members})
        return User(email, str(st.user.get("name", email)), roles)
    return st.session_state.get(SESSION_USER)


def can(role: str) -> bool:
    user = current_user()
    return user is not None and user.can(role)


def sidebar_login() -> None:
    """Sign-in and sign-out controls, in the sidebar."""
    user = current_user()
    with st.sidebar:
        if user is not None:
            # The name comes from the account file or the identity provider: shown as text, never as Markdown.
            st.caption(f"Connecté : {md(user.nom)}" + (f" ({', '.join(sorted(user.roles))})" if user.roles else ""))
            if st.button("Se déconnecter", key="auth_logout"):
                if oidc_enabled():
                    st.logout()
                st.session_state.pop(SESSION_USER, None)
                st.rerun()
            return
        if oidc_enabled():
            if st.button("Se connecter", key="auth_login"):
                st.login()
            return
        with st.expander("Connexion (import des données)"), st.form("auth_form"):
            login = st.text_input("Identifiant", key="auth_login_name")
            password = st.text_input("Mot de passe", type="password", key="auth_password")
            if st.form_submit_button("Se connecter"):
                found = accounts.authenticate(login, password)
                if found is None:
                    st.error("Identifiant ou mot de passe incorrect.")
                else:
                    st.session_state[SESSION_USER] = found
                    st.rerun()


def refuse(role: str) -> None:
    """Stop the page for anyone without the role: the page is refused, not merely hidden."""
    user = current_user()
    if user is None:
        st.error(
            "Cette page est réservée aux personnes autorisées à importer des données. Connectez-vous (panneau de gauche)."
        )
    else:
        st.error(f"Votre compte ({user.login}) n'a pas le rôle « {role} » : cette page vous est refusée.")
    st.stop()
