import type http from 'node:http';
import { HttpError, readText, type Reply } from './reply';
import type { RouteDatabases } from './route-databases';
import { cartPage, confirmationPage, errorPage, productListPage, productPage, type Product } from './shop-pages';

interface ProductRow {
  sku: string;
  name: string;
  description: string;
  price_cents: number;
}

const cartCookie = 'gameday_cart';
const skuPattern = /^[a-z0-9-]{1,40}$/;
const maxLines = 20;
const maxQuantity = 99;

/**
 * A small real storefront served by every region: product list → product → cart →
 * checkout. The cart lives in a cookie, so it survives a failover as a customer's does;
 * products are read from the region's own database; checkout writes the order through
 * the writer. Returns null for paths that are not the shop's.
 */
export function shopRoutes(deps: RouteDatabases): (req: http.IncomingMessage, url: URL) => Promise<Reply> | null {
  const products = async (): Promise<Product[]> =>
    (
      await deps.local<ProductRow>('SELECT sku, name, description, price_cents FROM products ORDER BY price_cents, sku')
    ).map(productOf);
  const product = async (sku: string): Promise<Product | null> => {
    if (!skuPattern.test(sku)) return null;
    const rows = await deps.local<ProductRow>(
      'SELECT sku, name, description, price_cents FROM products WHERE sku = $1',
      [sku],
    );
    return rows.length > 0 ? productOf(rows[0]) : null;
  };

  async function listPage(req: http.IncomingMessage): Promise<Reply> {
    return html(200, productListPage(deps.region, await products(), countOf(readCart(req))));
  }

  async function showProduct(req: http.IncomingMessage, sku: string): Promise<Reply> {
    const found = await product(sku);
    if (!found) throw new HttpError(404, 'not_found', `no product ${sku} in ${deps.region}'s database`);
    return html(200, productPage(deps.region, found, countOf(readCart(req))));
  }

  async function showCart(req: http.IncomingMessage): Promise<Reply> {
    return html(200, cartPage(deps.region, await linesOf(readCart(req))));
  }

  async function addToCart(req: http.IncomingMessage): Promise<Reply> {
    const form = new URLSearchParams(await readText(req));
    const sku = form.get('sku') ?? '';
    const quantity = Number(form.get('quantity') ?? '1');
    if (!Number.isInteger(quantity) || quantity < 1 || quantity > maxQuantity)
      throw new HttpError(400, 'invalid_quantity', `quantity must be a whole number 1..${maxQuantity}`);
    if (!(await product(sku))) throw new HttpError(404, 'not_found', `no product ${sku} in ${deps.region}'s database`);
    const cart = readCart(req);
    const line = cart.find((entry) => entry.sku === sku);
    if (line) line.quantity = Math.min(maxQuantity, line.quantity + quantity);
    else if (cart.length >= maxLines)
      throw new HttpError(400, 'cart_full', `a cart holds at most ${maxLines} products`);
    else cart.push({ sku, quantity });
    // Post/redirect/get: reloading the cart does not add the product again.
    return { status: 303, body: '', html: true, headers: { location: '/shop/cart', 'set-cookie': cookieOf(cart) } };
  }

  async function checkout(req: http.IncomingMessage): Promise<Reply> {
    const form = new URLSearchParams(await readText(req));
    const customer = (form.get('customer') ?? '').trim();
    if (customer.length === 0 || customer.length > 200)
      throw new HttpError(400, 'invalid_customer', 'customer must be a name of 1 to 200 characters');
    const cart = readCart(req);
    if (cart.length === 0) throw new HttpError(400, 'cart_empty', 'the cart is empty');
    // One statement, so an order is written whole or not at all; the writer's own products name the lines.
    const { rows, writer } = await deps.writer<{ id: string; item: string; quantity: number }>(
      `INSERT INTO orders (item, quantity, customer, region)
       SELECT p.name, c.quantity, $1, $2
       FROM unnest($3::text[], $4::int[]) WITH ORDINALITY AS c(sku, quantity, n) JOIN products p ON p.sku = c.sku
       ORDER BY c.n
       RETURNING id::text AS id, item, quantity`,
      [customer, deps.region, cart.map((line) => line.sku), cart.map((line) => line.quantity)],
    );
    if (rows.length === 0) throw new HttpError(400, 'cart_empty', 'no product in the cart exists');
    return {
      status: 200,
      body: confirmationPage(deps.region, customer, rows, writer),
      html: true,
      headers: { 'set-cookie': cookieOf([]), 'x-gameday-writer': writer },
    };
  }

  async function linesOf(cart: Array<{ sku: string; quantity: number }>) {
    if (cart.length === 0) return [];
    const known = new Map((await products()).map((entry) => [entry.sku, entry]));
    return cart.flatMap((line) => {
      const found = known.get(line.sku);
      return found ? [{ product: found, quantity: line.quantity }] : [];
    });
  }

  const only = (req: http.IncomingMessage, path: string, allowed: string, handler: () => Promise<Reply>) => {
    if ((req.method ?? 'GET') !== allowed)
      throw new HttpError(405, 'method_not_allowed', `${req.method} ${path} is not supported; use ${allowed}`, {
        allow: allowed,
      });
    return handler();
  };

  async function route(req: http.IncomingMessage, path: string): Promise<Reply> {
    if (path === '/shop' || path === '/shop/') return only(req, path, 'GET', () => listPage(req));
    const productMatch = /^\/shop\/products\/([^/]+)$/.exec(path);
    if (productMatch) return only(req, path, 'GET', () => showProduct(req, decodeURIComponent(productMatch[1])));
    if (path === '/shop/cart')
      return req.method === 'POST' ? addToCart(req) : only(req, path, 'GET', () => showCart(req));
    if (path === '/shop/checkout') return only(req, path, 'POST', () => checkout(req));
    throw new HttpError(404, 'not_found', `no page ${path}; the shop has /shop, /shop/products/:sku, /shop/cart`);
  }

  return (req, url) => {
    if (url.pathname !== '/shop' && !url.pathname.startsWith('/shop/')) return null;
    // A failure is a page too: a customer's browser shows it, with the region that served it.
    return route(req, url.pathname).catch((error: unknown): Reply => {
      const status = error instanceof HttpError ? error.status : 500;
      const message = error instanceof Error ? error.message : String(error);
      return {
        status,
        body: errorPage(deps.region, status, message),
        html: true,
        headers: error instanceof HttpError ? error.headers : {},
      };
    });
  };
}

function productOf(row: ProductRow): Product {
  return { sku: row.sku, name: row.name, description: row.description, priceCents: row.price_cents };
}

function html(status: number, body: string): Reply {
  return { status, body, html: true };
}

function countOf(cart: Array<{ quantity: number }>): number {
  return cart.reduce((sum, line) => sum + line.quantity, 0);
}

/** The cart from its cookie, `sku:quantity|sku:quantity`; anything malformed reads as an empty cart. */
function readCart(req: http.IncomingMessage): Array<{ sku: string; quantity: number }> {
  const header = req.headers.cookie ?? '';
  const value = header
    .split(';')
    .map((part) => part.trim())
    .find((part) => part.startsWith(`${cartCookie}=`))
    ?.slice(cartCookie.length + 1);
  if (!value) return [];
  const lines: Array<{ sku: string; quantity: number }> = [];
  for (const entry of value.split('|')) {
    const [sku, quantityText] = entry.split(':');
    const quantity = Number(quantityText);
    if (!skuPattern.test(sku ?? '') || !Number.isInteger(quantity) || quantity < 1 || quantity > maxQuantity) return [];
    if (lines.some((line) => line.sku === sku) || lines.length >= maxLines) return [];
    lines.push({ sku, quantity });
  }
  return lines;
}

function cookieOf(cart: Array<{ sku: string; quantity: number }>): string {
  const value = cart.map((line) => `${line.sku}:${line.quantity}`).join('|');
  const expiry = cart.length === 0 ? '; Max-Age=0' : '';
  return `${cartCookie}=${value}; Path=/shop; HttpOnly; SameSite=Lax${expiry}`;
}
