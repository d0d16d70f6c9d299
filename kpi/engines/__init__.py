"""The heavy reductions, defined once and computed where the data lives.

Read, reduce, compute the KPIs, show: this package is the "reduce" step for data too large
for memory, or that already lives in a database. :mod:`kpi.engines.sql` writes each
reduction once as SQL in DuckDB's dialect; :mod:`kpi.engines.sources` runs it on DuckDB (in
process, database files or Parquet/CSV read directly), PostgreSQL or Spark;
the in-memory engine is :class:`kpi.reduce.Reductions` (what :func:`kpi.analysis.analysis`
builds once per orders table and passes to the sections; the numpy kernels of ``kpi.base``,
``kpi.retention`` and ``kpi.models``), put in the shapes the SQL engines answer in by
:class:`kpi.engines.reductions.MemoryReductions`; :mod:`kpi.engines.report` turns the
reduced tables into the command line's JSON with the existing KPI code.

Why SQL transpiled with sqlglot, not Ibis. Both were tried on two reductions (the order-gap
histogram and the per-period table) with ibis-framework 12.0.0 and sqlglot 30.x on pandas
3.1 / numpy 2.4; both installed and gave the in-memory numbers on DuckDB. SQL won because:

- DuckDB, the embedded default, runs the text as written: the app's own path needs no
  translation layer and no package beyond ``duckdb``; sqlglot (one pure-Python package,
  which Ibis itself depends on) is needed only for PostgreSQL and Spark.
- The definitions are reviewable as they run: a database administrator reads the same
  SELECT that reaches the warehouse. Ibis compiled the day gap to epoch seconds over
  86,400 inside a windowed ``LAG ... ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED
  FOLLOWING``, correct but not what one would write or review.
- Ibis's PySpark compiler failed without its backend loaded (``ibis.to_sql(expr,
  dialect="pyspark")`` raised AttributeError on ``options.pyspark``), and its Spark backend
  needs a session of its own; the transpiled SQL goes through ``spark.sql`` of any session,
  local, standalone or Spark Connect.
- Every transpiled text is checked against real PostgreSQL and Spark in
  ``tests/test_engines.py``, cell by cell against the in-memory engine, so the dialect
  differences sqlglot handles (day differences, integer division, identifier case) are
  tested, not assumed.
"""
