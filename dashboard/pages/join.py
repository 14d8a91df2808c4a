"""Join a class: a student joins a room with its code and labels their own items."""

import streamlit as st

from dashboard import room_join

st.title("Join a class")
token = room_join.student_token()
if token is None:
    room_join.join_form()
else:
    room_join.student(token)
