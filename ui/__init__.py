"""Streamlit glue: the cached database copy, filters bound to the URL, shared widgets, access control.

Only pages, app.py and this package import streamlit; sus_data never does.
"""
