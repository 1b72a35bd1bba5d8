"""The read API over the serving views (issue 11): `make serve`, docs/serving-api.md."""
