import { expect, test } from '@playwright/test';
import { addPerson, createTrip, expectSynced, newDevice, newEmail, screenshot, signIn, signUp } from './helpers.ts';

test('a true conflict appears in the conflict centre and is resolved', async ({ browser }) => {
  const email = newEmail('conflict');
  const a = await newDevice(browser);
  const b = await newDevice(browser);
  await signUp(a.page, email);
  await createTrip(a.page, 'City break', '2026-05-01', '2026-05-01');
  await addPerson(a.page, 'Anna', 'adult');
  await expectSynced(a.page);
  await signIn(b.page, email);
  await b.page.getByRole('link', { name: 'City break' }).click();
  await expect(b.page.getByRole('textbox', { name: 'Name of Anna' })).toBeVisible();

  // Both rename the trip while apart: the same field, two different values.
  await a.context.setOffline(true);
  await b.context.setOffline(true);
  await a.page.getByRole('textbox', { name: 'Trip name' }).fill('City break in Porto');
  await a.page.getByRole('textbox', { name: 'Trip name' }).blur();
  await b.page.getByRole('textbox', { name: 'Trip name' }).fill('City break in Rome');
  await b.page.getByRole('textbox', { name: 'Trip name' }).blur();
  await a.context.setOffline(false);
  await expectSynced(a.page);
  await b.context.setOffline(false);

  await expect(b.page.getByRole('link', { name: '1 conflict' })).toBeVisible();
  await b.page.getByRole('link', { name: 'Conflicts' }).click();
  const card = b.page.getByRole('article', { name: /^Trip/ });
  await expect(card.getByRole('row', { name: /name/ })).toContainText('City break in Rome');
  await expect(card.getByRole('row', { name: /name/ })).toContainText('City break in Porto');
  await screenshot(b.page, 'conflict-centre');

  await card.getByRole('button', { name: 'Edit' }).click();
  await card.getByLabel('New name').fill('City break in Porto and Rome');
  await card.getByRole('button', { name: 'Save this value' }).click();
  await expect(b.page.getByText('No conflicts.')).toBeVisible();

  await expect(a.page.getByRole('heading', { level: 1, name: 'City break in Porto and Rome' })).toBeVisible();
  await expectSynced(b.page);

  // The audit log shows the renames, by this user.
  await a.page.getByRole('link', { name: 'History' }).click();
  const history = a.page.getByRole('table');
  await expect(history.getByRole('row').filter({ hasText: 'changed trip “City break in Porto and Rome”' }).first()).toContainText('you');
  // The health panel reports on the engine.
  await a.page.getByRole('link', { name: 'Health' }).click();
  await expect(a.page.getByRole('heading', { name: /^Status: (healthy|degraded)$/ })).toBeVisible();
  await expect(a.page.getByRole('rowheader', { name: 'indexeddb' })).toBeVisible();
  await a.context.close();
  await b.context.close();
});
