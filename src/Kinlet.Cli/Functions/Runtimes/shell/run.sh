#!/bin/sh
# Kinlet's shell function runtime (written into the image by `kinlet deploy`; do not edit).
# busybox httpd runs /app/handler.sh once per request (CGI). This script is PID 1: it forwards
# SIGTERM to httpd so the container stops at once instead of waiting for the grace period.
httpd -f -p "0.0.0.0:${PORT:-8080}" -h /app/.kinlet/www &
pid=$!
trap 'kill -TERM "$pid" 2>/dev/null; wait "$pid"; exit 0' TERM INT
echo "${K_SERVICE:-function}: listening on ${PORT:-8080}"
wait "$pid"
