# POP Platform: one image for web (gunicorn + WhiteNoise), Celery worker, Celery beat and
# the one-shot migrate step. Production dependencies only (requirements/production.lock).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    POP_VAR_DIR=/app/var

# WeasyPrint needs Pango (and HarfBuzz's subsetter for small PDFs); DejaVu fonts render
# Dutch text.
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements/production.lock requirements/production.lock
RUN pip install --require-hashes -r requirements/production.lock

COPY . .
# The app user owns var/ and the folders mounted there (media: generated PDFs when no
# bucket is set), so a volume mounted on them is writable by web and worker alike.
RUN useradd --system --create-home --uid 1000 pop \
 && mkdir -p /app/var/media /app/var/static \
 && DJANGO_DEBUG=false DJANGO_SECRET_KEY=build-only DJANGO_ALLOWED_HOSTS=localhost \
    python manage.py collectstatic --noinput \
 && chown -R pop:pop /app/var
USER pop

EXPOSE 8000
CMD ["gunicorn", "pop_platform.wsgi:application", "--config", "gunicorn.conf.py", "--bind", "0.0.0.0:8000"]
