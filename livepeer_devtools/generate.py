"""Synthetic Livepeer gateway events at production volume (stdlib only).

Writes raw ``streaming-events`` envelopes ``{"id","type","timestamp","gateway","data"}``
as NDJSON, one file per ARRIVAL hour (UTC), for load and end-to-end trials of
the dbt project::

    python -m livepeer_devtools.generate --days 1 --events-per-day 720000 \\
        --seed 1 --out /tmp/events [--start 2026-03-01T00:00:00Z]
    LIVEPEER_EVENTS=/tmp/events make run

The run prints a one-line JSON summary (the dict ``generate()`` returns).
Same arguments -> byte-identical files: everything is drawn from one
``random.Random(seed)``; nothing depends on the clock or on hash order.
Existing ``events-*.ndjson`` files in the output directory are removed first.
All ids, stream ids, wallets, URLs and GPU ids are invented (derived from the
seed); the shapes follow real exports (see docs/events.md).

Delivery (what the files look like)
-----------------------------------
* ``DIR/events-YYYYMMDDTHH.ndjson``: the events that ARRIVED in that UTC hour;
  lines sorted by arrival time, then id.
* Arrival = envelope timestamp + 0..2 s, except 1 % of events that arrive LATE:
  between 1 s and 2 h after their timestamp and always in a later hour's file
  than the hour of their timestamp (the delay is drawn from
  [max(1 s, time to the next hour), 2 h]).
* 0.5 % of events are REDELIVERED: the identical line (same id, same bytes)
  arrives a second time 1 ms..1 h after the first delivery (maybe in another file).
* ``data`` is a JSON string holding the JSON (double encoded) in 30 % of
  envelopes, a nested object/array otherwise; the envelope ``timestamp`` is a
  string of epoch ms in 90 % of envelopes and a JSON number in 10 %.

Volume
------
About ``--events-per-day`` distinct events per day, all seven families.
``network_capabilities`` snapshots come first: each of the 40 orchestrators
publishes one every 5-15 min (~5,500 events/day); when that would exceed 15 %
of the daily budget the interval is stretched so that it does not.  The rest
of the budget goes to sessions: sessions/day = remaining budget / expected
events per session (the weighted mean of the per-scenario expectations in
``_expected_events_per_session``, ~149), started on a diurnal curve (hourly
weight 1 + 0.5 cos(2 pi (h - 16) / 24): peak 16:00 UTC, trough 04:00 UTC, 3:1).
Sessions started late on the last day spill a little past the window.

Per session: one ``discovery_results`` at start (an empty array when no
orchestrator is available), lifecycle ``stream_trace``\\ s, an ``ai_stream_status``
sample every 10 s after the status ``start_time``, a ``stream_ingest_metrics``
sample every 5-10 s (per-session cadence; byte and packet counters cumulative
and increasing per stream, carried over when a stream id is retried),
``create_new_payment`` at start, ~6 s later, then every 6-60 s (per-session
cadence), ``ai_stream_events`` errors as the scenario says.

Session mix (exact per day, largest-remainder rounding, then shuffled)
---------------------------------------------------------------------
=====================  ====  =================================================  ===========================
scenario               share what is emitted                                      expected classification
=====================  ====  =================================================  ===========================
clean_success          70 %  all lifecycle traces (request, first ingest,        success
                             runner receive/send, first processed, few
                             processed = playable), ONLINE samples fps 12-30,
                             1-20 min, closed; at close the real
                             "mediamtx ingest disconnected" error; 5 % of
                             sessions get one status sample after the close
swap_success            6 %  as clean (2-20 min) on orchestrator A, then an      success, swapped (1 confirmed
                             ``orchestrator_swap`` trace (message "orchestrator  swap, 1 inferred change)
                             is slow", ``pipeline``, no data.timestamp), then
                             lifecycle traces, samples (new start_time) and
                             payments (new payment sessionID, first one with
                             requestID) from orchestrator B: a different hot
                             wallet and canonical address, same model
no_orchestrator         8 %  request, ``gateway_no_orchestrators_available``,    excused / no_orchestrator
                             errors "no orchestrators available" and
                             "mediamtx ingest disconnected", closed; no status,
                             no payment, discovery = []
excusable_failure       5 %  request; 60 % get an orchestrator (first payment,   excused / excusable_errors
                             first-ingest trace); a few ingest samples; 1-2 of
                             "WHIP disconnected", "ICE connection state
                             failed", "user disconnected", "missing video",
                             then closed + "mediamtx ingest disconnected"; no
                             status
unexcusable_failure     5 %  request, first ingest, runner receive, 50 % also    unexcused
                             runner send + first processed; DEGRADED_INFERENCE
                             samples fps 1-8 for 15-120 s; 1-3 errors "Error
                             publishing, wrote N dropping Post ..." or
                             "trickle subscribe error reading: ...", closed
                             (+ "mediamtx ingest disconnected" half the time)
loading_only            3 %  request, first ingest, runner receive; LOADING      unexcused, loading_only and
                             samples with fps 0 for 30-180 s; closed; no error   zero_output
                             event (so not excused)
zero_output             3 %  request .. first processed (no playable); ONLINE    unexcused, zero_output
                             samples with fps 0 for 1-5 min; closed; no error
=====================  ====  =================================================  ===========================

Identity: ``stream_id`` ``gen-stream-<n>``, ``request_id`` 8 hex chars (unique);
2 % of sessions are RETRIES that reuse the stream id of an earlier, already
closed session on the same gateway (new request id).  Gateways:
``gen-gateway-fra`` 40 %, ``gen-gateway-sea`` 30 %, ``gen-gateway-mdw`` 25 %,
empty 5 % (capability snapshots always have an empty gateway).  Models:
``streamdiffusion-sdxl`` 45 %, ``streamdiffusion-sdxl-v2v`` 40 %,
``streamdiffusion-sdxl-faceid`` 15 %; status ``pipeline`` = the model.

Orchestrators (40): a canonical address (mixed case) and a hot wallet
(``local_address``, mixed case in snapshots, lower-cased in traces, status and
discovery), an ``orch_uri``, 1-4 GPUs.  ~20 % of multi-GPU orchestrators split
their GPUs between two models (an entry with several models); 3 have no
``hardware`` key; two hot wallets are each shared by two canonical
orchestrators with different ``orch_uri`` (as seen in production; those pairs
publish one snapshot event holding both entries).  Hardware is listed either
one item per GPU (``gpu_info`` {"0": ...} each) or one item per model with
``gpu_info`` keyed "0", "1", ...  A session uses an orchestrator serving its
model, chosen with weight = GPUs for that model.
"""

from __future__ import annotations

import argparse
import bisect
import datetime as dt
import json
import math
import random
import sys
import time
from collections import Counter, deque
from pathlib import Path

HOUR_MS = 3_600_000
DAY_MS = 24 * HOUR_MS
DEFAULT_START = "2026-03-01T00:00:00Z"

# Delivery
LATE_SHARE = 0.01
LATE_MAX_MS = 2 * HOUR_MS
DUP_SHARE = 0.005
DUP_MAX_MS = HOUR_MS
NORMAL_LAG_MAX_MS = 2000
STRING_DATA_SHARE = 0.30
NUMERIC_TS_SHARE = 0.10

# Mix
SCENARIOS = (
    ("clean_success", 0.70),
    ("swap_success", 0.06),
    ("no_orchestrator", 0.08),
    ("excusable_failure", 0.05),
    ("unexcusable_failure", 0.05),
    ("loading_only", 0.03),
    ("zero_output", 0.03),
)
GATEWAYS = (("gen-gateway-fra", 40), ("gen-gateway-sea", 30), ("gen-gateway-mdw", 25), ("", 5))
MODELS = ("streamdiffusion-sdxl", "streamdiffusion-sdxl-v2v", "streamdiffusion-sdxl-faceid")
MODEL_WEIGHTS = (45, 40, 15)
RETRY_SHARE = 0.02
POST_CLOSE_STATUS_SHARE = 0.05
LIVE_PIPELINE = "live-video-to-video"
CAPABILITY = 35

# Cadences (seconds)
STATUS_EVERY_S = 10
INGEST_EVERY_S = (5, 10)
PAYMENT_EVERY_S = (6, 60)
CAPS_EVERY_S = (300, 900)
CAPS_MAX_SHARE = 0.15
N_ORCHESTRATORS = 40
N_NO_HARDWARE = 3
N_SHARED_HOT_WALLETS = 2

EXCUSABLE_MESSAGES = ("WHIP disconnected", "ICE connection state failed", "user disconnected", "missing video")
GPU_MODELS = (
    ("NVIDIA GeForce RTX 4090", 8, 9, 25757220864),
    ("NVIDIA GeForce RTX 5090", 12, 0, 34190917632),
    ("NVIDIA GeForce RTX 3090", 8, 6, 25769803776),
    ("NVIDIA L40S", 8, 9, 48305799168),
)

_ENCODER = json.JSONEncoder(separators=(",", ":"), check_circular=False)
_encode = _ENCODER.encode
NO_ORCH = {"address": "", "url": ""}


# ---------------------------------------------------------------------------
# Expected volume
# ---------------------------------------------------------------------------

def _expected_events_per_session() -> dict[str, float]:
    """Mean events per session of each scenario (linear in duration, so the
    mean duration is enough).  Mirrors the builders below."""
    ing = math.log(INGEST_EVERY_S[1] / INGEST_EVERY_S[0]) / (INGEST_EVERY_S[1] - INGEST_EVERY_S[0])
    pay = math.log(PAYMENT_EVERY_S[1] / PAYMENT_EVERY_S[0]) / (PAYMENT_EVERY_S[1] - PAYMENT_EVERY_S[0])
    first_ingest = 5.5 + 3.0  # first ingest trace ~5.5 s after start, first sample 3 s later

    def streaming(d: float) -> float:  # status + ingest + payments over d seconds
        return (d / STATUS_EVERY_S - 0.5) + ((d - first_ingest) * ing + 1) + (2 + (d - 7) * pay)

    clean = 7 + 1 + 1 + POST_CLOSE_STATUS_SHARE + streaming(630)
    swap = 13 + 1 + 1 + POST_CLOSE_STATUS_SHARE + streaming(660) + 1
    excusable = (2 + 0.6 * 1.5) + 1 + 0.6 + 2.5 + ((47.5 - first_ingest) * ing + 1)
    unexcusable = 5 + 1 + streaming(67.5) + 2.5
    loading = 4 + 1 + streaming(105)
    zero = 6 + 1 + streaming(180)
    return {"clean_success": clean, "swap_success": swap, "no_orchestrator": 6.0,
            "excusable_failure": excusable, "unexcusable_failure": unexcusable,
            "loading_only": loading, "zero_output": zero}


def _split_exact(n: int, shares) -> list[str]:
    """n labels with the given shares, largest-remainder rounding."""
    raw = [(name, n * share) for name, share in shares]
    counts = {name: int(x) for name, x in raw}
    left = n - sum(counts.values())
    order = sorted(range(len(raw)), key=lambda i: (-(raw[i][1] - int(raw[i][1])), i))
    for i in order[:left]:
        counts[raw[i][0]] += 1
    return [name for name, _ in shares for _ in range(counts[name])]


# ---------------------------------------------------------------------------
# Identities
# ---------------------------------------------------------------------------

def _hex(rng: random.Random, n: int) -> str:
    return format(rng.getrandbits(4 * n), f"0{n}x")


def _mixed_case_address(rng: random.Random) -> str:
    """A checksum-looking (mixed case) 20-byte address."""
    h = _hex(rng, 40)
    bits = rng.getrandbits(40)
    return "0x" + "".join(c.upper() if c.isalpha() and (bits >> i) & 1 else c for i, c in enumerate(h))


def _uuid(rng: random.Random) -> str:
    h = format(rng.getrandbits(128), "032x")
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[int(h[16], 16) & 3]}{h[17:20]}-{h[20:]}"


class Orchestrator:
    def __init__(self, rng: random.Random, index: int):
        self.index = index
        self.canonical = _mixed_case_address(rng)
        self.hot = _mixed_case_address(rng)
        port = rng.choice((8935, 8936, 9935, 1112, 6500, 28935))
        self.uri = f"https://gen-orch-{index:02d}.example.invalid:{port}"
        self.ip = f"198.51.100.{10 + index}"
        self.port = port
        self.version = rng.choice(("0.8.8", "0.8.8", "0.8.9"))
        self.runner_version = rng.choice(("0.14.0", "0.14.1", "0.14.1"))
        self.price_per_pixel = round(rng.uniform(1100, 2900), 3)
        self.face_wei = rng.randrange(18_000, 30_000) * 100_000_000_000
        self.extra_caps = sorted(rng.sample(range(0, 35), rng.randint(0, 12)))
        self.split_hardware = rng.random() < 0.5
        self.has_hardware = True
        n_gpus = rng.choice((1, 1, 2, 2, 3, 4))
        gpu_kind = rng.choice(GPU_MODELS)
        self.gpus = [{"id": "GPU-" + _uuid(rng), "name": gpu_kind[0], "major": gpu_kind[1],
                      "minor": gpu_kind[2], "memory_total": gpu_kind[3]} for _ in range(n_gpus)]
        primary = rng.choices(MODELS, weights=MODEL_WEIGHTS)[0]
        self.models = [primary]
        # ~20 % of multi-GPU orchestrators serve a second model on some GPUs.
        if n_gpus >= 2 and rng.random() < 0.2:
            self.models.append(rng.choice([m for m in MODELS if m != primary]))
        self.assign_gpus()

    def assign_gpus(self) -> None:
        """First half of the GPUs (rounded up) run the first model, the rest the second."""
        n = len(self.gpus)
        if len(self.models) > 1 and n < 2:
            self.models = self.models[:1]
        self.gpu_model = [self.models[0] if i < (n + 1) // 2 or len(self.models) == 1 else self.models[1]
                          for i in range(n)]

    def gpu_weight(self, model: str) -> int:
        if model not in self.models:
            return 0
        if not self.has_hardware:
            return 1
        return sum(1 for m in self.gpu_model if m == model)

    def info(self) -> dict:
        return {"address": self.hot.lower(), "url": self.uri}

    def entry(self, rng: random.Random) -> dict:
        """One network_capabilities entry as published at a snapshot."""
        models = {}
        for m in self.models:
            cap = max(1, self.gpu_weight(m))
            models[m] = {"warm": True, "runnerVersion": self.runner_version, "capacity": cap,
                         "capacityInUse": rng.randint(0, cap)}
        capacities = {str(c): 1 for c in self.extra_caps}
        capacities[str(CAPABILITY)] = max(1, len(self.gpus))
        entry = {
            "address": self.canonical,
            "local_address": self.hot,
            "orch_uri": self.uri,
            "capabilities": {
                "bitstring": [34426871807 if self.extra_caps else 34359738368],
                "capacities": capacities,
                "version": self.version,
                "constraints": {"PerCapability": {str(CAPABILITY): {"models": models}}},
            },
            "capabilities_prices": [{"pricePerUnit": int(self.price_per_pixel), "pixelsPerUnit": 1,
                                     "capability": CAPABILITY, "constraint": m} for m in self.models],
        }
        if not self.has_hardware:
            return entry

        def gpu(i):
            g = self.gpus[i]
            return {"id": g["id"], "name": g["name"], "major": g["major"], "minor": g["minor"],
                    "memory_free": g["memory_total"] - rng.randrange(400_000_000, 9_000_000_000),
                    "memory_total": g["memory_total"]}

        if self.split_hardware:
            hardware = [{"pipeline": LIVE_PIPELINE, "model_id": self.gpu_model[i], "gpu_info": {"0": gpu(i)}}
                        for i in range(len(self.gpus))]
        else:
            hardware = []
            for m in self.models:
                idx = [i for i in range(len(self.gpus)) if self.gpu_model[i] == m]
                hardware.append({"pipeline": LIVE_PIPELINE, "model_id": m,
                                 "gpu_info": {str(k): gpu(i) for k, i in enumerate(idx)}})
        entry["hardware"] = hardware
        return entry


def _orchestrators(rng: random.Random) -> tuple[list[Orchestrator], list[list[Orchestrator]]]:
    orchs = [Orchestrator(rng, i + 1) for i in range(N_ORCHESTRATORS)]
    # every model served by at least three orchestrators (convert single-model
    # orchestrators of the best-covered model, highest index first)
    def coverage(m):
        return sum(1 for o in orchs if m in o.models)

    for model in MODELS:
        while coverage(model) < 3:
            richest = max(MODELS, key=coverage)
            donor = next(o for o in reversed(orchs) if o.models == [richest])
            donor.models = [model]
            donor.assign_gpus()
    for o in rng.sample(orchs, N_NO_HARDWARE):
        o.has_hardware = False
    # hot wallets shared by two canonical orchestrators (different orch_uri, same models)
    groups: list[list[Orchestrator]] = []
    pool = [o for o in orchs if o.has_hardware]
    paired = rng.sample(pool, 2 * N_SHARED_HOT_WALLETS)
    for a, b in zip(paired[::2], paired[1::2]):
        b.hot = a.hot
        b.models = list(a.models)
        b.assign_gpus()
        groups.append([a, b])
    in_pair = {id(o) for g in groups for o in g}
    groups = [[o] for o in orchs if id(o) not in in_pair] + groups
    groups.sort(key=lambda g: g[0].index)
    return orchs, groups


# ---------------------------------------------------------------------------
# Output
# ---------------------------------------------------------------------------

class _Sink:
    """Envelopes -> per-arrival-hour buffers -> sorted files."""

    def __init__(self, rng: random.Random, out_dir: Path):
        self.rng = rng
        self.out_dir = out_dir
        self.buffers: dict[int, list] = {}
        self.closed_below = -1  # arrival hours < this are written
        self.events = 0
        self.lines = 0
        self.late = 0
        self.duplicates = 0
        self.later_hour = 0
        self.string_data = 0
        self.numeric_ts = 0
        self.files = 0
        self.bytes = 0
        self.by_type: Counter = Counter()

    def _put(self, arrival: int, eid: str, line: str) -> None:
        hour = arrival // HOUR_MS
        if hour < self.closed_below:
            raise RuntimeError("event arrived for an hour already written")
        buf = self.buffers.get(hour)
        if buf is None:
            buf = self.buffers[hour] = []
        buf.append((arrival, eid, line))

    def emit(self, type_: str, ts: int, gateway: str, data) -> None:
        rng = self.rng
        r = rng.random
        eid = _uuid(rng)
        payload = _encode(data)
        if r() < STRING_DATA_SHARE:
            payload = _encode(payload)
            self.string_data += 1
        if r() < NUMERIC_TS_SHARE:
            ts_txt = str(ts)
            self.numeric_ts += 1
        else:
            ts_txt = f'"{ts}"'
        line = f'{{"id":"{eid}","type":"{type_}","timestamp":{ts_txt},"gateway":"{gateway}","data":{payload}}}'
        if r() < LATE_SHARE:
            next_hour = (ts // HOUR_MS + 1) * HOUR_MS
            arrival = ts + rng.randint(max(1000, next_hour - ts), LATE_MAX_MS)
            self.late += 1
        else:
            arrival = ts + int(r() * (NORMAL_LAG_MAX_MS + 1))
        if arrival // HOUR_MS != ts // HOUR_MS:
            self.later_hour += 1
        self._put(arrival, eid, line)
        self.events += 1
        self.lines += 1
        self.by_type[type_] += 1
        if r() < DUP_SHARE:
            self._put(arrival + 1 + int(r() * DUP_MAX_MS), eid, line)
            self.duplicates += 1
            self.lines += 1

    def flush(self, before_ms: int | None) -> None:
        """Write every hour that ends at or before `before_ms` (None: all)."""
        limit = None if before_ms is None else before_ms // HOUR_MS
        for hour in sorted(self.buffers):
            if limit is not None and hour >= limit:
                break
            rows = self.buffers.pop(hour)
            rows.sort()
            name = dt.datetime.fromtimestamp(hour * 3600, tz=dt.UTC).strftime("events-%Y%m%dT%H.ndjson")
            text = "\n".join(row[2] for row in rows) + "\n"
            with open(self.out_dir / name, "w", encoding="utf-8", newline="\n") as fh:
                fh.write(text)
            self.files += 1
            self.bytes += len(text)
        if limit is not None:
            self.closed_below = max(self.closed_below, limit)


# ---------------------------------------------------------------------------
# Sessions
# ---------------------------------------------------------------------------

class _Session:
    __slots__ = ("t0", "scenario", "gateway", "stream_id", "request_id", "model", "orch", "orch_b",
                 "close", "retry")


class _Builder:
    def __init__(self, rng: random.Random, sink: _Sink, orchs: list[Orchestrator]):
        self.rng = rng
        self.sink = sink
        self.orchs = orchs
        self.senders = {gw: _mixed_case_address(rng) for gw, _ in GATEWAYS}
        self.stream_counters: dict[str, list[int]] = {}  # stream_id -> cumulative ingest counters

    # -- families ---------------------------------------------------------

    def trace(self, s: _Session, subtype: str, ts: int, orch: Orchestrator | None, lag: int = 0) -> None:
        data = {"orchestrator_info": orch.info() if orch else dict(NO_ORCH), "pipeline_id": "",
                "request_id": s.request_id, "stream_id": s.stream_id, "timestamp": ts, "type": subtype}
        self.sink.emit("stream_trace", ts + lag, s.gateway, data)

    def swap_trace(self, s: _Session, ts: int, orch: Orchestrator) -> None:
        data = {"message": "orchestrator is slow", "orchestrator_info": orch.info(), "pipeline": s.model,
                "pipeline_id": "", "request_id": s.request_id, "stream_id": s.stream_id,
                "type": "orchestrator_swap"}
        self.sink.emit("stream_trace", ts, s.gateway, data)

    def error(self, s: _Session, ts: int, message: str) -> None:
        data = {"capability": "", "message": message, "pipeline": s.model, "pipeline_id": "",
                "request_id": s.request_id, "stream_id": s.stream_id, "type": "error"}
        self.sink.emit("ai_stream_events", ts, s.gateway, data)

    def discovery(self, s: _Session, ts: int, chosen: Orchestrator | None) -> None:
        rng = self.rng
        results = []
        if chosen is not None:
            others = [o for o in self.orchs if o is not chosen and s.model in o.models]
            picks = [chosen] + rng.sample(others, min(len(others), rng.randint(0, 3)))
            lat = sorted(rng.randint(18, 420) for _ in picks)
            results = [{"address": o.hot.lower(), "latency_ms": str(ms), "url": o.uri} for o, ms in zip(picks, lat)]
        self.sink.emit("discovery_results", ts, s.gateway, results)

    def statuses(self, s: _Session, orch: Orchestrator, start_time: int, until: int, state: str,
                 fps_range: tuple[float, float] | None, *, from_ts: int | None = None) -> int:
        """Samples every 10 s after start_time, while the sample time < until.
        fps_range None -> fps 0.  Returns the time of the next (unemitted) tick."""
        rng = self.rng
        r = rng.random
        emit = self.sink.emit
        info = orch.info()
        params = {"height": 512, "width": 512} if r() < 0.8 else {}
        phash = _hex(rng, 32)
        base = rng.uniform(*fps_range) if fps_range else 0.0
        in_base = max(base, rng.uniform(14.0, 30.0)) if state != "LOADING" or r() < 0.5 else 0.0
        step = STATUS_EVERY_S * 1000
        k = 1
        if from_ts is not None:
            k = max(1, -(-(from_ts - start_time) // step))
        ts = start_time + k * step + int(r() * 3)
        last_out = None
        while ts < until:
            if fps_range:
                fps = round(min(fps_range[1], max(fps_range[0], base + rng.gauss(0.0, 1.5))), 6)
                last_out = ts - int(r() * 90)
            else:
                fps = 0
            in_fps = round(max(fps, in_base + rng.gauss(0.0, 0.8)), 6) if in_base else 0
            data = {
                "inference_status": {"fps": fps, "last_error": None, "last_error_time": None,
                                     "last_output_time": last_out, "last_params": params,
                                     "last_params_hash": phash, "last_params_update_time": start_time,
                                     "last_restart_logs": None, "last_restart_time": None, "restart_count": 0},
                "input_status": {"fps": in_fps, "last_input_time": ts - int(r() * 40)},
                "last_state_update_time": ts - int(r() * 9000),
                "last_status_timestamp": start_time,
                "orchestrator_info": info, "pipeline": s.model, "pipeline_id": "",
                "request_id": s.request_id, "start_time": start_time, "state": state,
                "stream_id": s.stream_id, "timestamp": ts, "type": "status",
            }
            emit("ai_stream_status", ts + int(r() * 75) - 5, s.gateway, data)
            k += 1
            ts = start_time + k * step + int(r() * 3)
        return ts

    def ingest(self, s: _Session, first: int, until: int) -> None:
        """Cumulative ingest samples from `first` while < until."""
        rng = self.rng
        r = rng.random
        emit = self.sink.emit
        every = rng.randint(*INGEST_EVERY_S) * 1000
        counters = self.stream_counters.setdefault(s.stream_id, [0, 0, 0, 0, 0, 0.0])
        # [bytes_received, bytes_sent, video_packets, video_lost, audio_packets, seconds]
        rate = rng.uniform(60_000, 260_000)  # bytes/s received
        quality = "good" if r() < 0.9 else "poor"
        loss = 0.0 if quality == "good" and r() < 0.8 else rng.uniform(0.0005, 0.02)
        ts = first
        while ts < until:
            dt_s = every / 1000
            counters[0] += int(rate * dt_s * rng.uniform(0.6, 1.4)) + 1
            counters[1] += int(dt_s * rng.uniform(650, 800)) + 1
            new_video = int(dt_s * rng.uniform(80, 190)) + 1
            counters[2] += new_video
            counters[3] += int(new_video * loss * 2 * r())
            counters[4] += int(dt_s * 50) - (1 if r() < 0.3 else 0)
            counters[5] += dt_s
            secs = counters[5]
            data = {"pipeline_id": "", "request_id": s.request_id, "stats": {
                "peer_conn_stats": {"ID": "iceTransport", "BytesReceived": counters[0], "BytesSent": counters[1]},
                "track_stats": [
                    {"type": "video", "jitter": round(rng.uniform(8.0, 14.0), 6), "packets_lost": counters[3],
                     "packets_received": counters[2],
                     "packet_loss_pct": round(counters[3] / counters[2] * 100, 6) if counters[3] else 0,
                     "rtt": 0, "last_input_ts": round(secs - r() * 0.11, 3), "last_output_ts": 0, "latency": 0},
                    {"type": "audio", "jitter": round(rng.uniform(19.0, 22.0), 6), "packets_lost": 0,
                     "packets_received": counters[4], "packet_loss_pct": 0, "rtt": 0,
                     "last_input_ts": round(secs - 0.14, 4), "last_output_ts": 0, "latency": 0},
                ],
                "conn_quality": quality}, "stream_id": s.stream_id, "timestamp": ts}
            emit("stream_ingest_metrics", ts + (1 if r() < 0.5 else 0), s.gateway, data)
            ts += every + int(r() * 3) - 1

    def payments(self, s: _Session, orch: Orchestrator, first: int, until: int, *, series: bool = True) -> None:
        """First payment (requestID + manifest 35_<model>) at `first`; with
        `series`, one ~6 s later, then every 6-60 s while < until."""
        rng = self.rng
        r = rng.random
        emit = self.sink.emit
        session_id = _hex(rng, 8)
        manifest_hex = _hex(rng, 8)
        sender = self.senders[s.gateway]
        price = f"{orch.price_per_pixel:.3f} wei/pixel"
        every = rng.uniform(*PAYMENT_EVERY_S) * 1000
        ts = first
        n = 0
        while ts < until or n == 0:
            win_prob = f"{0.001 * rng.uniform(0.8, 1.25):.10f}"
            data = {"capability": "", "clientIP": "", "faceValue": f"{orch.face_wei} WEI",
                    "manifestID": f"{CAPABILITY}_{s.model}" if n == 0 else manifest_hex,
                    "numTickets": "2" if (n == 0 and r() < 0.5) or r() < 0.08 else "1",
                    "orchestrator": orch.uri, "price": price, "recipient": orch.canonical,
                    "requestID": s.request_id if n == 0 else "", "sender": sender,
                    "sessionID": session_id, "winProb": win_prob}
            emit("create_new_payment", ts, s.gateway, data)
            if not series:
                break
            n += 1
            ts += int(rng.uniform(5000, 8000)) if n == 1 else int(every * rng.uniform(0.9, 1.1))

    def lifecycle(self, s: _Session, orch: Orchestrator, t_ing: int, *, runner_send: bool, first_processed: bool,
                  playable: bool) -> dict[str, int]:
        rng = self.rng
        t = {"ingest": t_ing}
        self.trace(s, "gateway_send_first_ingest_segment", t_ing, orch)
        t_rr = t_ing + rng.randint(2, 1600)
        self.trace(s, "runner_receive_first_ingest_segment", t_rr, orch, lag=rng.randint(-3, 70))
        if runner_send:
            t_rs = t_ing + rng.randint(80, 900)
            self.trace(s, "runner_send_first_processed_segment", t_rs, orch, lag=rng.randint(-3, 70))
            if first_processed:
                t_fp = t_rs + rng.randint(100, 900)
                self.trace(s, "gateway_receive_first_processed_segment", t_fp, orch)
                t["first_processed"] = t_fp
                if playable:
                    t_pl = t_fp + rng.randint(900, 4000)
                    self.trace(s, "gateway_receive_few_processed_segments", t_pl, orch)
                    t["playable"] = t_pl
        return t

    def close(self, s: _Session, ts: int, mediamtx: bool) -> None:
        self.trace(s, "gateway_ingest_stream_closed", ts, None)
        if mediamtx:
            self.error(s, ts, "mediamtx ingest disconnected")

    # -- scenarios --------------------------------------------------------

    def build(self, s: _Session) -> None:
        rng = self.rng
        t0 = s.t0
        self.trace(s, "gateway_receive_stream_request", t0, None)
        scenario = s.scenario
        if scenario == "no_orchestrator":
            t_disc = t0 + rng.randint(2, 400)
            self.discovery(s, t_disc, None)
            t_no = t_disc + rng.randint(1, 200)
            self.trace(s, "gateway_no_orchestrators_available", t_no, None)
            self.error(s, t_no, "no orchestrators available")
            s.close = t_no + rng.randint(60, 130)
            self.close(s, s.close, True)
            return

        orch = s.orch
        t_disc = t0 + rng.randint(150, 600)
        self.discovery(s, t_disc, orch)
        start_time = t0 + rng.randint(40, 320)
        t_ing = t0 + rng.randint(2000, 9000)
        ingest_first = t_ing + rng.randint(2500, 3500)

        if scenario in ("clean_success", "swap_success"):
            d = rng.randint(60_000, 1_200_000) if scenario == "clean_success" else rng.randint(120_000, 1_200_000)
            s.close = t0 + d
            t = self.lifecycle(s, orch, t_ing, runner_send=True, first_processed=True, playable=True)
            if scenario == "clean_success":
                self.payments(s, orch, t_disc + rng.randint(1, 5), s.close)
                nxt = self.statuses(s, orch, start_time, s.close, "ONLINE", (12.0, 30.0))
            else:
                t_swap = max(t0 + int(d * rng.uniform(0.25, 0.6)), t["playable"] + 5000)
                b = s.orch_b
                self.payments(s, orch, t_disc + rng.randint(1, 5), t_swap)
                self.statuses(s, orch, start_time, t_swap, "ONLINE", (12.0, 30.0))
                self.swap_trace(s, t_swap, orch)
                start_b = t_swap + rng.randint(40, 320)
                t_ing_b = t_swap + rng.randint(500, 3000)
                self.lifecycle(s, b, t_ing_b, runner_send=True, first_processed=True, playable=True)
                self.payments(s, b, t_ing_b - rng.randint(1, 400), s.close)
                nxt = self.statuses(s, b, start_b, s.close, "ONLINE", (12.0, 30.0))
                orch = b
            self.ingest(s, ingest_first, s.close)
            self.close(s, s.close, True)
            if rng.random() < POST_CLOSE_STATUS_SHARE:  # the status loop stops a tick late
                self.statuses(s, orch, start_time if scenario == "clean_success" else start_b,
                              nxt + 10, "ONLINE", (12.0, 30.0), from_ts=nxt - 5)
            return

        if scenario == "excusable_failure":
            t_fail = t0 + rng.randint(5_000, 90_000)
            if rng.random() < 0.6:
                self.payments(s, orch, t_disc + rng.randint(1, 5), t_fail, series=False)
                t_ing = min(t_ing, t_fail - 1)
                self.trace(s, "gateway_send_first_ingest_segment", t_ing, orch)
                if rng.random() < 0.5:
                    self.trace(s, "runner_receive_first_ingest_segment", t_ing + rng.randint(2, 1600), orch,
                               lag=rng.randint(-3, 70))
            self.ingest(s, ingest_first, t_fail)
            for _ in range(rng.randint(1, 2)):
                self.error(s, t_fail, rng.choice(EXCUSABLE_MESSAGES))
                t_fail += rng.randint(5, 400)
            s.close = t_fail + rng.randint(10, 500)
            self.close(s, s.close, True)
            return

        if scenario == "unexcusable_failure":
            s.close = t0 + rng.randint(15_000, 120_000)
            processed = rng.random() < 0.5
            self.lifecycle(s, orch, t_ing, runner_send=processed, first_processed=processed, playable=False)
            self.payments(s, orch, t_disc + rng.randint(1, 5), s.close)
            self.statuses(s, orch, start_time, s.close, "DEGRADED_INFERENCE", (1.0, 8.0))
            self.ingest(s, ingest_first, s.close)
            t_err = s.close - rng.randint(3000, 12000)
            trickle = _hex(rng, 8)
            for seq in range(rng.randint(1, 3)):
                if rng.random() < 0.6:
                    msg = (f'Error publishing, wrote {rng.randint(900_000, 1_900_000)} dropping Post '
                           f'"{orch.uri}/ai/trickle/{trickle}/{seq + rng.randint(3, 12)}": read tcp '
                           f'10.{rng.randint(0, 31)}.0.{rng.randint(2, 9)}:{rng.randint(32768, 60999)}'
                           f'->{orch.ip}:{orch.port}: read: connection reset by peer')
                else:
                    k = rng.randint(1, 4)
                    msg = ("trickle subscribe error reading: Channel exists but sequence does not: "
                           f"requested {k} latest {k + 1}")
                self.error(s, t_err, msg)
                t_err += rng.randint(200, 2500)
            self.close(s, s.close, rng.random() < 0.5)
            return

        if scenario == "loading_only":
            s.close = t0 + rng.randint(30_000, 180_000)
            self.lifecycle(s, orch, t_ing, runner_send=False, first_processed=False, playable=False)
            self.payments(s, orch, t_disc + rng.randint(1, 5), s.close)
            self.statuses(s, orch, start_time, s.close, "LOADING", None)
        else:  # zero_output
            s.close = t0 + rng.randint(60_000, 300_000)
            self.lifecycle(s, orch, t_ing, runner_send=True, first_processed=True, playable=False)
            self.payments(s, orch, t_disc + rng.randint(1, 5), s.close)
            self.statuses(s, orch, start_time, s.close, "ONLINE", None)
        self.ingest(s, ingest_first, s.close)
        self.close(s, s.close, False)


# ---------------------------------------------------------------------------
# Driver
# ---------------------------------------------------------------------------

def _parse_start(start) -> dt.datetime:
    if start is None:
        start = DEFAULT_START
    if isinstance(start, str):
        text = start.strip()
        if text.endswith("Z"):
            text = text[:-1] + "+00:00"
        start = dt.datetime.fromisoformat(text)
    if start.tzinfo is None:
        start = start.replace(tzinfo=dt.UTC)
    return start.astimezone(dt.UTC)


def generate(days: int, events_per_day: int, seed: int, out_dir, start=None) -> dict:
    """Write the event files; return counts (see the module docstring)."""
    if days < 1 or events_per_day < 1:
        raise ValueError("days and events_per_day must be >= 1")
    began = time.perf_counter()
    start_dt = _parse_start(start)
    start_ms = int(start_dt.timestamp() * 1000)
    end_ms = start_ms + days * DAY_MS
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    for old in sorted(out.glob("events-*.ndjson")):
        old.unlink()

    rng = random.Random(seed)
    orchs, groups = _orchestrators(rng)
    sink = _Sink(rng, out)
    builder = _Builder(rng, sink, orchs)

    # capability snapshot schedule (one event per group: a single orchestrator or a shared-wallet pair)
    nominal = len(groups) * DAY_MS / (1000 * sum(CAPS_EVERY_S) / 2)
    stretch = max(1.0, nominal / (CAPS_MAX_SHARE * events_per_day))
    snapshots = []
    for gi in range(len(groups)):
        lo, hi = CAPS_EVERY_S[0] * 1000 * stretch, CAPS_EVERY_S[1] * 1000 * stretch
        ts = start_ms + int(rng.uniform(0, lo))
        while ts < end_ms:
            snapshots.append((ts, gi))
            ts += int(rng.uniform(lo, hi))
    snapshots.sort()
    caps_per_day = len(snapshots) / days

    expected = _expected_events_per_session()
    mean_events = sum(expected[name] * share for name, share in SCENARIOS)
    sessions_per_day = max(1, round((events_per_day - caps_per_day) / mean_events))

    hour_weights = [1 + 0.5 * math.cos(2 * math.pi * (h - 16) / 24) for h in range(24)]
    cum = []
    acc = 0.0
    for w in hour_weights:
        acc += w
        cum.append(acc)
    plans: list[tuple[int, str]] = []
    for day in range(days):
        day_ms = start_ms + day * DAY_MS
        starts = sorted(day_ms + bisect.bisect_right(cum, rng.random() * acc) * HOUR_MS + rng.randrange(HOUR_MS)
                        for _ in range(sessions_per_day))
        labels = _split_exact(sessions_per_day, SCENARIOS)
        rng.shuffle(labels)
        plans.extend(zip(starts, labels))

    gw_names = [g for g, _ in GATEWAYS]
    gw_weights = [w for _, w in GATEWAYS]
    by_model = {m: ([o for o in orchs if o.gpu_weight(m)], [o.gpu_weight(m) for o in orchs if o.gpu_weight(m)])
                for m in MODELS}
    recent: deque = deque(maxlen=400)  # (close_ms, gateway, stream_id)
    used_requests: set[str] = set()
    scenario_counts: Counter = Counter()
    retries = 0
    stream_n = 0
    snap_i = 0
    for t0, scenario in plans:
        while snap_i < len(snapshots) and snapshots[snap_i][0] <= t0:
            ts, gi = snapshots[snap_i]
            sink.emit("network_capabilities", ts, "", [o.entry(rng) for o in groups[gi]])
            snap_i += 1
        sink.flush(t0 - 60_000)

        s = _Session()
        s.t0 = t0
        s.scenario = scenario
        s.gateway = rng.choices(gw_names, weights=gw_weights)[0]
        s.model = rng.choices(MODELS, weights=MODEL_WEIGHTS)[0]
        s.retry = False
        if rng.random() < RETRY_SHARE:
            candidates = [sid for close, gw, sid in recent if close < t0 and gw == s.gateway]
            if candidates:
                s.stream_id = rng.choice(candidates)
                s.retry = True
                retries += 1
        if not s.retry:
            stream_n += 1
            s.stream_id = f"gen-stream-{stream_n}"
        while True:
            rid = _hex(rng, 8)
            if rid not in used_requests:
                used_requests.add(rid)
                break
        s.request_id = rid
        pool, weights = by_model[s.model]
        s.orch = rng.choices(pool, weights=weights)[0]
        s.orch_b = None
        if scenario == "swap_success":
            alt = [(o, w) for o, w in zip(pool, weights)
                   if o.hot != s.orch.hot and o.canonical != s.orch.canonical]
            s.orch_b = rng.choices([o for o, _ in alt], weights=[w for _, w in alt])[0]
        s.close = t0
        builder.build(s)
        scenario_counts[scenario] += 1
        recent.append((s.close, s.gateway, s.stream_id))
        if len(builder.stream_counters) > 5000:  # keep counters only for streams that may still be retried
            keep = {sid for _, _, sid in recent}
            builder.stream_counters = {k: v for k, v in builder.stream_counters.items() if k in keep}

    while snap_i < len(snapshots):
        ts, gi = snapshots[snap_i]
        sink.emit("network_capabilities", ts, "", [o.entry(rng) for o in groups[gi]])
        snap_i += 1
    sink.flush(None)

    return {
        "days": days,
        "events_per_day": events_per_day,
        "seed": seed,
        "start": start_dt.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "out_dir": str(out),
        "events": sink.events,
        "lines": sink.lines,
        "late_events": sink.late,
        "duplicates": sink.duplicates,
        "events_in_later_hour_file": sink.later_hour,
        "string_encoded_data": sink.string_data,
        "numeric_timestamps": sink.numeric_ts,
        "files": sink.files,
        "bytes": sink.bytes,
        "sessions": sum(scenario_counts.values()),
        "sessions_by_scenario": {name: scenario_counts[name] for name, _ in SCENARIOS},
        "retry_sessions": retries,
        "orchestrators": len(orchs),
        "events_by_type": dict(sorted(sink.by_type.items())),
        "seconds": round(time.perf_counter() - began, 2),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m livepeer_devtools.generate",
        description="Write synthetic Livepeer gateway events (NDJSON, one file per arrival hour).")
    parser.add_argument("--days", type=int, required=True, help="number of days to generate")
    parser.add_argument("--events-per-day", type=int, required=True, help="approximate distinct events per day")
    parser.add_argument("--seed", type=int, required=True, help="random seed (same args -> identical files)")
    parser.add_argument("--out", required=True, help="output directory")
    parser.add_argument("--start", default=DEFAULT_START, help=f"first day, UTC (default {DEFAULT_START})")
    args = parser.parse_args(argv)
    try:
        summary = generate(args.days, args.events_per_day, args.seed, args.out, args.start)
    except ValueError as exc:
        parser.error(str(exc))
    summary.pop("seconds", None)  # keep stdout deterministic too
    print(json.dumps(summary, separators=(",", ":")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
