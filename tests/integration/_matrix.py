"""The build matrix: each (engine, input) warehouse that tests only read, built once per session.

    matrix(engine, name) -> Built        (the `matrix` fixture, conftest.py)

Inputs:

- `seed`: the project's own fixture seed (LIVEPEER_EVENTS unset);
- `real`: the real events of ../shared/fixtures as one folder, the way people
  keep them: the prod snapshot and the 2026-01-08 stream with the files beside
  them that are not events (README.md, event-log.json, labels.csv,
  manifest.json), which the reader must ignore;
- `dirty`: the same real events in ONE file, with a line of every kind of junk
  interleaved (`junk_lines`); its marts must equal `real`'s;
- `empty`: one empty file.

Each build is `make build` (the hourly job, with its data tests); its rows
are dumped once (`DUMPED`) and tests read the dump, or a DuckDB file
read-only. A chdb warehouse is never opened again after its dump (the
in-process engine takes its folder for one process): a test that serves,
locks or writes a warehouse takes a private copy (`Built.copy`).
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from _support import (
    MART_GRAINS,
    PROD_EVENTS,
    PROD_SNAPSHOT_DIR,
    STREAM_2026_01_08_DIR,
    STREAM_2026_01_08_EVENTS,
    duckdb_env,
    dump_models,
    engine_env,
    make_build,
    require_engine,
    require_fixture,
)

# What every build dumps: the marts, the serving views and the data-quality models.
DUMPED = [
    *MART_GRAINS,
    "dq_event_summary",
    "dq_quarantined_events",
    "dq_flagged_events",
    "dq_unmapped_trace_subtypes",
    "dq_unclassified_errors",
]
INPUTS = ("seed", "real", "dirty", "empty")


# ------------------------------------------------------------------ inputs

def real_lines() -> list[bytes]:
    """The real events, prod snapshot then the 2026-01-08 stream, without blank lines."""
    return [
        line
        for path in (PROD_EVENTS, STREAM_2026_01_08_EVENTS)
        for line in path.read_bytes().splitlines()
        if line.strip()
    ]


def _envelope(**fields) -> bytes:
    return json.dumps(fields, separators=(",", ":")).encode()


def junk_lines(real_line: bytes) -> list[tuple[bytes, str | None]]:
    """(line, expected outcome): a quarantine reason, 'duplicate' or None (blank, not a line)."""
    real = json.loads(real_line)
    conflicting = dict(real, timestamp=str(int(real["timestamp"]) + 1), gateway="someone-else")
    trace = {"type": "gateway_receive_stream_request", "stream_id": "junk", "request_id": "junk"}
    return [
        (b"not json at all", "not_json"),
        (b'{"id": "t1", "type": "stream_trace", "timestamp": "17719', "not_json"),  # truncated
        (b"[1, 2, 3]", "not_json"),  # JSON, but not an envelope object
        (b"\x00\x01\x02 binary \xfe\xff junk", "invalid_utf8"),
        (b'{"id":"u1","type":"stream_trace","timestamp":"1771959000000","data":{"x":"\xff"}}', "invalid_utf8"),
        (_envelope(id="d1", type="stream_trace", timestamp="1771959000000", gateway="", data="{not json"),
         "payload_not_json"),
        (_envelope(id="d2", type="network_capabilities", timestamp="1771959000000", gateway="", data=trace),
         "payload_wrong_shape"),
        (_envelope(id="d3", type="stream_trace", timestamp="1771959000000", gateway="", data=[trace]),
         "payload_wrong_shape"),
        (_envelope(type="stream_trace", timestamp="1771959000000", gateway="", data=trace), "missing_id"),
        (_envelope(id="", type="stream_trace", timestamp="1771959000000", gateway="", data=trace), "missing_id"),
        (_envelope(id="m1", type="stream_trace", gateway="", data=trace), "bad_timestamp"),
        (_envelope(id="m2", type="stream_trace", timestamp="yesterday", gateway="", data=trace), "bad_timestamp"),
        (_envelope(id="m3", type="stream_trace", timestamp="1500000000000", gateway="", data=trace),
         "bad_timestamp"),  # 2017: before any plausible event
        (_envelope(id="m4", type="stream_trace", timestamp="NaN", gateway="", data=trace), "bad_timestamp"),
        (_envelope(id="m5", type="stream_trace", timestamp=1e308, gateway="", data=trace), "bad_timestamp"),
        (_envelope(id="f1", type="stream_trace", timestamp="4102444800000", gateway="", data=trace),
         "timestamp_in_future"),
        (_envelope(id="k1", type="mystery_event", timestamp="1771959000000", gateway="", data=trace),
         "unknown_event_type"),
        (json.dumps(conflicting, separators=(",", ":")).encode(), "conflicting_duplicate"),
        (b'{"id":"big","pad":"' + b"x" * 17_000_000 + b'"}', "line_too_long"),  # over max_line_bytes
        (real_line, "duplicate"),
        (b"", None),
        (b"   ", None),
    ]


# Odd but usable events: accepted and flagged, never quarantined (docs/data-quality.md).
# The histories of hourly runs carry them (_histories.py); test_bad_input.py checks them.
ODD_IDS = ("o1", "o2", "o3", "o4", "o5", "o6")
ODD_SESSION = "odd-stream|odd00001"


def odd_but_usable_events() -> list[bytes]:
    base = 1771959000000
    ids = {"stream_id": "odd-stream", "request_id": "odd00001"}
    orchestrator = {"address": "0x" + "ab" * 20, "url": "https://odd.example.invalid:8935"}

    def status(event_id, at, fps):
        return _envelope(
            id=event_id, type="ai_stream_status", timestamp=str(at), gateway="",
            data=dict(ids, type="status", state="ONLINE", pipeline="streamdiffusion-sdxl", timestamp=at,
                      start_time=base, orchestrator_info=orchestrator, inference_status={"fps": fps}),
        )

    return [
        # an envelope timestamp in seconds: accepted, converted to ms, flagged
        _envelope(id="o1", type="stream_trace", timestamp=str(base // 1000), gateway="",
                  data=dict(ids, type="gateway_receive_stream_request")),
        # a trace subtype nobody knows yet: accepted, listed in dq_unmapped_trace_subtypes
        _envelope(id="o2", type="stream_trace", timestamp=str(base + 1000), gateway="",
                  data=dict(ids, type="gateway_tried_something_new", timestamp=base + 1000)),
        status("o3", base + 10_000, "12.5"),  # numeric field sent as a string: counted as 12.5
        status("o4", base + 20_000, -3.0),  # negative fps: accepted, flagged, not counted
        status("o5", base + 30_000, "NaN"),  # NaN fps: accepted, flagged, not counted
        # a 1 MB message: accepted
        _envelope(id="o6", type="ai_stream_events", timestamp=str(base + 40_000), gateway="",
                  data=dict(ids, type="error", message="user disconnected " + "x" * 1_048_576)),
    ]


def _make_real(folder: Path) -> dict:
    require_fixture(PROD_EVENTS)
    require_fixture(STREAM_2026_01_08_EVENTS)
    root = folder / "real"
    for source, target in ((PROD_SNAPSHOT_DIR, root / "prod"), (STREAM_2026_01_08_DIR, root / "stream")):
        target.mkdir(parents=True)
        for path in source.iterdir():
            if path.is_file():  # events and the files beside them (README.md, event-log.json, labels.csv, ...)
                (target / path.name).symlink_to(path)
    return {"events": str(root), "lines": len(real_lines())}


def _make_dirty(folder: Path) -> dict:
    require_fixture(PROD_EVENTS)
    require_fixture(STREAM_2026_01_08_EVENTS)
    clean = real_lines()
    junk = junk_lines(clean[5])
    expected: dict[str, int] = {}
    for _, outcome in junk:
        if outcome:
            expected[outcome] = expected.get(outcome, 0) + 1
    pending = [line for line, _ in junk]
    mixed = []
    for index, line in enumerate(clean):
        mixed.append(line)
        if index % 7 == 3 and pending:
            mixed.append(pending.pop(0))
    mixed.extend(pending)
    events = folder / "corrupted.ndjson"
    events.write_bytes(b"\n".join(mixed) + b"\n")
    return {
        "events": str(events),
        "lines": sum(1 for line in mixed if line.strip()),
        "real_lines": len(clean),
        "expected_outcomes": expected,
    }


def _make_empty(folder: Path) -> dict:
    events = folder / "empty.ndjson"
    events.write_bytes(b"")
    return {"events": str(events), "lines": 0}


MAKERS = {"real": _make_real, "dirty": _make_dirty, "empty": _make_empty}


def input_of(shared, name: str) -> dict:
    """{"events": path or None, "lines": non-blank lines, ...} of an input, made once per session."""
    if name == "seed":
        return {"events": None}
    return shared.get(f"input-{name}", MAKERS[name])


# ------------------------------------------------------------------ builds

@dataclass
class Built:
    """A built warehouse of the matrix: its environment, its dumped rows, its DuckDB file."""

    engine: str
    name: str
    env: dict
    events: str | None
    work_dir: Path
    db_path: Path | None  # DuckDB only
    dumps_path: Path
    input: dict

    @property
    def read_env(self) -> dict:
        """An environment that reads this warehouse (DuckDB: read-only queries are safe from any process)."""
        assert self.db_path is not None, "a chdb warehouse of the matrix is read through its dump or a copy"
        return duckdb_env(self.db_path)

    def dump(self, *models: str) -> dict:
        if not hasattr(self, "_dumps"):
            self._dumps = json.loads(self.dumps_path.read_text())
        missing = [model for model in models if model not in self._dumps]
        assert not missing, f"{missing} are not dumped: add them to _matrix.DUMPED"
        return {model: self._dumps[model] for model in models}

    def copy(self, dest: Path) -> dict:
        """A private copy of the warehouse in `dest` (to serve, lock or write); returns its environment."""
        env = engine_env(self.engine, dest, Path(self.events) if self.events else None)
        if self.engine == "duckdb":
            shutil.copyfile(self.db_path, env["LIVEPEER_DUCKDB"])
        else:
            shutil.copytree(self.work_dir / "chdb", env["LIVEPEER_CHDB_PATH"], symlinks=True)  # relative links
        return env


_BUILT: dict[tuple[str, str], Built] = {}


def build(shared, engine: str, name: str, models_only: bool = False) -> Built:
    """The warehouse of input `name` on `engine`, built once per session (see the module docstring).

    A failed build fails every test that reads it, with dbt's output; with
    `models_only` a test takes its warehouse all the same when only data
    tests failed (the unit tests: they need the models' tables, not their rows).
    """
    require_engine(engine)
    made = input_of(shared, name)
    events = made["events"]

    def produce(folder: Path) -> dict:
        try:
            env = make_build(engine, Path(events) if events else None, folder)
        except pytest.fail.Exception as exc:
            # the models ran; only data tests failed when dbt reached its summary
            return {"env": engine_env(engine, folder, Path(events) if events else None), "failed": str(exc.msg),
                    "models_built": "Failure in test" in str(exc.msg) and "Error in model" not in str(exc.msg)}
        (folder / "dumps.json").write_text(json.dumps(dump_models(env, DUMPED)))
        return {"env": env, "failed": None}

    record = shared.get(f"build-{engine}-{name}", produce)
    if record["failed"] and not (models_only and record["models_built"]):
        pytest.fail(record["failed"], pytrace=False)
    if (engine, name) in _BUILT:
        return _BUILT[(engine, name)]
    folder = shared.folder(f"build-{engine}-{name}")
    env = record["env"]
    _BUILT[(engine, name)] = Built(
        engine=engine,
        name=name,
        env=env,
        events=events,
        work_dir=folder,
        db_path=Path(env["LIVEPEER_DUCKDB"]) if engine == "duckdb" else None,
        dumps_path=folder / "dumps.json",
        input=made,
    )
    return _BUILT[(engine, name)]
