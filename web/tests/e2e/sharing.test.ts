import { expect, test } from '@playwright/test';
import { addPerson, createTrip, expectSynced, newDevice, newEmail, signUp } from './helpers.ts';

test('a second user gets the trip as viewer and cannot edit it', async ({ browser }) => {
  const owner = await newDevice(browser);
  const guest = await newDevice(browser);
  const guestEmail = newEmail('viewer');
  await signUp(guest.page, guestEmail);
  await signUp(owner.page, newEmail('owner'));
  await createTrip(owner.page, 'Family weekend', '2026-07-10', '2026-07-11');
  await addPerson(owner.page, 'Anna', 'adult');
  await expectSynced(owner.page);

  await owner.page.getByRole('link', { name: 'Sharing' }).click();
  await owner.page.getByLabel('Their e-mail').fill(guestEmail);
  await owner.page.getByRole('combobox', { name: 'Role', exact: true }).selectOption('viewer');
  await owner.page.getByRole('button', { name: 'Send invitation' }).click();
  await expect(owner.page.getByText(`Invited ${guestEmail} as viewer`)).toBeVisible();
  await expect(owner.page.getByText(guestEmail, { exact: true })).toBeVisible();

  // The guest sees the invitation (only the trip's name) and accepts it.
  await guest.page.getByRole('button', { name: 'Accept Family weekend' }).click();
  await guest.page.getByRole('link', { name: 'Family weekend' }).click();
  await expect(guest.page.getByText('View only')).toBeVisible();
  const socks = guest.page.getByRole('checkbox', { name: 'Socks (pairs) for Anna' });
  await expect(socks).toBeVisible();
  await expect(socks).toBeDisabled();
  await expect(guest.page.getByRole('button', { name: 'Add person' })).toBeDisabled();
  await expect(guest.page.getByRole('textbox', { name: 'Trip name' })).toBeDisabled();

  // The owner's ticks still reach the viewer.
  await owner.page.getByRole('link', { name: 'List' }).click();
  await owner.page.getByRole('checkbox', { name: 'Socks (pairs) for Anna' }).check();
  await expect(socks).toBeChecked();

  // Removed from the trip, the guest's device lets it go.
  await owner.page.getByRole('link', { name: 'Sharing' }).click();
  await owner.page.getByRole('button', { name: `Remove ${guestEmail}` }).click();
  await guest.page.getByRole('link', { name: 'Trips' }).click();
  await expect(guest.page.getByRole('heading', { name: 'Your trips' })).toBeVisible();
  await expect(guest.page.getByRole('link', { name: 'Family weekend' })).toBeHidden();
  await owner.context.close();
  await guest.context.close();
});

test('an invitation shows the trip\'s current name, and goes when the owner deletes the trip', async ({ browser }) => {
  const owner = await newDevice(browser);
  const guest = await newDevice(browser);
  const guestEmail = newEmail('invitee');
  await signUp(guest.page, guestEmail);
  await signUp(owner.page, newEmail('owner'));
  await createTrip(owner.page, 'Spring break', '2026-04-01', '2026-04-03');
  await owner.page.getByRole('link', { name: 'Sharing' }).click();
  await owner.page.getByLabel('Their e-mail').fill(guestEmail);
  await owner.page.getByRole('button', { name: 'Send invitation' }).click();
  await expect(owner.page.getByText(guestEmail, { exact: true })).toBeVisible();
  await expect(guest.page.getByRole('button', { name: 'Accept Spring break' })).toBeVisible();

  // The owner renames the trip: the invitation shows the new name.
  await owner.page.getByRole('link', { name: 'List' }).click();
  const name = owner.page.getByRole('textbox', { name: 'Trip name' });
  await name.fill('Summer break');
  await name.blur();
  await expectSynced(owner.page);
  await expect(guest.page.getByRole('button', { name: 'Accept Summer break' })).toBeVisible();
  await expect(guest.page.getByRole('button', { name: 'Accept Spring break' })).toBeHidden();

  // The owner deletes the trip: nothing is left to answer.
  await owner.page.getByRole('link', { name: 'Trips' }).click();
  await owner.page.getByRole('button', { name: 'Delete trip Summer break' }).click();
  await expectSynced(owner.page);
  await expect(guest.page.getByRole('heading', { name: 'Invitations' })).toBeHidden();
  await owner.context.close();
  await guest.context.close();
});
