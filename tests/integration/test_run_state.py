"""The job's "nothing new" decision (livepeer_analytics/run_state.py), as a property over any history.

The warehouse, the input and the project are simulated (no dbt): hypothesis
draws a sequence of events (the project or the input changes, a dbt command
is run by hand, the job runs and succeeds, fails or is killed, before or
after a model recorded its batch, or is forced past the check) and after each
start of the job checks its decision against the rule of docs/incremental.md:
the job may skip dbt only when the last finished job run succeeded and
nothing changed since, neither the project, nor the input, nor the manifest;
and it must skip then.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from livepeer_analytics import run_state

EVENTS = ("project", "input", "by_hand", "input_unreadable", "input_readable",
          "job_ok", "job_failed", "job_killed", "job_killed_early", "forced_killed_early")


class World:
    """What run_state reads: the project's digest, the input, the manifest (count, newest batch)."""

    def __init__(self) -> None:
        self.project, self.input, self.manifest, self.readable = 0, 0, 0, True

    def install(self, monkeypatch) -> None:
        monkeypatch.setattr(run_state, "project_digest", lambda: f"p{self.project}")
        monkeypatch.setattr(run_state, "input_seen", lambda probe: [self.input] if self.readable else None)
        monkeypatch.setattr(run_state.Probe, "manifest", lambda probe: [str(self.manifest)])
        monkeypatch.setattr(run_state.Probe, "close", lambda probe: None)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.lists(st.sampled_from(EVENTS), max_size=30))
def test_the_job_skips_dbt_exactly_when_nothing_changed_since_a_successful_run(tmp_path_factory, events):
    monkeypatch = pytest.MonkeyPatch()
    try:
        world = World()
        world.install(monkeypatch)
        state = run_state.RunState(tmp_path_factory.mktemp("state") / "w.duckdb.state")
        clean = False  # the model: a successful run finished, and nothing changed since
        for step, event in enumerate(events):
            if event in ("project", "input", "by_hand"):
                setattr(world, {"project": "project", "input": "input", "by_hand": "manifest"}[event],
                        getattr(world, {"project": "project", "input": "input", "by_hand": "manifest"}[event]) + 1)
                clean = False
            elif event in ("input_unreadable", "input_readable"):
                world.readable = event == "input_readable"
            elif event == "forced_killed_early":
                # `--force` (or dbt arguments): dbt starts without the check; killed before any model recorded
                # its batch, maybe after one wrote rows: the next run must start dbt
                state.forget()
                clean = False
            else:
                skipped = state.nothing_new() is not None
                expected = clean and world.readable
                assert skipped == expected, f"step {step} ({event}) after {events[:step]}: skipped={skipped}"
                if skipped:
                    continue
                state.forget()
                if event != "job_killed_early":
                    world.manifest += 1  # a run that got going records some models, all when it succeeds
                if event == "job_ok":
                    state.record()
                    clean = world.readable  # a run that could not read its input records nothing
                else:
                    clean = False
    finally:
        monkeypatch.undo()
