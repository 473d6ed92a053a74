// 目标任务 in the browser: a school submits a reported value with evidence, the district approves
// it, and the school's dashboard verdict changes from 待填报 to a judged verdict with the value.
// The server is `wuyu demo --password demo-pass-123`, started by global-setup.ts.
import { expect, test, type Page } from '@playwright/test';

async function signIn(page: Page, user: string) {
  await page.goto('/login');
  await page.locator('input[name=username]').fill(user);
  await page.locator('input[name=password]').fill('demo-pass-123');
  await page.getByRole('button', { name: '登录' }).click();
  await expect(page).not.toHaveURL(/\/login/);
}

// The 结论 and 本校 cells of a target's row on /plan (the school's own view).
async function ownLine(page: Page, name: string) {
  await page.goto('/plan');
  const row = page.locator('table[data-table=plan] tbody tr').filter({
    has: page.getByRole('link', { name, exact: true }),
  });
  await expect(row).toHaveCount(1);
  const cells = row.locator('td');
  return { value: (await cells.nth(4).innerText()).trim(), verdict: (await cells.nth(5).innerText()).trim() };
}

// A one-page PDF as a scanner would save it: enough for the type check (magic bytes).
const EVIDENCE = Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n', 'latin1');

test('a school reports a value with evidence, the district approves it, the verdict changes', async ({ browser }) => {
  const school = await (await browser.newContext()).newPage();
  await signIn(school, 'demo-school');
  await school.goto('/plan/reports');
  await expect(school.getByRole('heading', { level: 1, name: '指标填报' })).toBeVisible();
  // A target still to enter (the demo has entered most), with a number as its target.
  const due = school.locator('table[data-table=reports] tbody tr').filter({ hasText: '待填报' })
    .filter({ has: school.locator('td:nth-child(3)', { hasText: /^[≥≤=]\s*[\d.]+%?$/ }) }).first();
  const name = (await due.locator('td').first().innerText()).trim();
  const before = await ownLine(school, name);
  expect(before.verdict).toBe('待填报');

  await school.goto('/plan/reports');
  const again = school.locator('section.report-form').filter({ hasText: `填报：${name}` }).first();
  await again.locator('input[name=value]').fill('3');
  await again.locator('textarea[name=note]').fill('本学期开展情况见佐证材料。');
  await again.locator('input[name=evidence]').setInputFiles({ name: '佐证材料.pdf', mimeType: 'application/pdf', buffer: EVIDENCE });
  await again.getByRole('button', { name: '提交审核' }).click();
  await expect(school.locator('[data-notice]')).toBeVisible();
  expect((await ownLine(school, name)).verdict).toBe('待审核');

  const district = await (await browser.newContext()).newPage();
  await signIn(district, 'demo-district');
  await district.goto('/plan/reports');
  const queued = district.locator('table[data-table=queue] tbody tr').filter({ hasText: name }).filter({ hasText: '佐证材料.pdf' });
  await expect(queued).toHaveCount(1);
  await queued.getByRole('button', { name: '通过' }).click();
  await expect(district.locator('[data-notice]')).toBeVisible();
  await expect(district.locator('table[data-table=queue] tbody tr').filter({ hasText: name }).filter({ hasText: '佐证材料.pdf' })).toHaveCount(0);

  // The school's dashboard now judges the approved value.
  const after = await ownLine(school, name);
  expect(after.value).toMatch(/^3(\.0+)?%?$/);
  expect(['已达标', '未达标']).toContain(after.verdict);
});
