"""Health check of Celery beat: ``python -m pop_platform.beat_alive SCHEDULE_FILE``.

Exits 0 when beat touched ``SCHEDULE_FILE.heartbeat`` within the last two minutes (it does
at least every 30 s: ``pop_platform.celery.HeartbeatScheduler``), 1 otherwise. Reads no
settings and opens no connection, so it is cheap to run every minute.
"""

import sys
import time
from pathlib import Path

MAX_AGE_SECONDS = 120


def main(schedule_file: str) -> int:
    heartbeat = Path(f"{schedule_file}.heartbeat")
    try:
        age = time.time() - heartbeat.stat().st_mtime
    except FileNotFoundError:
        print(f"beat has not ticked yet: no {heartbeat}")
        return 1
    if age > MAX_AGE_SECONDS:
        print(f"beat last ticked {age:.0f} s ago")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "/app/var/celerybeat-schedule"))
