"""``python -m components room ...``: open a classroom room, read its state, export its records.

The same store as the app's (``$WGL_ROOMS_URL`` or the private SQLite file;
``--url`` overrides both), so a room made here is the one students join in
the app, and a room made in the app can be exported here.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from components.cli import BadInput, terminal_text

MSG_OUT = "--out: cannot write to {path!r} ({reason}); allowed: a writable directory"


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("room", help="classroom rooms: create one, read its state, export it")
    verbs = p.add_subparsers(dest="room_command", required=True, parser_class=type(p))
    c = verbs.add_parser("create", help="a new room for a run; prints its code and teacher token")
    c.add_argument("--config", required=True, help="the run: a config.json (or a run directory)")
    c.add_argument("--teacher-name", dest="teacher_name", help="shown to the class")
    c.add_argument("--max-students", dest="max_students", type=int, default=60)
    c.add_argument("--show-names", dest="show_names", action="store_true")
    c.add_argument("--ttl-hours", dest="ttl_hours", type=float, default=12.0)
    s = verbs.add_parser("state", help="a room's state as JSON: by code (public) or teacher token")
    s.add_argument("key", help="the room code, or the teacher token for the teacher's view")
    r = verbs.add_parser("records", help="write a room's records (names as pseudonyms)")
    r.add_argument("teacher_token")
    r.add_argument("--out", required=True, help="directory for config.json and the three CSVs")
    verbs.add_parser("purge", help="delete every expired room")
    for q in (c, s, r, verbs.choices["purge"]):
        q.add_argument("--url", help="a SQLAlchemy URL (default: $WGL_ROOMS_URL or a SQLite file)")
    p.set_defaults(func=handler)


def handler(args: argparse.Namespace) -> int:
    from components.cli import _read_config
    from components.room_db import UnsafeStoreError
    from components.rooms import RoomStore

    ttl = getattr(args, "ttl_hours", 12.0)
    if not ttl > 0:
        raise BadInput(f"--ttl-hours: {ttl!r}; allowed: a positive number of hours")
    try:
        store = RoomStore(args.url, ttl_hours=ttl)
    except UnsafeStoreError as exc:
        raise BadInput(str(exc)) from None
    try:
        if args.room_command == "create":
            room = store.create_room(
                _read_config(args.config),
                teacher_name=args.teacher_name,
                max_students=args.max_students,
                show_names=args.show_names,
            )
            print(f"room code: {room.code}")
            print(f"teacher token: {room.teacher_token}")
            print("Keep the teacher token secret: it opens the teacher's view and the records.")
        elif args.room_command == "state":
            text = json.dumps(store.state(args.key), indent=2, ensure_ascii=False)
            print("\n".join(terminal_text(line) for line in text.splitlines()))
        elif args.room_command == "records":
            files = store.records(args.teacher_token).files()
            out = Path(args.out)
            try:
                out.mkdir(parents=True, exist_ok=True)
                for name, text in files.items():
                    (out / name).write_text(text, encoding="utf-8", newline="")
            except OSError as exc:
                raise BadInput(MSG_OUT.format(path=str(out), reason=exc.strerror or exc)) from None
            print(terminal_text(f"wrote {', '.join(files)} to {out}"))
        else:
            print(f"purged {store.purge_expired()} expired rooms")
    finally:
        store.close()
    return 0
