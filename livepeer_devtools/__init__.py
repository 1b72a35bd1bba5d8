"""Development tools: event generator, fixture builder, benchmark, load test.

Nothing here is imported by a production run (`livepeer_analytics`); these
modules make test data and measure the warehouse.
"""
