/**
 * Saved carts' routes on fake database calls: a write goes to the writer in one statement
 * with the region and the replaced write; a read comes from the region's own database;
 * bad input is refused with a clear 4xx before any statement runs.
 */
import type http from 'node:http';
import { Readable } from 'node:stream';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cartRoutes } from '../../src/lab/app/carts';
import { HttpError } from '../../src/lab/app/reply';

const statements: Array<{ on: 'local' | 'writer'; sql: string; params: unknown[] }> = [];
const updatedAt = new Date('2026-12-03T10:00:00.000Z');
const routes = cartRoutes({
  region: 'eu-west-1',
  local: async <R>(sql: string, params: unknown[] = []) => {
    statements.push({ on: 'local', sql, params });
    return (
      params[0] === 'nobody'
        ? []
        : [{ customer: params[0], items: 'beans', write_id: 'us-east-1-a', region: 'us-east-1', updated_at: updatedAt }]
    ) as R[];
  },
  writer: async <R>(sql: string, params: unknown[] = []) => {
    statements.push({ on: 'writer', sql, params });
    const row = { customer: params[0], items: params[1], write_id: 'eu-west-1-b', region: params[2] };
    return { rows: [{ ...row, based_on: 'us-east-1-a', updated_at: updatedAt }] as R[], writer: '127.0.0.3:5432' };
  },
});

function request(method: string, path: string, body?: string) {
  const req = Object.assign(Readable.from(body === undefined ? [] : [Buffer.from(body)]), { method });
  return routes(req as unknown as http.IncomingMessage, new URL(path, 'http://app.invalid'));
}

async function refusal(reply: Promise<unknown> | null): Promise<HttpError> {
  try {
    await reply;
  } catch (error) {
    return error as HttpError;
  }
  throw new Error('expected a refusal');
}

test.before.each(() => {
  statements.length = 0;
});

test('PUT writes through the writer, with the region, and answers with the write it replaced', async () => {
  const reply = await request('PUT', '/carts/ann', JSON.stringify({ items: 'moka-pot' }))!;
  assert.is(reply.status, 200);
  assert.equal(reply.body, {
    customer: 'ann',
    items: 'moka-pot',
    writeId: 'eu-west-1-b',
    region: 'eu-west-1',
    basedOn: 'us-east-1-a',
    updatedAt: '2026-12-03T10:00:00.000Z',
  });
  assert.equal(reply.headers, { 'x-gameday-writer': '127.0.0.3:5432' });
  assert.is(statements.length, 1);
  assert.is(statements[0].on, 'writer');
  assert.equal(statements[0].params, ['ann', 'moka-pot', 'eu-west-1']);
});

test("GET reads the region's own database; a cart it does not have is a 404", async () => {
  const reply = await request('GET', '/carts/ann')!;
  assert.is(reply.status, 200);
  assert.is((reply.body as { writeId: string }).writeId, 'us-east-1-a');
  assert.is(statements[0].on, 'local');
  const missing = await refusal(request('GET', '/carts/nobody'));
  assert.is(missing.status, 404);
  assert.match(missing.message, "no cart for nobody in eu-west-1's database");
});

test('bad input is refused before any statement: customer, body, method', async () => {
  for (const [method, path, body, status, code] of [
    ['GET', '/carts/%E0%A4%A', undefined, 400, 'invalid_customer'],
    ['GET', `/carts/${'x'.repeat(65)}`, undefined, 400, 'invalid_customer'],
    ['PUT', '/carts/ann', 'not json', 400, 'invalid_json'],
    ['PUT', '/carts/ann', '{"items": 3}', 400, 'invalid_cart'],
    ['PUT', '/carts/ann', '{"items": ""}', 400, 'invalid_cart'],
    ['DELETE', '/carts/ann', undefined, 405, 'method_not_allowed'],
  ] as const) {
    const error = await refusal(request(method, path, body));
    assert.is(error.status, status, `${method} ${path} ${body}`);
    assert.is(error.code, code);
  }
  assert.is(statements.length, 0);
  assert.is(request('GET', '/orders'), null, 'not a carts path');
});

test.run();
