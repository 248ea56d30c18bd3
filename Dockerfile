# syntax=docker/dockerfile:1
# The base image, pinned by digest (python:3.11-slim-bookworm, its multi-platform
# index): every rebuild gets the same Debian and Python. Move it on deliberately
# (security updates) with the digest printed by
#   docker buildx imagetools inspect python:3.11-slim-bookworm
ARG PYTHON_IMAGE=python:3.11-slim-bookworm@sha256:2e32f7d302adc1c37428355c1e646897c0c53f4fd60b6a551245fb90ee129f91

# Build stage: the locked dependencies, then PAKN, into a virtual environment.
FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /src
# Exactly the versions in constraints.txt (the lock), in a layer of their own that
# is rebuilt only when the lock changes; PAKN itself without resolving anything.
COPY constraints.txt ./
RUN pip install --no-cache-dir -r constraints.txt
COPY pyproject.toml README.md ./
COPY pakn ./pakn
RUN pip install --no-cache-dir --no-deps --no-build-isolation . && pip check

# Runtime stage: the venv, the default configuration, a non-root user.
FROM ${PYTHON_IMAGE}
ARG PORT=8000
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PAKN_HOME=/app \
    PAKN_HOST=0.0.0.0 \
    PAKN_PORT=${PORT} \
    PAKN_VAR_DIR=/data \
    PAKN_MEDIA_DIR=/data/media \
    PAKN_DATABASE_URL=sqlite:///data/pakn.sqlite3
RUN groupadd --system --gid 10001 pakn \
    && useradd --system --uid 10001 --gid pakn --home-dir /app pakn \
    && mkdir -p /app /data && chown pakn:pakn /data
COPY --from=build /opt/venv /opt/venv
WORKDIR /app
COPY config ./config
USER 10001:10001
VOLUME ["/data"]
EXPOSE ${PORT}
# Healthy = ready: /readyz answers 200 only while the database answers too
# (/healthz would stay green with the database gone). The port is the one the
# service listens on, PAKN_PORT, also when it is changed at `docker run -e`.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/readyz' % os.environ.get('PAKN_PORT', '8000'), timeout=4)"]
# The embedded SQLite default migrates itself at start-up. On PostgreSQL
# (PAKN_DATABASE_URL=postgres://…, with PAKN_SECRET_KEY) `pakn serve` refuses to
# start while migrations are pending: run them once per release, before the new
# containers start, as the release step
#   docker run --rm -e PAKN_DATABASE_URL=postgres://… <image> pakn migrate
CMD ["pakn", "serve"]
