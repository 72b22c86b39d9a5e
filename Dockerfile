# POP Platform: one image for web (gunicorn + whitenoise), Celery worker and Celery beat.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    POP_VAR_DIR=/app/var

# WeasyPrint needs Pango; DejaVu fonts render Dutch text; gettext for messages.
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core gettext curl \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.lock ./
RUN pip install --require-hashes -r requirements.lock

COPY . .
RUN useradd --system --create-home --uid 1000 pop \
 && mkdir -p /app/var \
 && DJANGO_DEBUG=false DJANGO_SECRET_KEY=build-only DJANGO_ALLOWED_HOSTS=localhost \
    python manage.py collectstatic --noinput \
 && chown -R pop:pop /app/var
USER pop

EXPOSE 8000
CMD ["gunicorn", "pop_platform.wsgi:application", "--config", "gunicorn.conf.py", "--bind", "0.0.0.0:8000", "--access-logfile", "-"]
