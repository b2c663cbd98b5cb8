# Called for every request: edit this.
# req: .method, .path, .query (dict of lists), .headers, .body (bytes), .text(), .json()
# Return a str, a dict (sent as JSON), (status, body) or (status, body, headers), or None (204).
def handle(req):
    name = req.query.get("name", ["World"])[0]
    return f"Hello, {name}!\n"
