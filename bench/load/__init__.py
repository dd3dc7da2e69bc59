"""The served load test: gunicorn, a Celery worker, PostgreSQL and Redis, driven by locust
(``python -m bench.load``; see ``run.py`` and docs/benchmarks.md, "Load test")."""
