"""gunicorn settings for the web app, in production (docker-compose.yml) and in the load
test (``make load``), so both run the same server. Environment variables override them.

Measured with ``make load`` on 2 cores shared with PostgreSQL (bench/load-results.md):
see README.md, "Speed", for why these numbers.
"""

import os

# Processes: each runs the app on one core at a time (Python's GIL). ``threads`` > 1 uses
# gthread workers, which also keep connections alive between requests.
workers = int(os.environ.get("GUNICORN_WORKERS") or 2 * (os.cpu_count() or 1))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
worker_class = "gthread" if threads > 1 else "sync"
# Seconds a kept-alive connection may wait for its next request (gthread only).
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))
# A request taking longer than this is stuck: the worker is restarted.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
# Restart each worker now and then (jittered), so slow leaks never add up.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "20000"))
max_requests_jitter = max_requests // 10
