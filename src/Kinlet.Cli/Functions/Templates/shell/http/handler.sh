#!/bin/sh
# Runs once per request: edit this. The body is on stdin; REQUEST_METHOD, QUERY_STRING and the
# headers (HTTP_USER_AGENT, ...) are in the environment. What it prints is the response (text/plain);
# a non-zero exit is a 500.
name="$(printf '%s' "$QUERY_STRING" | sed -n 's/^.*name=\([^&]*\).*$/\1/p')"
echo "Hello, ${name:-World}!"
