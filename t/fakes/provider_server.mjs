// provider_server.mjs — the fake provider as a process, for script/server's demo org:
// `node t/fakes/provider_server.mjs PORT [--callbacks] [--sendgrid-events-url=URL]
// [--sendgrid-key-file=PEM]` serves Twilio's and SendGrid's HTTP APIs (messaging.mjs)
// on 127.0.0.1:PORT with the demo accounts (DEFAULT_ACCOUNTS), so a demo campaign
// completes and no real message is sent. With --callbacks it also sends the delivery
// callbacks a real provider sends: Twilio's to each SMS's StatusCallback, SendGrid's
// events to URL signed with the P-256 key in PEM (whose public key is the org's
// sendgrid_event_public_key), so demo messages reach "delivered". Stops on SIGTERM or
// SIGINT.
import { readFileSync } from 'node:fs';
import { createPrivateKey } from 'node:crypto';
import { startProvider } from './provider.mjs';

const [portArg, ...flags] = process.argv.slice(2);
const port = Number(portArg);
const option = (name) => flags.find((f) => f.startsWith(`--${name}=`))?.slice(name.length + 3);
const known = (f) => f === '--callbacks' || /^--(sendgrid-events-url|sendgrid-key-file)=./.test(f);
if (!Number.isInteger(port) || port < 1 || port > 65535 || !flags.every(known)) {
  process.stderr.write('usage: node provider_server.mjs PORT [--callbacks] [--sendgrid-events-url=URL] [--sendgrid-key-file=PEM]\n');
  process.exit(2);
}
let callbacks = null;
if (flags.includes('--callbacks')) {
  const keyFile = option('sendgrid-key-file');
  callbacks = { sendgridEventsUrl: option('sendgrid-events-url'),
    sendgridPrivateKey: keyFile ? createPrivateKey(readFileSync(keyFile)) : undefined };
}
const provider = await startProvider({ port, callbacks });
process.stderr.write(`fake provider: listening on 127.0.0.1:${provider.port} (no real messages are sent${
  callbacks ? '; delivery callbacks on' : ''})\n`);
const stop = async () => {
  provider.messaging.releaseStalled();
  await provider.close();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
