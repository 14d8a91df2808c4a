"""The UI-free simulation core: scenarios, strategies, learners, metrics, engine, CLI.

Read ``components`` as "the parts of the active-learning loop", not as UI components.
"""
