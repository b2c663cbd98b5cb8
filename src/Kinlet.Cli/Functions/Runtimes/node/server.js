// Kinlet's Node.js function runtime (written into the image by `kinlet deploy`; do not edit).
// Serves /app/handler.js on $PORT; FUNCTION_TEMPLATE=cloudevents hands the handler CloudEvents.
'use strict';
const http = require('http');
const crypto = require('crypto');
const handle = require('/app/handler.js');

const port = Number(process.env.PORT || 8080);
const cloudEvents = (process.env.FUNCTION_TEMPLATE || 'http') === 'cloudevents';
const service = process.env.K_SERVICE || 'function';
const attributes = ['specversion', 'id', 'source', 'type', 'subject', 'time', 'dataschema'];

function send(res, status, headers, body) {
  res.writeHead(status, headers);
  res.end(body);
}

function isJson(contentType) {
  return /(^|\/|\+)json(;|$)/i.test((contentType || '').split(';')[0]) || /^application\/json/i.test(contentType || '');
}

// Binary mode (ce-* headers) or structured mode (application/cloudevents+json).
function readEvent(req, body) {
  const contentType = req.headers['content-type'] || '';
  if (/^application\/cloudevents\+json/i.test(contentType)) {
    const event = JSON.parse(body.toString('utf8'));
    if (event.data_base64 !== undefined) { event.data = Buffer.from(event.data_base64, 'base64'); delete event.data_base64; }
    return event;
  }
  if (!req.headers['ce-id']) return null;
  const event = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (name.startsWith('ce-')) event[name.slice(3)] = value;
  }
  if (contentType) event.datacontenttype = contentType;
  if (body.length > 0) event.data = isJson(contentType) ? JSON.parse(body.toString('utf8')) : body.toString('utf8');
  return event;
}

function writeEvent(res, event) {
  const reply = { specversion: '1.0', id: crypto.randomUUID(), source: `/${service}`, ...event };
  const headers = {};
  for (const [name, value] of Object.entries(reply)) {
    if (name === 'data' || name === 'datacontenttype' || value === undefined || value === null) continue;
    headers[`ce-${name}`] = String(value);
  }
  let body = '';
  if (reply.data !== undefined) {
    const json = typeof reply.data === 'object' && !Buffer.isBuffer(reply.data);
    headers['content-type'] = reply.datacontenttype || (json ? 'application/json' : 'text/plain');
    body = json ? JSON.stringify(reply.data) : reply.data;
  }
  send(res, 200, headers, body);
}

function writeResult(res, result) {
  if (result === undefined || result === null) return send(res, 204, {}, '');
  if (typeof result === 'string' || Buffer.isBuffer(result)) return send(res, 200, { 'content-type': 'text/plain; charset=utf-8' }, result);
  if (typeof result === 'object' && ('body' in result || 'status' in result)) {
    let body = result.body === undefined ? '' : result.body;
    const headers = { ...(result.headers || {}) };
    if (typeof body === 'object' && !Buffer.isBuffer(body)) { body = JSON.stringify(body); headers['content-type'] ||= 'application/json'; }
    return send(res, result.status || 200, headers, body);
  }
  return send(res, 200, { 'content-type': 'application/json' }, JSON.stringify(result));
}

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', async () => {
    const body = Buffer.concat(chunks);
    try {
      if (cloudEvents) {
        let event;
        try { event = readEvent(req, body); } catch (e) { return send(res, 400, { 'content-type': 'text/plain' }, `not a CloudEvent: ${e.message}\n`); }
        if (!event) return send(res, 400, { 'content-type': 'text/plain' }, 'expected a CloudEvent (ce-id header or application/cloudevents+json)\n');
        const reply = await handle(event);
        return reply ? writeEvent(res, reply) : send(res, 202, {}, '');
      }
      const url = new URL(req.url, 'http://localhost');
      const request = {
        method: req.method, path: url.pathname, query: url.searchParams, headers: req.headers, body,
        text: () => body.toString('utf8'), json: () => JSON.parse(body.toString('utf8')),
      };
      writeResult(res, await handle(request));
    } catch (e) {
      console.error(e);
      if (!res.headersSent) send(res, 500, { 'content-type': 'text/plain' }, 'internal error\n');
    }
  });
});

server.listen(port, () => console.log(`${service}: listening on ${port}`));
// SIGTERM: finish the requests in flight, then exit.
process.on('SIGTERM', () => server.close(() => process.exit(0)));
process.on('SIGINT', () => server.close(() => process.exit(0)));
