// The admin console's first visit in a real Chromium: welcome → administrator → sign-in →
// Get started → a new application and its settings; then the same console in Chinese.
import { chromium } from 'playwright-core';
import { env, report } from './browser.mjs';

const admin = env('ADMIN_URL');
const shots = env('ARTIFACTS_DIR');
const password = 'Console-admin-passw0rd';

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
});
try {
  const context = await browser.newContext({ locale: 'en-US' });
  const page = await context.newPage();
  await page.goto(`${admin}/`);
  await page.waitForURL(/\/console\/welcome/);
  await page.screenshot({ path: `${shots}/console-welcome.png`, fullPage: true });
  await page.getByLabel('Username').fill('root');
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByLabel('Confirm password').fill(password);
  await page.getByRole('button', { name: 'Create the administrator' }).click();
  await page.waitForURL(/\/sign-in/);
  await page.getByLabel(/username/i).first().fill('root');
  await page.getByLabel(/^password/i).first().fill(password);
  await page.keyboard.press('Enter');
  await page.waitForURL(/\/console$/);
  const home = (await page.textContent('main')).replace(/\s+/g, ' ').trim();
  await page.screenshot({ path: `${shots}/console-home.png`, fullPage: true });

  await page.getByRole('link', { name: 'Applications' }).click();
  await page.getByLabel('Name').fill('LibreChat');
  await page.getByLabel('Redirect URI (optional)').fill('https://chat.example.com/oauth/openid/callback');
  await page.screenshot({ path: `${shots}/console-apps.png`, fullPage: true });
  await page.getByRole('button', { name: 'Create an application' }).click();
  await page.waitForURL(/\/console\/applications\/[a-z0-9]+$/);
  const app = await page.textContent('main');
  await page.screenshot({ path: `${shots}/console-app.png`, fullPage: true });

  const zh = await browser.newContext({ locale: 'zh-CN' });
  const p2 = await zh.newPage();
  await p2.goto(`${admin}/console`);
  await p2.waitForURL(/\/sign-in/);
  await p2.locator('#identifier').fill('root');
  await p2.locator('#password').fill(password);
  await p2.keyboard.press('Enter');
  await p2.waitForURL(/\/console$/);
  const homeZh = (await p2.textContent('main')).replace(/\s+/g, ' ').trim();
  await p2.screenshot({ path: `${shots}/console-home-zh.png`, fullPage: true });
  await p2.goto(`${admin}/console/applications`);
  await p2.screenshot({ path: `${shots}/console-apps-zh.png`, fullPage: true });

  report({ home, app, homeZh });
} finally {
  await browser.close();
}
