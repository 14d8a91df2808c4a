"""The Streamlit app: pages, controls, player, the chart list, captions, state and caches.

Only this package, ``dashboard_app.py`` and ``streamlit_app.py`` import streamlit.
"""
