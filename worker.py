"""What `celery -A worker worker` loads: the syndicate Celery app (src/syndicate/celery_app.py)."""

from syndicate.celery_app import app as app
