from django.apps import AppConfig


class PopPlatformConfig(AppConfig):
    """Shared infrastructure: no models of its own; system checks, metrics and logs."""

    name = "pop_platform"
    verbose_name = "POP Platform"

    def ready(self) -> None:
        from django_structlog import signals as structlog_signals

        from . import checks, metrics, observability  # noqa: F401 - checks and task signals

        structlog_signals.bind_extra_request_metadata.connect(observability.time_request)
        structlog_signals.bind_extra_request_metadata.connect(observability.set_sentry_user)
        structlog_signals.bind_extra_request_finished_metadata.connect(observability.add_duration)
