#!/bin/sh
# Kinlet's shell function runtime: one request. The body is on the handler's stdin; what it prints
# is the response (text/plain), or with FUNCTION_TEMPLATE=cloudevents the data of a reply event.
out="$(mktemp)"
trap 'rm -f "$out"' EXIT
if [ "${FUNCTION_TEMPLATE:-http}" = cloudevents ]; then
    if [ -z "$HTTP_CE_ID" ]; then
        printf 'Status: 400 Bad Request\r\nContent-Type: text/plain\r\n\r\nexpected a CloudEvent in binary mode (ce-id header)\n'
        exit 0
    fi
    export CE_ID="$HTTP_CE_ID" CE_TYPE="$HTTP_CE_TYPE" CE_SOURCE="$HTTP_CE_SOURCE" \
        CE_SPECVERSION="$HTTP_CE_SPECVERSION" CE_SUBJECT="$HTTP_CE_SUBJECT" CE_TIME="$HTTP_CE_TIME"
    if ! sh /app/handler.sh >"$out"; then
        printf 'Status: 500 Internal Server Error\r\nContent-Type: text/plain\r\n\r\nhandler failed\n'
        exit 0
    fi
    if [ ! -s "$out" ]; then
        printf 'Status: 202 Accepted\r\n\r\n'
        exit 0
    fi
    id="$(cat /proc/sys/kernel/random/uuid)"
    printf 'Content-Type: %s\r\nCe-Specversion: 1.0\r\nCe-Id: %s\r\nCe-Type: %s\r\nCe-Source: /%s\r\n\r\n' \
        "${REPLY_CONTENT_TYPE:-application/json}" "$id" "${REPLY_TYPE:-com.example.reply}" "${K_SERVICE:-function}"
    cat "$out"
    exit 0
fi
if sh /app/handler.sh >"$out"; then
    printf 'Content-Type: %s\r\n\r\n' "${CONTENT_TYPE_OUT:-text/plain; charset=utf-8}"
else
    printf 'Status: 500 Internal Server Error\r\nContent-Type: text/plain\r\n\r\n'
fi
cat "$out"
