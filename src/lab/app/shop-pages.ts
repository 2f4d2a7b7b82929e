/**
 * The storefront's HTML: a product list, a product, the cart, the confirmation, and the
 * page a failure shows. Real pages, no script: forms post and the server redirects, so a
 * browser journey clicks through them as a customer does. Every page says which region
 * served it; data-testid attributes are the contract with journeys. Everything from the
 * database or the customer is escaped.
 */

export interface Product {
  sku: string;
  name: string;
  description: string;
  priceCents: number;
}

export interface CartLine {
  product: Product;
  quantity: number;
}

export function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char]!,
  );
}

const price = (cents: number) => `$${(cents / 100).toFixed(2)}`;

function layout(region: string, title: string, cartCount: number, main: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(title)} — gameday shop</title>
<style>
  body { font-family: system-ui, sans-serif; max-width: 44rem; margin: 2rem auto; padding: 0 1rem; }
  header { display: flex; justify-content: space-between; align-items: baseline; border-bottom: 1px solid #ccc; }
  .region { color: #555; }
  .error { color: #b00020; }
  table { border-collapse: collapse; } td, th { padding: .25rem .75rem .25rem 0; text-align: left; }
  form.inline { display: inline; }
</style>
</head>
<body>
<header>
  <h1><a href="/shop">gameday shop</a></h1>
  <nav><a href="/shop" data-testid="nav-products">Products</a> ·
    <a href="/shop/cart" data-testid="nav-cart">Cart (<span data-testid="cart-count">${cartCount}</span>)</a></nav>
</header>
<p class="region">served by <strong data-testid="region">${escapeHtml(region)}</strong></p>
<main>
${main}
</main>
</body>
</html>
`;
}

export function productListPage(region: string, products: Product[], cartCount: number): string {
  const items = products
    .map(
      (product) =>
        `<li data-testid="product"><a href="/shop/products/${encodeURIComponent(product.sku)}" ` +
        `data-testid="product-link">${escapeHtml(product.name)}</a> — ${price(product.priceCents)}</li>`,
    )
    .join('\n');
  return layout(region, 'Products', cartCount, `<h2>Products</h2>\n<ul data-testid="products">\n${items}\n</ul>`);
}

export function productPage(region: string, product: Product, cartCount: number): string {
  return layout(
    region,
    product.name,
    cartCount,
    `<h2 data-testid="product-name">${escapeHtml(product.name)}</h2>
<p>${escapeHtml(product.description)}</p>
<p data-testid="product-price">${price(product.priceCents)}</p>
<form method="post" action="/shop/cart" data-testid="add-to-cart-form">
  <input type="hidden" name="sku" value="${escapeHtml(product.sku)}">
  <label>Quantity <input name="quantity" type="number" min="1" max="99" value="1" data-testid="quantity"></label>
  <button type="submit" data-testid="add-to-cart">Add to cart</button>
</form>`,
  );
}

export function cartPage(region: string, lines: CartLine[]): string {
  const count = lines.reduce((sum, line) => sum + line.quantity, 0);
  if (lines.length === 0)
    return layout(region, 'Cart', 0, '<h2>Cart</h2>\n<p data-testid="cart-empty">Your cart is empty.</p>');
  const rows = lines
    .map(
      (line) =>
        `<tr data-testid="cart-line"><td>${escapeHtml(line.product.name)}</td><td>${line.quantity}</td>` +
        `<td>${price(line.product.priceCents * line.quantity)}</td></tr>`,
    )
    .join('\n');
  const total = lines.reduce((sum, line) => sum + line.product.priceCents * line.quantity, 0);
  return layout(
    region,
    'Cart',
    count,
    `<h2>Cart</h2>
<table data-testid="cart">
<tr><th>item</th><th>quantity</th><th>amount</th></tr>
${rows}
<tr><th colspan="2">total</th><th data-testid="cart-total">${price(total)}</th></tr>
</table>
<form method="post" action="/shop/checkout" data-testid="checkout-form">
  <label>Name <input name="customer" required maxlength="200" data-testid="customer"></label>
  <button type="submit" data-testid="checkout">Place order</button>
</form>`,
  );
}

export function confirmationPage(
  region: string,
  customer: string,
  orders: Array<{ id: string; item: string; quantity: number }>,
  writer: string,
): string {
  const items = orders
    .map(
      (order) =>
        `<li><span data-testid="order-id">#${order.id}</span> ${order.quantity} × ${escapeHtml(order.item)}</li>`,
    )
    .join('\n');
  return layout(
    region,
    'Order placed',
    0,
    `<h2 data-testid="order-placed">Thank you, ${escapeHtml(customer)}: your order is placed</h2>
<ul data-testid="orders">
${items}
</ul>
<p class="region">written by the database at <span data-testid="writer">${escapeHtml(writer)}</span></p>`,
  );
}

export function errorPage(region: string, status: number, message: string): string {
  return layout(
    region,
    `Error ${status}`,
    0,
    `<h2 class="error" data-testid="error">Sorry, that did not work (${status})</h2>
<p class="error" data-testid="error-message">${escapeHtml(message)}</p>`,
  );
}
