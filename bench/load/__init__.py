"""Load test: locust against real gunicorn processes on one PostgreSQL (`python -m bench.load`)."""
