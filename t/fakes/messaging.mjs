// messaging.mjs — the Twilio and SendGrid side of the fake provider (provider.mjs):
// the requests the campaign sender makes, answered as the real APIs answer them.
//
//   POST /2010-04-01/Accounts/{sid}/Messages.json   form body; 201 {"sid": "SM…", …}
//   POST /2010-04-01/Accounts/{sid}/Calls.json      form body; 201 {"sid": "CA…", …}
//   GET  /2010-04-01/Accounts/{sid}/Messages.json?To=…&DateSent>=YYYY-MM-DD   the list
//   GET  /2010-04-01/Accounts/{sid}/Messages/{sid}.json                       one message
//   GET  /2010-04-01/Accounts/{sid}/Calls.json?To=…&From=…                     the calls, newest first
//   POST /v3/mail/send                              JSON body; 202, X-Message-Id header
//   GET  /v3/messages?query=unique_args['k']="v"    SendGrid's Email Activity search
//
// Twilio requests need basic auth (account SID, auth token), SendGrid's a Bearer key;
// a wrong one answers 401 in the provider's error shape. Each route can be planned
// (plan(route, steps), or planTo(route, to, steps) for one recipient first): each
// request takes the next step, the last one repeats. Steps: 'ok'; a status number
// (429, 500, 503, 400, …; 400 is Twilio's 21211 "not a valid phone number"); an object
// {status, retryAfter, code, message}; 'stall' (never answers, nothing stored);
// 'accept-stall' (stores the message as sent, then never answers: a response lost on
// the way back); 'accept-drop' (stores it, then resets the connection).
// Routes: 'twilio.messages', 'twilio.calls', 'twilio.list', 'twilio.fetch',
// 'sendgrid.send', 'sendgrid.search'.
//
// Delivery callbacks (off unless asked for: `callbacks` below; script/server's demo
// turns them on): a short while after accepting an SMS with a StatusCallback, the fake
// posts Twilio's status callbacks to it, "sent" then "delivered", signed as Twilio
// signs (X-Twilio-Signature: HMAC-SHA1 with the auth token over the URL and the sorted
// parameters); after accepting an email, it posts SendGrid's "processed" and
// "delivered" events with the custom args to the event webhook URL, signed as SendGrid
// signs (ECDSA P-256, SHA-256 over the timestamp and the body). A callback to a
// loopback https URL does not check its certificate (the demo's is self-signed).
import { createHmac, randomBytes, sign } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';

const TWILIO = /^\/2010-04-01\/Accounts\/([^/]+)\/(Messages|Calls)(?:\/([A-Za-z0-9]+))?\.json$/;

export const DEFAULT_ACCOUNTS = {
  twilioSid: 'AC' + '0123456789abcdef'.repeat(2),
  twilioToken: 'fake-twilio-auth-token',
  sendgridKey: 'SG.fake-sendgrid-api-key',
};

const rfc2822 = (d) => d.toUTCString().replace('GMT', '+0000');
const sidOf = (prefix) => prefix + randomBytes(16).toString('hex');

function readBody(req) {
  return new Promise((resolve) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', () => resolve(''));
  });
}

function send(res, status, body, headers = {}) {
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(text);
}

/** Twilio's request signature: the URL, then each parameter's name and value in name
 * order, HMAC-SHA1 with the auth token, base64. */
export function twilioSignature(token, url, params) {
  const data = url + Object.keys(params).sort().map((k) => k + params[k]).join('');
  return createHmac('sha1', token).update(data).digest('base64');
}

/** POSTs body to url (http, or https without a certificate check for a loopback host);
 * resolves to the status, 0 when it could not be sent. */
function post(url, headers, body) {
  return new Promise((resolve) => {
    const u = new URL(url);
    const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(u.hostname);
    const lib = u.protocol === 'https:' ? https : http;
    const req = lib.request(u, { method: 'POST', headers: { ...headers, 'content-length': Buffer.byteLength(body) },
      rejectUnauthorized: !loopback, timeout: 10000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(0));
    req.end(body);
  });
}

export class Messaging {
  /** callbacks: {delayMs, sendgridEventsUrl, sendgridPrivateKey (a KeyObject or PEM)}:
   * delivery callbacks as above; Twilio's go to each message's StatusCallback. */
  constructor(accounts = {}, callbacks = null) {
    this.callbacks = callbacks;
    /** Each delivery callback posted: {kind: 'twilio'|'sendgrid', url, status}. */
    this.callbacksSent = [];
    this.accounts = { ...DEFAULT_ACCOUNTS, ...accounts };
    this.plans = new Map();
    /** Every request to a messaging route: {route, to, form|json, step, at}. */
    this.requests = [];
    /** What was accepted (stored): {sid, kind: sms|call|email, to, from, body, subject,
     * statusCallback, customArgs, dateCreated}. */
    this.accepted = [];
    this.stalled = new Set();
  }

  handles(req) {
    const p = req.url.split('?')[0];
    return TWILIO.test(p) || p === '/v3/mail/send' || p === '/v3/messages';
  }

  plan(route, steps) {
    this.plans.set(route, [...steps]);
  }

  planTo(route, to, steps) {
    this.plans.set(`${route} ${to}`, [...steps]);
  }

  step(route, to) {
    const queue = this.plans.get(`${route} ${to}`) || this.plans.get(route) || ['ok'];
    return queue.length > 1 ? queue.shift() : queue[0];
  }

  /** Create requests (accepted or not) for one recipient, of one route or of any
   * route that sends (not the list or search that reconciliation makes). */
  requestsTo(to, route) {
    const sends = ['twilio.messages', 'twilio.calls', 'sendgrid.send'];
    return this.requests.filter((r) => r.to === to && (route ? r.route === route : sends.includes(r.route)));
  }

  acceptedTo(to) {
    return this.accepted.filter((m) => m.to === to);
  }

  /** Answers every stalled request with a reset (tests end cleanly). */
  releaseStalled() {
    for (const res of this.stalled) res.destroy();
    this.stalled.clear();
  }

  async serve(req, res, entry) {
    const url = new URL(req.url, 'http://fake');
    const raw = req.method === 'POST' ? await readBody(req) : '';
    entry.body = raw;
    const m = TWILIO.exec(url.pathname);
    if (m) return this.twilio(req, res, url, m, raw);
    return this.sendgrid(req, res, url, raw);
  }

  twilioAuthorized(req, sid) {
    const h = req.headers.authorization || '';
    if (!h.startsWith('Basic ')) return false;
    const [user, ...rest] = Buffer.from(h.slice(6), 'base64').toString('utf8').split(':');
    return user === sid && sid === this.accounts.twilioSid && rest.join(':') === this.accounts.twilioToken;
  }

  twilioError(res, status, code, message, headers = {}) {
    send(res, status, { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status }, headers);
  }

  twilio(req, res, url, [, sid, collection, one], raw) {
    if (!this.twilioAuthorized(req, sid)) return this.twilioError(res, 401, 20003, 'Authenticate');
    if (req.method === 'GET' && collection === 'Messages' && one) return this.twilioFetch(res, url, one);
    if (req.method === 'GET' && collection === 'Messages') return this.twilioList(res, url);
    if (req.method === 'GET' && collection === 'Calls' && !one) return this.twilioCallList(res, url);
    if (req.method !== 'POST' || one) return this.twilioError(res, 405, 20004, 'Method not allowed');
    const form = Object.fromEntries(new URLSearchParams(raw));
    const route = collection === 'Messages' ? 'twilio.messages' : 'twilio.calls';
    const step = this.step(route, form.To);
    this.requests.push({ route, to: form.To, form, step, at: new Date() });
    if (!form.To || !form.From || (route === 'twilio.messages' ? !form.Body : !form.Twiml && !form.Url))
      return this.twilioError(res, 400, 21604, "A required parameter is missing");
    const planned = this.failure(res, step, (status, code, message, headers) =>
      this.twilioError(res, status, code, message, headers));
    if (planned) return;
    const kind = route === 'twilio.messages' ? 'sms' : 'call';
    const now = new Date();
    const m = {
      sid: sidOf(kind === 'sms' ? 'SM' : 'CA'),
      kind,
      to: form.To,
      from: form.From,
      body: form.Body || form.Twiml || '',
      statusCallback: form.StatusCallback || '',
      dateCreated: now,
    };
    this.accepted.push(m);
    if (this.lost(res, step)) return;
    send(res, 201, this.twilioResource(m, sid));
    if (kind === 'sms') this.later(() => this.twilioDelivered(m, sid));
  }

  /** Runs fn after the callbacks' delay, when callbacks are on. */
  later(fn) {
    if (!this.callbacks) return;
    setTimeout(() => fn().catch(() => {}), this.callbacks.delayMs ?? 300).unref?.();
  }

  async twilioDelivered(m, sid) {
    if (!m.statusCallback) return;
    for (const status of ['sent', 'delivered']) {
      const params = { AccountSid: sid, ApiVersion: '2010-04-01', From: m.from, MessageSid: m.sid, MessageStatus: status,
        SmsSid: m.sid, SmsStatus: status, To: m.to };
      const body = new URLSearchParams(params).toString();
      const code = await post(m.statusCallback, { 'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': twilioSignature(this.accounts.twilioToken, m.statusCallback, params) }, body);
      this.callbacksSent.push({ kind: 'twilio', url: m.statusCallback, status: code });
    }
  }

  async sendgridDelivered(m) {
    const { sendgridEventsUrl: url, sendgridPrivateKey: key } = this.callbacks;
    if (!url || !key) return;
    const ts = String(Math.floor(Date.now() / 1000));
    const events = ['processed', 'delivered'].map((event) => ({ email: m.to, event, timestamp: Number(ts),
      sg_event_id: randomBytes(16).toString('base64url'), sg_message_id: `${m.sid}.filter0001`, ...m.customArgs }));
    const body = JSON.stringify(events);
    const code = await post(url, { 'content-type': 'application/json', 'x-twilio-email-event-webhook-timestamp': ts,
      'x-twilio-email-event-webhook-signature': sign('sha256', Buffer.from(ts + body), key).toString('base64') }, body);
    this.callbacksSent.push({ kind: 'sendgrid', url, status: code });
  }

  /** Answers a planned failure or stall; true when it did. fail(status, code, message, headers). */
  failure(res, step, fail) {
    if (step === 'stall') {
      this.stalled.add(res);
      return true;
    }
    const f = typeof step === 'number' ? { status: step } : step && step.status ? step : null;
    if (!f) return false;
    const headers = f.retryAfter !== undefined ? { 'retry-after': String(f.retryAfter) } : {};
    const code = f.code || { 400: 21211, 429: 20429, 401: 20003 }[f.status] || 20500;
    const message = f.message || { 400: "The 'To' number is not a valid phone number.", 429: 'Too Many Requests' }[f.status] ||
      'Internal Server Error';
    fail(f.status, code, message, headers);
    return true;
  }

  /** For the steps that store the message and then lose the answer; true when lost. */
  lost(res, step) {
    if (step === 'accept-stall') {
      this.stalled.add(res);
      return true;
    }
    if (step === 'accept-drop') {
      res.socket.destroy();
      return true;
    }
    return false;
  }

  twilioResource(m, sid) {
    const base = `/2010-04-01/Accounts/${sid}/${m.kind === 'sms' ? 'Messages' : 'Calls'}/${m.sid}.json`;
    const common = {
      sid: m.sid,
      account_sid: sid,
      to: m.to,
      from: m.from,
      status: m.kind === 'sms' ? 'sent' : 'queued',
      direction: 'outbound-api',
      api_version: '2010-04-01',
      date_created: rfc2822(m.dateCreated),
      date_updated: rfc2822(m.dateCreated),
      price: null,
      uri: base,
    };
    if (m.kind === 'call') return { ...common, parent_call_sid: null, duration: null };
    return { ...common, body: m.body, num_segments: '1', date_sent: rfc2822(m.dateCreated), error_code: null, error_message: null };
  }

  twilioList(res, url) {
    const step = this.step('twilio.list', url.searchParams.get('To'));
    this.requests.push({ route: 'twilio.list', to: url.searchParams.get('To'), query: url.search, step, at: new Date() });
    if (this.failure(res, step, (s, c, msg, h) => this.twilioError(res, s, c, msg, h))) return;
    const to = url.searchParams.get('To');
    const since = url.searchParams.get('DateSent>=');
    const sid = this.accounts.twilioSid;
    const list = this.accepted
      .filter((m) => m.kind === 'sms' && (!to || m.to === to))
      .filter((m) => !since || m.dateCreated.toISOString().slice(0, 10) >= since)
      .map((m) => this.twilioResource(m, sid));
    const uri = `/2010-04-01/Accounts/${sid}/Messages.json${url.search}`;
    send(res, 200, { messages: list, end: list.length ? list.length - 1 : 0, first_page_uri: uri, next_page_uri: null,
      page: 0, page_size: 50, previous_page_uri: null, start: 0, uri });
  }

  /** The Calls list, filtered by To and From as Twilio's is, newest first. */
  twilioCallList(res, url) {
    const to = url.searchParams.get('To'), from = url.searchParams.get('From');
    const step = this.step('twilio.call-list', to);
    this.requests.push({ route: 'twilio.call-list', to, query: url.search, step, at: new Date() });
    if (this.failure(res, step, (s, c, msg, h) => this.twilioError(res, s, c, msg, h))) return;
    const sid = this.accounts.twilioSid;
    const list = this.accepted
      .filter((m) => m.kind === 'call' && (!to || m.to === to) && (!from || m.from === from))
      .reverse()
      .map((m) => this.twilioResource(m, sid));
    const uri = `/2010-04-01/Accounts/${sid}/Calls.json${url.search}`;
    send(res, 200, { calls: list, end: list.length ? list.length - 1 : 0, first_page_uri: uri, next_page_uri: null,
      page: 0, page_size: 50, previous_page_uri: null, start: 0, uri });
  }

  twilioFetch(res, url, msid) {
    this.requests.push({ route: 'twilio.fetch', to: null, query: msid, step: 'ok', at: new Date() });
    const m = this.accepted.find((x) => x.sid === msid && x.kind === 'sms');
    if (!m) return this.twilioError(res, 404, 20404, `The requested resource ${url.pathname} was not found`);
    send(res, 200, this.twilioResource(m, this.accounts.twilioSid));
  }

  sendgridError(res, status, message, headers = {}) {
    send(res, status, { errors: [{ message, field: null, help: null }] }, headers);
  }

  sendgrid(req, res, url, raw) {
    if (req.headers.authorization !== `Bearer ${this.accounts.sendgridKey}`)
      return this.sendgridError(res, 401, 'The provided authorization grant is invalid, expired, or revoked');
    if (url.pathname === '/v3/messages' && req.method === 'GET') return this.sendgridSearch(res, url);
    if (req.method !== 'POST') return this.sendgridError(res, 405, 'method not allowed');
    let json;
    try {
      json = JSON.parse(raw);
    } catch {
      return this.sendgridError(res, 400, 'Bad Request');
    }
    const p = (json.personalizations || [])[0] || {};
    const to = ((p.to || [])[0] || {}).email;
    const step = this.step('sendgrid.send', to);
    this.requests.push({ route: 'sendgrid.send', to, json, step, at: new Date() });
    if (!to || !json.from || !json.from.email) return this.sendgridError(res, 400, 'The to and from fields are required');
    if (this.failure(res, step, (s, c, msg, h) => this.sendgridError(res, s, s === 400 ? 'Does not contain a valid address.' : msg, h)))
      return;
    const m = {
      sid: randomBytes(11).toString('base64url'),
      kind: 'email',
      to,
      from: json.from.email,
      subject: json.subject || p.subject || '',
      body: ((json.content || [])[0] || {}).value || '',
      customArgs: { ...(json.custom_args || {}), ...(p.custom_args || {}) },
      dateCreated: new Date(),
    };
    this.accepted.push(m);
    if (this.lost(res, step)) return;
    res.writeHead(202, { 'x-message-id': m.sid });
    res.end();
    this.later(() => this.sendgridDelivered(m));
  }

  /** The Email Activity API's search, for the one query form the sender uses:
   * unique_args['key']="value" (the real API takes a longer query language). */
  sendgridSearch(res, url) {
    const q = url.searchParams.get('query') || '';
    const m = /^unique_args\['([^']+)'\]\s*=\s*"([^"]*)"$/.exec(q.trim());
    this.requests.push({ route: 'sendgrid.search', to: null, query: q, step: 'ok', at: new Date() });
    if (!m) return this.sendgridError(res, 400, 'invalid query');
    const [, key, value] = m;
    const messages = this.accepted
      .filter((x) => x.kind === 'email' && x.customArgs[key] === value)
      .map((x) => ({ from_email: x.from, msg_id: x.sid, subject: x.subject, to_email: x.to, status: 'delivered',
        opens_count: 0, clicks_count: 0, last_event_time: x.dateCreated.toISOString() }));
    send(res, 200, { messages });
  }
}
