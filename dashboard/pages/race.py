"""You vs the model: pick each batch on the map, and race the model and random."""

import streamlit as st

from dashboard import race_state as RS
from dashboard import race_view, session
from dashboard.safe import md_escape
from specs import UserInputError

style = session.presenter_toggle()
ss = st.session_state
st.title("You vs the model")
st.markdown(
    "You are the strategy. Each round, pick the points you want labelled on the map (drag a "
    "box or a lasso). The model picks its own with its strategy, and random picks at random, "
    "from the same starting labels and with the same budget. Who finds the overlooked group "
    "first, and who ends up right about it?"
)

if RS.PRESET not in ss:  # a link may choose the preset and the seed: ?preset=&seed=
    ss[RS.PRESET], ss[RS.SEED] = "clusters", 0
    notes = []
    raw = st.query_params.get("preset")
    if raw is not None:
        if raw in RS.PRESETS:
            ss[RS.PRESET] = raw
        else:
            notes.append(RS.MSG_PRESET.format(value=str(raw)[:40], allowed=", ".join(RS.PRESETS)))
    raw = st.query_params.get("seed")
    if raw is not None:
        try:
            ss[RS.SEED] = RS.url_seed(raw)
        except UserInputError as exc:
            notes.append(str(exc))
    raw = st.query_params.get("picks")
    if raw:  # the batches of a race in progress: a reload or a shared link resumes it
        try:
            cfg = RS.preset_config(ss[RS.PRESET], int(ss[RS.SEED]))
            batches = RS.picks_from_url(str(raw))
            RS.RACES.get(cfg.to_json(), batches)  # replays and checks every batch
            ss[RS.CONFIG], ss[RS.BATCHES], ss[RS.PICKED] = cfg.to_json(), batches, []
            ss[RS.RUNNING] = (ss[RS.PRESET], int(ss[RS.SEED]))
        except UserInputError as exc:
            notes.append(f"{exc} The race starts from round 1.")
    if notes:
        ss[RS.MESSAGE] = " ".join(notes)


def start() -> None:
    try:
        cfg = RS.preset_config(ss[RS.PRESET], int(ss[RS.SEED]))
    except UserInputError as exc:
        ss[RS.MESSAGE] = str(exc)
        return
    ss[RS.CONFIG] = cfg.to_json()
    ss[RS.RUNNING] = (ss[RS.PRESET], int(ss[RS.SEED]))
    ss[RS.BATCHES] = []
    ss[RS.PICKED] = []


with st.container(horizontal=True, vertical_alignment="bottom"):
    st.selectbox(
        "Race on",
        list(RS.PRESETS),
        format_func=lambda k: RS.PRESETS[k][0],
        key=RS.PRESET,
    )
    st.number_input("Seed", min_value=0, max_value=RS.SEED_HIGH, step=1, key=RS.SEED)
    st.button("Start again", key="race.start", on_click=start)
if RS.CONFIG not in ss:
    start()
message = ss.pop(RS.MESSAGE, None)
running = ss.get(RS.RUNNING) or (ss[RS.PRESET], int(ss[RS.SEED]))
st.query_params["preset"], st.query_params["seed"] = running[0], str(running[1])

config_json = ss.get(RS.CONFIG)
if message and not config_json:
    st.error(md_escape(message, limit=400))
try:
    race = RS.RACES.get(config_json, ss.get(RS.BATCHES, [])) if config_json else None
except Exception as exc:  # noqa: BLE001 -- a bad setting is said in one line, a bug as one
    session.show_error(exc)
    race = None

if race is not None:
    from dashboard import captions as C

    if race.batches:  # a reload or a shared link resumes the race from here
        st.query_params["picks"] = RS.picks_to_url(race.batches)
    elif "picks" in st.query_params:
        del st.query_params["picks"]

    st.caption(C.describe_run(race.config))
    if message and race.done:
        st.error(md_escape(message, limit=400))
    if race.done:
        st.success(f"All {race.config.rounds} rounds are picked. Below: how the race ended.")
    else:
        race_view.picker(race, config_json, style, message)
    race_view.results(race, style)
