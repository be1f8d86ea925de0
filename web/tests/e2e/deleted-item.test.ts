import { expect, test } from '@playwright/test';
import { addDay, addPerson, createTrip, expectSynced, newEmail, signUp } from './helpers.ts';

test('a deleted generated item stays deleted when a day tag changes and when the list is regenerated, until restored', async ({ page }) => {
  await signUp(page, newEmail('deleted-item'));
  await createTrip(page, 'Faro', '2026-12-24', '2026-12-25');
  await addDay(page, '2026-12-24', 'Arrival');
  await addPerson(page, 'Anna', 'adult');
  const list = page.getByRole('region', { name: 'Packing list' });
  const socks = list.getByRole('checkbox', { name: 'Socks (pairs) for Anna' });
  await expect(socks).toBeVisible();

  await list.getByLabel('More about Socks (pairs) for Anna').click();
  await list.getByRole('button', { name: 'Delete Socks (pairs) for Anna' }).click();
  await expect(socks).toHaveCount(0);

  // A day tag feeds the rules: the list is regenerated (the swimsuit arrives), the socks do not come back.
  await page.getByRole('checkbox', { name: 'beach on 2026-12-24' }).check();
  await expect(list.getByRole('checkbox', { name: 'Swimsuit for Anna' })).toBeVisible();
  await expect(socks).toHaveCount(0);

  await list.getByRole('button', { name: 'Regenerate from rules' }).click();
  await expect(list.getByText(/^Regenerated:/)).toBeVisible();
  await expect(socks).toHaveCount(0);
  await expectSynced(page);
  // Still gone after a reload (the tombstone is in IndexedDB, the delete on the server).
  await page.reload();
  await expect(list.getByRole('checkbox', { name: 'Swimsuit for Anna' })).toBeVisible();
  await list.getByRole('button', { name: 'Regenerate from rules' }).click();
  await expect(list.getByText(/^Regenerated:/)).toBeVisible();
  await expect(socks).toHaveCount(0);

  await list.getByRole('button', { name: 'Restore deleted suggestions' }).click();
  await expect(socks).toBeVisible();
  await expect(list.getByText(/^Regenerated: 1 added/)).toBeVisible();
});
