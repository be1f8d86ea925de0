import { expect, test } from '@playwright/test';
import { addDay, addPerson, createTrip, expectSynced, newEmail, screenshot, signUp } from './helpers.ts';

test('sign up, create a trip with two days and two people, and see a generated list', async ({ page }) => {
  await signUp(page, newEmail('trip'));
  await createTrip(page, 'Lisbon in December', '2026-12-24', '2026-12-25');
  await addDay(page, '2026-12-24', 'Arrival', ['travel']);
  await addDay(page, '2026-12-25', 'Beach day', ['beach']);
  // Tagging a day and adding the next one right after keeps both.
  await expect(page.getByRole('checkbox', { name: 'travel on 2026-12-24' })).toBeChecked();
  await expect(page.getByRole('checkbox', { name: 'beach on 2026-12-25' })).toBeChecked();
  await addPerson(page, 'Anna', 'adult');
  await addPerson(page, 'Ben', 'child');

  // The rules fill the list: per-person clothing, a beach item, shared documents.
  const list = page.getByRole('region', { name: 'Packing list' });
  await expect(list.getByRole('checkbox', { name: 'Socks (pairs) for Anna' })).toBeVisible();
  await expect(list.getByRole('checkbox', { name: 'Socks (pairs) for Ben' })).toBeVisible();
  await expect(list.getByRole('heading', { name: /^Clothing/ })).toBeVisible();
  // Two days plus a spare pair.
  await expect(list.getByRole('spinbutton', { name: 'Quantity of Socks (pairs) for Anna' })).toHaveValue('3');

  // Tick one off; progress follows. Group by person shows the same item under Anna.
  // By keyboard: Tab reaches the checkbox, Space ticks it.
  await list.getByRole('checkbox', { name: 'Socks (pairs) for Anna' }).focus();
  await page.keyboard.press('Space');
  await expect(list.getByRole('checkbox', { name: 'Socks (pairs) for Anna' })).toBeChecked();
  await expect(list.getByRole('status').first()).toHaveText(/^1 of \d+ packed$/);
  await list.getByRole('radio', { name: 'By person' }).check();
  await expect(list.getByRole('heading', { name: /^Anna/ })).toBeVisible();
  await expectSynced(page);
  await screenshot(page, 'trip-page');
  // At phone width nothing needs sideways scrolling.
  await page.setViewportSize({ width: 375, height: 800 });
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
  await screenshot(page, 'trip-page-phone');
  await page.setViewportSize({ width: 1280, height: 720 });

  // A person's edit survives regeneration: change the quantity, regenerate, it stays.
  await list.getByRole('spinbutton', { name: 'Quantity of Socks (pairs) for Ben' }).fill('6');
  await list.getByRole('spinbutton', { name: 'Quantity of Socks (pairs) for Ben' }).blur();
  await list.getByRole('button', { name: 'Regenerate from rules' }).click();
  await expect(list.getByText(/^Regenerated:/)).toBeVisible();
  await expect(list.getByRole('spinbutton', { name: 'Quantity of Socks (pairs) for Ben' })).toHaveValue('6');
  await expect(list.getByRole('checkbox', { name: 'Socks (pairs) for Anna' })).toBeChecked();

  await page.getByRole('link', { name: 'Trips' }).click();
  await expect(page.getByRole('progressbar', { name: 'Packing progress of Lisbon in December' })).toBeVisible();
  await expectSynced(page);
  await screenshot(page, 'trip-list');
});
