"""Datasets for the simulations: the ``Dataset`` type, the registry and loaders.

Everything here is offline. Real data sets are vendored under ``datasets/data``
with their provenance in ``datasets/data/SOURCES.md``.
"""

from datasets.base import DATASETS, INTERSECT, Dataset, embed_2d, group_labels, load

__all__ = ["DATASETS", "INTERSECT", "Dataset", "embed_2d", "group_labels", "load"]
