// stack.mjs — a throw-away Switchboard stack for the integration and browser tests:
// a real PostgreSQL cluster, the real nginx config and the real `switchboard serve`,
// on free ports in a temporary directory, set up by the same script as script/server
// (script/lib/stack.sh). Tests speak HTTPS to nginx.
import { spawn, spawnSync, execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, chmodSync, statSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const STACK_SH = path.join(REPO, 'script/lib/stack.sh');
export const BIN = process.env.SB_BIN || path.join(REPO, 'build/switchboard');

/** A port that was free on 127.0.0.1 a moment ago. Only a candidate: another process
 * may bind it before we do, so whoever binds it must retry with a fresh one when the
 * bind fails (startNginx does). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

const delay = (ms) => new Promise((r) => setTimeout(r, ms));

/** Two distinct candidate ports (https, http) for nginx. */
export async function freePorts() {
  for (;;) {
    const httpsPort = await freePort();
    const httpPort = await freePort();
    if (httpsPort !== httpPort) return [httpsPort, httpPort];
  }
}

/** GET /healthz on a fresh connection to 127.0.0.1:port: 'ours' (200 with the
 * certificate whose SHA-256 fingerprint is ourCert), 'foreign' (another server holds
 * the port), or 'no' (not answering yet). */
function probeHealthz(port, ourCert) {
  return new Promise((resolve) => {
    const req = https.request(
      { host: '127.0.0.1', port, method: 'GET', path: '/healthz', agent: false, rejectUnauthorized: false, timeout: 2000 },
      (res) => {
        const cert = res.socket.getPeerCertificate();
        const mine = cert && cert.fingerprint256 === ourCert;
        res.resume();
        res.on('end', () => resolve(!mine ? 'foreign' : res.statusCode === 200 ? 'ours' : 'no'));
        res.on('error', () => resolve('no'));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve('no'));
    req.end();
  });
}

/** Starts nginx with DIR/nginx.conf (rendered for httpsPort and httpPort) and waits
 * until it answers /healthz with DIR's certificate. The ports come from freePort(), so
 * another process may have taken one since: then nginx cannot bind it and exits, or a
 * foreign server answers on it. Either way render(https, http) re-renders the config
 * for fresh ports and nginx starts again. Returns { proc, httpsPort, httpPort }. */
export async function startNginx({ dir, httpsPort, httpPort, render, attempts = 8, timeoutMs = 30000 }) {
  const ourCert = new X509Certificate(readFileSync(path.join(dir, 'tls/cert.pem'))).fingerprint256;
  const errorLog = path.join(dir, 'log/nginx-error.log');
  for (let attempt = 1; ; attempt++) {
    if (attempt > 1) {
      [httpsPort, httpPort] = await freePorts();
      render(httpsPort, httpPort);
    }
    const logStart = existsSync(errorLog) ? statSync(errorLog).size : 0;
    const proc = spawn('nginx', ['-p', dir, '-c', path.join(dir, 'nginx.conf')], {
      stdio: ['ignore', 'inherit', 'pipe'],
    });
    let stderr = '';
    proc.stderr.on('data', (c) => {
      stderr += c;
    });
    const exit = new Promise((resolve) => proc.once('exit', resolve));
    const deadline = Date.now() + timeoutMs;
    let outcome;
    while (!outcome) {
      const probe = await probeHealthz(httpsPort, ourCert);
      if (probe === 'ours') outcome = 'up';
      else if (probe === 'foreign') outcome = 'taken';
      else if (proc.exitCode !== null || proc.signalCode !== null) outcome = 'exited';
      else if (Date.now() > deadline) outcome = 'timeout';
      else await delay(50);
    }
    if (outcome === 'up') {
      proc.stderr.on('data', (c) => process.stderr.write(c));
      if (stderr) process.stderr.write(stderr);
      return { proc, httpsPort, httpPort };
    }
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill('SIGKILL');
      await exit;
    }
    const log = existsSync(errorLog) ? readFileSync(errorLog, 'utf8').slice(logStart) : '';
    const bindFailed = outcome === 'taken' || /Address already in use/.test(stderr + log);
    if (!bindFailed || attempt >= attempts) {
      throw new Error(`nginx did not start (${outcome}, ports ${httpsPort}/${httpPort}, attempt ${attempt}): ${stderr}${log}`);
    }
    if (process.env.SB_TEST_VERBOSE) process.stderr.write(`nginx: port ${httpsPort} or ${httpPort} taken, trying others\n`);
  }
}

const PRISTINE_DB = 'switchboard_pristine';

/** Polls fn until it returns a truthy value or the deadline passes. The deadline only
 * bounds a failing wait (a passing one returns as soon as fn holds), so it is generous:
 * on a loaded 2-core machine a worker's start and a job's lease can take many seconds. */
export async function waitFor(fn, { timeoutMs = 30000, intervalMs = 50, what = 'condition' } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    await delay(intervalMs);
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${last.message}` : ''}`);
}

const live = new Set();
process.on('exit', () => {
  for (const s of live) s.killSync();
});

/** A cookie jar plus the CSRF token of the last page seen: one browser session. */
export class Client {
  constructor(stack) {
    this.stack = stack;
    this.cookies = new Map();
    this.csrf = null;
  }

  cookieHeader() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  absorb(res) {
    for (const c of res.headers['set-cookie'] || []) {
      const [pair, ...attrs] = c.split(';');
      const i = pair.indexOf('=');
      const name = pair.slice(0, i).trim();
      const value = pair.slice(i + 1).trim();
      const expired = attrs.some((a) => /^\s*max-age=0\s*$/i.test(a));
      if (expired || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    const m = /name="csrf_token" value="([^"]+)"/.exec(res.body);
    if (m) this.csrf = m[1];
    return res;
  }

  async request(method, urlPath, opts = {}) {
    const headers = { ...(opts.headers || {}) };
    if (this.cookies.size && !('cookie' in headers)) headers.cookie = this.cookieHeader();
    return this.absorb(await this.stack.request(method, urlPath, { ...opts, headers }));
  }

  get(urlPath, opts) {
    return this.request('GET', urlPath, opts);
  }

  /** POSTs a form; the CSRF token is added unless fields.csrf_token is given (null omits it). */
  post(urlPath, fields = {}, opts = {}) {
    const f = { ...fields };
    if (!('csrf_token' in f)) f.csrf_token = this.csrf;
    if (f.csrf_token === null) delete f.csrf_token;
    const body = new URLSearchParams(f).toString();
    return this.request('POST', urlPath, {
      ...opts,
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...(opts.headers || {}) },
      body,
    });
  }

  /** Signs in through the form; returns the POST /login response. */
  async login(email, password) {
    await this.get('/login');
    return this.post('/login', { email, password });
  }
}

export class Stack {
  static async start(opts = {}) {
    const s = new Stack(opts);
    live.add(s);
    try {
      await s.boot();
    } catch (e) {
      s.killSync();
      live.delete(s);
      throw e;
    }
    return s;
  }

  constructor(opts) {
    this.opts = opts;
    this.dir = mkdtempSync('/tmp/sbt-');
    chmodSync(this.dir, 0o755);
    this.logLines = [];
    this.agent = new https.Agent({ rejectUnauthorized: false, keepAlive: true, maxSockets: 64 });
  }

  stackEnv() {
    return {
      ...process.env,
      SB_BIN: BIN,
      SB_HTTPS_PORT: String(this.httpsPort),
      SB_HTTP_PORT: String(this.httpPort),
      SB_WORKERS: String(this.opts.workers || 3),
      SB_SCRYPT_LOG2_N: '14',
      SB_PG_UNSAFE_FAST: '1', // a throw-away cluster: durability buys nothing here
      SB_LOGIN_RATE: '1000r/s',
      SB_LOGIN_BURST: '1000',
      SB_API_RATE: '5000r/s',
      SB_API_BURST: '5000',
      ...(this.opts.stackEnv || {}),
    };
  }

  sh(...args) {
    execFileSync('bash', [STACK_SH, ...args, this.dir], { env: this.stackEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  }

  async boot() {
    [this.httpsPort, this.httpPort] = await freePorts();
    this.sh('init');
    this.sh('setup-db');
    this.password = readFileSync(path.join(this.dir, 'demo-password'), 'utf8').trim();
    this.config = path.join(this.dir, 'switchboard.conf');
    // Recording downloads come from the fake provider (t/fakes/provider.mjs): plain
    // http on 127.0.0.1, which production settings refuse. Tests may override.
    writeFileSync(this.config, readFileSync(this.config, 'utf8') +
      '\nrecording_url_hosts = 127.0.0.1\nrecording_url_allow_http = true\nrecording_url_allow_private = true\n');
    if (this.opts.config) writeFileSync(this.config, readFileSync(this.config, 'utf8') + this.opts.config);
    // A copy of the freshly set-up database (reset() goes back to it). Nothing is
    // connected yet, as CREATE DATABASE ... TEMPLATE requires.
    if (this.opts.resettable) this.superSql(`CREATE DATABASE ${PRISTINE_DB} TEMPLATE switchboard OWNER switchboard STRATEGY file_copy`, { db: 'postgres' });
    this.startServe();
    await this.startNginx();
  }

  /** Puts the stack back as Stack.start left it, for the next group of tests in the
   * same file: the database becomes a copy of the one set up at boot (every row any
   * test wrote is gone: sessions and API keys too, so sign in again afterwards), and
   * `switchboard serve` is restarted with the options the stack was started with (new
   * workers, new connections, an empty log). nginx, the ports, the configuration and
   * the TLS certificate stay. Needs Stack.start({resettable: true}). */
  async reset() {
    if (!this.opts.resettable) throw new Error('reset() needs Stack.start({ resettable: true })');
    for (const w of [...(this.workerProcs || [])]) await this.stopWorker(w, 'SIGKILL');
    await this.stopServe();
    this.superSql('DROP DATABASE switchboard WITH (FORCE)', { db: 'postgres' });
    this.superSql(`CREATE DATABASE switchboard TEMPLATE ${PRISTINE_DB} OWNER switchboard STRATEGY file_copy`, { db: 'postgres' });
    this.logLines.length = 0;
    await this.restartServe();
  }

  /** Starts nginx (startNginx below) on this.httpsPort and this.httpPort, or on fresh
   * ports when one of them was taken. */
  async startNginx() {
    const n = await startNginx({
      dir: this.dir,
      httpsPort: this.httpsPort,
      httpPort: this.httpPort,
      render: (httpsPort, httpPort) => {
        [this.httpsPort, this.httpPort] = [httpsPort, httpPort];
        this.sh('nginx-conf');
      },
    });
    this.nginx = n.proc;
  }

  startServe(extraEnv = {}) {
    this.serve = spawn(BIN, ['--config', this.config, 'serve'], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, ...(this.opts.env || {}), ...extraEnv },
    });
    let partial = '';
    this.serve.stderr.on('data', (chunk) => {
      const text = partial + chunk.toString();
      const lines = text.split('\n');
      partial = lines.pop();
      for (const l of lines) {
        this.logLines.push(l);
        if (process.env.SB_TEST_VERBOSE) process.stderr.write(l + '\n');
      }
    });
    this.serveExit = new Promise((resolve) => this.serve.once('close', (code, sig) => resolve({ code, sig }))); // close: after its output is read
  }

  /** Starts a `switchboard worker` (extraEnv: SWITCHBOARD_* overrides); returns a
   * handle {proc, lines, logs(), exit}. Workers still running are stopped with the stack. */
  startWorker(extraEnv = {}) {
    const proc = spawn(BIN, ['--config', this.config, 'worker'], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, ...(this.opts.env || {}), ...extraEnv },
    });
    const w = {
      proc,
      lines: [],
      exit: new Promise((resolve) => proc.once('close', (code, sig) => resolve({ code, sig }))), // close: after its output is read
      logs() {
        return this.lines.flatMap((l) => {
          try {
            return [JSON.parse(l)];
          } catch {
            return [];
          }
        });
      },
    };
    let partial = '';
    proc.stderr.on('data', (chunk) => {
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop();
      for (const l of lines) {
        w.lines.push(l);
        if (process.env.SB_TEST_VERBOSE) process.stderr.write(`[worker ${proc.pid}] ${l}\n`);
      }
    });
    (this.workerProcs ||= new Set()).add(w);
    return w;
  }

  /** Stops a worker started by startWorker (SIGTERM: it finishes its job first). */
  async stopWorker(w, signal = 'SIGTERM') {
    this.workerProcs?.delete(w);
    if (w.proc.exitCode === null && w.proc.signalCode === null) w.proc.kill(signal);
    return w.exit;
  }

  /** Parsed JSON log lines of the pool so far. */
  logs() {
    return this.logLines.flatMap((l) => {
      try {
        return [JSON.parse(l)];
      } catch {
        return [];
      }
    });
  }

  client() {
    return new Client(this);
  }

  /** A client already signed in as a demo user (admin, manager, agent, viewer). */
  async as(role) {
    const c = this.client();
    const res = await c.login(`${role}@demo.test`, this.password);
    if (res.status !== 303) throw new Error(`sign-in as ${role} failed: ${res.status}`);
    await c.get('/'); // picks up the session's CSRF token
    return c;
  }

  /** One HTTPS request to nginx. Returns {status, headers, body, json()}. */
  request(method, urlPath, { headers = {}, body, timeoutMs = 15000 } = {}) {
    // Node frames a body with chunked encoding only for the methods that usually have
    // one; a DELETE's body would go unframed and nginx would read it as the next request.
    const framed = ['POST', 'PUT', 'PATCH'].includes(method) ||
      Object.keys(headers).some((h) => /^(content-length|transfer-encoding)$/i.test(h));
    if (body !== undefined && !framed) headers = { ...headers, 'content-length': Buffer.byteLength(body) };
    return new Promise((resolve, reject) => {
      const req = https.request(
        { host: '127.0.0.1', port: this.httpsPort, method, path: urlPath, headers, agent: this.agent, timeout: timeoutMs },
        (res) => {
          const chunks = [];
          res.on('data', (c) => chunks.push(c));
          res.on('end', () => {
            const buf = Buffer.concat(chunks);
            const text = buf.toString('utf8');
            resolve({
              status: res.statusCode,
              headers: res.headers,
              body: text,
              raw: buf,
              json() {
                return JSON.parse(text);
              },
            });
          });
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`timeout: ${method} ${urlPath}`)));
      req.on('error', reject);
      if (body !== undefined) req.write(body);
      req.end();
    });
  }

  /** One JSON API request authenticated by an API key (`Authorization: Bearer key`).
   * body, when given, is sent as JSON (with its content type); headers are added last
   * and may replace those. Returns what request() returns. */
  api(key, method, urlPath, body, headers = {}) {
    return this.request(method, urlPath, {
      headers: {
        authorization: `Bearer ${key}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  }

  /** Sends raw bytes over a fresh TLS connection (HTTP/1.1) and returns the status
   * code of the first response (0 if the server closed without answering). */
  raw(bytes, { timeoutMs = 10000 } = {}) {
    return new Promise((resolve, reject) => {
      const sock = tls.connect({ host: '127.0.0.1', port: this.httpsPort, rejectUnauthorized: false, ALPNProtocols: ['http/1.1'] });
      const chunks = [];
      const timer = setTimeout(() => {
        sock.destroy();
        reject(new Error('raw request timed out'));
      }, timeoutMs);
      // write, not end: a half-closed connection makes nginx abandon the request (499).
      // Callers send `Connection: close` so the server ends the connection.
      sock.on('secureConnect', () => sock.write(bytes));
      sock.on('data', (c) => chunks.push(c));
      sock.on('error', () => {});
      sock.on('close', () => {
        clearTimeout(timer);
        const text = Buffer.concat(chunks).toString('latin1');
        const m = /^HTTP\/1\.[01] (\d{3})/.exec(text);
        resolve({ status: m ? Number(m[1]) : 0, text });
      });
    });
  }

  /** Runs SQL as the schema owner (sees every org); returns psql's unaligned rows. */
  sql(query) {
    const out = execFileSync(
      'psql',
      ['-X', '-A', '-t', '-q', '-v', 'ON_ERROR_STOP=1', '-h', path.join(this.dir, 'pgsock'), '-U', 'switchboard', '-d', 'switchboard', '-c', query],
      { encoding: 'utf8' },
    );
    return out.trim();
  }

  /** Runs SQL as the cluster's superuser (postgres), in database db; returns psql's
   * unaligned rows. */
  superSql(query, { db = 'switchboard' } = {}) {
    const out = execFileSync(
      'psql',
      ['-X', '-A', '-t', '-q', '-v', 'ON_ERROR_STOP=1', '-h', path.join(this.dir, 'pgsock'), '-U', 'postgres', '-d', db, '-c', query],
      { encoding: 'utf8' },
    );
    return out.trim();
  }

  /** A psql session holding an exclusive lock on a table (every statement that reads
   * it waits) until release() is called. waiters() counts the sessions waiting on it;
   * waitedMs(ms) is true once one has waited at least ms. */
  async holdLock(table) {
    const holder = spawn('psql', ['-X', '-q', '-h', path.join(this.dir, 'pgsock'), '-U', 'switchboard', '-d', 'switchboard'],
      { stdio: ['pipe', 'ignore', 'ignore'] });
    const exited = new Promise((r) => holder.once('exit', r));
    holder.stdin.write(`BEGIN; LOCK TABLE ${table} IN ACCESS EXCLUSIVE MODE;\n`);
    await waitFor(() => this.sql(`SELECT count(*) FROM pg_locks WHERE relation = '${table}'::regclass
                                   AND mode = 'AccessExclusiveLock' AND granted`) === '1', { what: 'the lock' });
    return {
      waiters: () => Number(this.sql(`SELECT count(*) FROM pg_locks WHERE relation = '${table}'::regclass AND NOT granted`)),
      waitedMs: (ms) => Number(this.superSql(`SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'
        AND now() - query_start >= interval '${Number(ms)} milliseconds'`)) >= 1,
      release: async () => {
        holder.stdin.end('COMMIT;\n');
        await exited;
      },
    };
  }

  /** Runs SQL that yields one value (one row, one column; the value may span lines,
   * as json_agg output does) and returns it as text. */
  one(query) {
    return this.sql(query);
  }

  /** Runs a switchboard CLI command against this stack; returns {status, stdout, stderr}. */
  cli(args, { input } = {}) {
    const r = spawnSync(BIN, ['--config', this.config, ...args], { input, encoding: 'utf8' });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  }

  pgStop() {
    this.sh('pg-stop');
  }

  pgStart() {
    this.sh('pg-start');
  }

  /** PIDs of the pool's worker processes. */
  workerPids() {
    const r = spawnSync('pgrep', ['-P', String(this.serve.pid)], { encoding: 'utf8' });
    return r.stdout.split('\n').filter(Boolean).map(Number);
  }

  /** Stops `switchboard serve` (if it runs), starts it again (extraEnv: environment
   * overrides) and waits until the stack answers /healthz. */
  async restartServe(extraEnv = {}) {
    await this.stopServe();
    this.startServe(extraEnv);
    await waitFor(async () => (await this.request('GET', '/healthz')).status === 200, { what: 'serve to come back' });
  }

  async stopServe(signal = 'SIGTERM') {
    if (this.serve.exitCode !== null || this.serve.signalCode !== null) return this.serveExit;
    this.serve.kill(signal);
    return this.serveExit;
  }

  async stop() {
    live.delete(this);
    for (const w of [...(this.workerProcs || [])]) await this.stopWorker(w, 'SIGKILL');
    this.agent.destroy();
    await this.stopServe();
    if (this.nginx.exitCode === null) {
      const done = new Promise((r) => this.nginx.once('exit', r));
      this.nginx.kill('SIGQUIT');
      await done;
    }
    try {
      this.pgStop();
    } finally {
      if (!process.env.SB_KEEP_TEST_DIR) rmSync(this.dir, { recursive: true, force: true });
    }
  }

  killSync() {
    for (const p of [this.serve, this.nginx, ...[...(this.workerProcs || [])].map((w) => w.proc)]) {
      try {
        if (p && p.exitCode === null) p.kill('SIGKILL');
      } catch {}
    }
    spawnSync('bash', [STACK_SH, 'pg-stop', this.dir]);
    if (!process.env.SB_KEEP_TEST_DIR) rmSync(this.dir, { recursive: true, force: true });
  }
}
