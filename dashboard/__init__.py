"""Everything that imports streamlit: pages, controls, player, charts glue, state, cache."""
