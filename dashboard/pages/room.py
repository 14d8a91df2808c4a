"""Class labelling: the teacher opens a room, the class labels on phones, the model refits."""

import streamlit as st

from dashboard import room_view

st.title("Class labelling")
token = room_view.teacher_token()
if token is None:
    room_view.open_form()
else:
    room_view.teacher(token)
