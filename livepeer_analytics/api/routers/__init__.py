"""One router per resource: the views (views.py), data quality (data_quality.py), health (health.py)."""
