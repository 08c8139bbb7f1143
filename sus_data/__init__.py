"""Data layer of the SUS indicator dashboard: referential, ingestion, storage, queries, charts.

This package never imports streamlit: pages and the command line sit on top of it.
"""
