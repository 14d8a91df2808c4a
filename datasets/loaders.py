"""Import every loader module so that each registers itself in ``DATASETS``.

The import order is the order of the dataset list in the CLI and the app.
"""
# isort: skip_file

from datasets import synthetic  # noqa: F401  (two_groups, clusters)
from datasets import real  # noqa: F401  (adult, compas, german, law, credit_default)
from datasets import digits  # noqa: F401  (digits)
from datasets import text  # noqa: F401  (job_text)
from datasets import csv_file  # noqa: F401  (csv: a file path, command line only)
from datasets import uploaded  # noqa: F401  (upload: a stored upload, by hash)
