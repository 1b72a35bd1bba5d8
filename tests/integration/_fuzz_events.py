"""Hypothesis strategies: well-formed gateway envelopes with wrong-typed payload fields.

Every envelope this module produces is WELL FORMED: a unique `id`, one of the
seven family `type`s, an envelope `timestamp` (epoch ms as a string) within a
few hours of the prod snapshot's events, a string `gateway`, and a `data` of
the family's shape (an object, or an array of entries for
`network_capabilities` and `discovery_results`; sometimes encoded as a string
holding the JSON, as real exports do). So the reader must accept every one.

Inside `data`, a random subset of fields (leaves, whole sub-objects and
arrays, array elements) is replaced by a value from `WRONG_VALUES`: nulls,
numbers as strings, strings as numbers, "NaN"/"Infinity", 1e308, negatives,
0, "", a 10 kB string, arrays/objects where scalars belong, non-ASCII text,
booleans, far-future and seconds-instead-of-ms timestamps.

The events form sessions: each fuzz session has its traces, status samples,
stream events, ingest metrics and payments (linked by requestID/sessionID),
and the capability snapshots and discovery results naming its orchestrators.
Every identifier is invented and prefixed (`fuzz-stream-3`, wallets
`0xf0f0...`, URLs under `.fuzz.invalid`), so no fuzz event can join a real
session. The templates are written here, modelled on the shapes documented in
the shared fixtures' README files; no real event is copied.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from hypothesis import strategies as st

# The prod snapshot's events span 1771959026119 .. 1771967025389 (2026-02-24
# 18:50 .. 21:03 UTC); fuzz sessions start within about two hours of that
# span so their rows share hours (and view rows) with the real ones.
WINDOW_START_MS = 1_771_951_800_000  # 2026-02-24 16:50 UTC
WINDOW_END_MS = 1_771_974_000_000  # 2026-02-24 23:00 UTC

# Gateways: the seeded ones (so regions resolve), an unknown one and none.
GATEWAYS = [
    "cloud-spe-ai-live-video-tester-fra",
    "cloud-spe-ai-live-video-tester-mdw",
    "cloud-spe-ai-live-video-tester-sea",
    "fuzz-gateway-1",
    "",
]
MODELS = ["streamdiffusion-sdxl", "streamdiffusion-sdxl-v2v", "streamdiffusion-sdxl-faceid", "fuzz-model-1"]
STATES = ["ONLINE", "DEGRADED_INPUT", "DEGRADED_INFERENCE", "LOADING", "OFFLINE"]
ERROR_MESSAGES = [
    "no orchestrators available",
    "mediamtx ingest disconnected",
    'Error publishing, wrote 1400000 dropping Post "https://orch-1.fuzz.invalid:8935/live/x": context canceled',
    "trickle subscribe error reading: Channel exists but sequence does not: requested 7",
    "fuzz: an error nobody has classified",
]
SWAP_MESSAGES = ["orchestrator is slow", "trickle subscribe stopping, stream not found, err=stream not found"]
# Trace subtypes in session order (the startup path, then the close).
STARTUP_TRACES = [
    "gateway_send_first_ingest_segment",
    "runner_receive_first_ingest_segment",
    "runner_send_first_processed_segment",
    "gateway_receive_first_processed_segment",
    "gateway_receive_few_processed_segments",
]

SECONDS_TIMESTAMP = 1_771_959_000  # epoch SECONDS where ms belong
FAR_FUTURE_MS = 4_102_444_800_000  # 2100-01-01
LONG_STRING = "x" * 10_240

# The wrong values a field may be replaced with (JSON-serializable, no NaN
# floats: NaN and infinities only as strings, so every line stays valid JSON).
WRONG_VALUES = [
    None,
    "12.5",
    "1771959000000",
    123,
    1.5,
    "NaN",
    "Infinity",
    "-Infinity",
    1e308,
    -1e308,
    -1,
    -12.5,
    -1_771_959_000_000,
    0,
    "",
    LONG_STRING,
    [1, "a"],
    [],
    {"a": 1},
    {},
    "Café déjà vu",
    "数据流",
    "🎥🔥",
    "مرحبا",
    True,
    False,
    FAR_FUTURE_MS,
    SECONDS_TIMESTAMP,
]


def wrong_values() -> st.SearchStrategy:
    """One value of the catalogue (plus a few generated negatives and numeric strings)."""
    return st.one_of(
        st.sampled_from(WRONG_VALUES),
        st.integers(min_value=-(2**62), max_value=-1),
        st.floats(max_value=-1e-3, allow_nan=False, allow_infinity=False),
        st.floats(min_value=0, max_value=1e6, allow_nan=False).map(repr),
    )


# ------------------------------------------------------------ identities


def wallet(kind: int, n: int) -> str:
    """An invented 20-byte hex wallet: 0xf0f0... never a real one."""
    return "0x" + "f0f0" + f"{kind:04x}" + f"{n:032x}"


def orch_url(n: int) -> str:
    return f"https://orch-{n}.fuzz.invalid:8935"


@dataclass
class Orchestrator:
    n: int

    @property
    def address(self) -> str:  # the orchestrator's own (local) address, reported in orchestrator_info
        return wallet(1, self.n)

    @property
    def ticket_address(self) -> str:  # the address payments are made out to
        return wallet(2, self.n)

    @property
    def url(self) -> str:
        return orch_url(self.n)

    def info(self) -> dict:
        return {"address": self.address, "url": self.url}


class FuzzBatch:
    """The fuzz envelopes of one example (dicts, already mutated) and their lines.

    Its repr is short: hypothesis prints it for a failing example (the lines
    themselves are saved to a file by the test).
    """

    def __init__(self, envelopes: list[dict], lines: list[bytes], example: int = 0) -> None:
        self.envelopes = envelopes
        self.lines = lines
        self.example = example

    @property
    def digest(self) -> str:
        return hashlib.sha1(b"\n".join(self.lines)).hexdigest()[:12]

    def __repr__(self) -> str:
        return f"FuzzBatch(example {self.example}: {len(self.lines)} envelopes, sha1 {self.digest})"

    def _repr_pretty_(self, printer, cycle) -> None:  # hypothesis' pretty printer
        printer.text(repr(self))


# ------------------------------------------------------------ clean payloads


def _trace(ids: dict, subtype: str, at: int, orch: Orchestrator | None, model: str, message: str | None = None):
    data = dict(
        ids,
        type=subtype,
        timestamp=at,
        pipeline_id="",
        orchestrator_info=orch.info() if orch else {"address": "", "url": ""},
    )
    if orch is not None:
        data["pipeline"] = model
    if message is not None:
        data["message"] = message
    return data


def _status(ids: dict, at: int, start: int, orch: Orchestrator, model: str, state: str, fps: float,
            input_fps: float, last_error: str | None, restarts: int) -> dict:
    return dict(
        ids,
        type="status",
        pipeline=model,
        pipeline_id="",
        state=state,
        start_time=start,
        timestamp=at,
        last_status_timestamp=start,
        last_state_update_time=at - 1500,
        inference_status={
            "fps": fps,
            "last_error": last_error,
            "last_error_time": None if last_error is None else at - 500,
            "last_output_time": at - 40,
            "last_params": {"width": 512, "height": 512},
            "last_params_hash": "f" * 32,
            "last_params_update_time": start,
            "last_restart_logs": None,
            "last_restart_time": None,
            "restart_count": restarts,
        },
        input_status={"fps": input_fps, "last_input_time": at - 20},
        orchestrator_info=orch.info(),
    )


def _stream_event(ids: dict, at: int, orch: Orchestrator | None, model: str, message: str) -> dict:
    data = dict(ids, type="error", message=message, capability="", pipeline=model, pipeline_id="", timestamp=at)
    if orch is not None:
        data["orchestrator_info"] = orch.info()
    return data


def _ingest(ids: dict, at: int, received: int, sent: int, jitter: float, lost: int, packets: int) -> dict:
    def track(kind: str, scale: float) -> dict:
        return {
            "type": kind,
            "jitter": jitter * scale,
            "packets_lost": lost,
            "packets_received": int(packets * scale),
            "packet_loss_pct": 100.0 * lost / max(packets, 1),
            "rtt": 0,
            "last_input_ts": 4.9,
            "last_output_ts": 0,
            "latency": 0,
        }

    return dict(
        ids,
        pipeline_id="",
        timestamp=at,
        stats={
            "peer_conn_stats": {"ID": "iceTransport", "BytesReceived": received, "BytesSent": sent},
            "track_stats": [track("video", 1.0), track("audio", 0.6)],
            "conn_quality": "good",
        },
    )


def _payment(request_id: str, payment_session: str, orch: Orchestrator, model: str, sender: str,
             face_value: int, win_prob: str, tickets: int, first: bool) -> dict:
    return {
        "capability": "",
        "clientIP": "",
        "faceValue": f"{face_value} WEI",
        "manifestID": f"35_{model}" if first else payment_session,
        "numTickets": str(tickets),
        "orchestrator": orch.url,
        "price": "1635.021 wei/pixel",
        "recipient": orch.ticket_address,
        "requestID": request_id,
        "sender": sender,
        "sessionID": payment_session,
        "winProb": win_prob,
    }


def _capability_entry(orch: Orchestrator, model: str, gpus: int) -> dict:
    gpu_info = {
        str(slot): {
            "id": f"GPU-f0f0{orch.n:04x}-{slot:04x}-fuzz-0000-000000000000",
            "name": "NVIDIA GeForce RTX 4090",
            "major": 8,
            "minor": 9,
            "memory_free": 25_000_000_000,
            "memory_total": 25_757_220_864,
        }
        for slot in range(gpus)
    }
    return {
        "address": orch.ticket_address,
        "local_address": orch.address,
        "orch_uri": orch.url,
        "capabilities": {
            "bitstring": [34426871807],
            "capacities": {"0": 1, "35": 1},
            "version": "0.8.8-fuzz",
            "constraints": {
                "PerCapability": {
                    "35": {"models": {model: {"warm": True, "runnerVersion": "0.14.1", "capacityInUse": 1}}}
                }
            },
        },
        "capabilities_prices": [{"pricePerUnit": 2707, "pixelsPerUnit": 1, "capability": 35, "constraint": model}],
        "hardware": [{"pipeline": "live-video-to-video", "model_id": model, "gpu_info": gpu_info}],
    }


def _discovery_entry(orch: Orchestrator, latency: int) -> dict:
    return {"address": orch.address, "url": orch.url, "latency_ms": str(latency)}


# ------------------------------------------------------------ sessions


@st.composite
def fuzz_session(draw, n: int) -> list[tuple[str, int, str, object]]:
    """The clean events of fuzz session `n`: (family, envelope ms, gateway, data)."""
    start = draw(st.integers(WINDOW_START_MS, WINDOW_END_MS))
    gateway = draw(st.sampled_from(GATEWAYS))
    model = draw(st.sampled_from(MODELS))
    ids = {"stream_id": f"fuzz-stream-{n}", "request_id": f"fuzz-req-{n}"}
    orch = Orchestrator(2 * n)
    other = Orchestrator(2 * n + 1)
    events: list[tuple[str, int, str, object]] = []

    def at(offset_ms: int) -> int:
        return start + offset_ms

    # The orchestrators' capability snapshot, shortly before the session.
    gpus = draw(st.integers(0, 2))
    entries = [_capability_entry(orch, model, max(gpus, 1))]
    if draw(st.booleans()):
        entries.append(_capability_entry(other, model, 1))
    events.append(("network_capabilities", at(-60_000), "", entries))
    events.append(("discovery_results", at(200), gateway, [_discovery_entry(orch, draw(st.integers(1, 400)))]))

    events.append(("stream_trace", at(0), gateway, _trace(ids, "gateway_receive_stream_request", at(0), None, model)))
    if draw(st.booleans()):
        events.append(("stream_trace", at(300), gateway,
                       _trace(ids, "gateway_no_orchestrators_available", at(300), None, model)))
        events.append(("ai_stream_events", at(350), gateway,
                       _stream_event(ids, at(350), None, model, "no orchestrators available")))
    reached = draw(st.integers(1, len(STARTUP_TRACES)))
    for step, subtype in enumerate(STARTUP_TRACES[:reached]):
        t = at(1_000 + 900 * step)
        events.append(("stream_trace", t, gateway, _trace(ids, subtype, t, orch, model)))

    serving = orch
    swap_at = None
    if draw(st.booleans()):
        swap_at = draw(st.integers(10_000, 60_000))
        message = draw(st.sampled_from(SWAP_MESSAGES))
        events.append(("stream_trace", at(swap_at), gateway,
                       _trace(ids, "orchestrator_swap", at(swap_at), orch, model, message)))

    samples = draw(st.integers(1, 5))
    for k in range(samples):
        t = 8_000 + 10_000 * k
        if swap_at is not None and t > swap_at:
            serving = other
        fps = draw(st.floats(0, 30, allow_nan=False))
        events.append(("ai_stream_status", at(t), gateway, _status(
            ids, at(t), at(500), serving, model,
            draw(st.sampled_from(STATES)), fps, draw(st.floats(0, 30, allow_nan=False)),
            draw(st.sampled_from([None, None, "fuzz runner error"])), draw(st.integers(0, 3)),
        )))

    for k in range(draw(st.integers(0, 2))):
        t = at(5_000 + 7_000 * k)
        events.append(("ai_stream_events", t, gateway,
                       _stream_event(ids, t, serving, model, draw(st.sampled_from(ERROR_MESSAGES)))))

    for k in range(draw(st.integers(1, 2))):
        t = at(5_000 + 5_000 * k)
        events.append(("stream_ingest_metrics", t, gateway, _ingest(
            ids, t, 400_000 * (k + 1), 4_000 * (k + 1), draw(st.floats(0, 50, allow_nan=False)),
            draw(st.integers(0, 20)), 400 * (k + 1))))

    payment_session = f"fuzz-pay-{n}"
    sender = wallet(3, n)
    for k in range(draw(st.integers(1, 2))):
        t = at(200 + 20_000 * k)
        # later payments sometimes carry only the sessionID (linked through the first one)
        request_id = ids["request_id"] if k == 0 or draw(st.booleans()) else ""
        events.append(("create_new_payment", t, gateway, _payment(
            request_id, payment_session, orch, model, sender,
            draw(st.sampled_from([2_402_400_000_000_000, 1_000_000_000_000_000, 7])),
            draw(st.sampled_from(["0.0009990010", "0.5", "1"])), draw(st.integers(1, 4)), k == 0)))

    if draw(st.booleans()):
        t = at(draw(st.integers(70_000, 400_000)))
        events.append(("stream_trace", t, gateway, _trace(ids, "gateway_ingest_stream_closed", t, serving, model)))
    return events


# ------------------------------------------------------------ mutation


def _paths(value, prefix=()) -> list[tuple]:
    """Every path inside a payload (object keys and array positions), parents before children."""
    out = []
    if isinstance(value, dict):
        for key, child in value.items():
            out.append(prefix + (key,))
            out.extend(_paths(child, prefix + (key,)))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            out.append(prefix + (index,))
            out.extend(_paths(child, prefix + (index,)))
    return out


def _replace(data, path: tuple, value) -> bool:
    """Set data[path] = value; False when the path no longer exists (a parent was replaced)."""
    node = data
    for step in path[:-1]:
        if isinstance(node, dict) and isinstance(step, str) and step in node:
            node = node[step]
        elif isinstance(node, list) and isinstance(step, int) and step < len(node):
            node = node[step]
        else:
            return False
    last = path[-1]
    if (isinstance(node, dict) and isinstance(last, str) and last in node) or (
        isinstance(node, list) and isinstance(last, int) and last < len(node)
    ):
        node[last] = value
        return True
    return False


@st.composite
def mutated(draw, data):
    """`data` with 0..4 of its fields replaced by wrong values; returns (data, [(path, value)])."""
    data = json.loads(json.dumps(data))  # a private deep copy
    paths = _paths(data)
    chosen = draw(st.lists(st.sampled_from(paths), max_size=4, unique=True)) if paths else []
    applied = []
    for path in sorted(chosen, key=len):
        value = draw(wrong_values())
        if _replace(data, path, value):
            applied.append((path, value))
    return data, applied


def _line(envelope: dict, ascii_only: bool) -> bytes:
    return json.dumps(envelope, separators=(",", ":"), allow_nan=False, ensure_ascii=ascii_only).encode("utf-8")


MAX_SESSIONS = 5


def event_id_prefix(example: int) -> str:
    """The event ids of example `example` start with this (`fuzz-event-<example>-`)."""
    return f"fuzz-event-{example}-"


@st.composite
def fuzz_batches(draw, example: int = 0, min_sessions: int = 3, max_sessions: int = MAX_SESSIONS) -> FuzzBatch:
    """The fuzz envelopes of one example: a few sessions, each field possibly wrong.

    Examples built together differ in `example`, which numbers every identifier
    (event ids, streams, requests, wallets, GPUs, payment sessions) apart."""
    assert max_sessions <= MAX_SESSIONS
    sessions = draw(st.integers(min_sessions, max_sessions))
    clean = []
    for n in range(1, sessions + 1):
        clean.extend(draw(fuzz_session(example * (MAX_SESSIONS + 1) + n)))
    envelopes, lines = [], []
    for index, (family, envelope_ms, gateway, data) in enumerate(clean, start=1):
        data, _ = draw(mutated(data))
        if draw(st.integers(0, 4)) == 0:  # sometimes `data` is a string holding the JSON
            data = json.dumps(data, separators=(",", ":"), allow_nan=False)
        envelope = {
            "id": f"{event_id_prefix(example)}{index:04d}",
            "type": family,
            "timestamp": str(envelope_ms),
            "gateway": gateway,
            "data": data,
        }
        envelopes.append(envelope)
        lines.append(_line(envelope, ascii_only=draw(st.booleans())))
    return FuzzBatch(envelopes, lines, example)
