// Smoke test of the web contract: GET /login shows a form (username, password, a 登录 button),
// POST /login redirects to /, and a district user's home page has the heading 区级总览.
// The server is `wuyu demo --password demo-pass-123`, started by global-setup.ts.
import { expect, test } from '@playwright/test';

test('district user signs in and sees the district overview', async ({ page }) => {
  await page.goto('/login');
  await expect(page.getByText('登录').first()).toBeVisible();

  await page.locator('input[name=username]').fill('demo-district');
  await page.locator('input[name=password]').fill('demo-pass-123');
  await page.getByRole('button', { name: '登录' }).click();

  await expect(page).toHaveURL('/');
  await expect(page.getByRole('heading', { name: '区级总览' }).first()).toBeVisible();
});
