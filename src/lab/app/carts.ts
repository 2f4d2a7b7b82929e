import type http from 'node:http';
import { HttpError, readText, type Reply } from './reply';
import type { RouteDatabases } from './route-databases';

interface CartRow {
  customer: string;
  items: string;
  write_id: string;
  region: string;
  based_on?: string | null;
  updated_at: Date;
}

const customerPattern = /^[A-Za-z0-9_.-]{1,64}$/;
const maxItemsLength = 2_000;

/**
 * A customer's saved cart, one row updated in place (`PUT /carts/:customer {items}`, read
 * back by `GET /carts/:customer` from the region's own database): the kind of row two
 * regions that both take writes can both change while they cannot see each other. Each
 * write records the write it replaced (`based_on`, as this region's writer held it), so
 * the consistency check can tell a conflict — two writes replacing the same one — from a
 * write that followed another. Returns null for paths that are not the carts'.
 */
export function cartRoutes(deps: RouteDatabases): (req: http.IncomingMessage, url: URL) => Promise<Reply> | null {
  async function saveCart(req: http.IncomingMessage, customer: string): Promise<Reply> {
    const items = itemsOf(await readText(req));
    // One statement, so the write, its history row and what it replaced commit together; FOR UPDATE orders two
    // writes of the same cart in this region, so only writes in different regions can replace the same one.
    const { rows, writer } = await deps.writer<CartRow>(
      `WITH replaced AS (SELECT write_id FROM carts WHERE customer = $1 FOR UPDATE),
       written AS (
         INSERT INTO cart_writes (write_id, customer, items, region, based_on)
         VALUES ($3 || '-' || gen_random_uuid(), $1, $2, $3, (SELECT write_id FROM replaced))
         RETURNING write_id, based_on, written_at
       )
       INSERT INTO carts (customer, items, write_id, region, updated_at)
       SELECT $1, $2, write_id, $3, written_at FROM written
       ON CONFLICT (customer) DO UPDATE
         SET items = EXCLUDED.items, write_id = EXCLUDED.write_id, region = EXCLUDED.region,
             updated_at = EXCLUDED.updated_at
       RETURNING customer, items, write_id, region, (SELECT based_on FROM written) AS based_on, updated_at`,
      [customer, items, deps.region],
    );
    return { status: 200, body: cartJson(rows[0]), headers: { 'x-gameday-writer': writer } };
  }

  async function readCart(customer: string): Promise<Reply> {
    const rows = await deps.local<CartRow>(
      'SELECT customer, items, write_id, region, updated_at FROM carts WHERE customer = $1',
      [customer],
    );
    if (rows.length === 0)
      throw new HttpError(404, 'not_found', `no cart for ${customer} in ${deps.region}'s database`);
    return { status: 200, body: cartJson(rows[0]) };
  }

  return (req, url) => {
    const match = /^\/carts\/([^/]+)$/.exec(url.pathname);
    if (!match) return null;
    let customer: string;
    try {
      customer = decodeURIComponent(match[1]);
    } catch {
      customer = '';
    }
    if (!customerPattern.test(customer))
      return Promise.reject(
        new HttpError(400, 'invalid_customer', 'customer must be 1 to 64 letters, digits, _ . or -'),
      );
    if (req.method === 'PUT') return saveCart(req, customer);
    if (req.method === 'GET') return readCart(customer);
    return Promise.reject(
      new HttpError(405, 'method_not_allowed', `${req.method} ${url.pathname} is not supported; use GET or PUT`, {
        allow: 'GET, PUT',
      }),
    );
  };
}

function itemsOf(text: string): string {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new HttpError(400, 'invalid_json', 'the body must be JSON: {"items": "..."}');
  }
  const items = (body as { items?: unknown } | null)?.items;
  if (typeof items !== 'string' || items.length === 0 || items.length > maxItemsLength)
    throw new HttpError(
      400,
      'invalid_cart',
      `items must be a non-empty string of at most ${maxItemsLength} characters`,
    );
  return items;
}

function cartJson(row: CartRow) {
  return {
    customer: row.customer,
    items: row.items,
    writeId: row.write_id,
    region: row.region,
    ...(row.based_on === undefined ? {} : { basedOn: row.based_on }),
    updatedAt: row.updated_at.toISOString(),
  };
}
