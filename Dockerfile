# syntax=docker/dockerfile:1
# One image for every EPUN service; its command names the service (see deploy/README.md):
#   docker build -t epun:local .
#   docker run --rm -e AMQP_URI=... -e MONGO_URI=... epun:local intake
# The image holds no secret: FDP_KEYS, SESSION_SECRET, SMTP_URL and the broker and database URIs
# come from the environment, or from files named by FDP_KEYS_FILE, SESSION_SECRET_FILE, ...
ARG PYTHON_IMAGE=python:3.11-slim-bookworm

# Builder: wheels of the project and of every dependency.
FROM ${PYTHON_IMAGE} AS builder
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY pyproject.toml README.md LICENSE ./
COPY epun ./epun
COPY services ./services
COPY shared ./shared
RUN pip wheel --wheel-dir /wheels .

# Runtime: the wheels installed into a slim Python, run as an unprivileged user.
FROM ${PYTHON_IMAGE} AS runtime
LABEL org.opencontainers.image.title="epun" \
      org.opencontainers.image.description="EPUN platform services (gateway, intake, disclosure, panel, reporting, notifications)" \
      org.opencontainers.image.licenses="Apache-2.0"
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PYTHONWARNINGS=ignore \
    MPLCONFIGDIR=/tmp/matplotlib \
    METRICS_ADDR=0.0.0.0 \
    WEB_SERVER_ADDRESS=0.0.0.0:8000
# the reports' PDF: WeasyPrint lays text out with Pango; fonts for the six official languages
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 \
      fonts-dejavu-core fonts-wqy-zenhei \
 && rm -rf /var/lib/apt/lists/*
RUN --mount=type=bind,from=builder,source=/wheels,target=/wheels \
    pip install --no-index --find-links /wheels epun \
 && groupadd --system --gid 10001 epun \
 && useradd --system --uid 10001 --gid epun --home-dir /home/epun --create-home \
      --shell /usr/sbin/nologin epun
WORKDIR /home/epun
USER 10001:10001
# gateway HTTP; metrics, /healthz and /readyz of gateway, intake, disclosure, panel, reporting,
# notifications
EXPOSE 8000 9100 9101 9102 9103 9104 9105
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["epun-service", "healthcheck"]
ENTRYPOINT ["epun-service"]
CMD ["gateway"]
