#!/bin/sh
# Runs once per CloudEvent (binary mode): edit this. CE_ID, CE_TYPE, CE_SOURCE, CE_SUBJECT are set and
# the data is on stdin. What it prints becomes the data of a reply event of type $REPLY_TYPE
# (kinlet.yaml sets it); print nothing to reply with none (202). Log to stderr.
echo "received $CE_TYPE $CE_ID from $CE_SOURCE" >&2
printf '{"received":"%s","type":"%s"}\n' "$CE_ID" "$CE_TYPE"
