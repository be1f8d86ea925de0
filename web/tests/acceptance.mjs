// The issue's acceptance walk, timed, against a running app (e.g. `npm start`'s dev server):
//   node web/tests/acceptance.mjs http://127.0.0.1:3000
// sign up -> trip with a day and a person -> generated list -> offline -> tick -> reload
// -> still ticked -> a second browser of the same user -> online -> how long until it shows the tick.
// A person would watch this by hand; this prints the figures. The Playwright suite (tests/e2e) asserts the same flow.
import { chromium } from 'playwright-core';
const base = process.argv[2] ?? 'http://127.0.0.1:3000';
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox'] });
const a = await browser.newContext({ baseURL: base });
const page = await a.newPage();
page.on('pageerror', (e) => console.log('PAGEERROR', e.message));
const email = `accept-${Date.now()}@packsync.test`;
const t0 = Date.now();
await page.goto('/');
await page.getByRole('button', { name: 'New here? Create an account' }).click();
await page.getByLabel('E-mail').fill(email);
await page.getByLabel('Password').fill('pack my bags');
await page.getByRole('button', { name: 'Create account' }).click();
const form = page.getByRole('form', { name: 'New trip' });
await form.getByLabel('Trip name').fill('Acceptance');
await form.getByLabel('First day').fill('2026-08-01');
await form.getByLabel('Last day').fill('2026-08-02');
await form.getByRole('button', { name: 'Create trip' }).click();
await page.getByLabel('Day', { exact: true }).fill('2026-08-01');
await page.getByRole('button', { name: 'Add day' }).click();
await page.getByLabel("Person's name").fill('Anna');
await page.getByRole('button', { name: 'Add person' }).click();
const socks = page.getByRole('checkbox', { name: 'Socks (pairs) for Anna' });
await socks.waitFor();
console.log('generated list after', Date.now() - t0, 'ms');
await page.evaluate(async () => { await navigator.serviceWorker.ready; if (!navigator.serviceWorker.controller) await new Promise((r) => navigator.serviceWorker.addEventListener('controllerchange', r, { once: true })); });
// Let every module be fetched once online.
await page.reload(); await socks.waitFor();
await page.getByRole('link', { name: '0 pending' }).waitFor({ timeout: 30000 });
await a.setOffline(true);
await socks.check();
await page.reload();
await socks.waitFor({ timeout: 20000 });
console.log('after offline reload, ticked =', await socks.isChecked());
const b = await browser.newContext({ baseURL: base });
const other = await b.newPage();
await other.goto('/');
await other.getByLabel('E-mail').fill(email);
await other.getByLabel('Password').fill('pack my bags');
await other.getByRole('button', { name: 'Sign in' }).click();
await other.getByRole('link', { name: 'Acceptance' }).click();
const otherSocks = other.getByRole('checkbox', { name: 'Socks (pairs) for Anna' });
await otherSocks.waitFor();
console.log('second browser before reconnect, ticked =', await otherSocks.isChecked());
const online = Date.now();
await a.setOffline(false);
await other.waitForFunction(() => document.querySelector('input[type=checkbox]:checked') !== null, null, { timeout: 20000, polling: 20 });
console.log('second browser shows the tick', Date.now() - online, 'ms after reconnect');
await browser.close();
