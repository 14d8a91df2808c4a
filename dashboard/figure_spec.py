"""``Chart``: a finished figure kept as plain dicts, and its encoding for the browser.

Numeric arrays are sent as plotly.js typed arrays (base64), as plotly.py
itself sends them. No streamlit here.
"""

from __future__ import annotations

import base64

import numpy as np
import pandas as pd
import plotly.graph_objects as go


def copy_containers(obj: object) -> object:
    """A copy of the dicts and lists in ``obj``; arrays and scalars are shared.

    Examples
    --------
    >>> a = {"x": [1, 2]}
    >>> b = copy_containers(a)
    >>> b["x"].append(3)
    >>> a
    {'x': [1, 2]}
    """
    if isinstance(obj, dict):
        return {k: copy_containers(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [copy_containers(v) for v in obj]
    return obj


#: numpy dtype -> plotly.js typed-array code (plotly.js has no 64-bit integers).
_TYPED = {
    "int8": "i1",
    "uint8": "u1",
    "int16": "i2",
    "uint16": "u2",
    "int32": "i4",
    "uint32": "u4",
    "float32": "f4",
    "float64": "f8",
}
#: Keys whose arrays plotly.js wants as plain lists.
_NOT_TYPED = frozenset({"range", "geojson", "layer", "layers"})


def _typed(a: np.ndarray) -> object:
    """A numeric array as plotly.js's typed-array spec, as plotly.py sends it."""
    if a.size == 0:
        return a.tolist()
    if a.dtype.kind in "iu" and a.dtype.itemsize == 8:
        lo, hi = int(a.min()), int(a.max())
        small = next(
            (
                t
                for t in ("int8", "int16", "int32")
                if np.iinfo(t).min <= lo and hi <= np.iinfo(t).max
            ),
            None,
        )
        if small is None:
            return a.tolist()
        a = a.astype(small)
    code = _TYPED.get(a.dtype.name)
    if code is None:
        return a.tolist()
    out = {"dtype": code, "bdata": base64.b64encode(np.ascontiguousarray(a)).decode("ascii")}
    if a.ndim > 1:
        out["shape"] = ", ".join(str(n) for n in a.shape)
    return out


def _encoded(obj: object, key: str = "") -> object:
    """A copy of ``obj`` ready to send: numeric arrays become typed arrays.

    Does what plotly's ``convert_to_base64`` does, without its per-value
    checks for dataframe libraries.

    Examples
    --------
    >>> _encoded({"x": np.array([1, 2], dtype=np.int8)})
    {'x': {'dtype': 'i1', 'bdata': 'AQI='}}
    """
    if isinstance(obj, dict):
        return {k: _encoded(v, k) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_encoded(v) for v in obj]
    if isinstance(obj, pd.Series | pd.Index):
        obj = obj.to_numpy()
    if isinstance(obj, np.ndarray):
        return obj.tolist() if key in _NOT_TYPED else _typed(obj)
    return obj


def _decoded(obj: object) -> object:
    """The inverse of ``_encoded``: typed arrays back to numpy (for checking).

    Examples
    --------
    >>> _decoded({"x": {"dtype": "i1", "bdata": "AQI="}})["x"].tolist()
    [1, 2]
    """
    if isinstance(obj, dict):
        if "bdata" in obj and obj.keys() <= {"dtype", "bdata", "shape"}:
            dtype = next(name for name, code in _TYPED.items() if code == obj["dtype"])
            a = np.frombuffer(base64.b64decode(obj["bdata"]), dtype=dtype)
            if "shape" in obj:
                a = a.reshape(tuple(int(n) for n in obj["shape"].split(",")))
            return a
        return {k: _decoded(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_decoded(v) for v in obj]
    return obj


class Chart(go.Figure):
    """A finished figure kept as plain dicts, sent without plotly's object model.

    Streamlit only needs ``to_dict()`` from a ``BaseFigure``, so that is all
    this provides on the hot path: a ``go.Figure`` would build and validate a
    property object for every trace, layout key and animation frame. ``data``,
    ``layout`` and ``frames`` build a fully *validated* ``go.Figure`` on first
    use, so tests check every dict against plotly's schema.

    Parameters
    ----------
    traces : list of dict
        The traces.
    layout : dict
        The layout.
    frames : list of dict, optional
        Animation frames.

    Examples
    --------
    >>> c = Chart([{"type": "bar", "x": [1], "y": [2]}], {"title": {"text": "t"}})
    >>> c
    Chart('t', 1 traces)
    >>> c.data[0].type
    'bar'
    """

    def __init__(  # noqa: D107 -- go.Figure.__init__ is skipped on purpose
        self, traces: list[dict], layout: dict, frames: list[dict] | None = None
    ) -> None:
        self._spec = {"data": traces, "layout": layout}
        if frames is not None:
            self._spec["frames"] = frames
        self._checked: go.Figure | None = None
        self._ready = False  # True: the spec is already encoded (see ``sent``)

    def to_dict(self) -> dict:
        """The figure as sent to the browser (numeric arrays as typed arrays)."""
        if self._ready:
            return copy_containers(self._spec)
        return _encoded(self._spec)

    @classmethod
    def sent(cls, encoded: dict) -> Chart:
        """A Chart from an earlier ``to_dict()`` (e.g. one shared by a cache).

        ``to_dict()`` hands out fresh containers each time, so whoever
        receives it cannot change ``encoded``.
        """
        chart = cls(encoded["data"], encoded["layout"], encoded.get("frames"))
        chart._ready = True
        return chart

    def to_plotly_json(self) -> dict:
        return self.to_dict()

    @property
    def spec(self) -> dict:
        """The figure's own dicts, not a copy: read, never change."""
        return self._spec

    @property
    def title(self) -> str:
        """The figure's title text."""
        return self._spec["layout"].get("title", {}).get("text", "")

    def __repr__(self) -> str:
        return f"Chart({self.title!r}, {len(self._spec['data'])} traces)"

    def checked(self) -> go.Figure:
        """The same figure through plotly's validation (raises on a schema error)."""
        if self._checked is None:
            self._checked = go.Figure(_decoded(self._spec))
        return self._checked

    @property
    def data(self):  # noqa: ANN201 -- plotly's tuple of traces
        return self.checked().data

    @property
    def layout(self):  # noqa: ANN201
        return self.checked().layout

    @property
    def frames(self):  # noqa: ANN201
        return self.checked().frames
