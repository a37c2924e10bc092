// provider.mjs — a fake provider for the tests and the demo, on 127.0.0.1 (a free
// port, or the one asked for). It serves voice recordings, and can be told, per path,
// to fail (500), answer 404, stall (never answer), answer slowly, send a non-audio
// content type, send a body larger than a limit, or redirect. It also speaks the parts
// of Twilio's and SendGrid's HTTP APIs the campaign sender uses (see messaging.mjs).
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
export async function startProvider({ hugeBytes = 4 * 1024 * 1024, port: wanted = 0, accounts } = {}) {
  const plans = new Map();
  const received = [];
  const sockets = new Set();
  const audio = wav();
  const messaging = new Messaging(accounts);
  const server = http.createServer(async (req, res) => {
    const entry = { method: req.method, path: req.url, headers: req.headers };
    received.push(entry);
    if (messaging.handles(req)) return messaging.serve(req, res, entry);
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
