"""The app's URLs with the benchmark's bare signed-in view (``pop_platform.bench``)."""

from django.urls import path

from pop_platform import bench
from pop_platform.urls import urlpatterns as app_urls

urlpatterns = [*app_urls, path("bench/baseline", bench.baseline, name="bench-baseline")]
