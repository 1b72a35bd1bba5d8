"""Development tools (load tests, benchmarks), kept apart from the runtime package livepeer_analytics."""
