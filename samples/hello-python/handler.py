# samples/hello-python: Knative's hello world as a Kinlet Python function.
# req: .method, .path, .query, .headers, .body, .text(), .json(); return a str, a dict, or (status, body[, headers]).
import os


def handle(req):
    target = req.query.get("name", [os.environ.get("TARGET", "World")])[0]
    return f"Hello {target}!\n"
