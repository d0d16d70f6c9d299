"""The heavy reductions written once, as SQL in DuckDB's dialect, transpiled per engine.

Each reduction is a function returning one SELECT over two relations, ``orders`` and
``customers`` (the canonical tables of DESIGN.md). DuckDB runs the text as written;
:func:`compile_for` rewrites the table names to the user's ``SCHEMA.TABLE`` and, for
PostgreSQL and Spark, transpiles the text with sqlglot. Only integers computed here (days
since 1970-01-01) are ever spliced into the text; table names go through sqlglot's parser.

Every reduction works on the normalised rows of :func:`_rows`:

    cid    customer id as text (NULL: blank)        d    whole days since 1970-01-01
    ts     order time                               amount   NULL where blank
    sale   amount is blank or >= 0 (a refund is an amount below zero)

and defines its figures exactly as the in-memory functions of ``kpi.base``, ``kpi.models``
and ``kpi.retention`` do (the docstrings name the function each one mirrors).
"""

from __future__ import annotations

from dataclasses import dataclass

from kpi.periods import Period, check_period

# rfm_summary's time units, in days (kpi.models.DAYS_PER_UNIT)
UNIT_DAYS = {"D": 1.0, "W": 7.0, "M": 365.25 / 12}


@dataclass(frozen=True)
class Columns:
    """Which optional canonical columns the source tables hold."""

    orders_channel: bool = False
    customers: bool = False
    signup_date: bool = False
    customers_channel: bool = False


def _int(value: int | None) -> int | None:
    return None if value is None else int(value)


def _between(expr: str, lo: int | None, hi: int | None) -> str:
    parts = []
    if lo is not None:
        parts.append(f"{expr} >= {int(lo)}")
    if hi is not None:
        parts.append(f"{expr} <= {int(hi)}")
    return " AND ".join(parts) or "TRUE"


def _day(expr: str) -> str:
    """Whole days since 1970-01-01 of a date or timestamp expression."""
    return f"DATE_DIFF('day', DATE '1970-01-01', CAST({expr} AS DATE))"


def period_ordinal(day_expr: str, period: Period) -> str:
    """kpi.periods.day_period_ordinal of an integer day expression, as SQL.

    Weeks: floor((d + 3) / 7), ISO weeks counted from Monday 1969-12-29; months, quarters and
    years: calendar months since January 1970 (divided by 3 or 12, rounded down).
    """
    p = check_period(period)
    if p == "week":
        return f"CAST(FLOOR(({day_expr} + 3) / 7.0) AS BIGINT)"
    date = f"(DATE '1970-01-01' + CAST({day_expr} AS INTEGER))"
    months = (
        f"((CAST(EXTRACT(YEAR FROM {date}) AS BIGINT) - 1970) * 12 "
        f"+ CAST(EXTRACT(MONTH FROM {date}) AS BIGINT) - 1)"
    )
    if p == "month":
        return months
    return f"CAST(FLOOR({months} / {3 if p == 'quarter' else 12}.0) AS BIGINT)"


def _rows(cols: Columns) -> str:
    channel = ", CAST(channel AS VARCHAR) AS channel" if cols.orders_channel else ""
    return (
        "o AS (SELECT CAST(customer_id AS VARCHAR) AS cid, CAST(order_date AS TIMESTAMP) AS ts, "
        f"{_day('order_date')} AS d, CAST(amount AS DOUBLE) AS amount, "
        f"(amount IS NULL OR amount >= 0) AS sale{channel} "
        "FROM orders WHERE order_date IS NOT NULL)"
    )


def _signups(cols: Columns) -> str:
    return (
        "su AS (SELECT CAST(customer_id AS VARCHAR) AS cid, "
        "MIN(CAST(signup_date AS TIMESTAMP)) AS signup FROM customers "
        "WHERE customer_id IS NOT NULL AND signup_date IS NOT NULL GROUP BY 1)"
    )


def _starts(cols: Columns) -> str:
    """CTEs ``fo`` (cid, first_order: every customer with an order row, first_order NULL
    when none is dated) and ``st`` (cid, first_order, acquired, acquired_day) of
    kpi.base.customer_starts: customers with at least one order row, acquired at the earlier
    of their earliest signup and their first order (refund rows included); a customer with
    neither a dated order nor a signup date is left out (acquisition date unknown)."""
    first = (
        "fo AS (SELECT CAST(customer_id AS VARCHAR) AS cid, "
        "MIN(CAST(order_date AS TIMESTAMP)) AS first_order FROM orders "
        "WHERE customer_id IS NOT NULL GROUP BY 1)"
    )
    if not cols.signup_date:
        return (
            f"{first}, st AS (SELECT cid, first_order, first_order AS acquired, "
            f"{_day('first_order')} AS acquired_day FROM fo WHERE first_order IS NOT NULL)"
        )
    # the earlier of two times, either of which may be NULL, in every dialect alike
    acquired = (
        "CASE WHEN su.signup IS NULL THEN fo.first_order "
        "WHEN fo.first_order IS NULL OR su.signup < fo.first_order THEN su.signup "
        "ELSE fo.first_order END"
    )
    return (
        f"{first}, {_signups(cols)}, ac AS (SELECT fo.cid, fo.first_order, "
        f"{acquired} AS acquired FROM fo LEFT JOIN su ON fo.cid = su.cid), "
        f"st AS (SELECT cid, first_order, acquired, {_day('acquired')} AS acquired_day "
        "FROM ac WHERE acquired IS NOT NULL)"
    )


def _signups_without_order(cols: Columns, lo: int | None, hi: int | None) -> str:
    """kpi.base.signups_without_order: customers of the customers table with no order row
    at all whose earliest signup falls in the range (0 without signup dates)."""
    if not cols.signup_date:
        return "0"
    return (
        "(SELECT COUNT(*) FROM su LEFT JOIN fo ON su.cid = fo.cid "
        f"WHERE fo.cid IS NULL AND {_between(_day('su.signup'), lo, hi)})"
    )


def base_counts(cols: Columns, lo: int | None, hi: int | None) -> str:
    """One row: revenue, orders, refunds, active, repeat and new customers and sign-ups
    without an order of a day range.

    kpi.base.headline's counts: revenue sums every amount in the range (blank: 0), orders
    count the rows that are not refunds, active customers have an order (not a refund),
    repeat customers two or more, new customers have an order row and were acquired (the
    earlier of signup and first order) in the range; sign-ups without an order are counted
    apart.
    """
    r = _between("d", lo, hi)
    return (
        f"WITH {_rows(cols)}, {_starts(cols)}, "
        f"r AS (SELECT * FROM o WHERE {r}), "
        "per AS (SELECT cid, COUNT(*) AS n FROM r WHERE sale AND cid IS NOT NULL GROUP BY cid) "
        "SELECT (SELECT COALESCE(SUM(amount), 0) FROM r) AS revenue, "
        "(SELECT COUNT(*) FROM r WHERE sale) AS orders, "
        "(SELECT COUNT(*) FROM r WHERE NOT sale) AS refunds, "
        "(SELECT COUNT(*) FROM per) AS active_customers, "
        "(SELECT COUNT(*) FROM per WHERE n >= 2) AS repeat_customers, "
        f"(SELECT COUNT(*) FROM st WHERE {_between('acquired_day', lo, hi)}) AS new_customers, "
        f"{_signups_without_order(cols, lo, hi)} AS signups_without_order"
    )


def first_orders(cols: Columns) -> str:
    """Per customer: first order time, acquisition time and acquisition channel.

    kpi.base.customer_starts (acquired: the earlier of signup and first order, refunds
    included; only customers with an order row) and
    kpi.acquisition.acquisition_channels (the customers table's channel, else the channel of
    the earliest order that has one). Ties at one instant take the alphabetically first
    channel: a database has no row order (the in-memory code takes the first row).
    """
    parts = [_rows(cols), _starts(cols)]
    channels = []
    ids = "ids AS (SELECT cid FROM st"
    joins = ""
    if cols.orders_channel:
        parts.append(
            "ct AS (SELECT cid, MIN(ts) AS t FROM o "
            "WHERE cid IS NOT NULL AND channel IS NOT NULL GROUP BY cid)"
        )
        parts.append(
            "oc AS (SELECT o.cid, MIN(o.channel) AS channel FROM o JOIN ct "
            "ON o.cid = ct.cid AND o.ts = ct.t WHERE o.channel IS NOT NULL GROUP BY o.cid)"
        )
        joins += " LEFT JOIN oc ON oc.cid = ids.cid"
        channels.append("oc.channel")
    if cols.customers_channel:
        parts.append(
            "cc AS (SELECT CAST(customer_id AS VARCHAR) AS cid, "
            "MIN(CAST(channel AS VARCHAR)) AS channel FROM customers "
            "WHERE customer_id IS NOT NULL AND channel IS NOT NULL GROUP BY 1)"
        )
        ids += " UNION SELECT cid FROM cc"
        joins += " LEFT JOIN cc ON cc.cid = ids.cid"
        channels.insert(0, "cc.channel")
    parts.append(ids + ")")
    channel = {0: "CAST(NULL AS VARCHAR)", 1: "".join(channels)}.get(
        len(channels), f"COALESCE({', '.join(channels)})"
    )
    return (
        f"WITH {', '.join(parts)} SELECT ids.cid AS customer_id, st.first_order, st.acquired, "
        f"{channel} AS channel FROM ids LEFT JOIN st ON st.cid = ids.cid{joins}"
    )


def customer_periods(cols: Columns, period: Period, lo: int | None, hi: int | None) -> str:
    """Per customer and period of the range: orders (not refunds) and revenue (net).

    Rows with a customer only; a period holds a row when the customer has any order row in it.
    """
    return (
        f"WITH {_rows(cols)} SELECT cid AS customer_id, {period_ordinal('d', period)} AS period, "
        "SUM(CASE WHEN sale THEN 1 ELSE 0 END) AS orders, "
        "SUM(COALESCE(amount, 0)) AS revenue "
        f"FROM o WHERE cid IS NOT NULL AND {_between('d', lo, hi)} GROUP BY 1, 2"
    )


def extent(cols: Columns, lo: int | None, hi: int | None) -> str:
    """One row: first and last order day, overall and in the range; rows, dated rows, refunds."""
    r = _between("d", lo, hi)
    return (
        f"WITH {_rows(cols)} SELECT MIN(d) AS first_day, MAX(d) AS last_day, "
        f"(SELECT MIN(d) FROM o WHERE {r}) AS first_in_range, "
        f"(SELECT MAX(d) FROM o WHERE {r}) AS last_in_range, "
        "COUNT(*) AS dated_rows, SUM(CASE WHEN sale THEN 0 ELSE 1 END) AS refunds, "
        "(SELECT COUNT(*) FROM orders) AS all_rows FROM o"
    )


def period_table(cols: Columns, period: Period, lo: int | None, hi: int | None) -> str:
    """Per period with orders or new customers: revenue, orders, active and new customers.

    kpi.base.revenue_series before its empty periods are filled in: active customers have an
    order (not a refund) in the period; new customers were acquired in it (and in the range).
    """
    ordinal = period_ordinal("d", period)
    return (
        f"WITH {_rows(cols)}, {_starts(cols)}, "
        f"a AS (SELECT {ordinal} AS period, SUM(COALESCE(amount, 0)) AS revenue, "
        "SUM(CASE WHEN sale THEN 1 ELSE 0 END) AS orders, "
        "COUNT(DISTINCT CASE WHEN sale THEN cid END) AS active_customers "
        f"FROM o WHERE {_between('d', lo, hi)} GROUP BY 1), "
        f"n AS (SELECT {period_ordinal('acquired_day', period)} AS period, "
        f"COUNT(*) AS new_customers FROM st WHERE {_between('acquired_day', lo, hi)} GROUP BY 1) "
        "SELECT COALESCE(a.period, n.period) AS period, COALESCE(a.revenue, 0) AS revenue, "
        "COALESCE(a.orders, 0) AS orders, COALESCE(a.active_customers, 0) AS active_customers, "
        "COALESCE(n.new_customers, 0) AS new_customers "
        "FROM a FULL OUTER JOIN n ON a.period = n.period"
    )


def _cohort_members(
    cols: Columns, lo: int | None, hi: int | None, as_of: int, period: Period
) -> str:
    """CTEs ``k`` (order rows up to as_of) and ``coh`` (cid, first_day, cohort): the
    customers of kpi.retention.cohort_retention whose first sale or signup is in the range."""
    k = (
        "k AS (SELECT cid, d, COALESCE(amount, 0) AS amt FROM o "
        f"WHERE cid IS NOT NULL AND d <= {int(as_of)})"
    )
    fs = "fs AS (SELECT cid, MIN(d) AS fd FROM k WHERE amt >= 0 GROUP BY cid)"
    if cols.signup_date:
        first = (
            f"{_signups(cols)}, sd AS (SELECT cid, {_day('signup')} AS sday FROM su "
            f"WHERE {_day('signup')} <= {int(as_of)}), "
            "fx AS (SELECT COALESCE(sd.cid, fs.cid) AS cid, COALESCE(sd.sday, fs.fd) AS fd "
            "FROM fs FULL OUTER JOIN sd ON fs.cid = sd.cid)"
        )
    else:
        first = "fx AS (SELECT cid, fd FROM fs)"
    return (
        f"{k}, {fs}, {first}, coh AS (SELECT cid, fd, {period_ordinal('fd', period)} AS cohort "
        f"FROM fx WHERE {_between('fd', lo, hi)})"
    )


def cohort_sizes(cols: Columns, period: Period, lo: int | None, hi: int | None, as_of: int) -> str:
    """Customers per cohort (period ordinal of the first sale or signup)."""
    return (
        f"WITH {_rows(cols)}, {_cohort_members(cols, lo, hi, as_of, period)} "
        "SELECT cohort, COUNT(*) AS customers FROM coh GROUP BY cohort"
    )


def cohort_cells(cols: Columns, period: Period, lo: int | None, hi: int | None, as_of: int) -> str:
    """Per cohort and age with any order: active customers, revenue and capped revenue.

    kpi.retention.cohort_retention's cells: active = customers with a sale in the cell;
    revenue = net amount; gross_revenue = each customer's revenue in the cell, negatives as 0,
    capped at its own age-0 revenue (0 when it had none).
    """
    ordinal = period_ordinal("k.d", period)
    return (
        f"WITH {_rows(cols)}, {_cohort_members(cols, lo, hi, as_of, period)}, "
        f"cell AS (SELECT k.cid, coh.cohort, {ordinal} - coh.cohort AS age, "
        "SUM(k.amt) AS rev, MAX(CASE WHEN k.amt >= 0 THEN 1 ELSE 0 END) AS active "
        f"FROM k JOIN coh ON k.cid = coh.cid WHERE {ordinal} >= coh.cohort "
        "GROUP BY k.cid, coh.cohort, 3), "
        "r0 AS (SELECT cid, GREATEST(rev, 0) AS r0 FROM cell WHERE age = 0) "
        "SELECT cohort, age, SUM(active) AS active, SUM(rev) AS revenue, "
        "SUM(LEAST(GREATEST(rev, 0), COALESCE(r0.r0, 0))) AS gross_revenue "
        "FROM cell LEFT JOIN r0 ON cell.cid = r0.cid GROUP BY cohort, age"
    )


def rfm(cols: Columns, end_day: int | None, freq: str = "W") -> str:
    """Per customer: frequency, recency, T and monetary_value of kpi.models.rfm_summary.

    Purchases per distinct day (amounts summed, refunds included); frequency = days - 1,
    recency = last - first day, T = end - first day, in units of ``freq``; monetary_value =
    mean of the repeat days' amounts (blank days skipped), 0 without a repeat day. ``end_day``
    None: the last order day.
    """
    unit = f"CAST({UNIT_DAYS[freq]!r} AS DOUBLE)"
    end = "(SELECT MAX(d) FROM o WHERE cid IS NOT NULL)" if end_day is None else str(int(end_day))
    return (
        f"WITH {_rows(cols)}, dd AS (SELECT cid, d, SUM(amount) AS amt FROM o "
        f"WHERE cid IS NOT NULL AND d <= {end} GROUP BY cid, d), "
        "f AS (SELECT cid, MIN(d) AS fd, MAX(d) AS ld, COUNT(*) AS n FROM dd GROUP BY cid), "
        "m AS (SELECT dd.cid, AVG(dd.amt) AS mv FROM dd JOIN f ON dd.cid = f.cid "
        "WHERE dd.d > f.fd GROUP BY dd.cid) "
        "SELECT f.cid AS customer_id, CAST(f.n - 1 AS DOUBLE) AS frequency, "
        f"CAST(f.ld - f.fd AS DOUBLE) / {unit} AS recency, "
        f"CAST({end} - f.fd AS DOUBLE) / {unit} AS T, "
        "CASE WHEN f.n > 1 THEN m.mv ELSE 0 END AS monetary_value "
        "FROM f LEFT JOIN m ON f.cid = m.cid"
    )


def gap_counts(cols: Columns) -> str:
    """How many repeat visits came after each gap (days between consecutive order days).

    kpi.retention.order_gaps as a histogram: distinct (customer, day) pairs of the rows that
    are not refunds, the gap to the customer's previous order day.
    """
    return (
        f"WITH {_rows(cols)}, v AS (SELECT DISTINCT cid, d FROM o "
        "WHERE cid IS NOT NULL AND COALESCE(amount, 0) >= 0), "
        "g AS (SELECT d - LAG(d) OVER (PARTITION BY cid ORDER BY d) AS gap FROM v) "
        "SELECT gap AS gap_days, COUNT(*) AS visits FROM g WHERE gap IS NOT NULL GROUP BY gap"
    )


def last_orders(cols: Columns) -> str:
    """Per customer with a dated order that is not a refund: the day of the last one.

    kpi.reduce.Reductions.last_order_days (the day inactivity and recency count from).
    """
    return (
        f"WITH {_rows(cols)} SELECT cid AS customer_id, MAX(d) AS last_order FROM o "
        "WHERE sale AND cid IS NOT NULL GROUP BY cid"
    )


def customer_revenue_types(cols: Columns, lo: int | None, hi: int | None) -> str:
    """Per customer and revenue type of a day range: orders (rows that are not refunds) and
    revenue (net of refunds, blank amounts 0).

    The derived types of kpi.revenue.revenue_types, which need no revenue_type column (the
    SQL engines do not read one: its labels are read in eight languages in memory): a refund
    row is ``refunds``, a sale on the customer's first order day (refund rows included in
    finding that day) ``new``, a later sale ``repeat``.
    """
    return (
        f"WITH {_rows(cols)}, "
        "f AS (SELECT cid, MIN(d) AS first_day FROM o WHERE cid IS NOT NULL GROUP BY cid), "
        "t AS (SELECT o.cid, o.amount, o.sale, CASE WHEN NOT o.sale THEN 'refunds' "
        "WHEN o.d = f.first_day THEN 'new' ELSE 'repeat' END AS revenue_type "
        f"FROM o JOIN f ON o.cid = f.cid WHERE {_between('o.d', lo, hi)}) "
        "SELECT cid AS customer_id, revenue_type, "
        "SUM(CASE WHEN sale THEN 1 ELSE 0 END) AS orders, "
        "COALESCE(SUM(amount), 0) AS revenue FROM t GROUP BY cid, revenue_type"
    )


def revenue_retention(cols: Columns, lo: int, hi: int) -> str:
    """One row: kpi.retention.revenue_retention's sums for the days ``lo`` to ``hi``.

    The earlier range holds as many days and ends the day before ``lo``; its customers have
    a sale (not a refund) in it. Per customer, r0 (revenue then) and r1 (revenue from ``lo``
    to ``hi``) are net of refunds (blank: 0) and floored at 0: customers, revenue_before =
    sum r0, revenue_now = sum r1, capped_now = sum min(r0, r1).
    """
    lo, hi = int(lo), int(hi)
    before_hi = lo - 1
    before_lo = before_hi - (hi - lo)
    return (
        f"WITH {_rows(cols)}, k AS (SELECT cid, d, COALESCE(amount, 0) AS amt FROM o "
        f"WHERE cid IS NOT NULL AND d >= {before_lo} AND d <= {hi}), "
        f"p AS (SELECT cid, SUM(CASE WHEN d <= {before_hi} THEN amt ELSE 0 END) AS s0, "
        f"SUM(CASE WHEN d >= {lo} THEN amt ELSE 0 END) AS s1, "
        f"MAX(CASE WHEN d <= {before_hi} AND amt >= 0 THEN 1 ELSE 0 END) AS buyer "
        "FROM k GROUP BY cid), "
        "q AS (SELECT GREATEST(s0, 0) AS r0, GREATEST(s1, 0) AS r1 FROM p WHERE buyer = 1) "
        "SELECT COUNT(*) AS customers, COALESCE(SUM(r0), 0) AS revenue_before, "
        "COALESCE(SUM(r1), 0) AS revenue_now, COALESCE(SUM(LEAST(r0, r1)), 0) AS capped_now "
        "FROM q"
    )


def visit_counts(cols: Columns) -> str:
    """One row: customers with an order (not a refund), and those among them who ordered on
    two different days or more: the evidence kpi.retention.inactivity_window reports beside
    the gaps of :func:`gap_counts`."""
    return (
        f"WITH {_rows(cols)}, v AS (SELECT DISTINCT cid, d FROM o "
        "WHERE cid IS NOT NULL AND COALESCE(amount, 0) >= 0), "
        "n AS (SELECT cid, COUNT(*) AS days FROM v GROUP BY cid) "
        "SELECT COUNT(*) AS customers, "
        "COALESCE(SUM(CASE WHEN days >= 2 THEN 1 ELSE 0 END), 0) AS repeat_customers FROM n"
    )


DIALECTS = {"duckdb": "duckdb", "postgresql": "postgres", "spark": "spark"}


def compile_for(sql: str, dialect: str, tables: dict[str, str] | None = None) -> str:
    """The DuckDB text of a reduction for ``dialect``, with ``orders``/``customers`` renamed.

    ``tables`` maps a canonical name to the engine's ``SCHEMA.TABLE`` (parsed, never pasted).
    """
    import sqlglot
    from sqlglot import exp

    tree = sqlglot.parse_one(sql, read="duckdb")
    if tables:
        mapping = {
            name: exp.to_table(target, dialect=DIALECTS[dialect]) for name, target in tables.items()
        }

        def rename(node: exp.Expression) -> exp.Expression:
            if isinstance(node, exp.Table) and not node.args.get("db") and node.name in mapping:
                new = mapping[node.name].copy()
                if node.alias:
                    new.set("alias", node.args["alias"])
                return new
            return node

        tree = tree.transform(rename)
    return tree.sql(dialect=DIALECTS[dialect])
