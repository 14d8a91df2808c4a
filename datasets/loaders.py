"""Import every loader module so that each registers itself in ``DATASETS``."""

from datasets import synthetic  # noqa: F401  (registers two_groups, clusters)
