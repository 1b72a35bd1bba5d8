// The dashboard (docs/dashboard.md). Plain JS, no build step. Every number is read
// from the API's own endpoints (/healthz, /v1/network/demand, /v1/gpu/metrics,
// /v1/sla/compliance, /v1/ingest/quality, /v1/supply/demand, /v1/gpu/price-performance,
// /v1/data-quality, /v1/runs): sums re-rolled by the API over the window, ratios recomputed
// by the API from those sums; the page never averages ratios nor computes one.
"use strict";

const STALE_AFTER_S = 2 * 3600;  // newest data older than 2 h is stale (the job runs every minute or hour)
const TOKEN_KEY = "livepeerApiToken";
const REFRESH_KEY = "livepeerAutoRefresh";  // "off" when the reader paused auto-refresh
// Auto-refresh period: 60 s, or ?refresh=N (seconds, at least 1) in the page's address.
const REFRESH_S = Math.max(1, Number(new URLSearchParams(location.search).get("refresh")) || 60);
const RUNS = 20;                 // runs read from /v1/runs (newest first) for the last run and its alerts
const PAGE = 10000;              // rows per request (the API's default maximum); next_cursor is followed
const FILTERS = {gateway: "filter-gateway", region: "filter-region", pipeline: "filter-pipeline",
                 model_id: "filter-model"};
const COLORS = {success: "#2e7d32", excused: "#f9a825", unexcused: "#c62828", ratio: "#1565c0",
                sessions: "#1565c0", minutes: "#6a1b9a", fees: "#00838f", avg: "#1565c0", p95: "#ef6c00",
                mbps: "#00838f", loss: "#c62828", good: "#2e7d32", bad: "#c62828", other: "#9e9e9e"};

const $ = (id) => document.getElementById(id);
let renders = 0;
let loadSeq = 0;
let newest = null;        // Date of the newest window_start (/healthz)
let slaRows = [];
let supplyRows = [];
let supplyParams = {};    // the filters the supply rows were asked with
let valueRows = [];
let refreshTimer = null;
let partial = null;       // the bucket still filling ({start, end} ISO), or null
let slaSort = {key: "known_sessions", desc: true};
let supplySort = {key: "distinct_gpus", desc: true};
let valueSort = {key: "avg_price_wei_per_pixel", desc: false};   // cheapest first

class ApiError extends Error {
  constructor(status, message) { super(message); this.status = status; }
}

// ------------------------------------------------------------------ API

function authHeaders() {
  const token = localStorage.getItem(TOKEN_KEY);
  return token ? {Authorization: "Bearer " + token} : {};
}

async function api(path, params) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params || {})) {
    for (const v of [].concat(value)) search.append(key, v);
  }
  const url = path + (search.toString() ? "?" + search : "");
  const response = await fetch(url, {headers: authHeaders()});
  const text = await response.text();
  let body = null;
  try { body = JSON.parse(text); } catch (e) { body = null; }
  if (!response.ok) {
    throw new ApiError(response.status, (body && body.error) || `${path}: HTTP ${response.status}`);
  }
  return body;
}

// {value} or {error} of a promise: to show one answer even when another request failed.
const settle = (promise) => promise.then((value) => ({value}), (error) => ({error}));

async function allRows(path, params) {
  let rows = [];
  let cursor = null;
  do {
    const page = await api(path, {...params, limit: PAGE, ...(cursor ? {cursor} : {})});
    rows = rows.concat(page.rows);
    cursor = page.next_cursor;
  } while (cursor);
  return rows;
}

// ------------------------------------------------------------------ window and filters

const HOUR = 3600 * 1000;
const iso = (d) => d.toISOString().replace(/\.\d{3}Z$/, "Z");
const localInput = (d) => d.toISOString().slice(0, 16);           // datetime-local value, UTC
const fromInput = (v) => (v ? new Date(v + ":00Z") : null);

function currentWindow() {
  const choice = $("window-select").value;
  const end = newest ? new Date(newest.getTime() + HOUR) : null;
  if (choice === "custom") {
    const start = fromInput($("custom-start").value);
    const customEnd = fromInput($("custom-end").value);
    if (!start || !customEnd || customEnd <= start) {
      throw new ApiError(400, "custom window: give a start and an end after it (UTC)");
    }
    const span = customEnd - start;
    return {start: iso(start), end: iso(customEnd), granularity: span <= 48 * HOUR ? "hour" : "day"};
  }
  const hours = choice === "7d" ? 7 * 24 : 24;
  if (!end) {  // no data at all: let the API choose its default window
    return {granularity: hours > 24 ? "day" : "hour"};
  }
  return {start: iso(new Date(end - hours * HOUR)), end: iso(end), granularity: hours > 24 ? "day" : "hour"};
}

// The bucket of `granularity` holding the newest data, when it has not ended yet at `nowMs`: its
// numbers still grow (the job adds the current hour as it arrives). null when every bucket is whole.
function partialBucket(newestIso, nowMs, granularity) {
  if (!newestIso || (granularity !== "hour" && granularity !== "day")) return null;
  const newestMs = Date.parse(newestIso);
  const size = granularity === "hour" ? HOUR : 24 * HOUR;
  const start = Math.floor(newestMs / size) * size;
  return nowMs < start + size ? {start: iso(new Date(start)), end: iso(new Date(start + size))} : null;
}

// An option's value: "" is "All", "~null" selects NULL (the API's token), "=" + v the value v (v may be "").
const encode = (value) => (value === null ? "~null" : "=" + value);
const decode = (option) => (option.startsWith("=") ? option.slice(1) : option);

function filterParams(columns) {
  const out = {};
  for (const [column, id] of Object.entries(FILTERS)) {
    const value = $(id).value;
    if (value !== "" && columns.includes(column)) out[column] = decode(value);
  }
  return out;
}

const GPU_COLUMNS = ["region", "pipeline", "model_id", "orchestrator_address", "gpu_id"];
const DEMAND_COLUMNS = ["gateway", "region", "pipeline", "model_id"];   // also v_api_ingest_quality's grain
const SUPPLY_COLUMNS = ["model_id"];                                      // v_api_supply_demand's grain

function fillSelect(select, values, labelOf) {
  const keep = select.value;
  const first = select.options[0];
  select.replaceChildren(first);
  for (const value of values) {
    const option = document.createElement("option");
    option.value = encode(value);
    option.textContent = labelOf ? labelOf(value) : (value === null ? "(unresolved)" : value === "" ? "(none)" : value);
    select.append(option);
  }
  select.value = [...select.options].some((o) => o.value === keep) ? keep : "";
}

const distinct = (rows, column) =>
  [...new Set(rows.map((r) => r[column]))].sort((a, b) => String(a ?? "\uffff").localeCompare(String(b ?? "\uffff")));

// ------------------------------------------------------------------ formatting

const nf = (digits) => new Intl.NumberFormat("en-US", {maximumFractionDigits: digits});
function fmt(value, kind) {
  if (value === null || value === undefined) return "\u2013";
  if (kind === "ratio") return (value * 100).toFixed(1) + " %";
  if (kind === "eth") return value === 0 ? "0" : value < 0.001 ? value.toExponential(3) : nf(6).format(value);
  if (kind === "score") return value.toFixed(1);
  if (kind === "pct") return nf(3).format(value) + " %";   // already a percentage (the API's *_pct)
  if (kind === "ms") return nf(1).format(value) + " ms";
  if (kind === "mbps") return nf(3).format(value);
  return nf(kind === "int" ? 0 : 2).format(value);
}

function setValue(id, value, kind) {
  const el = $(id);
  el.dataset.value = value === null || value === undefined ? "" : String(value);
  el.textContent = fmt(value, kind);
}

function shortId(value) {
  if (value === null) return "(unresolved)";
  if (value === "") return "(none)";
  return value.length > 18 ? value.slice(0, 8) + "\u2026" + value.slice(-6) : value;
}

function showMessage(text, kind) {
  const box = $("message");
  box.hidden = !text;
  box.textContent = text || "";
  box.className = "message " + (kind || "error");
}

// ------------------------------------------------------------------ charts

const PLOT_CONFIG = {displaylogo: false, responsive: true, displayModeBar: false};

function baseLayout(extra) {
  return {
    margin: {l: 48, r: 48, t: 46, b: 36}, font: {size: 11},
    legend: {orientation: "h", x: 0, y: 1, yanchor: "bottom", font: {size: 10}},
    hovermode: "x unified", paper_bgcolor: "rgba(0,0,0,0)", plot_bgcolor: "rgba(0,0,0,0)",
    xaxis: {type: "date", gridcolor: "#eee"},
    ...extra,
  };
}

function emptyChart(id, text) {
  const el = $(id);
  if (window.Plotly) Plotly.purge(el);
  el.dataset.buckets = "0";
  el.classList.add("is-empty");
  el.replaceChildren();
  const p = document.createElement("p");
  p.className = "empty";
  p.textContent = text;
  el.append(p);
}

// The partial bucket, shaded and labelled on a time chart (centred on its start, as the bars are).
function partialShading() {
  if (!partial) return {};
  const half = (Date.parse(partial.end) - Date.parse(partial.start)) / 2;
  const from = new Date(Date.parse(partial.start) - half), to = new Date(Date.parse(partial.start) + half);
  return {
    shapes: [{type: "rect", xref: "x", yref: "paper", x0: from, x1: to, y0: 0, y1: 1, layer: "below",
              fillcolor: "rgba(120,120,120,0.12)", line: {width: 0}}],
    annotations: [{xref: "x", yref: "paper", x: partial.start, y: 1, yanchor: "bottom", showarrow: false,
                   text: "partial", font: {size: 9, color: "#666"}}],
  };
}

function plot(id, traces, layout, buckets) {
  const el = $(id);
  el.classList.remove("is-empty");
  el.querySelectorAll("p.empty").forEach((p) => p.remove());
  el.dataset.buckets = String(buckets);
  el.dataset.partial = partial ? partial.start : "";
  Plotly.react(el, traces, baseLayout({...partialShading(), ...layout}), PLOT_CONFIG);
}

// ------------------------------------------------------------------ panels

function describeFilters(params) {
  const parts = Object.entries(params).map(([k, v]) => `${k}=${v}`);
  return parts.length ? ` with ${parts.join(", ")}` : "";
}

function renderDemand(rows, total, win, params) {
  const t = total[0] || null;
  setValue("kpi-sessions", t ? t.total_sessions : 0, "int");
  setValue("kpi-minutes", t ? t.total_inference_minutes : 0, "num");
  setValue("kpi-fees", t ? t.fee_payment_eth : 0, "eth");
  setValue("kpi-success", t ? t.success_ratio : null, "ratio");
  setValue("kpi-known", t ? t.known_sessions : 0, "int");
  if (!rows.length) {
    const text = `No network demand in this window${describeFilters(params)}: no sessions were recorded. ` +
                 "Widen the window or clear a filter.";
    emptyChart("outcomes-chart", text);
    emptyChart("demand-chart", text);
    return;
  }
  const x = rows.map((r) => r.window_start);
  const bar = (name, key, color) => ({type: "bar", name, x, y: rows.map((r) => r[key]), marker: {color},
                                      hovertemplate: "%{y}"});
  plot("outcomes-chart", [
    bar("success", "startup_success_sessions", COLORS.success),
    bar("excused", "excused_sessions", COLORS.excused),
    bar("unexcused", "unexcused_sessions", COLORS.unexcused),
    {type: "scatter", mode: "lines+markers", name: "success ratio", x, y: rows.map((r) => r.success_ratio),
     yaxis: "y2", line: {color: COLORS.ratio, width: 2}, marker: {size: 4}, connectgaps: false,
     hovertemplate: "%{y:.1%}"},
  ], {
    title: {text: "Startup outcomes (known sessions)", font: {size: 12}, x: 0.01, y: 0.97},
    barmode: "stack",
    yaxis: {title: {text: "sessions"}, rangemode: "tozero", gridcolor: "#eee"},
    yaxis2: {overlaying: "y", side: "right", range: [0, 1.05], tickformat: ".0%", showgrid: false},
  }, rows.length);
  const line = (name, key, axis, color) => ({type: "scatter", mode: "lines+markers", name, x,
                                             y: rows.map((r) => r[key]), yaxis: axis, xaxis: "x",
                                             line: {color, width: 2}, marker: {size: 4}});
  plot("demand-chart", [
    line("sessions", "total_sessions", "y", COLORS.sessions),
    line("inference minutes", "total_inference_minutes", "y2", COLORS.minutes),
    line("expected fees (ETH)", "fee_payment_eth", "y3", COLORS.fees),
  ], {
    title: {text: "Sessions, inference minutes, expected fees", font: {size: 12}, x: 0.01, y: 0.97},
    xaxis: {type: "date", gridcolor: "#eee", anchor: "y3"},
    yaxis: {domain: [0.70, 1], rangemode: "tozero", title: {text: "sessions", font: {size: 10}}, gridcolor: "#eee"},
    yaxis2: {domain: [0.36, 0.64], rangemode: "tozero", title: {text: "minutes", font: {size: 10}}, gridcolor: "#eee"},
    yaxis3: {domain: [0, 0.30], rangemode: "tozero", title: {text: "ETH", font: {size: 10}}, gridcolor: "#eee",
             exponentformat: "e"},
  }, rows.length);
}

function renderFps(rows, params) {
  if (!rows.length || rows.every((r) => r.status_samples === 0)) {
    emptyChart("fps-chart", `No status samples (output FPS) in this window${describeFilters(params)}.`);
    return;
  }
  const x = rows.map((r) => r.window_start);
  plot("fps-chart", [
    {type: "scatter", mode: "lines+markers", name: "average", x, y: rows.map((r) => r.avg_output_fps),
     line: {color: COLORS.avg, width: 2}, marker: {size: 4}, hovertemplate: "%{y:.2f}"},
    {type: "scatter", mode: "lines+markers", name: "p95", x, y: rows.map((r) => r.p95_output_fps),
     line: {color: COLORS.p95, width: 2, dash: "dot"}, marker: {size: 4}, hovertemplate: "%{y:.2f}"},
  ], {
    title: {text: "Average and p95 output FPS", font: {size: 12}, x: 0.01, y: 0.97},
    yaxis: {title: {text: "output FPS"}, rangemode: "tozero", gridcolor: "#eee"},
  }, rows.length);
}

// Rows in a sort order: by `key`, rows without a value last either way.
function sortRows(rows, {key, desc}) {
  return rows.slice().sort((a, b) => {
    const va = a[key], vb = b[key];
    if (va === vb) return 0;
    if (va === null || va === undefined) return 1;
    if (vb === null || vb === undefined) return -1;
    const order = typeof va === "number" ? va - vb : String(va).localeCompare(String(vb));
    return desc ? -order : order;
  });
}

// A table's body from rows, sorted: one cell per visible header cell (`data-key` the column;
// `data-type="text"` an id, shortened, `"name"` a name, else `data-kind` the number format); each
// cell's raw value is its `data-value`. `decorate(tr, row)` may add to a row.
function fillTable(table, rows, sort, decorate) {
  const headers = [...table.querySelectorAll("th")];
  for (const th of headers) {
    th.classList.toggle("sorted", th.dataset.key === sort.key);
    th.dataset.dir = th.dataset.key === sort.key ? (sort.desc ? "desc" : "asc") : "";
  }
  const body = table.tBodies[0];
  body.replaceChildren();
  for (const row of sortRows(rows, sort)) {
    const tr = document.createElement("tr");
    for (const th of headers) {
      if (th.hidden) continue;
      const td = document.createElement("td");
      const value = row[th.dataset.key];
      td.dataset.key = th.dataset.key;
      td.dataset.value = value === null || value === undefined ? "" : String(value);
      if (th.dataset.type === "text" || th.dataset.type === "name") {
        td.textContent = th.dataset.type === "text" ? shortId(value ?? null)
                                                    : value === null ? "(unresolved)" : value || "(none)";
        td.title = value ?? "unresolved";
      } else {
        td.textContent = fmt(value, th.dataset.kind);
        td.className = "num";
      }
      tr.append(td);
    }
    if (decorate) decorate(tr, row);
    body.append(tr);
  }
  table.dataset.rows = String(rows.length);
}

// Clicking a header cell sorts by its column; again reverses. A number column starts highest first
// (or as its `data-first` says), an id column A to Z.
function sortable(table, get, set, render) {
  table.tHead.addEventListener("click", (event) => {
    const th = event.target.closest("th");
    if (!th) return;
    const sort = get();
    set(th.dataset.key === sort.key ? {key: th.dataset.key, desc: !sort.desc}
                                    : {key: th.dataset.key, desc: th.dataset.type ? false
                                                                  : th.dataset.first !== "asc"});
    render();
  });
}

function renderSla() {
  const min = Number($("sla-min").value) || 0;
  const groups = $("sla-group").value.split(",");
  const table = $("sla-table");
  table.querySelectorAll("th").forEach((th) => {
    th.hidden = (th.dataset.key === "orchestrator_address" || th.dataset.key === "gpu_id") &&
                !groups.includes(th.dataset.key);
  });
  const shown = slaRows.filter((r) => r.known_sessions >= min);
  fillTable(table, shown, slaSort);
  if (!slaRows.length) {
    $("sla-note").textContent = "No SLA rows in this window (no sessions were attributed to an orchestrator).";
  } else if (!shown.length) {
    $("sla-note").textContent = `None of the ${slaRows.length} rows has at least ${min} known sessions: lower the minimum.`;
  } else {
    $("sla-note").textContent = `${shown.length} of ${slaRows.length} rows (at least ${min} known sessions). ` +
                                "Click a column to sort.";
  }
}

function renderIngest(rows, total, params) {
  const t = total[0] || {};
  setValue("ingest-mbps", t.ingest_mbps, "mbps");
  setValue("ingest-loss", t.packet_loss_pct, "pct");
  setValue("ingest-jitter-video", t.avg_video_jitter_ms, "ms");
  setValue("ingest-jitter-audio", t.avg_audio_jitter_ms, "ms");
  setValue("ingest-good", t.conn_quality_good_ratio, "ratio");
  setValue("ingest-bad", t.conn_quality_bad_ratio, "ratio");
  setValue("ingest-other", t.conn_quality_other_ratio, "ratio");
  setValue("ingest-samples", t.ingest_samples ?? 0, "int");
  if (!rows.length || rows.every((r) => r.ingest_samples === 0)) {
    const text = `No ingest metrics in this window${describeFilters(params)}: no gateway reported on a ` +
                 "broadcaster's upload.";
    emptyChart("ingest-chart", text);
    emptyChart("quality-chart", text);
    return;
  }
  const x = rows.map((r) => r.window_start);
  plot("ingest-chart", [
    {type: "scatter", mode: "lines+markers", name: "ingest Mbps", x, y: rows.map((r) => r.ingest_mbps),
     line: {color: COLORS.mbps, width: 2}, marker: {size: 4}, hovertemplate: "%{y:.3f} Mbps"},
    {type: "scatter", mode: "lines+markers", name: "packet loss %", x, y: rows.map((r) => r.packet_loss_pct),
     yaxis: "y2", line: {color: COLORS.loss, width: 2, dash: "dot"}, marker: {size: 4},
     hovertemplate: "%{y:.3f} %"},
  ], {
    title: {text: "Ingest rate and packet loss", font: {size: 12}, x: 0.01, y: 0.97},
    yaxis: {title: {text: "Mbps"}, rangemode: "tozero", gridcolor: "#eee"},
    yaxis2: {title: {text: "loss %"}, overlaying: "y", side: "right", rangemode: "tozero", showgrid: false,
             tickformat: ".3~f"},
  }, rows.length);
  const labelled = rows.filter((r) => r.conn_quality_good_ratio !== null);
  if (!labelled.length) {
    emptyChart("quality-chart", "No connection-quality label in this window (only samples without tracks).");
    return;
  }
  const share = (name, key, color) => ({type: "bar", name, x, y: rows.map((r) => r[key]), marker: {color},
                                        hovertemplate: "%{y:.1%}"});
  plot("quality-chart", [
    share("good", "conn_quality_good_ratio", COLORS.good),
    share("bad", "conn_quality_bad_ratio", COLORS.bad),
    share("other", "conn_quality_other_ratio", COLORS.other),
  ], {
    title: {text: "Connection quality (share of labelled samples)", font: {size: 12}, x: 0.01, y: 0.97},
    barmode: "stack",
    yaxis: {range: [0, 1.02], tickformat: ".0%", gridcolor: "#eee"},
  }, rows.length);
}

function renderSupply() {
  fillTable($("supply-table"), supplyRows, supplySort, (tr, row) => {
    if (row.advertised_gpu_hours > 0 && row.model_id !== null) {
      tr.dataset.model = encode(row.model_id);
      tr.classList.add("pick");
      tr.title = "Show the best value GPUs for this model";
      tr.classList.toggle("picked", tr.dataset.model === $("value-model").value);
    }
  });
  const ignored = ["gateway", "region", "pipeline"].filter((c) => $(FILTERS[c]).value !== "");
  $("supply-note").textContent = (supplyRows.length
    ? `${supplyRows.length} model${supplyRows.length === 1 ? "" : "s"}. Click a model on offer for its GPUs.`
    : `No supply or demand in this window${describeFilters(supplyParams)}: no capability snapshot listed a GPU ` +
      "and no session started.") +
    (ignored.length ? ` The ${ignored.join(" and ")} filter does not apply here.` : "");
}

function renderValue() {
  const offeredOnly = $("value-offered").checked;
  const shown = valueRows.filter((r) => !offeredOnly || r.advertised_gpu_hours > 0);
  fillTable($("value-table"), shown, valueSort);
  const model = $("value-model").value;
  if (model === "") {
    $("value-note").textContent = "No GPU was on offer for any model in this window.";
  } else if (!shown.length) {
    $("value-note").textContent = `None of the ${valueRows.length} rows was on offer in this window: ` +
                                  "untick \u201con offer only\u201d.";
  } else {
    $("value-note").textContent = `${shown.length} of ${valueRows.length} GPUs` +
                                  (offeredOnly ? " (on offer only)" : "") + ". Click a column to sort.";
  }
}

function renderDataQuality(dq) {
  const lines = dq.lines;
  const box = $("dq-lines");
  box.replaceChildren();
  for (const [key, label] of [["delivered_lines", "delivered"], ["accepted_events", "accepted"],
                              ["duplicate_lines", "duplicates"], ["quarantined_lines", "quarantined"]]) {
    const span = document.createElement("span");
    span.id = "dq-" + key;
    span.dataset.value = String(lines[key] ?? 0);
    span.innerHTML = `<b></b> ${label}`;
    span.querySelector("b").textContent = fmt(lines[key] ?? 0, "int");
    box.append(span);
  }
  const reasons = $("dq-reasons").tBodies[0];
  reasons.replaceChildren();
  const most = Math.max(1, ...dq.quarantined_by_reason.map((r) => r.lines));
  if (!dq.quarantined_by_reason.length) {
    reasons.innerHTML = '<tr><td class="ok">No line was quarantined.</td></tr>';
  }
  for (const row of dq.quarantined_by_reason) {
    const tr = document.createElement("tr");
    tr.dataset.reason = row.quarantine_reason;
    tr.dataset.value = String(row.lines);
    tr.innerHTML = '<td class="reason"></td><td class="bar"><span></span></td><td class="num"></td>';
    tr.cells[0].textContent = row.quarantine_reason;
    tr.cells[1].firstChild.style.width = (100 * row.lines / most).toFixed(1) + "%";
    tr.cells[2].textContent = fmt(row.lines, "int");
    reasons.append(tr);
  }
  const list = (id, countId, finding, label, nameOf) => {
    const count = $(countId);
    count.dataset.value = String(finding[label]);
    count.textContent = `${fmt(finding[label], "int")} (${fmt(finding.events, "int")} events)`;
    const ul = $(id);
    ul.replaceChildren();
    if (!finding.top.length) {
      const li = document.createElement("li");
      li.className = "ok";
      li.textContent = "None.";
      ul.append(li);
    }
    for (const row of finding.top) {
      const li = document.createElement("li");
      li.dataset.value = String(row.event_count);
      li.innerHTML = '<span class="n"></span><span class="text"></span>';
      li.firstChild.textContent = fmt(row.event_count, "int");
      li.lastChild.textContent = nameOf(row);
      li.title = `${nameOf(row)}\nfirst seen ${row.first_seen_at}, last seen ${row.last_seen_at}`;
      ul.append(li);
    }
  };
  list("dq-errors", "dq-errors-count", dq.unclassified_errors, "messages", (r) => r.message || "(empty message)");
  list("dq-subtypes", "dq-subtypes-count", dq.unmapped_trace_subtypes, "subtypes",
       (r) => `${r.trace_subtype || "(empty)"}${r.trace_category ? " (" + r.trace_category + ")" : ""}`);
}

// An age in words: "under a minute", "4 min", "2.5 h", "3 days" (a negative age, a clock behind the
// server's, is "under a minute").
function ago(seconds) {
  if (!(seconds >= 60)) return "under a minute";
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
  if (seconds < 172800) return `${(seconds / 3600).toFixed(1)} h`;
  return `${Math.round(seconds / 86400)} days`;
}

const utc = (isoText) => isoText.slice(0, 19).replace("T", " ") + " UTC";

function duration(seconds) {
  if (seconds < 120) return seconds.toFixed(1) + " s";
  return seconds < 7200 ? (seconds / 60).toFixed(1) + " min" : (seconds / 3600).toFixed(1) + " h";
}

const RUN_OK = ["success", "nothing_new", "running"];   // every other state (failed, killed) is bad

// The tooltip of a run: when it ran, what its batch delivered and recomputed, how it ended.
function runDetails(run) {
  const lines = [`Run started ${utc(run.started_at)}` +
                 (run.duration_s === null ? "" : `, took ${duration(run.duration_s)}`) +
                 (run.finished_at ? `, finished ${utc(run.finished_at)}` : "")];
  if (run.lines_delivered !== null) {
    const reasons = Object.entries(run.quarantined_by_reason || {}).map(([k, n]) => `${k} ${fmt(n, "int")}`);
    lines.push(`${fmt(run.lines_delivered, "int")} lines delivered, ${fmt(run.lines_quarantined, "int")} quarantined` +
               (reasons.length ? ` (${reasons.join(", ")})` : "") +
               (run.lines_accepted === null ? "" : `, ${fmt(run.lines_accepted, "int")} accepted`));
  }
  if (run.sessions_recomputed !== null) lines.push(`${fmt(run.sessions_recomputed, "int")} sessions recomputed`);
  if (run.nodes_failed) lines.push(`${fmt(run.nodes_failed, "int")} dbt nodes failed`);
  if (run.state === "nothing_new") lines.push("Nothing new since the last successful run: dbt not started");
  if (run.state === "running") lines.push("Still running (it holds the run lock)");
  if (run.state === "killed") {
    lines.push("Never finished (killed or crashed): " + (run.is_repaired
      ? "repaired by a later successful run" : "not repaired yet; the next successful run completes what it left"));
  }
  return lines.join("\n");
}

// The job's last run in the header (its state and age) and, under the controls, a line when the newest
// finished run failed or a killed run is not repaired yet. `result` is {value: /v1/runs's answer} or
// {error}. Ages are counted by the browser's clock from the run's end (or start, when it has none).
function renderRuns(result, nowMs) {
  const el = $("last-run");
  const alert = $("run-alert");
  const runs = result.value ? result.value.runs : [];
  const last = runs[0] || null;
  el.dataset.runState = last ? last.state : "";
  el.dataset.runId = last ? last.run_id : "";
  el.dataset.startedAt = last ? last.started_at : "";
  el.dataset.finishedAt = last && last.finished_at ? last.finished_at : "";
  el.dataset.age = "";
  if (result.error) {
    const e = result.error;
    el.dataset.state = "unknown";
    el.textContent = "Last run: " + (e.status === 401 ? "needs the API token"
                                                     : `unknown (the API answered ${e.status || "an error"})`);
    el.title = e.message;
  } else if (!last) {
    el.dataset.state = "none";
    el.textContent = "Last run: no run recorded";
    el.title = "The job records each run in the warehouse (job_runs, docs/monitoring.md): none is recorded yet. " +
               "`make run` builds the warehouse and records its run.";
  } else {
    const since = last.finished_at || last.started_at;
    const age = Math.max(0, (nowMs - Date.parse(since)) / 1000);
    const bad = !RUN_OK.includes(last.state);
    el.dataset.state = bad ? "bad" : "ok";
    el.dataset.age = String(age);
    el.textContent = (bad ? "\u26a0 " : "") + `Last run: ${last.state.replace("_", " ")}, ` +
                     (last.finished_at ? "" : "started ") + `${ago(age)} ago`;
    el.title = runDetails(last);
  }
  const finished = runs.find((r) => r.finished_at);
  const failed = finished && finished.state === "failed" ? finished : null;
  const killed = runs.filter((r) => r.state === "killed" && !r.is_repaired);
  const parts = [];
  if (failed) {
    parts.push(`\u26a0 The last finished run failed (started ${utc(failed.started_at)}` +
               (failed.nodes_failed ? `, ${fmt(failed.nodes_failed, "int")} dbt nodes failed` : "") +
               "): the job's log says why; the next run starts dbt again.");
  }
  if (killed.length) {
    const one = killed.length === 1;
    parts.push(`\u26a0 ${one ? "A run" : killed.length + " runs"} never finished (killed or crashed) and ` +
               `${one ? "is" : "are"} not repaired yet (${one ? "" : "the newest "}started ` +
               `${utc(killed[0].started_at)}): the next successful run completes what ${one ? "it" : "they"} left.`);
  }
  alert.dataset.failed = failed ? failed.run_id : "";
  alert.dataset.killed = String(killed.length);
  alert.replaceChildren(...parts.map((text) => Object.assign(document.createElement("span"), {textContent: text})));
  alert.hidden = !parts.length;
}

function renderFreshness(health) {
  const el = $("freshness");
  if (!health.newest_window_start) {
    el.dataset.state = "empty";
    el.textContent = "The warehouse holds no data yet: run `make run`.";
    return;
  }
  const age = health.age_seconds;
  const stale = age > STALE_AFTER_S;
  el.dataset.state = stale ? "stale" : "fresh";
  el.dataset.age = String(age);
  el.textContent = (stale ? "\u26a0 Stale: " : "Fresh: ") +
                   `newest data ${health.newest_window_start.replace("T", " ").replace(":00Z", " UTC")}, ` +
                   `${ago(age)} ago` + (stale ? " (the job has not added data since)" : "");
}

function renderPartial(win) {
  const note = $("partial");
  const inside = partial && (!win.start || (partial.start >= win.start && partial.start < win.end));
  if (!inside) partial = null;
  note.hidden = !partial;
  note.dataset.start = partial ? partial.start : "";
  note.dataset.end = partial ? partial.end : "";
  const at = (v) => v.slice(0, 16).replace("T", " ");
  note.textContent = partial ? `The last ${win.granularity} shown (from ${at(partial.start)} UTC) is still filling: ` +
                               `its numbers grow until ${at(partial.end)} UTC.` : "";
}

// ------------------------------------------------------------------ auto-refresh

function scheduleRefresh() {
  clearTimeout(refreshTimer);
  const on = $("auto-refresh").checked;
  const el = $("refresh-state");
  el.dataset.state = on ? "on" : "paused";
  el.textContent = on ? "" : "paused";
  if (on) {
    refreshTimer = setTimeout(() => (document.hidden ? scheduleRefresh() : load("refresh")), REFRESH_S * 1000);
  }
}

// ------------------------------------------------------------------ loading

async function loadOptions(win) {
  const span = win.start ? {start: win.start, end: win.end} : {};
  const [demand, gpus] = await Promise.all([
    allRows("/v1/network/demand", {...span, granularity: "total", group_by: DEMAND_COLUMNS.join(",")}),
    allRows("/v1/gpu/metrics", {...span, granularity: "total", group_by: "region,pipeline,model_id"}),
  ]);
  fillSelect($("filter-gateway"), distinct(demand, "gateway"));
  for (const column of ["region", "pipeline", "model_id"]) {
    const values = distinct(demand.concat(gpus), column);
    fillSelect($(FILTERS[column]), values);
  }
}

async function loadFpsValues(win) {
  const dimension = $("fps-dimension").value;
  const span = win.start ? {start: win.start, end: win.end} : {};
  const params = {...span, granularity: "total", group_by: dimension, ...filterParams(GPU_COLUMNS)};
  delete params[dimension];
  const rows = (await allRows("/v1/gpu/metrics", params)).filter((r) => r.status_samples > 0);
  rows.sort((a, b) => b.status_samples - a.status_samples);
  fillSelect($("fps-value"), rows.map((r) => r[dimension]), (v) => shortId(v));
}

// Supply and demand per model over the window, then the GPUs of one model on offer (the one picked in
// the panel, else the model with the most GPU-hours on offer): price next to performance.
async function loadSupply(span, params) {
  const rows = await allRows("/v1/supply/demand", {...span, granularity: "total", group_by: "model_id", ...params});
  const offered = rows.filter((r) => r.advertised_gpu_hours > 0 && r.model_id !== null);
  offered.sort((a, b) => b.advertised_gpu_hours - a.advertised_gpu_hours || a.model_id.localeCompare(b.model_id));
  const models = offered.map((r) => r.model_id);
  const picked = $("value-model").value;
  const model = models.find((m) => encode(m) === picked) ?? models[0];
  const gpus = model === undefined ? [] : await allRows("/v1/gpu/price-performance", {
    ...span, granularity: "total", group_by: "orchestrator_address,gpu_id", ...params, model_id: model});
  return {rows, models, model, gpus};
}

function fillModels(models, model) {
  const select = $("value-model");
  select.replaceChildren();
  for (const m of models.length ? models : [null]) {
    const option = document.createElement("option");
    option.value = m === null ? "" : encode(m);
    option.textContent = m === null ? "(no model on offer)" : m === "" ? "(none)" : m;
    select.append(option);
  }
  select.value = model === undefined ? "" : encode(model);
}

async function load(what) {
  const seq = ++loadSeq;
  document.body.dataset.state = "loading";
  try {
    // the job's runs beside the health check: shown (or their error) even when the rest fails
    const [checked, runs] = await Promise.all([settle(api("/healthz")), settle(api("/v1/runs", {limit: RUNS}))]);
    if (seq !== loadSeq) return;
    renderRuns(runs, Date.now());
    if (checked.error) throw checked.error;
    if (runs.error) throw runs.error;
    const health = checked.value;
    newest = health.newest_window_start ? new Date(health.newest_window_start) : null;
    renderFreshness(health);
    const win = currentWindow();
    const span = win.start ? {start: win.start, end: win.end} : {};
    partial = partialBucket(health.newest_window_start, Date.now(), win.granularity);
    if (what === "all" || what === "refresh") await loadOptions(win);
    if (["all", "refresh", "filters", "fps-dimension"].includes(what)) await loadFpsValues(win);

    const demandParams = filterParams(DEMAND_COLUMNS);
    const gpuParams = filterParams(GPU_COLUMNS);
    const fpsParams = {...gpuParams};
    const fpsValue = $("fps-value").value;
    if (fpsValue !== "") fpsParams[$("fps-dimension").value] = decode(fpsValue);
    const slaGroup = $("sla-group").value;
    const supplyFilters = filterParams(SUPPLY_COLUMNS);

    const [demandRows, demandTotal, fpsRows, sla, ingestRows, ingestTotal, supply, dq] = await Promise.all([
      allRows("/v1/network/demand", {...span, granularity: win.granularity, group_by: "", ...demandParams}),
      allRows("/v1/network/demand", {...span, granularity: "total", group_by: "", ...demandParams}),
      allRows("/v1/gpu/metrics", {...span, granularity: win.granularity, group_by: "", ...fpsParams}),
      allRows("/v1/sla/compliance", {...span, granularity: "total", group_by: slaGroup, ...gpuParams}),
      allRows("/v1/ingest/quality", {...span, granularity: win.granularity, group_by: "", ...demandParams}),
      allRows("/v1/ingest/quality", {...span, granularity: "total", group_by: "", ...demandParams}),
      loadSupply(span, supplyFilters),
      api("/v1/data-quality", {limit: 8}),
    ]);
    if (seq !== loadSeq) return;  // a newer load started meanwhile
    const shownStart = win.start || (demandTotal[0] && demandTotal[0].window_start) || "";
    const shownEnd = win.end || (demandTotal[0] && demandTotal[0].window_end) || "";
    const w = $("window");
    w.dataset.start = shownStart;
    w.dataset.end = shownEnd;
    w.dataset.granularity = win.granularity;
    w.textContent = shownStart ? `${shownStart.slice(0, 16).replace("T", " ")} \u2192 ` +
                                 `${shownEnd.slice(0, 16).replace("T", " ")} UTC, per ${win.granularity}` : "";
    if ($("window-select").value !== "custom" && win.start) {
      $("custom-start").value = localInput(new Date(win.start));
      $("custom-end").value = localInput(new Date(win.end));
    }
    renderPartial(win);
    renderDemand(demandRows, demandTotal, win, demandParams);
    renderFps(fpsRows, fpsParams);
    slaRows = sla;
    renderSla();
    renderIngest(ingestRows, ingestTotal, demandParams);
    fillModels(supply.models, supply.model);
    supplyRows = supply.rows;
    supplyParams = supplyFilters;
    valueRows = supply.gpus;
    renderSupply();
    renderValue();
    renderDataQuality(dq);
    showMessage("");
    renders += 1;
    document.body.dataset.renders = String(renders);
    document.body.dataset.state = "ready";
    scheduleRefresh();
  } catch (exc) {
    if (seq !== loadSeq) return;
    scheduleRefresh();
    document.body.dataset.state = "error";
    if (exc instanceof ApiError && exc.status === 401) {
      $("token-box").open = true;
      showMessage("The API needs a token: enter LIVEPEER_API_TOKEN under \u201cAPI token\u201d (top right).");
    } else {
      showMessage(exc instanceof ApiError ? `The API answered ${exc.status}: ${exc.message}` : String(exc));
    }
  }
}

function init() {
  $("token").value = localStorage.getItem(TOKEN_KEY) || "";
  $("refresh-every").textContent = String(REFRESH_S);
  $("auto-refresh").checked = localStorage.getItem(REFRESH_KEY) !== "off";
  $("auto-refresh").addEventListener("change", () => {
    localStorage.setItem(REFRESH_KEY, $("auto-refresh").checked ? "on" : "off");
    scheduleRefresh();
  });
  $("token-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const token = $("token").value.trim();
    if (token) localStorage.setItem(TOKEN_KEY, token); else localStorage.removeItem(TOKEN_KEY);
    $("token-box").open = false;
    load("all");
  });
  $("window-select").addEventListener("change", () => {
    const custom = $("window-select").value === "custom";
    $("custom-range").hidden = !custom;
    if (!custom) load("all");
  });
  $("custom-apply").addEventListener("click", () => load("all"));
  for (const id of Object.values(FILTERS)) $(id).addEventListener("change", () => load("filters"));
  $("fps-dimension").addEventListener("change", () => { $("fps-value").value = ""; load("fps-dimension"); });
  $("fps-value").addEventListener("change", () => load("fps"));
  $("sla-group").addEventListener("change", () => load("sla"));
  $("sla-min").addEventListener("input", renderSla);
  sortable($("sla-table"), () => slaSort, (sort) => { slaSort = sort; }, renderSla);
  sortable($("supply-table"), () => supplySort, (sort) => { supplySort = sort; }, renderSupply);
  sortable($("value-table"), () => valueSort, (sort) => { valueSort = sort; }, renderValue);
  $("supply-table").tBodies[0].addEventListener("click", (event) => {
    const tr = event.target.closest("tr[data-model]");
    if (!tr || tr.dataset.model === $("value-model").value) return;
    $("value-model").value = tr.dataset.model;
    load("supply");
  });
  $("value-model").addEventListener("change", () => load("supply"));
  $("value-offered").addEventListener("change", renderValue);
  if (!window.Plotly) {
    showMessage("The chart library (/dashboard/plotly.min.js) did not load: install the pinned requirements.");
  }
  load("all");
}

document.addEventListener("DOMContentLoaded", init);
