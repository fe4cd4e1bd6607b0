"""The platform's kernel: the plain Python every domain builds on.

Errors in the domain's words, the clock, ids, reporting periods, paging, batches, aggregates and
the unit-of-work protocol with its in-memory fake. Nothing here imports nameko, pymongo or
eventlet (an import-linter contract checks it), so domains and use cases stay testable alone.
"""
