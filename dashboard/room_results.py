"""What the class's labels did: against the truth per group, the ledger, who was never shown.

Numbers come from the room store's teacher view and the room's records;
the sentences quote them. Group names come from data (an upload's groups
too), so they are escaped.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd
import streamlit as st

from dashboard import captions as C
from dashboard import room_common as R
from dashboard.figures import Chart
from dashboard.room_charts import RoomTrace, room_figures, room_trace
from dashboard.safe import md_escape
from dashboard.views import show

FIGS = "room.figures"


def _pct(x: float | None) -> str:
    return "–" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.0%}"


def _names(groups: list[str]) -> str:
    shown = [md_escape(g, limit=80) for g in groups]
    if len(shown) <= 2:
        return " and ".join(shown)
    return ", ".join(shown[:-1]) + " and " + shown[-1]


def labels_table(state: dict[str, Any]) -> pd.DataFrame:
    """The class's labels against the truth and the recorded labels, one row per group."""
    rows = []
    for t in state["labels_vs_truth"]:
        rows.append(
            {
                "group": str(t["group"]),
                "labelled by the class": t["labelled"],
                "agree with the truth": _pct(t["share_truth"]),
                "agree with the recorded label": _pct(t["share_recorded"]),
            }
        )
    return pd.DataFrame(rows)


def labels_sentence(state: dict[str, Any]) -> str:
    """One plain sentence on the class's labels against the truth (Markdown, escaped)."""
    tally = [t for t in state["labels_vs_truth"] if t["labelled"]]
    n = sum(t["labelled"] for t in tally)
    if not n:
        return "The class has not labelled anything yet."
    agree = sum(t["agree_truth"] for t in tally)
    text = f"The class gave {n} labels; {agree} of them ({agree / n:.0%}) match the truth."
    if len(tally) > 1:
        lo = min(tally, key=lambda t: t["share_truth"])
        hi = max(tally, key=lambda t: t["share_truth"])
        if lo["share_truth"] != hi["share_truth"]:
            text += (
                f" Closest to the truth for {md_escape(hi['group'], limit=80)} "
                f"({hi['share_truth']:.0%} of {hi['labelled']}), furthest for "
                f"{md_escape(lo['group'], limit=80)} ({lo['share_truth']:.0%} of {lo['labelled']})."
            )
    return text


def never_shown_text(state: dict[str, Any], trace: RoomTrace) -> str:
    """Which groups the class was never shown, their share of the pool, and the model there."""
    never = list(state["never_shown"])
    asked = sum(state["shown"].values())
    if not asked:
        return "The class has not been shown anything yet."
    if not never:
        return (
            f"The model showed the class someone from every group ({asked} items in all). "
            "Look at the ledger: were they asked in proportion to the pool?"
        )
    share = {row["group"]: row["pool_share"] for row in state["ledger"]}
    pool = sum(share.get(g, 0.0) for g in never)
    g = trace.frames["groups"]
    last = g[g["round"] == trace.last_round].set_index("group")
    accs = []
    for name in never:
        acc = last["accuracy"].get(name) if name in last.index else None
        if acc is not None and not math.isnan(float(acc)):
            accs.append(f"{md_escape(name, limit=80)} {float(acc):.0%}")
    text = (
        f"In {asked} items over {state['round']} round{'' if state['round'] == 1 else 's'}, "
        "the model never asked the class "
        f"about anyone from {_names(never)}: {len(never)} of {len(state['groups'])} groups, "
        f"{pool:.0%} of the people it could have asked. Everything the model now decides "
        "about them, it learned without the class ever seeing one of them."
    )
    if accs:
        text += " Its accuracy on them against the truth: " + ", ".join(accs) + "."
    return text


def _figures(token: str, state: dict[str, Any]) -> tuple[RoomTrace, list] | None:
    key = (state["code"], state["round"])
    kept = st.session_state.get(FIGS)
    if kept is not None and kept[0] == key:
        return kept[1]
    records = R.call(R.store().records, token)
    if records is None:
        return None
    trace = room_trace(records.config_json, records.frames, tuple(state["groups"]))
    out = (trace, room_figures(trace))
    st.session_state[FIGS] = (key, out)
    return out


def results(token: str, state: dict[str, Any]) -> None:
    """The class's labels against the truth, the ledger and charts, and who was never shown."""
    built = _figures(token, state)
    if built is None:
        return
    trace, figures = built
    if state["done"]:
        st.header("Who the model never asked you about")
        st.markdown(never_shown_text(state, trace))
    st.subheader("The class's labels against the truth, per group")
    st.markdown(labels_sentence(state))
    st.dataframe(labels_table(state), hide_index=True, key="room.labels")
    st.caption(
        "The recorded label is what the data set's own (simulated) annotator answered for "
        "the same item. Names are never shown here: counts and agreement only."
    )
    st.subheader(f"What the model did with them (after round {trace.last_round})")
    for entry, spec, caption in figures:
        show(Chart.sent(spec), key=f"room.{entry.key}", alt=entry.alt, export=entry.export)
        head, _, rest = caption.partition(C.REST)
        (st.markdown if entry.caption_kind == "text" else st.caption)(head)
        if rest:
            with st.expander("Every group"):
                st.markdown(rest)
    if not state["done"]:
        with st.expander("Who the model has not asked about so far"):
            st.markdown(never_shown_text(state, trace))
