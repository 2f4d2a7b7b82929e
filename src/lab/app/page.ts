/**
 * The app's one HTML page: an order form and the latest orders, for browser journeys.
 * Stable ids and data-testid attributes are the contract with those journeys; rows are
 * rendered with textContent so order text can never inject markup.
 */
export function renderIndexPage(region: string): string {
  const safeRegion = region.replace(/[^A-Za-z0-9._-]/g, '');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>gameday shop (${safeRegion})</title>
<style>
  body { font-family: system-ui, sans-serif; max-width: 40rem; margin: 2rem auto; }
  form { display: flex; gap: .5rem; margin-bottom: 1rem; }
  #status { min-height: 1.5em; }
  .error { color: #b00020; }
</style>
</head>
<body>
<h1>gameday shop <small data-testid="region">${safeRegion}</small></h1>
<form id="order-form" data-testid="order-form">
  <input id="item" name="item" placeholder="item" required maxlength="200" data-testid="item">
  <input id="quantity" name="quantity" type="number" min="1" max="1000" value="1" data-testid="quantity">
  <button type="submit" data-testid="submit">Order</button>
</form>
<p id="status" data-testid="status" role="status"></p>
<ul id="orders" data-testid="orders"></ul>
<script>
const statusLine = document.getElementById('status');
const list = document.getElementById('orders');
function show(message, isError) {
  statusLine.textContent = message;
  statusLine.className = isError ? 'error' : '';
}
async function refresh() {
  const response = await fetch('/orders?limit=20');
  const body = await response.json();
  if (!response.ok) return show(body.message || body.error, true);
  list.replaceChildren(...body.orders.map((order) => {
    const li = document.createElement('li');
    li.dataset.testid = 'order';
    li.textContent = '#' + order.id + ' ' + order.quantity + ' x ' + order.item + ' (' + order.region + ')';
    return li;
  }));
}
document.getElementById('order-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const item = document.getElementById('item').value;
  const quantity = Number(document.getElementById('quantity').value);
  try {
    const response = await fetch('/orders', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ item, quantity }),
    });
    const body = await response.json();
    if (!response.ok) return show('Order failed: ' + (body.message || body.error), true);
    show('Order #' + body.id + ' placed', false);
    await refresh();
  } catch (error) {
    show('Order failed: ' + error.message, true);
  }
});
refresh().catch((error) => show(error.message, true));
</script>
</body>
</html>
`;
}
