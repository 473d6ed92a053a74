// 考试分析 in the browser, on the demo district's synthetic exams (see roles.spec.ts for the
// server and the password).
import { expect, test, type Page } from '@playwright/test';

const PASSWORD = process.env.WUYU_E2E_PASSWORD ?? 'demo-pass-123';

async function signIn(page: Page, username: string): Promise<void> {
  await page.goto('/login');
  await page.locator('input[name=username]').fill(username);
  await page.locator('input[name=password]').fill(PASSWORD);
  await page.getByRole('button', { name: '登录' }).click();
  await expect(page).not.toHaveURL(/\/login$/);
}

// The <section> whose heading starts with `heading`.
function section(page: Page, heading: RegExp) {
  return page.locator('section').filter({ has: page.getByRole('heading', { name: heading }) });
}

test('考试分析: the analyst sees the schools and the value-added plot; the teacher opens their class', async ({ browser }) => {
  const district = await browser.newContext();
  const page = await district.newPage();
  const cspErrors: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error' && /Content Security Policy/i.test(msg.text())) cspErrors.push(msg.text());
  });
  await signIn(page, 'demo-analyst');
  await page.getByRole('link', { name: '考试分析' }).click();
  await expect(page).toHaveURL(/\/exams$/);
  // The newest exam is a district exam measured from a baseline: it has value-added.
  await page.locator('table[data-table="exams"] tbody tr').first().getByRole('link').first().click();
  await expect(page).toHaveURL(/\/exams\/\d+$/);
  await expect(page.locator('[data-stat="mean"]')).toHaveText(/^\d+\.\d\d$/);
  const schools = section(page, /^各校三率一分/).locator('tbody tr');
  expect(await schools.count()).toBeGreaterThanOrEqual(2);
  await expect(section(page, /^各校三率一分/).getByRole('columnheader', { name: '排名' })).toBeVisible();
  // The caterpillar plot is drawn (ECharts renders into a canvas) and the model is named.
  await expect(page.locator('[data-chart="chart-va"] canvas')).toBeVisible();
  await expect(page.getByText(/模型：.*REML/)).toBeVisible();
  expect(cspErrors).toEqual([]);
  await district.close();

  // The teacher: an exam of the grade they teach, then their class's student list.
  const teacher = await browser.newContext();
  const t = await teacher.newPage();
  await signIn(t, 'demo-teacher');
  const grade = (
    await t
      .locator('section')
      .filter({ has: t.getByRole('heading', { name: '我任教的班级' }) })
      .locator('tbody tr td')
      .first()
      .textContent()
  )?.trim();
  expect(grade).toBeTruthy();
  await t.getByRole('link', { name: '考试分析' }).click();
  await t
    .locator('table[data-table="exams"] tbody tr')
    .filter({ has: t.getByRole('cell', { name: grade!, exact: true }) })
    .first()
    .getByRole('link')
    .first()
    .click();
  await expect(t).toHaveURL(/\/exams\/\d+$/);
  const classes = section(t, /^平行班比较/);
  await expect(classes.getByRole('columnheader', { name: '与年级差' })).toBeVisible();
  // No ranks for teachers.
  await expect(t.getByRole('columnheader', { name: /排名/ })).toHaveCount(0);
  await classes.locator('a[href*="/classes/"]').first().click();
  await expect(t).toHaveURL(/\/exams\/\d+\/schools\/\d+\/classes\/\d+/);
  await expect(t.getByRole('heading', { level: 1 })).toContainText('班');
  await expect(t.getByRole('columnheader', { name: '总分Z分' })).toBeVisible();
  await expect(t.getByRole('columnheader', { name: /全区排名/ })).toHaveCount(0);
  expect(await t.locator('table[data-table="students"] tbody tr').count()).toBeGreaterThanOrEqual(10);
  await teacher.close();
});
