"""Reports: each is a function of its parameters returning a Report (columns, rows, totals).

Every report is one or a few set-based queries (GROUP BY over the ledger or the cached
balances); Python only shapes the aggregated rows. The same Report answers the page, the JSON
API and the CSV download. Importing the modules below registers them.
"""
from warehouse_app.insight.reports import flow, planning, stock  # noqa: F401, E402  (register)
from warehouse_app.insight.reports.base import REGISTRY, Column, Params, Report, run  # noqa: F401
