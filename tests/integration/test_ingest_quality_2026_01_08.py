"""Ingest quality of the real 2026-01-08 stream (livepeer_events_2026-01-08), in the
build of the real events on DuckDB (the `real` input of the build matrix; the prod
snapshot beside it carries no ingest metrics, so the ingest marts hold this stream alone).

Expected values are computed by hand from the 34 raw stream_ingest_metrics
events of the stream (one session, stream-o5s73x-mk5zc8fy|db936fab), read
independently of the models: events ordered by data.timestamp, 5 s apart
(4999-5001 ms), from 21:49:10.608 to 21:51:55.608 UTC. No counter goes
backwards, every event has a video and an audio track and says "good".

- BytesReceived 477,890 at the first event, 28,303,758 at the last:
  27,825,868 bytes over 165.000 s (33 intervals) = 1.349132993939394 Mbps.
- BytesSent 4,013 -> 124,129: 120,116 bytes.
- video packets_received 413 -> 24,465 (24,052), audio 248 -> 8,499 (8,251),
  packets_lost 0 throughout: loss 0 %.
- jitter: video sum 187.77963595122517 ms over 34 readings (mean
  5.522930469153682), audio 677.2881620366354 ms (mean 19.92024005990104).
- All in the hour 2026-01-08 21:00 UTC: the hourly view has one row.
"""

from __future__ import annotations

import datetime as dt

import pytest

from _support import STREAM_2026_01_08_EVENTS, query_dicts, require_fixture

SESSION_KEY = "stream-o5s73x-mk5zc8fy|db936fab"


@pytest.fixture(scope="module")
def stream_db(matrix):
    require_fixture(STREAM_2026_01_08_EVENTS)
    return matrix("duckdb", "real").db_path


@pytest.fixture(scope="module")
def ingest(stream_db) -> dict:
    rows = query_dicts(stream_db, "select * from fct_session_ingest_quality")
    assert [r["session_key"] for r in rows] == [SESSION_KEY]
    return rows[0]


def test_samples_and_runs(ingest):
    assert ingest["ingest_samples"] == 34
    assert ingest["samples_without_tracks"] == 0
    assert ingest["ingest_connection_runs"] == 1
    assert ingest["ingest_counter_resets"] == 0
    assert ingest["first_ingest_sample_at"] == dt.datetime(2026, 1, 8, 21, 49, 10, 608000)
    assert ingest["last_ingest_sample_at"] == dt.datetime(2026, 1, 8, 21, 51, 55, 608000)


def test_bytes_and_rate(ingest):
    assert ingest["ingest_bytes_received"] == 27_825_868
    assert ingest["ingest_bytes_sent"] == 120_116
    assert ingest["ingest_covered_seconds"] == pytest.approx(165.0, abs=1e-9)
    assert ingest["ingest_mbps"] == pytest.approx(1.349132993939394, rel=1e-12)


def test_packets_and_loss(ingest):
    assert ingest["video_packets_received"] == 24_052
    assert ingest["video_packets_lost"] == 0
    assert ingest["audio_packets_received"] == 8_251
    assert ingest["audio_packets_lost"] == 0
    assert ingest["video_packet_loss_pct"] == 0.0
    assert ingest["audio_packet_loss_pct"] == 0.0
    assert ingest["packet_loss_pct"] == 0.0


def test_jitter(ingest):
    assert ingest["video_jitter_samples"] == 34
    assert ingest["audio_jitter_samples"] == 34
    assert ingest["video_jitter_ms_sum"] == pytest.approx(187.77963595122517, rel=1e-12)
    assert ingest["avg_video_jitter_ms"] == pytest.approx(5.522930469153682, rel=1e-12)
    assert ingest["audio_jitter_ms_sum"] == pytest.approx(677.2881620366354, rel=1e-12)
    assert ingest["avg_audio_jitter_ms"] == pytest.approx(19.92024005990104, rel=1e-12)


def test_connection_quality(ingest):
    assert ingest["conn_quality_good_samples"] == 34
    assert ingest["conn_quality_bad_samples"] == 0
    assert ingest["conn_quality_other_samples"] == 0
    assert ingest["conn_quality_good_ratio"] == 1.0
    assert ingest["conn_quality_bad_ratio"] == 0.0


def test_hourly_view_matches_the_session(stream_db, ingest):
    rows = query_dicts(stream_db, "select * from v_api_ingest_quality")
    assert len(rows) == 1
    row = rows[0]
    assert row["window_start"] == dt.datetime(2026, 1, 8, 21, 0)
    assert (row["gateway"], row["region"]) == ("", "")
    assert row["ingest_samples"] == 34
    assert row["ingest_bytes_received"] == pytest.approx(27_825_868, rel=1e-12)
    assert row["ingest_bytes_sent"] == pytest.approx(120_116, rel=1e-12)
    assert row["ingest_covered_seconds"] == pytest.approx(165.0, rel=1e-12)
    assert row["ingest_mbps"] == pytest.approx(1.349132993939394, rel=1e-12)
    assert row["video_packets_received"] == pytest.approx(24_052, rel=1e-12)
    assert row["audio_packets_received"] == pytest.approx(8_251, rel=1e-12)
    assert row["packet_loss_pct"] == 0.0
    assert row["avg_video_jitter_ms"] == pytest.approx(5.522930469153682, rel=1e-12)
    assert row["conn_quality_good_ratio"] == 1.0


def test_no_ingest_flags(stream_db):
    flags = query_dicts(
        stream_db,
        "select flag, count(*) as n from dq_flagged_events where event_type = 'stream_ingest_metrics' group by flag",
    )
    assert flags == []
