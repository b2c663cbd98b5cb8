// Called for every request: edit this.
// req: { method, path, query (URLSearchParams), headers, body (Buffer), text(), json() }
// Return a string, an object (sent as JSON), { status, headers, body }, or nothing (204).
module.exports = async function handle(req) {
  const name = req.query.get('name') || 'World';
  return `Hello, ${name}!\n`;
};
