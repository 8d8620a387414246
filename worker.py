"""What `celery -A worker worker` loads: the syndicate Celery app (src/syndicate/celery_app.py)."""

from syndicate.worker.app import app as app
