"""gunicorn settings for the web app, in production (docker-compose.yml, Kubernetes) and in
the load test (``make load``), so both run the same server. Environment variables
override them.

Measured with ``make load`` on 2 cores shared with PostgreSQL (bench/load-results.md):
see README.md, "Speed", for why these numbers.
"""

import math
import os
import tempfile
from pathlib import Path


def available_cpus(cgroup: Path = Path("/sys/fs/cgroup")) -> int:
    """The CPUs this process may use: its CPU affinity, capped by a container's CPU quota
    (cgroup v2 ``cpu.max``, or v1 ``cpu.cfs_quota_us``), so a container limited to 2 CPUs
    on a 64-core host starts 4 workers, not 128."""
    count = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    quota = _cgroup_quota(cgroup)
    return max(1, min(count or 1, math.ceil(quota) if quota else count or 1))


def _cgroup_quota(cgroup: Path) -> float | None:
    v2 = cgroup / "cpu.max"
    v1 = cgroup / "cpu" / "cpu.cfs_quota_us", cgroup / "cpu" / "cpu.cfs_period_us"
    try:
        if v2.exists():
            quota, period = v2.read_text().split()[:2]
            return None if quota == "max" else int(quota) / int(period)
        if v1[0].exists():
            quota, period = int(v1[0].read_text()), int(v1[1].read_text())
            return None if quota <= 0 else quota / period
    except (OSError, ValueError):
        return None
    return None


# Processes: each runs the app on one core at a time (Python's GIL); two per CPU, so one
# can compute while another waits for PostgreSQL. ``threads`` > 1 uses gthread workers,
# which also keep connections alive between requests.
workers = int(os.environ.get("GUNICORN_WORKERS") or 2 * available_cpus())
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

# Prometheus: the workers share their counters through files in one folder, so /metrics
# shows the whole server whichever worker answers the scrape (pop_platform.metrics).
os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", tempfile.mkdtemp(prefix="pop-prometheus-"))


def child_exit(server, worker):
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def post_worker_init(worker):
    from pop_platform.checks import warn_at_start

    warn_at_start()
