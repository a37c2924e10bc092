// smtp_sink.mjs — a minimal SMTP server for tests: speaks EHLO/HELO, MAIL FROM,
// RCPT TO, DATA, RSET, NOOP and QUIT (no TLS, no AUTH) and records each message it
// accepts as { from, to, data, headers, subject, body }. `fail` makes it refuse
// recipients with 550. No package needed.
import net from 'node:net';

export async function startSmtpSink() {
  const sink = { messages: [], fail: false, sessions: 0 };
  sink.server = net.createServer((sock) => {
    sink.sessions++;
    let buf = '';
    let inData = false;
    let env = { from: null, to: [] };
    let lines = [];
    const say = (s) => sock.write(`${s}\r\n`);
    say('220 sink.test ESMTP ready');
    const finishMessage = () => {
      const data = lines.map((l) => (l.startsWith('..') ? l.slice(1) : l)).join('\r\n');
      const split = data.indexOf('\r\n\r\n');
      const head = split < 0 ? data : data.slice(0, split);
      const headers = {};
      for (const h of head.split(/\r\n(?![ \t])/)) {
        const i = h.indexOf(':');
        if (i > 0) headers[h.slice(0, i).toLowerCase()] = h.slice(i + 1).trim();
      }
      sink.messages.push({ from: env.from, to: env.to, data, headers, subject: headers.subject || '',
        body: split < 0 ? '' : data.slice(split + 4) });
      env = { from: null, to: [] };
      lines = [];
    };
    const onLine = (line) => {
      if (inData) {
        if (line === '.') {
          inData = false;
          finishMessage();
          say('250 2.0.0 queued');
        } else lines.push(line);
        return;
      }
      const cmd = line.slice(0, 4).toUpperCase();
      if (cmd === 'EHLO') {
        say('250-sink.test greets you');
        say('250-8BITMIME');
        say('250 SIZE 10485760');
      } else if (cmd === 'HELO') say('250 sink.test');
      else if (cmd === 'MAIL') {
        env.from = /<([^>]*)>/.exec(line)?.[1] ?? null;
        say('250 2.1.0 ok');
      } else if (cmd === 'RCPT') {
        if (sink.fail) return say('550 5.1.1 mailbox unavailable');
        env.to.push(/<([^>]*)>/.exec(line)?.[1]);
        say('250 2.1.5 ok');
      } else if (cmd === 'DATA') {
        if (!env.to.length) return say('503 5.5.1 no recipients');
        inData = true;
        say('354 end with <CRLF>.<CRLF>');
      } else if (cmd === 'RSET') {
        env = { from: null, to: [] };
        say('250 ok');
      } else if (cmd === 'NOOP') say('250 ok');
      else if (cmd === 'QUIT') {
        say('221 bye');
        sock.end();
      } else say('502 5.5.2 not implemented');
    };
    sock.on('data', (chunk) => {
      buf += chunk.toString('utf8');
      let i;
      while ((i = buf.indexOf('\r\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 2);
        onLine(line);
      }
    });
    sock.on('error', () => {});
  });
  await new Promise((resolve) => sink.server.listen(0, '127.0.0.1', resolve));
  sink.port = sink.server.address().port;
  sink.close = () => new Promise((resolve) => sink.server.close(resolve));
  return sink;
}
