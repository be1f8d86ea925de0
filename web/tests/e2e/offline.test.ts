import { expect, test } from '@playwright/test';
import { addPerson, createTrip, expectSynced, newDevice, newEmail, screenshot, signIn, signUp, waitForServiceWorker } from './helpers.ts';

test('the app loads offline from the service worker', async ({ page, context }) => {
  const email = newEmail('sw');
  await signUp(page, email);
  await createTrip(page, 'Offline trip', '2026-06-01', '2026-06-02');
  await waitForServiceWorker(page);

  await context.setOffline(true);
  await page.goto('/');
  await expect(page.getByRole('link', { name: 'Offline trip' })).toBeVisible();
  await expect(page.getByRole('region', { name: 'Sync status' }).getByRole('status')).toHaveText(/Offline/);
  // A delete still waiting for the network can be undone.
  await page.getByRole('button', { name: 'Delete trip Offline trip' }).click();
  await expect(page.getByRole('link', { name: 'Offline trip' })).toBeHidden();
  await page.getByRole('button', { name: 'Undo' }).click();
  await expect(page.getByRole('link', { name: 'Offline trip' })).toBeVisible();
  // Unsynced changes: the pending list shows them, and signing out asks first.
  const form = page.getByRole('form', { name: 'New trip' });
  await form.getByLabel('Trip name').fill('Made offline');
  await form.getByRole('button', { name: 'Create trip' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Made offline' })).toBeVisible();
  await page.getByRole('link', { name: 'Sync', exact: true }).click();
  await expect(page.getByRole('heading', { name: /^Waiting to sync \([1-9]\d*\)$/ })).toBeVisible();
  await expect(page.getByText('Create trips “Made offline”')).toBeVisible();
  await page.getByRole('button', { name: 'Sign out' }).click();
  const ask = page.getByRole('alertdialog', { name: 'Sign out with unsynced changes?' });
  await expect(ask).toContainText(/\d+ changes? (has|have) not reached the server yet/);
  await ask.getByRole('button', { name: 'Stay signed in' }).click();
  await expect(page.getByTestId('account-email')).toHaveText(email);
  await page.getByRole('link', { name: 'Trips' }).click();
  // A deep link opens from the cached shell too.
  await page.getByRole('link', { name: 'Offline trip' }).click();
  // The click navigates in the page; reload only once it has, or the reload is of the list.
  await expect(page.getByRole('heading', { level: 1, name: 'Offline trip' })).toBeVisible();
  await page.reload();
  await expect(page.getByRole('heading', { level: 1, name: 'Offline trip' })).toBeVisible();
});

test('two devices of one user edit offline, reload offline, reconnect and converge; two tabs stay live', async ({ browser }) => {
  const email = newEmail('devices');
  const laptop = await newDevice(browser);
  const phone = await newDevice(browser);
  await signUp(laptop.page, email);
  await createTrip(laptop.page, 'Ski week', '2026-02-01', '2026-02-03');
  await addPerson(laptop.page, 'Anna', 'adult');
  await addPerson(laptop.page, 'Ben', 'adult');
  await expectSynced(laptop.page);
  const tripUrl = laptop.page.url();

  await signIn(phone.page, email);
  await phone.page.getByRole('link', { name: 'Ski week' }).click();
  const socksAnna = { name: 'Socks (pairs) for Anna' };
  const socksBen = { name: 'Socks (pairs) for Ben' };
  await expect(phone.page.getByRole('checkbox', socksAnna)).not.toBeChecked();
  await waitForServiceWorker(laptop.page);
  await waitForServiceWorker(phone.page);

  // A second tab of the laptop shows the laptop's edits live, without a reload.
  const laptopTab2 = await laptop.context.newPage();
  await laptopTab2.goto(tripUrl);
  await expect(laptopTab2.getByRole('checkbox', socksAnna)).not.toBeChecked();

  await laptop.context.setOffline(true);
  await phone.context.setOffline(true);
  await laptop.page.getByRole('checkbox', socksAnna).check();
  await phone.page.getByRole('checkbox', socksBen).check();
  await expect(laptopTab2.getByRole('checkbox', socksAnna)).toBeChecked();
  await expect(laptop.page.getByRole('region', { name: 'Sync status' }).getByRole('status')).toHaveText(/Offline/);
  await expect(laptop.page.getByRole('link', { name: '1 pending' })).toBeVisible();
  await screenshot(laptop.page, 'offline-status');

  // Reloading while offline keeps the edit: it is in IndexedDB, and the app comes from the service worker.
  await laptop.page.reload();
  await expect(laptop.page.getByRole('checkbox', socksAnna)).toBeChecked();
  await expect(laptop.page.getByRole('checkbox', socksBen)).not.toBeChecked();

  await laptop.context.setOffline(false);
  await phone.context.setOffline(false);
  for (const page of [laptop.page, phone.page, laptopTab2]) {
    await expect(page.getByRole('checkbox', socksAnna)).toBeChecked();
    await expect(page.getByRole('checkbox', socksBen)).toBeChecked();
  }
  await expectSynced(laptop.page);
  await expectSynced(phone.page);
  await laptop.context.close();
  await phone.context.close();
});

test('offline with an expired access token, the user stays signed in and sees their trips', async ({ page, context }) => {
  const email = newEmail('expired');
  await signUp(page, email);
  await createTrip(page, 'Long flight', '2026-09-01', '2026-09-02');
  await expectSynced(page);
  await waitForServiceWorker(page);

  // Two hours later (the access token lasts one), with no network: the refresh cannot happen.
  await context.setOffline(true);
  await page.clock.install({ time: Date.now() + 2 * 3_600_000 });
  await page.clock.resume();
  await page.goto('/');
  await expect(page.getByTestId('account-email')).toHaveText(email);
  await expect(page.getByRole('link', { name: 'Long flight' })).toBeVisible();

  // Back online, the engine refreshes the token and syncs an edit made meanwhile.
  await page.getByRole('link', { name: 'Long flight' }).click();
  await page.getByRole('textbox', { name: 'Destination' }).fill('Tokyo');
  await page.getByRole('textbox', { name: 'Destination' }).blur();
  await context.setOffline(false);
  await expectSynced(page);
});

test('a token that expired during an offline spell does not hold the sync back once online', async ({ page, context }) => {
  await page.clock.install(); // time flows, and the test can jump it
  const email = newEmail('expiry');
  await signUp(page, email);
  await createTrip(page, 'Night train', '2026-10-01', '2026-10-02');
  await expectSynced(page);

  // Two hours pass with no network (the access token lasts one). supabase-js's
  // own refresh timer would try now, fail, retry for 30 s, and then answer
  // every refresh of that token from its cache of the failure for a minute.
  await context.setOffline(true);
  await page.clock.fastForward('02:00:00');
  await page.getByRole('textbox', { name: 'Destination' }).fill('Vienna');
  await page.getByRole('textbox', { name: 'Destination' }).blur();
  await expect(page.getByRole('link', { name: '1 pending' })).toBeVisible();
  await page.clock.fastForward('01:00');

  // Back online the edit syncs at once (the page's clock does not jump again,
  // so a cached failure would keep it pending past this expectation).
  await context.setOffline(false);
  await expectSynced(page);
});
