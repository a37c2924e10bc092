// dispatch_fake.mjs — the bench's fake provider for the dispatch figure: Twilio's
// Messages.json and SendGrid's mail/send answered as the real APIs answer a success
// (t/fakes/messaging.mjs has the full fake; this one does only what the bench needs,
// lean enough not to be the bottleneck), recording each request's provider, recipient
// (Twilio's To; SendGrid's switchboard_message_id custom arg) and arrival time.
//
//   node bench/dispatch_fake.mjs PORT      listens on 127.0.0.1:PORT
//   GET /stats     {"twilio": {...}, "sendgrid": {...}, "cpu_s": ...}: per provider the
//                  requests, distinct recipients, the most requests in any one second
//                  (a sliding window over arrival times), first and last arrival (ms),
//                  and per_s: the requests in each second from the first of any
//   POST /reset    forgets what it recorded
// Stops on SIGTERM or SIGINT.
import http from 'node:http';
import { randomBytes } from 'node:crypto';

const port = Number(process.argv[2]);
if (!Number.isInteger(port) || port < 1 || port > 65535) {
  process.stderr.write('usage: node dispatch_fake.mjs PORT\n');
  process.exit(2);
}

const seen = { twilio: { at: [], to: [] }, sendgrid: { at: [], to: [] } };
const TWILIO = /^\/2010-04-01\/Accounts\/(AC[0-9a-f]{32})\/Messages\.json$/;

function record(provider, to) {
  seen[provider].at.push(performance.timeOrigin + performance.now());
  seen[provider].to.push(to);
}

function busiestSecond(at) {
  const s = Float64Array.from(at).sort();
  let most = 0;
  for (let i = 0, j = 0; i < s.length; i++) {
    while (s[i] - s[j] >= 1000) j++;
    if (i - j + 1 > most) most = i - j + 1;
  }
  return most;
}

function stats() {
  const out = {};
  for (const [name, r] of Object.entries(seen)) {
    out[name] = { requests: r.to.length, distinct: new Set(r.to).size, max_per_1s: busiestSecond(r.at),
      first_ms: r.at.length ? Math.min(...r.at) : null, last_ms: r.at.length ? Math.max(...r.at) : null };
  }
  // Requests per second of each provider from the first arrival of any, for the log.
  const t0 = Math.min(...Object.values(seen).flatMap((r) => r.at));
  for (const [name, r] of Object.entries(seen)) {
    const per = [];
    for (const t of r.at) {
      const i = Math.floor((t - t0) / 1000);
      while (per.length <= i) per.push(0);
      per[i]++;
    }
    out[name].per_s = per;
  }
  const u = process.cpuUsage();
  out.cpu_s = (u.user + u.system) / 1e6;
  return out;
}

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const path = req.url.split('?')[0];
    const body = Buffer.concat(chunks).toString('utf8');
    const m = TWILIO.exec(path);
    if (m && req.method === 'POST') {
      const to = new URLSearchParams(body).get('To') || '';
      record('twilio', to);
      const sid = 'SM' + randomBytes(16).toString('hex');
      res.writeHead(201, { 'content-type': 'application/json' });
      return res.end(JSON.stringify({ sid, account_sid: m[1], to, status: 'queued', direction: 'outbound-api' }));
    }
    if (path === '/v3/mail/send' && req.method === 'POST') {
      // Our message id (custom_args) names the message; an address may be two contacts'.
      const id = /"switchboard_message_id":"([^"]*)"/.exec(body) || /"to":\[\{"email":"([^"]*)"/.exec(body);
      record('sendgrid', id ? id[1] : '');
      res.writeHead(202, { 'x-message-id': randomBytes(11).toString('base64url'), 'content-length': 0 });
      return res.end();
    }
    if (path === '/stats') {
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(JSON.stringify(stats()));
    }
    if (path === '/reset' && req.method === 'POST') {
      for (const r of Object.values(seen)) r.at.length = r.to.length = 0;
      res.writeHead(204);
      return res.end();
    }
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end('{"code":20404,"message":"not found"}');
  });
});
server.keepAliveTimeout = 60000;
server.listen(port, '127.0.0.1', () => process.stderr.write(`dispatch fake: listening on 127.0.0.1:${port}\n`));
const stop = () => server.close(() => process.exit(0)) && setTimeout(() => process.exit(0), 500).unref();
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
