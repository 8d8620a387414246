"""What `celery -A worker worker` loads: the syndicate Celery app (src/syndicate/worker/app.py)."""

from syndicate.worker.app import create_default_app

app = create_default_app()
