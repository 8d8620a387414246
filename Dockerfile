# The syndicate image: the API, a worker and Flower all run from it; docker-compose.yml picks
# the command. CPU only: CTranslate2 + SentencePiece wheels, no torch.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    SYNDICATE_CONFIG=/app/config/syndicate.toml \
    SYNDICATE_GLOSSARY=/app/config/glossary.toml \
    SYNDICATE_MODELS_DIR=/var/lib/syndicate/models

WORKDIR /app

# Dependencies first, so a change in config/ or worker.py does not reinstall them.
COPY pyproject.toml README.md ./
COPY src ./src
RUN pip install '.[ops]' \
    && useradd --system --uid 10001 --home-dir /var/lib/syndicate --create-home syndicate \
    && mkdir -p /var/lib/syndicate/models \
    && chown -R syndicate /var/lib/syndicate

# Settings (secrets come from the environment, never from here) and the module
# `celery -A worker` loads (Flower, `celery inspect`).
COPY config ./config
COPY worker.py ./

USER syndicate
EXPOSE 8000 5555
CMD ["syndicate", "serve", "--host", "0.0.0.0", "--port", "8000"]
