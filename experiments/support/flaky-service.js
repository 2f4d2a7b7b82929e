#!/usr/bin/env node
// A tiny HTTP service for the `exec` example: it answers 200 on every path, and 503
// while the file named by DOWN_FILE exists. The experiment's inject command creates
// that file and its rollback removes it.
//
//   PORT=8080 DOWN_FILE=/tmp/gameday-demo/down node experiments/support/flaky-service.js
'use strict';
const fs = require('node:fs');
const http = require('node:http');

const port = Number(process.env.PORT || 8080);
const host = process.env.HOST || '127.0.0.1';
const downFile = process.env.DOWN_FILE || '/tmp/gameday-demo/down';

const server = http.createServer((request, response) => {
  const down = fs.existsSync(downFile);
  response.writeHead(down ? 503 : 200, {
    'content-type': 'application/json',
    'x-gameday-region': process.env.REGION || 'local',
  });
  response.end(JSON.stringify({ ok: !down, path: request.url }));
});
server.listen(port, host, () => {
  const address = server.address();
  process.stdout.write(`flaky-service listening on http://${host}:${address.port} (down while ${downFile} exists)\n`);
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.close(() => process.exit(0)));
