"""Python helpers for the Livepeer dbt project."""
