"""Start the app and a browser for the real-browser tests and the load benchmarks.

Both ``tests/e2e`` and ``benchmarks/`` use this package, so it lives at the top
level, beside them: tests never import a benchmark script, and benchmarks
never import tests. It is tooling, not product: nothing in ``components/``,
``datasets/`` or ``dashboard/`` imports it (``tests/unit/test_import_matrix.py``),
and it never imports streamlit (it runs ``streamlit run`` as a process).

- :mod:`harness.server`: a free port, ``streamlit run streamlit_app.py`` until
  healthy, a snapshot of the working tree to serve from, tracebacks in its log;
- :mod:`harness.browser`: Debian's chromium and the flags it runs with (never
  ``playwright install``, which downloads);
- :mod:`harness.probes`: what ``/proc`` and the server say (memory, CPU, sessions);
- :mod:`harness.sessions` and :mod:`harness.waves`: many browser sessions
  stepping the Explore page together, each checked for errors and isolation.

Import it with the repository root on ``sys.path``: pytest's ``pythonpath``
does that for the tests, and each benchmark script does it for itself.
"""
