/**
 * The traffic probe's raw HTTP/1.1 connection against real sockets on loopback: servers
 * that write exactly the bytes each case needs (chunked, close-delimited, HEAD, 204, 1xx,
 * `connection: close`, a reset mid-body, garbage), and TLS against a real TLS server.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  defaultIdleLimitMs,
  encodeRequest,
  type ExchangeHandler,
  Http1Connection,
  idleLimitOf,
} from '../../src/probes/http1-connection';
import { selfSignedCertificate } from '../../src/probes/tls-certificate';

interface Exchange {
  status: number;
  region: string;
  error: string;
}

/** Dispatches one request and waits for its end (complete or failed). */
function exchange(connection: Http1Connection): Promise<Exchange> {
  return new Promise((resolve) => {
    const seen: Exchange = { status: 0, region: '', error: '' };
    const handler: ExchangeHandler = {
      onHeaders: (status, region) => Object.assign(seen, { status, region }),
      onComplete: () => resolve(seen),
      onError: (error) => resolve({ ...seen, error: String(error.code) }),
    };
    connection.dispatch(handler);
  });
}

/**
 * A server that answers each request (read up to its blank line) with `respond(index)`'s bytes,
 * `index` counting requests across connections; `end: true` closes the socket after writing, `destroy`
 * resets it. It records each request's text and how many connections it accepted.
 */
async function rawServer(respond: (index: number) => { bytes: string[]; end?: boolean; destroy?: boolean }) {
  const requests: string[] = [];
  const sockets: net.Socket[] = [];
  const server = net.createServer((socket) => {
    sockets.push(socket);
    let pending = '';
    socket.on('data', (chunk) => {
      pending += chunk.toString('latin1');
      for (let end = pending.indexOf('\r\n\r\n'); end >= 0; end = pending.indexOf('\r\n\r\n')) {
        requests.push(pending.slice(0, end + 4));
        pending = pending.slice(end + 4);
        const answer = respond(requests.length - 1);
        for (const bytes of answer.bytes) socket.write(bytes);
        if (answer.destroy) socket.destroy();
        else if (answer.end) socket.end();
      }
    });
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/orders?limit=20`,
    port,
    requests,
    connections: () => sockets.length,
    /** Closes every socket from the server's side, as a keep-alive timeout does. */
    closeSockets: () => sockets.forEach((socket) => socket.end()),
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

const ok = (body = 'hello', extra = '') =>
  `HTTP/1.1 200 OK\r\nx-gameday-region: us-west-2\r\ncontent-length: ${body.length}\r\n${extra}\r\n${body}`;

function connectionTo(url: string, options: { method?: string; closeAfter?: boolean } = {}) {
  const request = encodeRequest(url, {
    method: options.method ?? 'GET',
    headers: {},
    closeAfter: !!options.closeAfter,
  });
  return new Http1Connection(request, undefined);
}

test('keep-alive: two exchanges on one socket, status and region read, the request as encoded', async () => {
  const server = await rawServer(() => ({ bytes: [ok()] }));
  const connection = connectionTo(server.url);
  const first = await exchange(connection);
  const second = await exchange(connection);
  assert.equal(first, { status: 200, region: 'us-west-2', error: '' });
  assert.equal(second, first);
  assert.is(server.connections(), 1);
  assert.is(
    server.requests[0],
    `GET /orders?limit=20 HTTP/1.1\r\nhost: 127.0.0.1:${server.port}\r\nconnection: keep-alive\r\n\r\n`,
  );
  connection.destroy();
  await server.close();
});

test('a response split into one-byte writes, a chunked body, and a body delimited by the close', async () => {
  const chunked = 'HTTP/1.1 201 Created\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n';
  const answers = [
    { bytes: [...ok('split')] },
    { bytes: [chunked.slice(0, 60), chunked.slice(60)] },
    { bytes: ['HTTP/1.1 200 OK\r\nx-gameday-region: eu-west-1\r\n\r\nuntil ', 'the end'], end: true },
    { bytes: [ok()] },
  ];
  const server = await rawServer((index) => answers[index]);
  const connection = connectionTo(server.url);
  assert.equal(await exchange(connection), { status: 200, region: 'us-west-2', error: '' });
  assert.equal(await exchange(connection), { status: 201, region: '', error: '' });
  assert.equal(await exchange(connection), { status: 200, region: 'eu-west-1', error: '' });
  assert.is(server.connections(), 1, 'one socket so far');
  assert.is((await exchange(connection)).status, 200, 'after a close-delimited body the next request reconnects');
  assert.is(server.connections(), 2);
  connection.destroy();
  await server.close();
});

test('no body: HEAD (whatever its content-length says), 204, 304; a 1xx before the final status', async () => {
  const answers = [
    { bytes: ['HTTP/1.1 200 OK\r\ncontent-length: 1234\r\n\r\n'] },
    { bytes: ['HTTP/1.1 204 No Content\r\n\r\n'] },
    { bytes: ['HTTP/1.1 304 Not Modified\r\netag: "x"\r\n\r\n'] },
    { bytes: ['HTTP/1.1 100 Continue\r\n\r\n', 'HTTP/1.1 103 Early Hints\r\nlink: </a.css>\r\n\r\n', ok('after')] },
  ];
  const server = await rawServer((index) => answers[index]);
  const head = connectionTo(server.url, { method: 'HEAD' });
  assert.is((await exchange(head)).status, 200);
  head.destroy();
  const connection = connectionTo(server.url);
  assert.is((await exchange(connection)).status, 204);
  assert.is((await exchange(connection)).status, 304);
  assert.equal(await exchange(connection), { status: 200, region: 'us-west-2', error: '' });
  assert.is(server.connections(), 2, 'the HEAD connection, then one for the rest: every response was delimited');
  connection.destroy();
  await server.close();
});

test("the server's connection: close, and 'new' (closeAfter): each next request connects anew", async () => {
  const server = await rawServer(() => ({ bytes: [ok('bye', 'connection: close\r\n')] }));
  const connection = connectionTo(server.url);
  for (let index = 0; index < 3; index++) assert.is((await exchange(connection)).status, 200);
  assert.is(server.connections(), 3);
  connection.destroy();
  await server.close();

  const plain = await rawServer(() => ({ bytes: [ok()] }));
  const fresh = connectionTo(plain.url, { closeAfter: true });
  for (let index = 0; index < 3; index++) assert.is((await exchange(fresh)).status, 200);
  assert.is(plain.connections(), 3, 'the server kept the sockets open; the client closed each');
  assert.match(plain.requests[0], /\r\nconnection: close\r\n/);
  fresh.destroy();
  await plain.close();
});

test('failures: reset mid-body, closed before an answer (ECONNRESET), refused, garbage, 200 KB headers', async () => {
  const answers = [
    { bytes: ['HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\npartial'], destroy: true },
    { bytes: [], end: true },
    { bytes: [ok()] },
    { bytes: ['SMTP ready\r\n\r\n'] },
    { bytes: [`HTTP/1.1 200 OK\r\ncontent-length: 0\r\nx-padding: ${'a'.repeat(200 * 1024)}\r\n\r\n`] },
  ];
  const server = await rawServer((index) => answers[index]);
  const connection = connectionTo(server.url);
  const reset = await exchange(connection);
  assert.is(reset.error, 'ECONNRESET');
  assert.is(reset.status, 200, 'the headers had come');
  assert.equal(await exchange(connection), { status: 0, region: '', error: 'ECONNRESET' });
  assert.is((await exchange(connection)).status, 200, 'a failed connection connects again on its next dispatch');
  assert.equal(await exchange(connection), { status: 0, region: '', error: 'HPE_INVALID_CONSTANT' });
  assert.equal(await exchange(connection), { status: 0, region: '', error: 'HPE_HEADER_OVERFLOW' });
  connection.destroy();
  await server.close();

  const refused = connectionTo(server.url);
  assert.equal(await exchange(refused), { status: 0, region: '', error: 'ECONNREFUSED' });
});

test('an idle keep-alive socket the server closed is not reused: the next request connects anew', async () => {
  const server = await rawServer(() => ({ bytes: [ok()] }));
  const connection = connectionTo(server.url);
  await exchange(connection);
  server.closeSockets();
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.is((await exchange(connection)).status, 200);
  assert.is(server.connections(), 2);
  connection.destroy();
  await server.close();
});

test("a socket idle for about as long as the server's keep-alive timeout is not reused", async () => {
  const server = await rawServer(() => ({ bytes: [ok('x', 'keep-alive: timeout=1\r\n')] }));
  const connection = connectionTo(server.url);
  await exchange(connection);
  await exchange(connection);
  assert.is(server.connections(), 1, 'back to back: one socket');
  // The server would keep it 1 s; the client stops reusing it at half that.
  await new Promise((resolve) => setTimeout(resolve, 600));
  assert.is((await exchange(connection)).status, 200);
  assert.is(server.connections(), 2, 'after 600 ms idle the request went out on a new socket');
  connection.destroy();
  await server.close();
});

test('the idle limit from keep-alive: timeout=N, a second under N (half of it under 2 s)', () => {
  assert.is(idleLimitOf('timeout=5'), 4000);
  assert.is(idleLimitOf('timeout=5, max=1000'), 4000);
  assert.is(idleLimitOf('max=1000, timeout=2'), 1000);
  assert.is(idleLimitOf('timeout=1'), 500);
  assert.is(idleLimitOf('timeout=0'), 0);
  assert.is(idleLimitOf('timeout=100000'), 599_000);
  assert.is(idleLimitOf('max=5'), defaultIdleLimitMs);
  assert.is(idleLimitOf('xtimeout=9'), defaultIdleLimitMs);
});

test("the name is resolved through the given lookup on each connect; its error is the exchange's", async () => {
  const server = await rawServer(() => ({ bytes: [ok('x', 'connection: close\r\n')] }));
  const names: string[] = [];
  const lookup: net.LookupFunction = (hostname, options, callback) => {
    names.push(hostname);
    if (hostname === 'app.example.test') {
      if ((options as { all?: boolean }).all) (callback as Function)(null, [{ address: '127.0.0.1', family: 4 }]);
      else callback(null, '127.0.0.1', 4);
    } else callback(Object.assign(new Error(`queryA ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }), '', 4);
  };
  const request = { method: 'GET', headers: {}, closeAfter: false };
  const connection = new Http1Connection(encodeRequest(`http://app.example.test:${server.port}/`, request), lookup);
  assert.is((await exchange(connection)).status, 200);
  assert.is((await exchange(connection)).status, 200);
  assert.equal(names, ['app.example.test', 'app.example.test'], 'the server closed: the second connect resolved anew');
  assert.match(server.requests[0], new RegExp(`\r\nhost: app.example.test:${server.port}\r\n`));
  const missing = new Http1Connection(encodeRequest('http://nowhere.example.test/', request), lookup);
  assert.is((await exchange(missing)).error, 'ENOTFOUND');
  connection.destroy();
  await server.close();
});

test('encoding: the body and its length, the caller host header, no request splitting', () => {
  const post = encodeRequest('http://[::1]:8080/orders', {
    method: 'POST',
    headers: { 'content-type': 'application/json', Host: 'shop.example', 'Content-Length': '999' },
    body: '{"sku":"é"}',
    closeAfter: false,
  });
  assert.is(post.host, '::1');
  assert.is(post.port, 8080);
  assert.is(
    post.bytes.toString('utf8'),
    'POST /orders HTTP/1.1\r\nconnection: keep-alive\r\ncontent-type: application/json\r\nHost: shop.example\r\n' +
      'content-length: 12\r\n\r\n{"sku":"é"}',
  );
  const empty = encodeRequest('https://shop.example/x', { method: 'PUT', headers: {}, closeAfter: true });
  assert.equal([empty.tls, empty.port], [true, 443]);
  assert.match(empty.bytes.toString(), /\r\nconnection: close\r\ncontent-length: 0\r\n\r\n$/);
  const headers = (value: Record<string, string>) => () =>
    encodeRequest('http://a/', { method: 'GET', headers: value, closeAfter: false });
  assert.throws(headers({ 'x-a': 'b\r\nx-injected: 1' }), /header x-a: its value has a CR, LF or NUL/);
  assert.throws(headers({ 'x a': 'b' }), /header name "x a" is not an HTTP token/);
  assert.throws(() => encodeRequest('ftp://a/', { method: 'GET', headers: {}, closeAfter: false }), /not ftp:/);
});

/** A TLS server for 127.0.0.1 with a throwaway certificate; its "region" says if the connection resumed a session. */
async function tlsServer() {
  const certificate = selfSignedCertificate('127.0.0.1');
  const server = tls.createServer({ key: certificate.keyPem, cert: certificate.certPem }, (socket) => {
    const handshake = socket.isSessionReused() ? 'resumed' : 'full';
    const answer = `HTTP/1.1 200 OK\r\nx-gameday-region: ${handshake}\r\ncontent-length: 0\r\n\r\n`;
    socket.on('data', () => socket.write(answer));
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return { certificate, port, close: () => new Promise((resolve) => server.close(resolve)) };
}

test("https: a certificate the machine does not trust fails the exchange with TLS's code", async () => {
  const server = await tlsServer();
  const connection = connectionTo(`https://127.0.0.1:${server.port}/`);
  const untrusted = await exchange(connection);
  assert.equal(untrusted, { status: 0, region: '', error: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
  await server.close();
});

test('https trusted (NODE_EXTRA_CA_CERTS, a process of its own): keep-alive, then new connections resume', async () => {
  const server = await tlsServer();
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'gameday-tls-'));
  const caFile = path.join(directory, 'ca.pem');
  fs.writeFileSync(caFile, server.certificate.certPem);
  const source = JSON.stringify(path.resolve('src/probes/http1-connection.ts'));
  const url = `https://127.0.0.1:${server.port}/`;
  const script = `
    const { encodeRequest, Http1Connection } = require(${source});
    const run = (closeAfter, count) => new Promise((resolve) => {
      const request = encodeRequest('${url}', { method: 'GET', headers: {}, closeAfter });
      const connection = new Http1Connection(request, undefined);
      const seen = [];
      const next = () => connection.dispatch({
        onConnect() {}, onHeaders(status, region) { seen.push(status + ' ' + region); },
        onComplete() { if (seen.length < count) next(); else { connection.destroy(); resolve(seen.join(',')); } },
        onError(error) { connection.destroy(); resolve('error ' + error.code); },
      });
      next();
    });
    run(false, 2).then(async (keptAlive) => console.log(keptAlive + ' / ' + (await run(true, 3))));`;
  // Not spawnSync: the server answers from this process.
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', '-e', script], {
    env: { ...process.env, NODE_EXTRA_CA_CERTS: caFile },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  await new Promise((resolve) => child.on('close', resolve));
  fs.rmSync(directory, { recursive: true, force: true });
  await server.close();
  assert.is(stdout.trim(), '200 full,200 full / 200 full,200 resumed,200 resumed', stderr);
});

test.run();
