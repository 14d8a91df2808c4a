"""Handwritten digits (8x8) with a group derived from how each digit is written.

The images are scikit-learn's bundled ``load_digits`` (1,797 images, no
download), a copy of the test part of the UCI "Optical Recognition of
Handwritten Digits" data set: 8x8 blocks of counts in 0..16, one count per
4x4 block of a 32x32 bitmap.

Features
--------
``X`` holds the 64 pixel intensities divided by 16, so every value is in
[0, 1], in row-major order (``px_r{row}_c{col}``).

Label (``task``)
----------------
``"even"``
    ``y = 1`` for the digits 0, 2, 4, 6, 8.
``"high"``
    ``y = 1`` for the digits 5, 6, 7, 8, 9.

Group (``group``)
-----------------
Both attributes are computed from the raw 0..16 intensities ``I[r, c]`` of
each image, over all 1,797 images:

thickness
    Total ink ``S = sum_{r,c} I[r, c]``. ``"thick"`` if ``S`` is strictly
    above the median of ``S`` over the whole set, else ``"thin"``. Ties at the
    median go to ``"thin"``, so the split is 886 thick / 911 thin rather than
    exactly even.
slant
    Pixel coordinates ``x = c`` (left to right) and ``y = 7 - r`` (bottom to
    top), weighted by ``I``. With the weighted means ``mx, my``, the weighted
    covariance ``Cxy`` and the weighted variance ``Vy`` of ``y``, the slant is
    the shear ``Cxy / Vy``: horizontal drift of the ink per row climbed, the
    quantity classic deskewing removes. ``"right-slant"`` if it is strictly
    positive (the ink leans like ``/``), else ``"left-slant"`` (``\\``, or
    exactly upright). About 37% of the images lean right.
thickness+slant
    The intersection, e.g. ``"thick+right-slant"``.

Caveats, worth knowing before reading results:

* The group is a function of the pixels, so it is fully learnable from ``X``:
  there is no hidden group attribute here, unlike tabular data where the
  group column is withheld. ``use_group_feature`` adds no information a
  flexible model could not already extract (a linear model gets ``thickness``
  exactly, since it is a linear threshold on ``X``; ``slant`` is a ratio of
  quadratic forms, so a linear model only approximates it).
* Both attributes are confounded with the digit itself. The second moment
  measures the shape of the numeral as much as the writer's hand: nearly all
  7s lean right and nearly all 6s and 2s lean left, so base rates differ
  between groups for either task.

Licence: CC BY 4.0. Alpaydin, E. & Kaynak, C. (1998). Optical Recognition of
Handwritten Digits. UCI Machine Learning Repository. DOI 10.24432/C50P49.
"""

from __future__ import annotations

import numpy as np

from datasets.base import DATASETS, INTERSECT, Dataset, embed_2d
from specs import Param, UserInputError

#: Maximum raw intensity of a pixel in ``load_digits``.
MAX_INTENSITY = 16.0
TASKS: dict[str, tuple[frozenset[int], str]] = {
    "even": (frozenset({0, 2, 4, 6, 8}), "even digit (0, 2, 4, 6, 8)"),
    "high": (frozenset({5, 6, 7, 8, 9}), "digit 5 or higher"),
}
GROUP_ATTRIBUTES = ("thickness", "slant")
GROUP_CHOICES = ("thickness", "slant", f"thickness{INTERSECT}slant")
CITATION = (
    "Alpaydin, E. & Kaynak, C. (1998). Optical Recognition of Handwritten Digits. "
    "UCI Machine Learning Repository. https://doi.org/10.24432/C50P49"
)


def ink(images: np.ndarray) -> np.ndarray:
    """Total ink of each image.

    Parameters
    ----------
    images : ndarray of shape (n_images, height, width)
        Non-negative intensities.

    Returns
    -------
    ndarray of shape (n_images,)
        Sum of intensities per image.
    """
    images = np.asarray(images, dtype=np.float64)
    return images.reshape(len(images), -1).sum(axis=1)


def slant(images: np.ndarray) -> np.ndarray:
    """Second-moment slant (shear) of the ink in each image.

    With ``x`` the column index and ``y = height - 1 - row`` (so ``y`` grows
    upwards), weighted by intensity, the slant is ``cov(x, y) / var(y)``.
    Positive values lean right (``/``), negative values lean left (``\\``).

    Parameters
    ----------
    images : ndarray of shape (n_images, height, width)
        Non-negative intensities; every image needs some ink in at least two
        rows.

    Returns
    -------
    ndarray of shape (n_images,)
        Horizontal drift of the ink per unit of height.
    """
    images = np.asarray(images, dtype=np.float64)
    n, h, w = images.shape
    rows, cols = np.mgrid[0:h, 0:w]
    xs = cols.ravel().astype(np.float64)
    ys = (h - 1 - rows).ravel().astype(np.float64)
    weights = images.reshape(n, -1)
    total = weights.sum(axis=1)
    mx = weights @ xs / total
    my = weights @ ys / total
    dx = xs[None, :] - mx[:, None]
    dy = ys[None, :] - my[:, None]
    cov = (weights * dx * dy).sum(axis=1) / total
    var_y = (weights * dy * dy).sum(axis=1) / total
    return cov / var_y


def derive_groups(images: np.ndarray) -> dict[str, np.ndarray]:
    """Group labels per attribute, as documented in the module docstring.

    Parameters
    ----------
    images : ndarray of shape (n_images, height, width)
        Raw intensities. Thresholds (the ink median) are taken over these
        images, so pass the full set to reproduce the dataset.

    Returns
    -------
    dict of str to ndarray of shape (n_images,)
        ``"thickness"`` -> ``"thick"``/``"thin"``,
        ``"slant"`` -> ``"right-slant"``/``"left-slant"``.
    """
    total = ink(images)
    thick = total > np.median(total)
    right = slant(images) > 0
    return {
        "thickness": np.where(thick, "thick", "thin"),
        "slant": np.where(right, "right-slant", "left-slant"),
    }


@DATASETS.register(
    "digits",
    label="Handwritten digits (8x8)",
    params=(
        Param(
            "task",
            "str",
            "even",
            "What counts as positive: 'even' = digits 0, 2, 4, 6, 8; 'high' = digits 5 to 9.",
            choices=tuple(TASKS),
        ),
        Param(
            "group",
            "str",
            "thickness",
            "Group from the image: 'thickness' = total ink above the median (thick) or not "
            "(thin); 'slant' = sign of the ink's second-moment shear (right-slant if > 0, "
            "else left-slant); 'thickness+slant' = both.",
            choices=GROUP_CHOICES,
        ),
    ),
    description=(
        "8x8 handwritten digits (1,797 images, 64 pixel features in [0, 1]). Groups are "
        "derived from the pixels: thickness (total ink above/below the median) and slant "
        "(sign of the intensity-weighted covariance of x and upward y over the variance "
        "of y). The group is therefore fully learnable from the features, and both "
        "attributes are confounded with the digit (7s lean right, 6s lean left)."
    ),
    citation=CITATION,
)
def digits(*, task: str = "even", group: str = "thickness") -> Dataset:
    """Load the digits with a binary task and an image-derived group.

    Parameters
    ----------
    task : {"even", "high"}
        Which digits are positive.
    group : {"thickness", "slant", "thickness+slant"}
        Which derived attribute(s) define the group.

    Returns
    -------
    Dataset
        ``X`` of shape (1797, 64) in [0, 1]; ``raw`` of shape (1797, 8, 8),
        the same intensities as images; ``notes`` holds the digit, the ink and
        the slant of each image, each of shape (1797,).
    """
    from sklearn.datasets import load_digits

    if task not in TASKS:
        raise UserInputError(f"dataset 'digits': task={task!r}; allowed: {', '.join(TASKS)}")
    if group not in GROUP_CHOICES:
        raise UserInputError(
            f"dataset 'digits': group={group!r}; allowed: {', '.join(GROUP_CHOICES)}"
        )
    bunch = load_digits()
    images = np.asarray(bunch.images, dtype=np.float64)
    digit = np.asarray(bunch.target, dtype=np.int64)
    positives, positive_label = TASKS[task]
    y = np.isin(digit, sorted(positives)).astype(np.int64)

    attrs = derive_groups(images)
    parts = group.split(INTERSECT)
    labels = attrs[parts[0]]
    for part in parts[1:]:
        labels = np.char.add(np.char.add(labels, INTERSECT), attrs[part])

    scaled = images / MAX_INTENSITY
    scaled.setflags(write=False)
    X = scaled.reshape(len(scaled), -1)
    h, w = images.shape[1:]
    feature_names = tuple(f"px_r{r}_c{c}" for r in range(h) for c in range(w))
    return Dataset(
        name="digits",
        X=X,
        y=y,
        group=labels,
        feature_names=feature_names,
        description=(
            f"8x8 handwritten digits; positive = {positive_label}; group = {group} "
            "derived from the pixels, so the group is learnable from the features."
        ),
        modality="image",
        licence="CC BY 4.0",
        source=f"scikit-learn load_digits, a copy of: {CITATION}",
        group_attribute=group,
        positive_label=positive_label,
        # The label is about no person; True keeps "1 is the outcome worth having".
        positive_favourable=True,
        raw=scaled,
        embedding=embed_2d(X, seed=0),
        notes={"digit": digit, "ink": ink(images), "slant": slant(images)},
    )
