import { expect, test } from '@playwright/test';

test('a newcomer creates an account, signs out and signs back in', async ({ page }) => {
  const email = `e2e-${crypto.randomUUID()}@packsync.test`;
  await page.goto('/');

  await page.getByRole('button', { name: 'New here? Create an account' }).click();
  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel('Password').fill('pack my bags');
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page.getByTestId('account-email')).toHaveText(email);

  // The session survives a reload (supabase-js keeps it in localStorage).
  await page.reload();
  await expect(page.getByTestId('account-email')).toHaveText(email);

  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel('Password').fill('wrong password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toHaveText('Invalid login credentials');

  await page.getByLabel('Password').fill('pack my bags');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByTestId('account-email')).toHaveText(email);
});

test('the form refuses a malformed e-mail before asking the server', async ({ page }) => {
  await page.goto('/');
  await page.getByLabel('E-mail').fill('not-an-address');
  await page.getByLabel('Password').fill('pack my bags');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toContainText('Enter an e-mail address');
});
