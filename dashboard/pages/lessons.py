"""Lessons: predict, watch, reveal, explain, discuss, try this; one lesson at a time."""

from dashboard import lesson_view, session

style = session.presenter_toggle()
lesson_view.page(style)
