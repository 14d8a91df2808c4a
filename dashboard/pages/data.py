"""Your data: upload a CSV, map its columns, preview, then explore it."""

import pandas as pd
import streamlit as st

from dashboard import session
from dashboard import state as S
from dashboard.safe import md_escape
from dashboard.uploads import UPLOAD_NAME, UPLOAD_SPEC, save_upload
from datasets.base import MAX_GROUPS
from datasets.upload import (
    MAX_BYTES,
    MAX_COLUMNS,
    MAX_ROWS,
    UploadSpec,
    preview,
    read_csv_bytes,
    sha256_hex,
)
from datasets.uploaded import upload_spec

session.load_url_once()  # so a session that starts here keeps its upload on Explore
session.presenter_toggle()
st.title("Your data")
st.markdown(
    f"Upload a CSV with one row per person or item, a yes/no **label** column and one or "
    f"more **group** columns. Limits: {MAX_BYTES // 2**20} MB, {MAX_ROWS:,} rows, "
    f"{MAX_COLUMNS} columns. The file stays on this server for at most a day and is only "
    "used for your runs; anyone with a link to such a run can replay it."
)
if UPLOAD_NAME in st.session_state:
    st.info(
        f"In use now: {md_escape(st.session_state[UPLOAD_NAME])}. Upload another to replace it."
    )

f = st.file_uploader(
    "CSV file",
    type=["csv", "txt", "tsv"],
    key="upload.file",
    help="Parsed as data only: nothing in the file is ever run.",
)
if f is None:
    st.stop()
data = f.getvalue()
try:
    frame, read_warnings = read_csv_bytes(data, name=f.name)
except Exception as exc:  # noqa: BLE001
    session.show_error(exc)
    st.stop()

columns = [str(c) for c in frame.columns]
st.caption(f"{len(frame):,} rows and {len(columns)} columns read.")
with st.expander("First rows, as read"):
    st.dataframe(frame.head(20).astype(str), hide_index=True, key="upload.head")

a, b = st.columns(2)
label = a.selectbox(
    "Label column (what the model predicts)",
    columns,
    key="upload.label",
    index=len(columns) - 1,
    help="Two values (yes/no, 1/0…), or pick which value counts as positive.",
)
values = sorted(frame[label].dropna().astype(str).unique().tolist())[:200]
positive = a.selectbox(
    "Positive class",
    ["(guess)"] + values,
    key="upload.positive",
    help="Which label value is the positive (usually the favourable) outcome.",
)
others = [c for c in columns if c != label]
groups = b.multiselect(
    "Group column(s)",
    others,
    key="upload.group",
    max_selections=3,
    help="Who the groups are. Several columns form intersectional groups.",
)
features = b.multiselect(
    "Feature columns (empty = all other columns)",
    [c for c in others if c not in groups],
    key="upload.features",
    help="What the model may use. The group columns are never features here.",
)
if not groups:
    st.warning("Pick at least one group column.")
    st.stop()
pool_small = b.toggle(
    f"Pool groups beyond the {MAX_GROUPS} largest into one",
    key="upload.pool",
    help=(
        f"At most {MAX_GROUPS} groups can be shown and measured. With more, keep the "
        f"{MAX_GROUPS - 1} largest and pool the rest as one group 'other'."
    ),
)
spec = UploadSpec(
    label=label,
    group=tuple(groups),
    positive=None if positive == "(guess)" else positive,
    features=tuple(features) or None,
    pool_small=pool_small,
)
try:
    pv = preview(frame, spec, warnings=read_warnings)
    dataset_spec = upload_spec(pv.spec, sha256=sha256_hex(data))
except Exception as exc:  # noqa: BLE001
    session.show_error(exc)
    st.stop()

st.subheader("Preview")
c = st.columns(4)
c[0].metric("Rows used", f"{pv.n_rows:,}")
c[1].metric("Rows dropped", f"{pv.n_dropped_rows:,}")
c[2].metric("Features", len(pv.features))
c[3].metric("Groups", len(pv.group_sizes))
table = pd.DataFrame(
    {
        "group": list(pv.group_sizes),
        "rows": list(pv.group_sizes.values()),
        "share of positives": [f"{pv.label_rate[g]:.1%}" for g in pv.group_sizes],
    }
)
st.dataframe(table, hide_index=True, key="upload.groups")
if pv.spec.positive is not None:
    st.caption(f"Positive class: {md_escape(pv.spec.positive)}")
for w in pv.warnings:
    st.warning(md_escape(w, limit=600))
with st.expander("How rows become model inputs", expanded=True):
    st.markdown("\n".join(f"- {md_escape(s, limit=400)}" for s in pv.steps))
if pv.dropped_columns:
    with st.expander(f"{len(pv.dropped_columns)} column(s) not used"):
        st.dataframe(
            pd.DataFrame(
                {"column": list(pv.dropped_columns), "why": list(pv.dropped_columns.values())}
            ),
            hide_index=True,
            key="upload.dropped",
        )

if st.button("Explore this data", type="primary", key="upload.use", icon=":material/search:"):
    try:
        sha = save_upload(data, owner=session.session_id())
    except Exception as exc:  # noqa: BLE001
        session.show_error(exc)
        st.stop()
    st.session_state[UPLOAD_SPEC] = upload_spec(pv.spec, sha256=sha)
    st.session_state[UPLOAD_NAME] = f.name
    for key in (S.wkey("dataset"), session.KEEP + S.wkey("dataset")):
        st.session_state[key] = dataset_spec.name
    # Fit the labelling budget into the pool this upload gives (a small file
    # cannot afford the default 30 rounds of 10).
    test = float(st.session_state.get(S.wkey("test"), S.DEFAULT_CONFIG.test_size))
    initial = int(st.session_state.get(S.wkey("initial"), S.DEFAULT_CONFIG.initial_size))
    batch = int(st.session_state.get(S.wkey("batch"), S.DEFAULT_CONFIG.batch_size))
    rounds = int(st.session_state.get(S.wkey("rounds"), S.DEFAULT_CONFIG.rounds))
    pool = int(pv.n_rows * (1 - test)) - 1
    fit = max(1, min(rounds, (pool - initial) // batch))
    if fit != rounds:
        for key in (S.wkey("rounds"), session.KEEP + S.wkey("rounds")):
            st.session_state[key] = fit
        st.session_state[S.URL_WARNING] = (
            f"Rounds set to {fit} so that the labelling budget fits your data's pool."
        )
    st.switch_page("dashboard/pages/explore.py")
