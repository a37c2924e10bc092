// provider_server.mjs — the fake provider as a process, for script/server's demo org:
// `node t/fakes/provider_server.mjs PORT` serves Twilio's and SendGrid's HTTP APIs
// (messaging.mjs) on 127.0.0.1:PORT with the demo accounts (DEFAULT_ACCOUNTS), so a
// demo campaign completes and no real message is sent. Stops on SIGTERM or SIGINT.
import { startProvider } from './provider.mjs';

const port = Number(process.argv[2]);
if (!Number.isInteger(port) || port < 1 || port > 65535) {
  process.stderr.write('usage: node provider_server.mjs PORT\n');
  process.exit(2);
}
const provider = await startProvider({ port });
process.stderr.write(`fake provider: listening on 127.0.0.1:${provider.port} (no real messages are sent)\n`);
const stop = async () => {
  provider.messaging.releaseStalled();
  await provider.close();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
