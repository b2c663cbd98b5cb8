#!/bin/sh
# samples/hello-shell: Knative's hello world as a Kinlet shell function (busybox).
# Runs once per request: the body is on stdin, QUERY_STRING and the HTTP_* headers are set;
# what it prints is the answer.
name="$(printf '%s' "$QUERY_STRING" | sed -n 's/^.*name=\([^&]*\).*$/\1/p')"
echo "Hello ${name:-${TARGET:-World}}!"
