"""How gunicorn serves the app (`make run`, the benchmarks, the faults test):

    gunicorn -c python:warehouse_app.serving 'warehouse_app:create_app()'

Two worker processes of four threads each, gunicorn's own threaded worker: one process per
core, and threads so that a supervisor's live view (a Server-Sent Events stream, up to
INSIGHT_SSE_SECONDS) or a slow phone does not stop scanning. A worker keeps at most
INSIGHT_SSE_STREAMS (2) long streams; further viewers poll (insight/live.py), so at least half
the threads are always left for scans. Arguments on gunicorn's command line win over these.
On an SQLite file a worker's scans take turns at its gate (speed/gate.py) rather than share the
GIL among its threads.
"""
workers = 2
threads = 4
worker_class = "gthread"
