// provider.mjs — a fake provider for the tests and the demo, on 127.0.0.1 (a free
// port, or the one asked for). It serves voice recordings, and can be told, per path,
// to fail (500), answer 404, stall (never answer), answer slowly, send a non-audio
// content type, send a body larger than a limit, or redirect. It also speaks the parts
// of Twilio's and SendGrid's HTTP APIs the campaign sender uses (see messaging.mjs),
// and Vapi's list of calls (GET /call) that missed-webhook recovery reads.
// Records every request it received. Runs on Node 18.
import http from 'node:http';
import { Messaging } from './messaging.mjs';

/** A small valid WAV file (8 kHz mono 16-bit, `ms` milliseconds of a tone). */
export function wav(ms = 200) {
  const samples = Math.round((8000 * ms) / 1000);
  const b = Buffer.alloc(44 + samples * 2);
  b.write('RIFF', 0);
  b.writeUInt32LE(36 + samples * 2, 4);
  b.write('WAVEfmt ', 8);
  b.writeUInt32LE(16, 16);
  b.writeUInt16LE(1, 20);
  b.writeUInt16LE(1, 22);
  b.writeUInt32LE(8000, 24);
  b.writeUInt32LE(16000, 28);
  b.writeUInt16LE(2, 32);
  b.writeUInt16LE(16, 34);
  b.write('data', 36);
  b.writeUInt32LE(samples * 2, 40);
  for (let i = 0; i < samples; i++) b.writeInt16LE(Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / 8000)), 44 + i * 2);
  return b;
}

/**
 * Starts the fake. Behaviours (plan(path, [...]) queues them; each request takes the
 * next, the last one repeats): 'ok' (the WAV), 500, 404, 'stall', 'slow' (1 byte per
 * 200 ms), 'garbage' (text/html), 'huge' (`hugeBytes` of audio), {redirect: path},
 * {body: Buffer, type: 'audio/mpeg'}.
 */
export async function startProvider({ hugeBytes = 4 * 1024 * 1024, port: wanted = 0, accounts, callbacks = null } = {}) {
  const plans = new Map();
  const received = [];
  const sockets = new Set();
  const audio = wav();
  const messaging = new Messaging(accounts, callbacks);
  const vapi = vapiCalls();
  const server = http.createServer(async (req, res) => {
    const entry = { method: req.method, path: req.url, headers: req.headers };
    received.push(entry);
    if (messaging.handles(req)) return messaging.serve(req, res, entry);
    if (req.method === 'GET' && new URL(req.url, 'http://x').pathname === '/call') return vapi.serve(req, res);
    const queue = plans.get(req.url) || ['ok'];
    const step = queue.length > 1 ? queue.shift() : queue[0];
    serve(step, res);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  function serve(step, res) {
    if (step === 'ok') {
      res.writeHead(200, { 'content-type': 'audio/wav', 'content-length': audio.length });
      res.end(audio);
    } else if (typeof step === 'number') {
      res.writeHead(step, { 'content-type': 'text/plain' });
      res.end(`status ${step}\n`);
    } else if (step === 'stall') {
      // Never answers; the connection stays open until the client gives up.
    } else if (step === 'slow') {
      res.writeHead(200, { 'content-type': 'audio/wav' });
      let i = 0;
      const t = setInterval(() => {
        if (i >= audio.length || res.destroyed) return clearInterval(t);
        res.write(audio.subarray(i, i + 1));
        i++;
      }, 200);
      res.on('close', () => clearInterval(t));
    } else if (step === 'garbage') {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html>not audio</html>');
    } else if (step === 'huge') {
      res.writeHead(200, { 'content-type': 'audio/wav' }); // chunked: no length announced
      const chunk = Buffer.alloc(64 * 1024, 1);
      let sent = 0;
      const pump = () => {
        while (sent < hugeBytes) {
          sent += chunk.length;
          if (!res.write(chunk)) return res.once('drain', pump);
        }
        res.end();
      };
      res.on('error', () => {});
      pump();
    } else if (step && step.redirect) {
      res.writeHead(302, { location: step.redirect });
      res.end();
    } else if (step && step.body) {
      res.writeHead(200, { 'content-type': step.type || 'audio/wav', 'content-length': step.body.length });
      res.end(step.body);
    }
  }

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(wanted, '127.0.0.1', resolve);
  });
  const { port } = server.address();
  return {
    port,
    audio,
    received,
    /** The Twilio and SendGrid side (messaging.mjs): plans per route, what was sent. */
    messaging,
    url: (p) => `http://127.0.0.1:${port}${p}`,
    /** Vapi's GET /call (vapiCalls): calls to list, the API key it wants. */
    vapi,
    /** Queues behaviours for a path (see above). */
    plan(p, steps) {
      plans.set(p, [...steps]);
    },
    /** Requests received for a path. */
    hits(p) {
      return received.filter((r) => r.path === p);
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/**
 * Vapi's GET /call as the real API answers it: Call objects created in the window
 * (createdAtGt, createdAtGe, createdAtLt, createdAtLe, ISO times), newest first, at
 * most `limit` (default 100, 1 to 1000); 401 without `Authorization: Bearer <apiKey>`,
 * 400 for a bad parameter. `calls` is the account's list (push Call objects with
 * id, createdAt, status...); `fail` set to a status answers that instead.
 */
export function vapiCalls() {
  const self = {
    calls: [],
    apiKey: 'vapi-test-key',
    fail: null,
    serve(req, res) {
      const send = (status, body) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (self.fail) return send(self.fail, { message: 'failing as planned' });
      if (req.headers.authorization !== `Bearer ${self.apiKey}`) return send(401, { message: 'Unauthorized' });
      const q = new URL(req.url, 'http://x').searchParams;
      const limit = q.has('limit') ? Number(q.get('limit')) : 100;
      if (!Number.isInteger(limit) || limit < 0 || limit > 1000) return send(400, { message: ['limit must not be greater than 1000'] });
      const bounds = {};
      for (const k of ['createdAtGt', 'createdAtGe', 'createdAtLt', 'createdAtLe']) {
        if (!q.has(k)) continue;
        const t = Date.parse(q.get(k));
        if (Number.isNaN(t)) return send(400, { message: [`${k} must be a valid ISO 8601 date string`] });
        bounds[k] = t;
      }
      const list = self.calls
        .filter((c) => {
          const t = Date.parse(c.createdAt);
          return (bounds.createdAtGt === undefined || t > bounds.createdAtGt)
            && (bounds.createdAtGe === undefined || t >= bounds.createdAtGe)
            && (bounds.createdAtLt === undefined || t < bounds.createdAtLt)
            && (bounds.createdAtLe === undefined || t <= bounds.createdAtLe);
        })
        .sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt))
        .slice(0, limit);
      send(200, list);
    },
  };
  return self;
}
