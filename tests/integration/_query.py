"""Run SQL queries on the built warehouse; print their results as JSON.

    DBT_TARGET=<duckdb|chdb> python tests/integration/_query.py < queries.json

stdin holds {name: sql}; stdout gets {name: {"columns": [...], "rows": [[...]]}}
in the canonical form of _dump.py. Run in its own process (chdb opens one data
path per process). `_support.query_engine` calls it: test_fuzz.py to aggregate
the serving views in SQL (a fuzzed timestamp can stretch one session over
decades of hours), the histories to look at the queue of sessions.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from livepeer_analytics.warehouse import Warehouse  # noqa: E402

from _dump import canonical  # noqa: E402


def main() -> None:
    queries = json.load(sys.stdin)
    warehouse = Warehouse()
    out = {}
    for name, sql in queries.items():
        out[name] = {
            "columns": warehouse.columns(f"select * from ({sql}) as q limit 0"),
            "rows": [[canonical(v) for v in row] for row in warehouse.rows(sql)],
        }
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
