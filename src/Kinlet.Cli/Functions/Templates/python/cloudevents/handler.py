# Called with every CloudEvent: edit this.
# event: dict with specversion, id, source, type, datacontenttype, data, extensions (JSON data is parsed).
# Return a dict ({"type": ..., "data": ...}; id, source and specversion are filled in) to reply, or None (202).
def handle(event):
    print(f"received {event['type']} {event['id']} from {event['source']}", flush=True)
    return {"type": "com.example.reply", "data": {"received": event["id"], "type": event["type"]}}
