"""The run history (livepeer_analytics/run_history.py, table job_runs), without dbt: a killed run (a
`started` row and nothing after it) is named by the next run and repaired by a success; a warehouse the
job cannot write to costs one warning line, never the run. The histories of test_exactly_once.py check
it on both engines through real kills, failures and nothing-new runs."""

from __future__ import annotations

import duckdb

from livepeer_analytics import run_history


def runs(path) -> list[dict]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        cursor = con.execute(f"select * from ({run_history.latest_runs_sql()}) as runs order by started_at")
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row)) for row in cursor.fetchall()]
    finally:
        con.close()


def test_a_killed_run_is_named_by_the_next_and_repaired_by_a_success(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DBT_TARGET", "duckdb")
    monkeypatch.setenv("LIVEPEER_DUCKDB", str(tmp_path / "w.duckdb"))
    killed = run_history.RunHistory("files")
    killed.start()  # ... and never finishes
    assert "never finished" not in capsys.readouterr().out

    following = run_history.RunHistory("files")
    following.start()
    said = [line for line in capsys.readouterr().out.splitlines() if "never finished" in line]
    assert len(said) == 1 and f"{killed.started_at:%Y-%m-%d %H:%M:%S}" in said[0], said
    assert [(r["outcome"], r["is_unfinished"], r["is_repaired"]) for r in runs(tmp_path / "w.duckdb")] == [
        ("started", True, False), ("started", True, False)]

    following.finish("failed", {"nodes": 1.5}, 2)
    assert [r["outcome"] for r in runs(tmp_path / "w.duckdb")] == ["started", "failed"]
    assert runs(tmp_path / "w.duckdb")[1]["nodes_failed"] == 2

    repairing = run_history.RunHistory("files")
    repairing.start()  # the killed run is still unrepaired: named again
    assert sum("never finished" in line for line in capsys.readouterr().out.splitlines()) == 1
    repairing.finish("success", {"nodes": 2.0}, 0)
    first, failed, success = runs(tmp_path / "w.duckdb")
    assert (first["outcome"], first["is_repaired"]) == ("started", True)
    assert (failed["is_repaired"], success["outcome"], success["phases"]) == (False, "success", '{"nodes": 2.0}')

    run_history.RunHistory("files").start()  # nothing left to name
    assert "never finished" not in capsys.readouterr().out


def test_a_warehouse_the_job_cannot_write_costs_a_warning_not_the_run(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DBT_TARGET", "duckdb")
    folder = tmp_path / "a-folder-not-a-file"
    folder.mkdir()
    monkeypatch.setenv("LIVEPEER_DUCKDB", str(folder))
    history = run_history.RunHistory("files")
    history.start()
    history.finish("success", {}, 0)
    warnings = [line for line in capsys.readouterr().err.splitlines() if line.startswith("warning: could not record")]
    assert len(warnings) == 2, warnings
