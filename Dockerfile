# syntax=docker/dockerfile:1
# Build stage: install PAKN and its dependencies into a virtual environment.
FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /src
COPY pyproject.toml README.md ./
COPY pakn ./pakn
RUN pip install .

# Runtime stage: the venv, the default configuration, a non-root user.
FROM python:3.11-slim
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PAKN_HOST=0.0.0.0 \
    PAKN_PORT=8000 \
    PAKN_VAR_DIR=/data \
    PAKN_MEDIA_DIR=/data/media \
    PAKN_DATABASE_URL=sqlite:///data/pakn.sqlite3
RUN groupadd --system pakn && useradd --system --gid pakn --home-dir /app pakn \
    && mkdir -p /app /data && chown pakn:pakn /data
COPY --from=build /opt/venv /opt/venv
WORKDIR /app
COPY config ./config
USER pakn
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s CMD python -c "import urllib.request,sys; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2)" || exit 1
# Production: set PAKN_DATABASE_URL=postgres://… and PAKN_SECRET_KEY, and run
# `pakn migrate` once per release (e.g. `docker run … pakn migrate`).
CMD ["pakn", "serve"]
