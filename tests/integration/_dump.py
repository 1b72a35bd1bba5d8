"""Print a model's rows as JSON (one canonical form for every engine).

    DBT_TARGET=<duckdb|chdb> python tests/integration/_dump.py <model> [<model> ...]

Run in its own process: the in-process ClickHouse engine (chdb) opens one data
path per process. Timestamps become naive UTC ISO strings, decimals floats.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from livepeer_analytics.warehouse import Warehouse  # noqa: E402


def canonical(value):
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC).replace(tzinfo=None)
        return value.isoformat()
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value)
    return value


def main() -> None:
    warehouse = Warehouse()
    out = {}
    for model in sys.argv[1:]:
        sql = f"select * from {model}"
        out[model] = {
            "columns": warehouse.columns(sql + " limit 0"),
            "rows": [[canonical(v) for v in row] for row in warehouse.rows(sql)],
        }
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
