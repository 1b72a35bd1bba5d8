"""Deterministic fixture generator for the Livepeer dbt project.

Writes two dbt seeds:

* ``seeds/fixture_streaming_events.csv`` -- raw gateway envelopes
  (``id,type,timestamp,gateway,data``), one row per envelope, sorted by
  timestamp then id.  ``data`` is compact JSON text; for every third generated
  event it is instead a JSON *string* holding that JSON (double encoded), so
  both encodings seen in real exports are exercised.  ``timestamp`` is epoch
  milliseconds as text.  Exactly one line is a Kafka redelivery (same id, same
  payload) that the models must count once.
* ``seeds/fixture_expected_sessions.csv`` -- the expected per-session values,
  computed here by a small, independent Python re-implementation of the rules
  in ``docs/sessions.md`` (the oracle below), never by running SQL.
  Empty cell = NULL, booleans are ``true``/``false``.

All values are invented (stream ids ``fixture-stream-NN``, request ids
``req000NN``, wallets ``0x1111...``, UUID-shaped ids ``5eed0000-...``); the
shapes follow real Livepeer ``streaming-events`` envelopes.  Every event lies on
2026-03-02 UTC between 09:00 and 12:00.

Scenarios (session_key = stream_id|request_id), one builder function each:

A clean success crossing 10:00, with a post-close status sample and payments;
B success with a confirmed orchestrator swap; C no orchestrator (excused);
D excusable errors only (excused, crosses 11:00); E one non-excusable error;
F request only; G loading only; H zero output fps, unattributed orchestrator;
I no stream request (not in denominator); J playable beats earlier errors
(and URL preference in attribution); K missing request id (+ one event that
belongs to no session); L negative E2E edge, snapshot only after the session;
M ingest metrics for L with a reconnect, a sample without tracks and a NaN;
N excused by two excusable messages, each matching one entry of the error
taxonomy and no other; O unexcused by one non-excusable message beside an
excusable one. With D and E, every taxonomy entry decides some session's
outcome (tests/fixture/assert_fixture_exercises_error_taxonomy.sql).
P capability snapshots only (supply): two snapshots in one hour, a price
change, an orchestrator serving two models, a GPU that disappears, a
malformed entry.

Run from the repository root::

    python -m livepeer_devtools.fixture_events
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
EVENTS_CSV = SEEDS / "fixture_streaming_events.csv"
EXPECTED_CSV = SEEDS / "fixture_expected_sessions.csv"

DAY = dt.datetime(2026, 3, 2, tzinfo=dt.UTC)


def at(hh: int, mm: int, ss: int = 0, ms: int = 0) -> int:
    """Epoch milliseconds for 2026-03-02 hh:mm:ss.ms UTC."""
    moment = DAY + dt.timedelta(hours=hh, minutes=mm, seconds=ss, milliseconds=ms)
    return int(moment.timestamp()) * 1000 + ms


GW_FRA = "gw-fixture-fra"
GW_SEA = "gw-fixture-sea"
GW_NONE = ""

MODEL_SDXL = "streamdiffusion-sdxl"
MODEL_V2V = "streamdiffusion-sdxl-v2v"
MODEL_OTHER = "streamdiffusion"  # a model A's orchestrator also advertised: incompatible with A
LIVE_PIPELINE = "live-video-to-video"


class Orch:
    """An invented orchestrator: canonical wallet, hot wallet, service URI."""

    def __init__(self, canonical: str, hot: str, uri: str):
        assert len(canonical) == 42 and len(hot) == 42
        self.canonical = canonical  # mixed case, as in network_capabilities `address`
        self.hot = hot  # mixed case, as in network_capabilities `local_address`
        self.uri = uri

    def info(self) -> dict:
        """orchestrator_info as traces/status report it: hot wallet lower-cased."""
        return {"address": self.hot.lower(), "url": self.uri}


NO_ORCH = {"address": "", "url": ""}

O1 = Orch("0xA1a1A1a1B2b2B2b2C3c3C3c3D4d4D4d4E5e5E501",
          "0x1111111111111111111111111111aAbBcCdDeE01",
          "https://orch-one.fixture.invalid:8935")
O2 = Orch("0xB2b2B2b2C3c3C3c3D4d4D4d4E5e5E5e5F6f6F602",
          "0x2222222222222222222222222222aAbBcCdDeE02",
          "https://orch-two.fixture.invalid:8935")
O3 = Orch("0xC3c3C3c3D4d4D4d4E5e5E5e5F6f6F6f6A1a1A103",
          "0x3333333333333333333333333333aAbBcCdDeE03",
          "https://orch-three.fixture.invalid:8935")
O4 = Orch("0xD4d4D4d4E5e5E5e5F6f6F6f6A1a1A1a1B2b2B204",
          "0x4444444444444444444444444444aAbBcCdDeE04",
          "https://orch-four.fixture.invalid:8935")
O5 = Orch("0xE5e5E5e5F6f6F6f6A1a1A1a1B2b2B2b2C3c3C305",  # never in a snapshot
          "0x5555555555555555555555555555aAbBcCdDeE05",
          "https://orch-five.fixture.invalid:8935")
# O6: one hot wallet behind two canonical orchestrators / URIs (as seen in prod).
O6 = Orch("0xF6f6F6f6A1a1A1a1B2b2B2b2C3c3C3c3D4d4D406",
          "0x6666666666666666666666666666aAbBcCdDeE06",
          "https://orch-six.fixture.invalid:8935")
O6_OTHER = Orch("0xA6a6B6b6C6c6D6d6E6e6F6f6A6a6B6b6C6c6D606",
                O6.hot,
                "https://orch-six-b.fixture.invalid:9935")
O7 = Orch("0xA7a7B7b7C7c7D7d7E7e7F7f7A7a7B7b7C7c7D707",  # entry without `hardware`
          "0x7777777777777777777777777777aAbBcCdDeE07",
          "https://orch-seven.fixture.invalid:8935")

# O10, O11: only in capability snapshots (scenario P, supply); no session names them.
O10 = Orch("0xA0a0B0b0C0c0D0d0E0e0F0f0A0a0B0b0C0c0D010",
           "0x1010101010101010101010101010aAbBcCdDeE10",
           "https://orch-ten.fixture.invalid:8935")
O11 = Orch("0xA1a1B1b1C1c1D1d1E1e1F1f1A1a1B1b1C1c1D011",
           "0x1111111111111111111111111111aAbBcCdDeE11",
           "https://orch-eleven.fixture.invalid:8935")

SENDER = "0x9999999999999999999999999999aAbBcCdDeE99"


def gpu_id(n: int) -> str:
    return f"GPU-00000000-0000-4000-8000-{n:012d}"


# ---------------------------------------------------------------------------
# Envelope helpers
# ---------------------------------------------------------------------------

class Fixture:
    """Collects envelopes in generation order."""

    def __init__(self) -> None:
        self.events: list[dict] = []
        self.duplicate_id: str | None = None

    def emit(self, type_: str, env_ts: int, gateway: str, data, *, duplicate: bool = False) -> dict:
        seq = len(self.events) + 1
        event = {
            "id": f"5eed0000-0000-4000-8000-{seq:012d}",
            "type": type_,
            "timestamp": str(env_ts),
            "gateway": gateway,
            "data": data,
            # every third event carries `data` as a JSON string holding JSON
            "string_encoded": seq % 3 == 0,
        }
        self.events.append(event)
        if duplicate:
            assert self.duplicate_id is None, "exactly one redelivered event"
            self.duplicate_id = event["id"]
        return event

    # -- families ----------------------------------------------------------

    def trace(self, stream, request, subtype, ts, gateway, orch=None, *, lag=0, with_ts=True, **extra):
        data = {"orchestrator_info": orch.info() if orch else dict(NO_ORCH),
                "pipeline_id": "", "request_id": request, "stream_id": stream,
                "type": subtype}
        if with_ts:
            data["timestamp"] = ts
        data.update(extra)
        return self.emit("stream_trace", ts + lag, gateway, data)

    def status(self, stream, request, ts, gateway, orch, *, model, state, fps, start_time, lag=2):
        data = {
            "inference_status": {
                "fps": fps, "last_error": None, "last_error_time": None,
                "last_output_time": ts - 80 if fps else None,
                "last_params": {"height": 512, "width": 512},
                "last_params_hash": "0123456789abcdef0123456789abcdef",
                "last_params_update_time": start_time, "last_restart_logs": None,
                "last_restart_time": None, "restart_count": 0,
            },
            "input_status": {"fps": 20.0 if state != "LOADING" else 0, "last_input_time": ts - 15},
            "last_state_update_time": ts - 2000,
            "last_status_timestamp": start_time,
            "orchestrator_info": orch.info() if orch else dict(NO_ORCH),
            "pipeline": model, "pipeline_id": "", "request_id": request,
            "start_time": start_time, "state": state, "stream_id": stream,
            "timestamp": ts, "type": "status",
        }
        return self.emit("ai_stream_status", ts + lag, gateway, data)

    def stream_event(self, stream, request, ts, gateway, message, *, model="", kind="error", orch=None):
        # like real exports: no data.timestamp, no orchestrator_info unless given
        data = {"capability": "", "message": message, "pipeline": model,
                "pipeline_id": "", "request_id": request, "stream_id": stream, "type": kind}
        if orch:
            data["orchestrator_info"] = orch.info()
        return self.emit("ai_stream_events", ts, gateway, data)

    def ingest(self, stream, request, ts, gateway, n):
        """n-th cumulative ingest sample of a stream (n starts at 1)."""
        data = {
            "pipeline_id": "", "request_id": request,
            "stats": {
                "peer_conn_stats": {"ID": "iceTransport", "BytesReceived": 480000 * n, "BytesSent": 4000 * n},
                "track_stats": [
                    {"type": "video", "jitter": 10.5 + n / 10, "packets_lost": n // 4,
                     "packets_received": 410 * n, "packet_loss_pct": round((n // 4) / (410 * n) * 100, 4),
                     "rtt": 0, "last_input_ts": 5.0 * n, "last_output_ts": 0, "latency": 0},
                    {"type": "audio", "jitter": 20.25, "packets_lost": 0, "packets_received": 250 * n,
                     "packet_loss_pct": 0, "rtt": 0, "last_input_ts": 5.0 * n - 0.03,
                     "last_output_ts": 0, "latency": 0},
                ],
                "conn_quality": "good",
            },
            "stream_id": stream, "timestamp": ts,
        }
        return self.emit("stream_ingest_metrics", ts + 1, gateway, data)

    def payment(self, ts, gateway, orch, *, request_id, session_id, manifest, face_wei, win_prob, tickets,
                duplicate=False):
        data = {"capability": "", "clientIP": "", "faceValue": f"{face_wei} WEI", "manifestID": manifest,
                "numTickets": str(tickets), "orchestrator": orch.uri, "price": "1500.125 wei/pixel",
                "recipient": orch.canonical, "requestID": request_id, "sender": SENDER,
                "sessionID": session_id, "winProb": win_prob}
        return self.emit("create_new_payment", ts, gateway, data, duplicate=duplicate)

    def capabilities(self, ts, entries):
        return self.emit("network_capabilities", ts, GW_NONE, entries)

    def discovery(self, ts, orchs):
        data = [{"address": o.hot.lower(), "latency_ms": str(40 + 11 * i), "url": o.uri}
                for i, o in enumerate(orchs)]
        return self.emit("discovery_results", ts, GW_NONE, data)


def cap_entry(orch: Orch, model: str, gpus: list[int] | None, *, split_hardware: bool = False) -> dict:
    """One network_capabilities entry; gpus=None -> no `hardware` key at all.

    split_hardware=True lists each GPU as its own hardware item (gpu_info key
    "0" each), the way real multi-GPU orchestrators appear."""
    entry = {
        "address": orch.canonical,
        "local_address": orch.hot,
        "orch_uri": orch.uri,
        "capabilities": {
            "bitstring": [20000000031],
            "capacities": {"35": max(1, len(gpus or []))},
            "version": "0.8.8",
            "constraints": {"PerCapability": {"35": {"models": {model: {
                "warm": True, "runnerVersion": "0.14.1",
                "capacity": max(1, len(gpus or [])), "capacityInUse": 0}}}}},
        },
        "capabilities_prices": [{"pricePerUnit": 1600, "pixelsPerUnit": 1, "capability": 35,
                                 "constraint": model}],
    }
    if gpus is None:
        return entry

    def gpu(n):
        return {"id": gpu_id(n), "name": "NVIDIA GeForce RTX 4090", "major": 8, "minor": 9,
                "memory_free": 25000000000 - n, "memory_total": 25769803776}

    if split_hardware:
        entry["hardware"] = [{"pipeline": LIVE_PIPELINE, "model_id": model, "gpu_info": {"0": gpu(n)}}
                             for n in gpus]
    else:
        entry["hardware"] = [{"pipeline": LIVE_PIPELINE, "model_id": model,
                              "gpu_info": {str(i): gpu(n) for i, n in enumerate(gpus)}}]
    return entry


# ---------------------------------------------------------------------------
# Scenario builders
# ---------------------------------------------------------------------------

def scenario_a_clean_success(fx: Fixture) -> None:
    """A: clean success 09:58:30 -> 10:03, status after close, 3 payments (one redelivered)."""
    s, r, gw = "fixture-stream-01", "req00001", GW_FRA
    # O1 snapshot 5 min before the session (one GPU, A's model) and a FRESHER
    # one for the same hot wallet advertising an incompatible model.
    fx.capabilities(at(9, 53, 30), [cap_entry(O1, MODEL_SDXL, [101])])
    fx.capabilities(at(9, 57, 0), [cap_entry(O1, MODEL_OTHER, [111])])

    start = at(9, 58, 30, 430)
    fx.trace(s, r, "gateway_receive_stream_request", at(9, 58, 30, 120), gw)
    fx.trace(s, r, "gateway_send_first_ingest_segment", at(9, 58, 32, 400), gw, O1)
    fx.trace(s, r, "runner_receive_first_ingest_segment", at(9, 58, 32, 405), gw, O1, lag=-2)
    fx.trace(s, r, "runner_send_first_processed_segment", at(9, 58, 32, 510), gw, O1, lag=1)
    fx.trace(s, r, "gateway_receive_first_processed_segment", at(9, 58, 32, 775), gw, O1, lag=4)
    fx.payment(at(9, 58, 33), gw, O1, request_id=r, session_id="ae550001", manifest=f"35_{MODEL_SDXL}",
               face_wei=2000000000000000, win_prob="0.0012500000", tickets=2)
    fx.trace(s, r, "gateway_receive_few_processed_segments", at(9, 58, 36, 900), gw, O1)
    for n in range(1, 14):  # every 5 s, 09:59:20 .. 10:00:20
        fx.ingest(s, r, at(9, 59, 20) + (n - 1) * 5000, gw, n)
    for i, fps in enumerate([14.2, 15.8, 17.1, 16.4, 18.0, 14.9]):  # 09:59:25 .. 10:00:15
        fx.status(s, r, at(9, 59, 25, 10) + i * 10000, gw, O1, model=MODEL_SDXL, state="ONLINE",
                  fps=fps, start_time=start)
    fx.payment(at(10, 0, 33), gw, O1, request_id="", session_id="ae550001", manifest="a0f1e2d3",
               face_wei=2000000000000000, win_prob="0.0012500000", tickets=1, duplicate=True)
    fx.payment(at(10, 2, 33), gw, O1, request_id="", session_id="ae550001", manifest="a0f1e2d3",
               face_wei=1800000000000000, win_prob="0.0010000000", tickets=1)
    fx.trace(s, r, "gateway_ingest_stream_closed", at(10, 3, 0, 250), gw)
    # arrives after the close: excluded from FPS metrics and status_samples
    fx.status(s, r, at(10, 3, 4, 10), gw, O1, model=MODEL_SDXL, state="ONLINE", fps=9.5, start_time=start)


def scenario_b_success_with_swap(fx: Fixture) -> None:
    """B: success, orchestrator_swap from O2 (two GPUs, exact snapshot) to O3."""
    s, r, gw = "fixture-stream-02", "req00002", GW_FRA
    fx.capabilities(at(10, 15, 0), [cap_entry(O3, MODEL_V2V, [301]),
                                     cap_entry(O7, MODEL_V2V, None)])  # O7: no hardware key
    fx.discovery(at(10, 19, 59, 500), [O2, O3, O7])
    send_ingest = at(10, 20, 2, 0)
    # snapshot at exactly the envelope (= data) timestamp of B's first ingest trace
    fx.capabilities(send_ingest, [cap_entry(O2, MODEL_V2V, [201, 202], split_hardware=True)])

    start = at(10, 20, 0, 300)
    fx.trace(s, r, "gateway_receive_stream_request", at(10, 20, 0, 50), gw)
    fx.trace(s, r, "gateway_send_first_ingest_segment", send_ingest, gw, O2)
    fx.trace(s, r, "runner_receive_first_ingest_segment", at(10, 20, 2, 4), gw, O2)
    fx.trace(s, r, "runner_send_first_processed_segment", at(10, 20, 2, 150), gw, O2, lag=3)
    fx.trace(s, r, "gateway_receive_first_processed_segment", at(10, 20, 2, 600), gw, O2)
    fx.payment(at(10, 20, 3), gw, O2, request_id=r, session_id="be550002", manifest=f"35_{MODEL_V2V}",
               face_wei=2500000000000000, win_prob="0.0009950000", tickets=2)
    fx.trace(s, r, "gateway_receive_few_processed_segments", at(10, 20, 5, 300), gw, O2)
    for n in range(1, 13):  # every 5 s, 10:20:05 .. 10:21:00
        fx.ingest(s, r, at(10, 20, 5) + (n - 1) * 5000, gw, n)
    fx.status(s, r, at(10, 20, 12), gw, O2, model=MODEL_V2V, state="ONLINE", fps=15.5, start_time=start)
    fx.status(s, r, at(10, 20, 22), gw, O2, model=MODEL_V2V, state="DEGRADED_INFERENCE", fps=6.25,
              start_time=start)
    # real swap traces carry `message` and `pipeline` but no data.timestamp
    fx.trace(s, r, "orchestrator_swap", at(10, 20, 30), gw, O2, with_ts=False,
             message="orchestrator is slow", pipeline=MODEL_V2V)
    start2 = at(10, 20, 31, 200)
    fx.trace(s, r, "runner_receive_first_ingest_segment", at(10, 20, 31, 500), gw, O3)
    for i, fps in enumerate([17.0, 16.6, 17.4]):
        fx.status(s, r, at(10, 20, 40) + i * 10000, gw, O3, model=MODEL_V2V, state="ONLINE", fps=fps,
                  start_time=start2)
    fx.payment(at(10, 21, 3), gw, O3, request_id="", session_id="be550002", manifest="b0c1d2e3",
               face_wei=2200000000000000, win_prob="0.0010000000", tickets=1)
    fx.trace(s, r, "gateway_ingest_stream_closed", at(10, 21, 20), gw)


def scenario_c_no_orchestrator(fx: Fixture) -> None:
    """C: no orchestrator available -> excused / no_orchestrator."""
    s, r, gw = "fixture-stream-03", "req00003", GW_SEA
    fx.trace(s, r, "gateway_receive_stream_request", at(10, 40, 0, 100), gw)
    fx.trace(s, r, "gateway_no_orchestrators_available", at(10, 40, 1, 200), gw)
    fx.stream_event(s, r, at(10, 40, 1, 201), gw, "no orchestrators available", model=MODEL_V2V)
    fx.stream_event(s, r, at(10, 40, 1, 210), gw, "mediamtx ingest disconnected", model=MODEL_V2V)
    fx.trace(s, r, "gateway_ingest_stream_closed", at(10, 40, 1, 210), gw)


def scenario_d_excusable_errors(fx: Fixture) -> None:
    """D: only excusable errors (mixed case) -> excused / excusable_errors; crosses 11:00."""
    s, r, gw = "fixture-stream-04", "req00004", GW_SEA
    fx.trace(s, r, "gateway_receive_stream_request", at(10, 59, 40), gw)
    fx.stream_event(s, r, at(10, 59, 45), gw, "WHIP disconnected")
    fx.stream_event(s, r, at(10, 59, 50), gw, "ICE connection state failed")
    fx.stream_event(s, r, at(11, 0, 5), gw, "user disconnected")
    fx.stream_event(s, r, at(11, 0, 10), gw, "missing video", kind="error")
    fx.trace(s, r, "gateway_ingest_stream_closed", at(11, 0, 20), gw)


def scenario_e_unexcused_error(fx: Fixture) -> None:
    """E: one excusable and one non-excusable error -> unexcused."""
    s, r, gw = "fixture-stream-05", "req00005", GW_FRA
    fx.trace(s, r, "gateway_receive_stream_request", at(11, 2, 0), gw)
    fx.stream_event(s, r, at(11, 2, 6), gw, "mediamtx ingest disconnected", model=MODEL_SDXL)
    fx.stream_event(s, r, at(11, 2, 9), gw,
                    'Error publishing, wrote 123 dropping Post "https://orch-five.fixture.invalid:8935'
                    '/ai/trickle/fixture-e/3": write tcp 10.0.0.5:40000->10.0.0.9:8935: write: '
                    'connection reset by peer', model=MODEL_SDXL)
    fx.trace(s, r, "gateway_ingest_stream_closed", at(11, 2, 12), gw)


def scenario_f_request_only(fx: Fixture) -> None:
    """F: a stream request and nothing else -> unexcused."""
    fx.trace("fixture-stream-06", "req00006", "gateway_receive_stream_request", at(11, 5, 0), GW_FRA)


def scenario_g_loading_only(fx: Fixture) -> None:
    """G: status stuck in LOADING -> unexcused, loading_only and zero_output."""
    s, r, gw = "fixture-stream-07", "req00007", GW_SEA
    start = at(11, 10, 0, 400)
    fx.trace(s, r, "gateway_receive_stream_request", at(11, 10, 0), gw)
    fx.trace(s, r, "gateway_send_first_ingest_segment", at(11, 10, 2), gw, O1)
    for i in range(3):
        fx.status(s, r, at(11, 10, 10) + i * 10000, gw, O1, model=MODEL_SDXL, state="LOADING", fps=0,
                  start_time=start)


def scenario_h_zero_output(fx: Fixture) -> None:
    """H: ONLINE but fps 0; orchestrator O5 has no snapshot -> attribution none."""
    s, r, gw = "fixture-stream-08", "req00008", GW_FRA
    start = at(11, 20, 0, 300)
    fx.trace(s, r, "gateway_receive_stream_request", at(11, 20, 0), gw)
    fx.trace(s, r, "gateway_receive_first_processed_segment", at(11, 20, 3, 500), gw, O5)
    for i in range(3):
        fx.status(s, r, at(11, 20, 10) + i * 10000, gw, O5, model=MODEL_V2V, state="ONLINE", fps=0,
                  start_time=start)
    fx.trace(s, r, "gateway_ingest_stream_closed", at(11, 20, 40), gw)


def scenario_i_not_in_denominator(fx: Fixture) -> None:
    """I: status and an error but no gateway_receive_stream_request."""
    s, r, gw = "fixture-stream-09", "req00009", GW_SEA
    start = at(11, 29, 58)
    for i, fps in enumerate([12.0, 13.0, 12.5]):
        fx.status(s, r, at(11, 30, 5) + i * 10000, gw, O3, model=MODEL_V2V, state="ONLINE", fps=fps,
                  start_time=start)
    fx.stream_event(s, r, at(11, 30, 30), gw,
                    "trickle subscribe error reading: Channel exists but sequence does not: "
                    "requested 3 latest 4", model=MODEL_V2V)


def scenario_j_playable_beats_errors(fx: Fixture) -> None:
    """J: no-orchestrator first, then playable and a non-excusable error -> success.

    Attribution: O6's hot wallet appears under two canonical orchestrators; the
    one whose orch_uri matches the reported URL is older but must win.  Status
    start_time is in SECONDS (below 1e11) here."""
    s, r, gw = "fixture-stream-10", "req00010", GW_FRA
    fx.capabilities(at(11, 30, 0), [cap_entry(O6, MODEL_V2V, [601])])
    fx.capabilities(at(11, 38, 0), [cap_entry(O6_OTHER, MODEL_V2V, [611])])
    start_s = at(11, 40, 3) // 1000
    fx.trace(s, r, "gateway_receive_stream_request", at(11, 40, 0), gw)
    fx.trace(s, r, "gateway_no_orchestrators_available", at(11, 40, 0, 900), gw)
    fx.trace(s, r, "gateway_send_first_ingest_segment", at(11, 40, 4), gw, O6)
    fx.trace(s, r, "runner_send_first_processed_segment", at(11, 40, 4, 200), gw, O6)
    fx.trace(s, r, "gateway_receive_first_processed_segment", at(11, 40, 4, 800), gw, O6)
    fx.trace(s, r, "gateway_receive_few_processed_segments", at(11, 40, 7), gw, O6)
    for i, fps in enumerate([15.0, 16.0]):
        fx.status(s, r, at(11, 40, 12) + i * 10000, gw, O6, model=MODEL_V2V, state="ONLINE", fps=fps,
                  start_time=start_s)
    fx.stream_event(s, r, at(11, 40, 20), gw,
                    'Error publishing, wrote 456 dropping Post "https://orch-six.fixture.invalid:8935'
                    '/ai/trickle/fixture-j/5": read tcp 10.0.0.5:40100->10.0.0.6:8935: read: '
                    'connection reset by peer', model=MODEL_V2V, orch=O6)
    fx.trace(s, r, "gateway_ingest_stream_closed", at(11, 40, 30), gw)


def scenario_k_missing_request_id(fx: Fixture) -> None:
    """K: request_id empty -> `<stream>|_missing_request`; plus one event of no session."""
    s, gw = "fixture-stream-11", GW_NONE
    fx.trace(s, "", "gateway_receive_stream_request", at(11, 50, 0), gw)
    fx.trace(s, "", "gateway_receive_first_data_segment", at(11, 50, 3), gw)
    fx.trace("", "", "gateway_ingest_stream_closed", at(11, 52, 0), gw)  # belongs to no session


def scenario_l_negative_e2e(fx: Fixture) -> None:
    """L: runner_send data.timestamp before gateway_send_first_ingest (envelopes in order);
    O4's only snapshot is 10 minutes after the session."""
    s, r, gw = "fixture-stream-12", "req00012", GW_SEA
    start = at(9, 10, 0, 250)
    fx.trace(s, r, "gateway_receive_stream_request", at(9, 10, 0), gw)
    fx.trace(s, r, "gateway_send_first_ingest_segment", at(9, 10, 2, 300), gw, O4, lag=1)
    fx.trace(s, r, "runner_send_first_processed_segment", at(9, 10, 2, 180), gw, O4, lag=170)
    fx.trace(s, r, "gateway_receive_first_processed_segment", at(9, 10, 2, 900), gw, O4)
    fx.trace(s, r, "gateway_receive_few_processed_segments", at(9, 10, 5), gw, O4)
    for i, fps in enumerate([13.5, 14.5]):
        fx.status(s, r, at(9, 10, 15) + i * 10000, gw, O4, model=MODEL_V2V, state="ONLINE", fps=fps,
                  start_time=start)
    fx.trace(s, r, "gateway_ingest_stream_closed", at(9, 10, 40), gw)
    fx.capabilities(at(9, 20, 40), [cap_entry(O4, MODEL_V2V, [401])])


def unlinked_payment(fx: Fixture) -> None:
    """A payment whose sessionID was never announced: kept, but in no session."""
    fx.payment(at(11, 15, 0), GW_SEA, O3, request_id="", session_id="ee550009", manifest="e0f1a2b3",
               face_wei=1500000000000000, win_prob="0.0020000000", tickets=1)


def scenario_m_ingest_reconnect(fx: Fixture) -> None:
    """M: L's stream (fixture-stream-12|req00012) also reports ingest metrics: a
    reconnect (every counter drops), a sample without a track list, a NaN byte
    counter, and the labels good, bad and unknown. Appended last so that no
    earlier event changes id; within L's span, so L's session values are
    unchanged (tests/fixture/assert_fixture_ingest_quality.sql)."""
    s, r, gw = "fixture-stream-12", "req00012", GW_SEA

    def track(kind, received, lost, jitter):
        return {"type": kind, "jitter": jitter, "packets_lost": lost, "packets_received": received,
                "packet_loss_pct": round(lost / (lost + received) * 100, 4), "rtt": 0,
                "last_input_ts": 0, "last_output_ts": 0, "latency": 0}

    samples = [  # (second, BytesReceived, BytesSent, video, audio, conn_quality); None = no track list
        (6, 600000, 5000, (500, 0, 9.0), (300, 0, 21.0), "good"),
        (11, 1250000, 10000, (1000, 5, 12.0), (600, 0, 22.0), "good"),
        (16, 150000, 1200, (110, 0, 30.0), (70, 0, 24.0), "bad"),  # reconnect: counters restart
        (21, 700000, 6200, None, None, "good"),  # tracks not up yet: "good" is the default
        (26, "NaN", 11000, (1100, 20, 60.0), (620, 0, 26.0), "bad"),
        (31, 1900000, 16000, (1650, 22, 15.0), (900, 1, 23.0), "unknown"),
    ]
    for second, received, sent, video, audio, quality in samples:
        ts = at(9, 10, second)
        stats = {"peer_conn_stats": {"ID": "iceTransport", "BytesReceived": received, "BytesSent": sent},
                 "conn_quality": quality}
        if video is not None:
            stats["track_stats"] = [track("video", *video), track("audio", *audio)]
        data = {"pipeline_id": "", "request_id": r, "stats": stats, "stream_id": s, "timestamp": ts}
        fx.emit("stream_ingest_metrics", ts, gw, data)


def scenario_n_excused_by_messages_alone(fx: Fixture) -> None:
    """N: a client disconnect and a no-capacity message, but no no-orchestrator trace -> excused /
    excusable_errors: each message decides it (either one not excusable would make it unexcused)."""
    s, r, gw = "fixture-stream-14", "req00014", GW_SEA
    fx.trace(s, r, "gateway_receive_stream_request", at(10, 5, 0), gw)
    fx.stream_event(s, r, at(10, 5, 3), gw, "mediamtx ingest disconnected", model=MODEL_SDXL)
    fx.stream_event(s, r, at(10, 5, 4), gw, "No orchestrators available, retrying", model=MODEL_SDXL)
    fx.trace(s, r, "gateway_ingest_stream_closed", at(10, 5, 10), gw)


def scenario_o_unexcused_by_trickle_error(fx: Fixture) -> None:
    """O: a user disconnect and a trickle subscribe error -> unexcused, decided by the trickle error
    (were it excusable, the session would be excused)."""
    s, r, gw = "fixture-stream-15", "req00015", GW_FRA
    fx.trace(s, r, "gateway_receive_stream_request", at(10, 25, 0), gw)
    fx.stream_event(s, r, at(10, 25, 6), gw,
                    "trickle subscribe error reading: Channel exists but sequence does not: "
                    "requested 9 latest 10", model=MODEL_V2V)
    fx.stream_event(s, r, at(10, 25, 8), gw, "user disconnected", model=MODEL_V2V)
    fx.trace(s, r, "gateway_ingest_stream_closed", at(10, 25, 12), gw)


def supply_entry(orch: Orch, sdxl_gpus: list[int], *, sdxl_price: int, sdxl_in_use: int) -> dict:
    """O10's entry: SDXL on `sdxl_gpus` (warm) and V2V on GPU 903 (cold), both under capability 35,
    which advertises 3 slots in all (no model-level capacity, as in real snapshots)."""
    gpus = [(n, MODEL_SDXL) for n in sdxl_gpus] + [(903, MODEL_V2V)]
    return {
        "address": orch.canonical, "local_address": orch.hot, "orch_uri": orch.uri,
        "capabilities": {
            "bitstring": [20000000031], "capacities": {"35": 3}, "version": "0.8.9",
            "constraints": {"PerCapability": {"35": {"models": {
                MODEL_SDXL: {"warm": True, "runnerVersion": "0.14.1", "capacityInUse": sdxl_in_use},
                MODEL_V2V: {"warm": False, "runnerVersion": "0.14.1", "capacityInUse": 0}}}}},
        },
        "capabilities_prices": [
            {"pricePerUnit": sdxl_price, "pixelsPerUnit": 1, "capability": 35, "constraint": MODEL_SDXL},
            {"pricePerUnit": 2400, "pixelsPerUnit": 2, "capability": 35, "constraint": MODEL_V2V},
        ],
        "hardware": [{"pipeline": LIVE_PIPELINE, "model_id": model, "gpu_info": {"0": {
            "id": gpu_id(n), "name": "NVIDIA GeForce RTX 5090", "major": 12, "minor": 0,
            "memory_free": 30000000000, "memory_total": 34190917632}}} for n, model in gpus],
    }


def scenario_p_supply(fx: Fixture) -> None:
    """P (supply, tests/fixture/assert_fixture_gpu_supply.sql): O10 serves two models (SDXL on GPUs 901,
    902; V2V on 903); two snapshots in the 10:00 hour (SDXL price 1600 -> 1800, in use 1 -> 2); at 11:05
    GPU 902 is gone. At 11:20 a malformed entry (O11): no address, a GPU without id, price "free",
    capacityInUse -1."""
    fx.capabilities(at(10, 5, 0), [supply_entry(O10, [901, 902], sdxl_price=1600, sdxl_in_use=1)])
    fx.capabilities(at(10, 35, 0), [supply_entry(O10, [901, 902], sdxl_price=1800, sdxl_in_use=2)])
    fx.capabilities(at(11, 5, 0), [supply_entry(O10, [901], sdxl_price=1800, sdxl_in_use=1)])
    fx.capabilities(at(11, 20, 0), [{
        "local_address": O11.hot, "orch_uri": O11.uri,
        "capabilities": {"capacities": {"35": 1}, "version": "0.8.9", "constraints": {"PerCapability": {
            "35": {"models": {MODEL_SDXL: {"warm": True, "capacityInUse": -1}}}}}},
        "capabilities_prices": [{"pricePerUnit": "free", "pixelsPerUnit": 1, "capability": 35,
                                 "constraint": MODEL_SDXL}],
        "hardware": [{"pipeline": LIVE_PIPELINE, "model_id": MODEL_SDXL,
                      "gpu_info": {"0": {"name": "NVIDIA GeForce RTX 5090", "memory_total": 34190917632}}}],
    }])


SCENARIOS = [
    scenario_a_clean_success,
    scenario_b_success_with_swap,
    scenario_c_no_orchestrator,
    scenario_d_excusable_errors,
    scenario_e_unexcused_error,
    scenario_f_request_only,
    scenario_g_loading_only,
    scenario_h_zero_output,
    scenario_i_not_in_denominator,
    scenario_j_playable_beats_errors,
    scenario_k_missing_request_id,
    scenario_l_negative_e2e,
    unlinked_payment,
    scenario_m_ingest_reconnect,
    scenario_n_excused_by_messages_alone,
    scenario_o_unexcused_by_trickle_error,
    scenario_p_supply,
]


# ---------------------------------------------------------------------------
# Encoding
# ---------------------------------------------------------------------------

def compact(value) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def event_rows(fx: Fixture) -> list[list[str]]:
    rows = []
    for e in fx.events:
        cell = compact(e["data"])
        if e["string_encoded"]:
            cell = json.dumps(cell, ensure_ascii=False)  # a JSON string holding the JSON
        row = [e["id"], e["type"], e["timestamp"], e["gateway"], cell]
        rows.append(row)
        if e["id"] == fx.duplicate_id:
            rows.append(list(row))  # Kafka redelivery: identical line
    rows.sort(key=lambda row: (int(row[2]), row[0]))
    return rows


def decode_rows(rows: list[list[str]]) -> list[dict]:
    """Parse seed rows back to envelopes, dropping redeliveries (same id)."""
    seen: dict[str, list[str]] = {}
    events = []
    for row in rows:
        if row[0] in seen:
            assert seen[row[0]] == row, "a redelivery must be identical"
            continue
        seen[row[0]] = row
        data = json.loads(row[4])
        if isinstance(data, str):
            data = json.loads(data)
        events.append({"id": row[0], "type": row[1], "timestamp": int(row[2]), "gateway": row[3], "data": data})
    return events


# ---------------------------------------------------------------------------
# Oracle: straightforward re-implementation of the documented rules (docs/sessions.md)
# ---------------------------------------------------------------------------

SESSION_FAMILIES = {"stream_trace", "ai_stream_status", "ai_stream_events", "stream_ingest_metrics"}


def _excusable_patterns() -> list[str]:
    """The excusable patterns of the error_taxonomy seed (the oracle reads the seed, never a copy)."""
    with open(SEEDS / "error_taxonomy.csv", newline="") as handle:
        return [row["pattern"].lower() for row in csv.DictReader(handle) if row["is_excusable"] == "true"]


def _project_var(name: str) -> int:
    """A var of dbt_project.yml (the oracle uses the project's own setting)."""
    import yaml

    with open(ROOT / "dbt_project.yml") as handle:
        return int(yaml.safe_load(handle)["vars"][name])


EXCUSABLE = _excusable_patterns()
TTL_MS = _project_var("attribution_ttl_ms")
PLAYABLE = "gateway_receive_few_processed_segments"


def session_key(data: dict) -> str | None:
    stream = (data.get("stream_id") or "").strip()
    request = (data.get("request_id") or "").strip()
    if not stream and not request:
        return None
    return f"{stream or '_missing_stream'}|{request or '_missing_request'}"


def event_time(e: dict) -> int:
    ts = e["data"].get("timestamp") if isinstance(e["data"], dict) else None
    return int(ts) if ts is not None else e["timestamp"]


def capability_rows(events: list[dict]) -> list[dict]:
    """One row per snapshot entry x hardware x GPU (entry without hardware: one row)."""
    rows = []
    for e in events:
        if e["type"] != "network_capabilities":
            continue
        for idx, entry in enumerate(e["data"]):
            base = {"snap_ts": e["timestamp"], "snap_id": e["id"], "entry": idx,
                    "address": (entry.get("address") or "").lower(), "local": entry["local_address"].lower(),
                    "uri": entry["orch_uri"]}
            hardware = entry.get("hardware") or []
            if not hardware:
                rows.append({**base, "model": None, "pipeline": None, "gpu": None})
            for hw in hardware:
                gpus = hw.get("gpu_info") or {}
                for key in sorted(gpus, key=int) or [None]:
                    rows.append({**base, "model": hw.get("model_id") or None, "pipeline": hw.get("pipeline"),
                                 "gpu": gpus[key].get("id") if key is not None else None})
    return rows


def resolve(caps: list[dict], wallet: str, url: str, t: int, hint: str | None) -> dict | None:
    """Attribute one event (hot wallet, url, time) to a capability entry."""
    cands = [c for c in caps
             if wallet in (c["local"], c["address"]) and abs(c["snap_ts"] - t) <= TTL_MS]
    cands = [c for c in cands if not (hint and c["model"] and c["model"] != hint)]
    if url and any(c["uri"] == url for c in cands):
        cands = [c for c in cands if c["uri"] == url]
    if not cands:
        return None

    def freshness(c):
        if c["snap_ts"] == t:
            return (0, 0)
        if c["snap_ts"] < t:
            return (1, t - c["snap_ts"])
        return (2, c["snap_ts"] - t)

    best = min(cands, key=lambda c: (freshness(c), c["snap_id"], c["entry"]))
    method = ["exact_orchestrator_time_match", "nearest_prior_snapshot",
              "nearest_snapshot_within_ttl"][freshness(best)[0]]
    entry_rows = [c for c in cands if (c["snap_id"], c["entry"]) == (best["snap_id"], best["entry"])]
    gpus = sorted({c["gpu"] for c in entry_rows if c["gpu"]})
    gpu = None
    if len(gpus) > 1:
        method = "ambiguous_multiple_gpus"
    elif gpus:
        gpu = gpus[0]
    model = next((c["model"] for c in entry_rows if c["model"]), None) or hint or ""
    pipeline = next((c["pipeline"] for c in entry_rows if c["pipeline"]), None) or ""
    if pipeline == model:
        pipeline = ""
    return {"method": method, "gpu": gpu, "orchestrator": best["address"], "model": model,
            "pipeline": pipeline}


def latency(start: int | None, end: int | None) -> int | None:
    if start is None or end is None or end - start < 0:
        return None
    return end - start


def expected_sessions(events: list[dict]) -> list[dict]:
    caps = capability_rows(events)
    by_session: dict[str, list[dict]] = {}
    for e in events:
        if e["type"] in SESSION_FAMILIES:
            key = session_key(e["data"])
            if key is not None:
                by_session.setdefault(key, []).append(e)

    # payments: requestID on the first one, later ones only by sessionID
    payments = sorted((e for e in events if e["type"] == "create_new_payment"),
                      key=lambda e: (e["timestamp"], e["id"]))
    sid_to_rid = {}
    for p in payments:
        if p["data"]["requestID"]:
            sid_to_rid.setdefault(p["data"]["sessionID"], p["data"]["requestID"])
    fee_by_request: dict[str, Decimal] = {}
    for p in payments:
        d = p["data"]
        rid = d["requestID"] or sid_to_rid.get(d["sessionID"])
        if not rid:
            continue
        fee = (Decimal(d["faceValue"].split()[0]) * Decimal(d["winProb"]) * Decimal(d["numTickets"])
               / Decimal(10) ** 18)
        fee_by_request[rid] = fee_by_request.get(rid, Decimal(0)) + fee

    out = []
    for key in sorted(by_session):
        evs = sorted(by_session[key], key=lambda e: (event_time(e), e["id"]))
        first: dict[str, int] = {}
        swaps = 0
        for e in evs:
            if e["type"] == "stream_trace":
                sub = e["data"]["type"]
                first.setdefault(sub, event_time(e))
                swaps += sub == "orchestrator_swap"
        errors = [e["data"].get("message") or "" for e in evs
                  if e["type"] == "ai_stream_events" and e["data"].get("type") == "error"]

        reason = None
        if "gateway_receive_stream_request" not in first:
            outcome = "not_in_denominator"
        elif PLAYABLE in first:
            outcome = "success"
        elif "gateway_no_orchestrators_available" in first:
            outcome, reason = "excused", "no_orchestrator"
        elif errors and all(any(x in m.lower() for x in EXCUSABLE) for m in errors):
            outcome, reason = "excused", "excusable_errors"
        else:
            outcome = "unexcused"

        statuses = [e for e in evs if e["type"] == "ai_stream_status"]
        closed = first.get("gateway_ingest_stream_closed")
        samples = [e for e in statuses if closed is None or event_time(e) <= closed]
        loading_only = bool(samples) and all(e["data"]["state"] == "LOADING" for e in samples)
        zero_output = bool(samples) and not any((e["data"]["inference_status"]["fps"] or 0) > 0
                                                for e in samples)
        starts = [e["data"]["start_time"] for e in statuses if e["data"].get("start_time")]
        starts = [s * 1000 if s < 1e11 else s for s in starts]

        hint = next((e["data"]["pipeline"] for e in statuses if e["data"].get("pipeline")), None)
        if hint is None:
            hint = next((e["data"]["pipeline"] for e in evs
                         if e["type"] in ("ai_stream_events", "stream_trace") and e["data"].get("pipeline")),
                        None)

        attribution, canonicals = None, set()
        for e in evs:
            info = e["data"].get("orchestrator_info") or {}
            wallet = (info.get("address") or "").strip().lower()
            if not wallet:
                continue
            resolved = resolve(caps, wallet, info.get("url") or "", event_time(e), hint)
            if resolved:
                attribution = attribution or resolved
                canonicals.add(resolved["orchestrator"])
        inferred = max(len(canonicals) - 1, 0)

        request_id = key.split("|", 1)[1]
        fee = fee_by_request.get(request_id, Decimal(0))
        out.append({
            "session_key": key,
            "startup_outcome": outcome,
            "excusal_reason": reason,
            "confirmed_swap_count": swaps,
            "inferred_orchestrator_change_count": inferred,
            "is_swapped": swaps > 0 or inferred > 0,
            "is_loading_only": loading_only,
            "is_zero_output_fps": zero_output,
            "status_samples": len(samples),
            "startup_latency_ms": latency(first.get("gateway_receive_stream_request"),
                                          first.get("gateway_receive_first_processed_segment")),
            "e2e_latency_ms": latency(first.get("gateway_send_first_ingest_segment"),
                                      first.get("runner_send_first_processed_segment")),
            "prompt_to_playable_latency_ms": latency(min(starts) if starts else None, first.get(PLAYABLE)),
            "gpu_attribution_method": attribution["method"] if attribution else "none",
            "gpu_id": attribution["gpu"] if attribution else None,
            "orchestrator_address": attribution["orchestrator"] if attribution else None,
            "model_id": attribution["model"] if attribution else (hint or ""),
            "pipeline": attribution["pipeline"] if attribution else "",
            "fee_payment_eth": repr(float(fee)),
        })
    return out


EXPECTED_COLUMNS = ["session_key", "startup_outcome", "excusal_reason", "confirmed_swap_count",
                    "inferred_orchestrator_change_count", "is_swapped", "is_loading_only",
                    "is_zero_output_fps", "status_samples", "startup_latency_ms", "e2e_latency_ms",
                    "prompt_to_playable_latency_ms", "gpu_attribution_method", "gpu_id",
                    "orchestrator_address", "model_id", "pipeline", "fee_payment_eth"]

# What each scenario was designed to show; the oracle must agree.
DESIGN_INTENT = {
    "fixture-stream-01|req00001": {"startup_outcome": "success", "status_samples": 6,
                                   "gpu_attribution_method": "nearest_prior_snapshot", "gpu_id": gpu_id(101),
                                   "model_id": MODEL_SDXL, "startup_latency_ms": 2655, "e2e_latency_ms": 110},
    "fixture-stream-02|req00002": {"startup_outcome": "success", "confirmed_swap_count": 1,
                                   "inferred_orchestrator_change_count": 1, "is_swapped": True,
                                   "gpu_attribution_method": "ambiguous_multiple_gpus", "gpu_id": None,
                                   "orchestrator_address": O2.canonical.lower()},
    "fixture-stream-03|req00003": {"startup_outcome": "excused", "excusal_reason": "no_orchestrator",
                                   "gpu_attribution_method": "none", "model_id": MODEL_V2V},
    "fixture-stream-04|req00004": {"startup_outcome": "excused", "excusal_reason": "excusable_errors"},
    "fixture-stream-05|req00005": {"startup_outcome": "unexcused", "excusal_reason": None},
    "fixture-stream-06|req00006": {"startup_outcome": "unexcused", "model_id": ""},
    "fixture-stream-07|req00007": {"startup_outcome": "unexcused", "is_loading_only": True,
                                   "is_zero_output_fps": True, "gpu_id": gpu_id(101)},
    "fixture-stream-08|req00008": {"startup_outcome": "unexcused", "is_loading_only": False,
                                   "is_zero_output_fps": True, "gpu_attribution_method": "none",
                                   "orchestrator_address": None},
    "fixture-stream-09|req00009": {"startup_outcome": "not_in_denominator", "status_samples": 3},
    "fixture-stream-10|req00010": {"startup_outcome": "success", "orchestrator_address": O6.canonical.lower(),
                                   "inferred_orchestrator_change_count": 0, "prompt_to_playable_latency_ms": 4000},
    "fixture-stream-11|_missing_request": {"startup_outcome": "unexcused"},
    "fixture-stream-12|req00012": {"startup_outcome": "success", "e2e_latency_ms": None,
                                   "gpu_attribution_method": "nearest_snapshot_within_ttl", "gpu_id": gpu_id(401)},
    "fixture-stream-14|req00014": {"startup_outcome": "excused", "excusal_reason": "excusable_errors"},
    "fixture-stream-15|req00015": {"startup_outcome": "unexcused", "excusal_reason": None},
}


def cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def main() -> None:
    fx = Fixture()
    for build in SCENARIOS:
        build(fx)
    rows = event_rows(fx)

    SEEDS.mkdir(parents=True, exist_ok=True)
    with EVENTS_CSV.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["id", "type", "timestamp", "gateway", "data"])
        writer.writerows(rows)

    # oracle works on what was actually written (both encodings, redelivery)
    with EVENTS_CSV.open(newline="", encoding="utf-8") as fh:
        written = [row for row in csv.reader(fh)][1:]
    assert written == rows
    sessions = expected_sessions(decode_rows(written))

    by_key = {s["session_key"]: s for s in sessions}
    assert set(by_key) == set(DESIGN_INTENT), sorted(set(by_key) ^ set(DESIGN_INTENT))
    for key, intent in DESIGN_INTENT.items():
        for column, value in intent.items():
            assert by_key[key][column] == value, (key, column, by_key[key][column], value)

    with EXPECTED_CSV.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(EXPECTED_COLUMNS)
        for s in sessions:
            writer.writerow([cell(s[c]) for c in EXPECTED_COLUMNS])

    print(f"wrote {EVENTS_CSV.relative_to(ROOT)}: {len(rows)} rows ({len(fx.events)} distinct events)")
    print(f"wrote {EXPECTED_CSV.relative_to(ROOT)}: {len(sessions)} sessions")


if __name__ == "__main__":
    main()
