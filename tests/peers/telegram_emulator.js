// The telegram-test-api emulator on a free loopback port, for the integration tests.
// Prints "listening on http://127.0.0.1:PORT" once it accepts connections; runs until
// killed. Its bot API is at /bot<token>/<method>; its client API (what a person does)
// at /sendMessage, /sendCallback and /getUpdates.
const TelegramServer = require('telegram-test-api');

(async () => {
  const server = new TelegramServer({ host: '127.0.0.1', storeTimeout: 600 });
  server.config.port = 0;  // normalizeConfig turns 0 into 9000; a free port is wanted
  await server.start();
  console.log(`listening on http://127.0.0.1:${server.server.address().port}`);
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
