"""Write each serving view's derived formulas into its docs page, from the one definition.

    python -m livepeer_devtools.view_docs          # rewrite the pages (`make docs` runs it)
    python -m livepeer_devtools.view_docs --check  # exit 1 when a page is stale (a test runs it)

A derived column's formula is `vars.metric_formulas` in dbt_project.yml
(read by the views through the macro
`metric`, by the analyses and by the read API). In each page below, the row of
a table whose first cell is such a column gets the formula as its last cell,
so changing a formula in the YAML changes the docs with it.
"""

from __future__ import annotations

import argparse
import re
import sys

from livepeer_analytics.api.views import formulas
from livepeer_analytics.warehouse import REPO_ROOT

PAGES = {
    "docs/views/v_api_gpu_metrics.md": "v_api_gpu_metrics",
    "docs/views/v_api_network_demand.md": "v_api_network_demand",
    "docs/views/v_api_sla_compliance.md": "v_api_sla_compliance",
    "docs/ingest-quality.md": "v_api_ingest_quality",
    "docs/views/v_api_gpu_supply.md": "v_api_gpu_supply",
    "docs/views/v_api_supply_demand.md": "v_api_supply_demand",
    "docs/views/v_api_gpu_price_performance.md": "v_api_gpu_price_performance",
}
ROW = re.compile(r"^\| `(?P<name>[a-z0-9_]+)` \|(?:(?P<middle>.*)\|)? [^|]* \|$")


def render(text: str, view: str) -> str:
    derived = formulas(view)
    lines = []
    for line in text.split("\n"):
        match = ROW.match(line)
        if match and match["name"] in derived:
            middle = "" if match["middle"] is None else f"{match['middle']}|"
            line = f"| `{match['name']}` |{middle} `{derived[match['name']]}` |"
        lines.append(line)
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report pages that are stale (exit 1)")
    args = parser.parse_args(argv)
    stale = []
    for page, view in PAGES.items():
        path = REPO_ROOT / page
        text = path.read_text()
        rendered = render(text, view)
        missing = set(formulas(view)) - {m["name"] for m in map(ROW.match, rendered.split("\n")) if m}
        if missing:
            print(f"error: {page} has no table row for {sorted(missing)}", file=sys.stderr)
            return 2
        if rendered != text:
            stale.append(page)
            if not args.check:
                path.write_text(rendered)
    if args.check and stale:
        print("stale formulas in " + ", ".join(stale) + ": run `python -m livepeer_devtools.view_docs`",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
