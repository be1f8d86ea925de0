// What a person does in the app, step by step, found by role and accessible name.
import { expect, type Browser, type BrowserContext, type Page } from '@playwright/test';

export const PASSWORD = 'pack my bags';

export function newEmail(who: string): string {
  return `e2e-${who}-${crypto.randomUUID()}@packsync.test`;
}

export async function signUp(page: Page, email: string): Promise<void> {
  await page.goto('/');
  await page.getByRole('button', { name: 'New here? Create an account' }).click();
  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page.getByTestId('account-email')).toHaveText(email);
}

export async function signIn(page: Page, email: string): Promise<void> {
  await page.goto('/');
  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByTestId('account-email')).toHaveText(email);
}

/** Creates a trip from the trip list and waits on its page. */
export async function createTrip(page: Page, name: string, first: string, last: string): Promise<void> {
  const form = page.getByRole('form', { name: 'New trip' });
  await form.getByLabel('Trip name').fill(name);
  await form.getByLabel('Destination').fill('Lisbon');
  await form.getByLabel('First day').fill(first);
  await form.getByLabel('Last day').fill(last);
  await form.getByRole('button', { name: 'Create trip' }).click();
  await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
}

export async function addDay(page: Page, date: string, label: string, tags: string[] = []): Promise<void> {
  await page.getByLabel('Day', { exact: true }).fill(date);
  await page.getByLabel('Day label').fill(label);
  await page.getByRole('button', { name: 'Add day' }).click();
  for (const tag of tags) await page.getByRole('checkbox', { name: `${tag} on ${date}` }).check();
}

export async function addPerson(page: Page, name: string, kind: 'adult' | 'child' | 'infant'): Promise<void> {
  await page.getByLabel("Person's name").fill(name);
  await page.getByRole('combobox', { name: 'Kind', exact: true }).selectOption(kind);
  await page.getByRole('button', { name: 'Add person' }).click();
  await expect(page.getByRole('textbox', { name: `Name of ${name}` })).toBeVisible();
}

/** Waits until the status bar says nothing is waiting and the last sync is done. */
export async function expectSynced(page: Page): Promise<void> {
  const bar = page.getByRole('region', { name: 'Sync status' });
  await expect(bar.getByRole('status')).toHaveText(/Up to date/);
  await expect(bar.getByRole('link', { name: '0 pending' })).toBeVisible();
}

/** Waits until the service worker controls the page, so the app can start offline. */
export async function waitForServiceWorker(page: Page): Promise<void> {
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
    if (!navigator.serviceWorker.controller) {
      await new Promise<void>((resolve) => navigator.serviceWorker.addEventListener('controllerchange', () => resolve(), { once: true }));
    }
  });
}

/** Saves a screenshot for the README when PACKSYNC_SCREENSHOTS is set (so test runs do not rewrite the repo). */
export async function screenshot(page: Page, name: string): Promise<void> {
  if (!process.env.PACKSYNC_SCREENSHOTS) return;
  await page.screenshot({ path: `${import.meta.dirname}/../../../docs/screenshots/${name}.png`, fullPage: true });
}

export async function newDevice(browser: Browser): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext();
  return { context, page: await context.newPage() };
}
