import type { BrowserJourney } from 'gameday';

/**
 * Journeys through the lab's storefront (GET /shop → a product → cart → checkout), written
 * with Playwright's API. A page that answers an error is not an exception in Playwright, so
 * each step checks what a customer would see.
 */

/** Browsing: the product list and a product page, both read from the region's own database. */
export const browse: BrowserJourney = async ({ page, step }) => {
  await step('product list', async () => {
    const response = await page.goto('/shop');
    if (!response?.ok()) throw new Error(`GET /shop answered ${response?.status()}`);
  });
  await step('product', async () => {
    await page.click('text=Moka pot');
    await page.waitForSelector('[data-testid=add-to-cart]');
  });
};

/** Buying: browse, add to the cart (a cookie) and check out (an order written through the writer). */
export const checkout: BrowserJourney = async (journey) => {
  const { page, step } = journey;
  await browse(journey);
  await step('add to cart', async () => {
    await page.click('[data-testid=add-to-cart]');
    await page.waitForSelector('[data-testid=checkout]');
  });
  await step('checkout', async () => {
    await page.fill('[data-testid=customer]', 'gameday drill');
    await page.click('[data-testid=checkout]');
    await page.waitForSelector('[data-testid=order-placed]');
  });
};
