// samples/hello-node: Knative's hello world as a Kinlet Node.js function.
// req: { method, path, query, headers, body, text(), json() }; return a string, an object, or { status, headers, body }.
module.exports = async function handle(req) {
  const target = req.query.get('name') || process.env.TARGET || 'World';
  return `Hello ${target}!\n`;
};
