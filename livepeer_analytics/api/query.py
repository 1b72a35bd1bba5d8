"""SQL for the API, built only from the whitelisted column names of views.py;
every value (times, filter values, cursor keys, limit) is a bound parameter.

A request becomes the page's query and one query per fact of the view (views.FactColumns):

1. the page: the view's additive columns summed per time bucket and group,
   ordered by (bucket, then for each group column: NULL last, value), filtered
   by the keyset cursor, limited to limit + 1 rows (one more tells whether a
   next page exists);
2. the columns that are neither additive nor ratios of sums, per bucket and
   group from their fact, with the same window and filters, restricted to the
   page's buckets (fact_sql): p95_output_fps from fct_status_samples when a row
   is wider than one view row (granularity other than hour, or fewer group
   columns than the grain; else the view's own value stands), with the view's
   quantile (macros/stats.sql: DuckDB quantile_cont, ClickHouse
   quantileExactInclusive: linear interpolation between closest ranks); the
   distinct GPUs and orchestrators from fct_gpu_supply at every granularity
   (the views have no such column).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass

from livepeer_analytics.api.views import FactColumns, ViewSpec

GRANULARITIES = ("hour", "day", "week", "total")
STEPS = {"hour": dt.timedelta(hours=1), "day": dt.timedelta(days=1), "week": dt.timedelta(weeks=1)}
NULL_TOKEN = "~null"  # a filter value that selects NULL (an unresolved orchestrator or GPU)


class BadRequest(Exception):
    """A one-line reason why the request is not valid (answered 400)."""


class Dialect:
    name = "duckdb"

    def placeholder(self, name: str) -> str:
        return f"${name}"

    def bucket(self, granularity: str) -> str:
        return {
            "hour": "window_start",
            "day": "date_trunc('day', window_start)",
            "week": "date_trunc('week', window_start)",  # ISO week: Monday 00:00 UTC
        }[granularity]

    def p95(self, expr: str) -> str:
        return f"quantile_cont({expr}, 0.95)"

    def count_distinct(self, expr: str) -> str:
        return f"count(distinct {expr})"  # exact on both engines (ClickHouse: uniqExact)


class ClickHouseDialect(Dialect):
    name = "clickhouse"

    def placeholder(self, name: str) -> str:
        return f"%({name})s"

    def bucket(self, granularity: str) -> str:
        return {
            "hour": "window_start",
            "day": "toStartOfDay(window_start, 'UTC')",
            "week": "toDateTime(toMonday(window_start, 'UTC'), 'UTC')",
        }[granularity]

    def p95(self, expr: str) -> str:
        return f"quantileExactInclusive(0.95)({expr})"


@dataclass(frozen=True)
class Query:
    spec: ViewSpec
    start: dt.datetime      # naive UTC, whole hour
    end: dt.datetime        # naive UTC, whole hour, > start
    granularity: str
    group_by: tuple[str, ...]
    filters: tuple[tuple[str, tuple[str | None, ...]], ...]  # (column, values) in grain order
    limit: int
    after: tuple | None = None  # the keyset of the last row of the previous page

    def fingerprint(self) -> str:
        """What a cursor is bound to: the same view, window, granularity, groups and filters."""
        raw = json.dumps([self.spec.name, self.start.isoformat(), self.end.isoformat(), self.granularity,
                          self.group_by, self.filters])
        return hashlib.sha256(raw.encode()).hexdigest()[:16]

    @property
    def single_view_row(self) -> bool:
        """Each output row is exactly one view row (the view's own p95 is exact)."""
        return self.granularity == "hour" and set(self.group_by) == set(self.spec.grain)


class Sql:
    def __init__(self, dialect: Dialect):
        self.dialect = dialect
        self.params: dict[str, object] = {}

    def param(self, value) -> str:
        name = f"p{len(self.params)}"
        self.params[name] = value
        return self.dialect.placeholder(name)


def _where(sql: Sql, query: Query) -> str:
    parts = [f"window_start >= {sql.param(query.start)}", f"window_start < {sql.param(query.end)}"]
    for column, values in query.filters:
        options = []
        concrete = [v for v in values if v is not None]
        if concrete:
            options.append(f"{column} in ({', '.join(sql.param(v) for v in concrete)})")
        if len(concrete) < len(values):
            options.append(f"{column} is null")
        parts.append("(" + " or ".join(options) + ")")
    return " and ".join(parts)


def _key_exprs(query: Query, prefix: str = "") -> list[str]:
    keys = [f"{prefix}bucket"] if query.granularity != "total" else []
    for column in query.group_by:
        keys.append(f"(case when {prefix}{column} is null then 1 else 0 end)")
        keys.append(f"coalesce({prefix}{column}, '')")
    return keys


def row_key(query: Query, row: dict) -> list:
    """The keyset of an output row, as the cursor stores it (JSON-safe)."""
    key = [row["bucket"].isoformat()] if query.granularity != "total" else []
    for column in query.group_by:
        value = row[column]
        key += [1 if value is None else 0, "" if value is None else value]
    return key


def page_sql(query: Query, dialect: Dialect) -> tuple[str, dict]:
    sql = Sql(dialect)
    spec = query.spec
    selected = ([f"{dialect.bucket(query.granularity)} as bucket"] if query.granularity != "total" else [])
    selected += list(query.group_by)
    grouped = len(selected)
    if query.single_view_row:
        # one view row per output row (the grain is unique per hour): no re-aggregation needed; the view's
        # own values of its fact columns (p95) stand
        plain = list(spec.additive) + [n for fact in spec.facts if fact.in_view for n in fact.names]
        inner = (f"select {', '.join(selected + plain + ['1 as view_rows'])} "
                 f"from {spec.name} where {_where(sql, query)}")
    else:
        sums = [f"sum({column}) as {column}" for column in spec.additive]
        inner = (
            f"select {', '.join(selected + sums + ['count(*) as view_rows'])} "
            f"from {spec.name} where {_where(sql, query)}"
            + (f" group by {', '.join(str(i) for i in range(1, grouped + 1))}" if grouped else "")
        )
    conditions = ["agg.view_rows > 0"]
    keys = _key_exprs(query, "agg.")
    if query.after is not None:
        values = [sql.param(v) for v in query.after]
        # lexicographic (k1, k2, ...) > (v1, v2, ...), spelled out for both engines
        alternatives = []
        for i in range(len(keys)):
            equal = [f"{keys[j]} = {values[j]}" for j in range(i)]
            alternatives.append("(" + " and ".join(equal + [f"{keys[i]} > {values[i]}"]) + ")")
        conditions.append("(" + " or ".join(alternatives) + ")")
    # every ratio from the sums, by the view's own formulas (views.py: the view's YAML); a missing sum
    # counts as 0, as in the answer's additive columns (shape_row)
    ratios = "".join(f", {over_sums(spec, formula)} as {name}" for name, formula in spec.derived.items())
    text = (
        f"select agg.*{ratios} from ({inner}) as agg where {' and '.join(conditions)}"
        + (f" order by {', '.join(keys)}" if keys else "")
        + f" limit {sql.param(query.limit + 1)}"
    )
    return text, sql.params


def over_sums(spec: ViewSpec, formula: str, wrap: str = "coalesce(agg.{}, 0)") -> str:
    """A formula of the view's YAML with each additive column `c` read as wrap.format(c): by default a
    page's sum, a missing one counted as 0 (as shape_row returns it); `sum({})` over the view's rows."""
    names = "|".join(re.escape(column) for column in spec.additive)
    return re.sub(rf"\b({names})\b", lambda match: wrap.format(match.group(1)), formula)


def facts_to_compute(query: Query) -> tuple[FactColumns, ...]:
    """The view's fact columns this query computes: all, except those of the view itself when each output
    row is one view row (its own value is exact)."""
    return tuple(f for f in query.spec.facts if not (f.in_view and query.single_view_row))


def fact_sql(query: Query, fact: FactColumns, dialect: Dialect, first_bucket: dt.datetime | None,
             last_bucket: dt.datetime | None) -> tuple[str, dict]:
    """The fact's columns per bucket and group, over the query's window and filters, restricted to the
    buckets first_bucket..last_bucket (those of the page) when given."""
    sql = Sql(dialect)
    selected = ([f"{dialect.bucket(query.granularity)} as bucket"] if query.granularity != "total" else [])
    selected += list(query.group_by)
    where = _where(sql, query)
    if first_bucket is not None:
        bucket = dialect.bucket(query.granularity)
        where += f" and {bucket} >= {sql.param(first_bucket)} and {bucket} <= {sql.param(last_bucket)}"
    aggregates = [f"{getattr(dialect, aggregate)(argument)} as {name}" for name, aggregate, argument in fact.columns]
    text = (
        f"select {', '.join(selected + aggregates)} from {fact.relation} as fact where {where}"
        + (f" group by {', '.join(str(i) for i in range(1, len(selected) + 1))}" if selected else "")
    )
    return text, sql.params


def group_key(query: Query, row: dict) -> tuple:
    """The (bucket, group values) an output row and a fact's row are matched on."""
    return tuple([row.get("bucket")] + [row[c] for c in query.group_by])


# ------------------------------------------------------------------ cursor

def encode_cursor(query: Query, key: list) -> str:
    raw = json.dumps({"q": query.fingerprint(), "k": key}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(query: Query, cursor: str) -> tuple:
    """The keyset stored in a cursor, checked against this query's shape."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")).decode())
        fingerprint, key = data["q"], data["k"]
    except Exception:
        raise BadRequest("malformed cursor: pass back the next_cursor of a previous answer unchanged") from None
    if fingerprint != query.fingerprint():
        raise BadRequest("the cursor belongs to a different query: keep start, end, granularity, group_by "
                         "and filters unchanged while paging")
    expected = (0 if query.granularity == "total" else 1) + 2 * len(query.group_by)
    if not isinstance(key, list) or len(key) != expected:
        raise BadRequest("malformed cursor: pass back the next_cursor of a previous answer unchanged")
    values: list = []
    position = 0
    try:
        if query.granularity != "total":
            values.append(dt.datetime.fromisoformat(key[0]))
            position = 1
        for i in range(position, expected, 2):
            flag, value = key[i], key[i + 1]
            if flag not in (0, 1) or not isinstance(value, str):
                raise ValueError
            values += [flag, value]
    except (ValueError, TypeError):
        raise BadRequest("malformed cursor: pass back the next_cursor of a previous answer unchanged") from None
    return tuple(values)


# ------------------------------------------------------------------ rows

def normalise(value):
    """Engine values to plain Python: naive UTC datetimes, floats for decimals."""
    import decimal

    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.astimezone(dt.UTC).replace(tzinfo=None)
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return dt.datetime(value.year, value.month, value.day)
    if isinstance(value, decimal.Decimal):
        return float(value)
    return value


def iso(value: dt.datetime) -> str:
    return value.isoformat() + "Z"


def shape_rows(query: Query, page: list[dict], facts: dict | None) -> list[dict]:
    """The output rows: window, group, summed additive columns, ratios recomputed from the sums, and the
    fact columns (`facts`: per group_key, every value the fact queries computed, or the facts' `missing`
    values; the view's own values, in the page's row, when the query computes none)."""
    spec = query.spec
    integer = spec.integer | {name for fact in spec.facts if fact.integer for name in fact.names}
    additive = [(column, int if column in integer else float) for column in spec.additive]
    others = [(column, int if column in integer else float) for column in spec.columns[len(spec.additive):]]
    missing = {name: fact.missing for fact in facts_to_compute(query) for name in fact.names}
    windows: dict = {}  # bucket -> its window_start and window_end (many rows share a bucket)
    out = []
    for row in page:
        bucket = row.get("bucket")
        window = windows.get(bucket)
        if window is None:
            window = windows[bucket] = _window_of(query, bucket)
        shaped = {"window_start": window[0], "window_end": window[1]}
        for column in query.group_by:
            shaped[column] = row[column]
        for column, convert in additive:  # a missing sum is 0
            shaped[column] = convert(row[column] or 0)
        if missing:
            row.update((facts or {}).get(group_key(query, row), missing))
        for column, convert in others:
            value = row[column]
            shaped[column] = None if value is None else convert(value)
        out.append(shaped)
    return out


def _window_of(query: Query, bucket: dt.datetime | None) -> tuple[str, str]:
    """A row's window_start and window_end: its bucket clipped to the window; the window for `total`."""
    if bucket is None:
        return iso(query.start), iso(query.end)
    return iso(max(bucket, query.start)), iso(min(bucket + STEPS[query.granularity], query.end))


def newest_window_sql(specs) -> str:
    """The newest window_start over every view (/healthz)."""
    union = " union all ".join(f"select max(window_start) as w from {spec.name}" for spec in specs)
    return f"select max(w) as newest from ({union}) as t"


# The data-quality queries (/v1/data-quality), whole tables: the dq_* models describe everything the last
# build read. Only the limit is a value, bound as a parameter ($limit becomes the dialect's placeholder).
DATA_QUALITY_SQL = (
    "select sum(delivered_lines) as delivered_lines, sum(accepted_events) as accepted_events, "
    "sum(duplicate_lines) as duplicate_lines, sum(quarantined_lines) as quarantined_lines, "
    "sum(timestamp_in_seconds_events) as timestamp_in_seconds_events from dq_event_summary",
    "select quarantine_reason, sum(line_count) as lines, count(*) as distinct_lines from dq_quarantined_events "
    "group by quarantine_reason order by lines desc, quarantine_reason",
    "select flag, count(*) as events from dq_flagged_events group by flag order by events desc, flag",
    "select count(*) as messages, sum(event_count) as events from dq_unclassified_errors",
    "select message, event_count, session_count, first_seen_at, last_seen_at from dq_unclassified_errors "
    "order by event_count desc, message limit $limit",
    "select count(*) as subtypes, sum(event_count) as events from dq_unmapped_trace_subtypes",
    "select trace_subtype, trace_category, event_count, first_seen_at, last_seen_at from dq_unmapped_trace_subtypes "
    "order by event_count desc, trace_subtype, trace_category limit $limit",
)


def data_quality_sql(dialect: Dialect, limit: int) -> list[tuple[str, dict]]:
    """The data-quality statements with their parameters, in the dialect."""
    return [(sql.replace("$limit", dialect.placeholder("limit")), {"limit": limit} if "$limit" in sql else {})
            for sql in DATA_QUALITY_SQL]
