// Forgot-password in a real Chromium: the sign-in page's link, the email step, the code read
// from the test's mailbox (the message went through Gatehouse's SMTP connector to a real SMTP
// server), the new password, and a sign-in with it. Screenshots are kept.
import { chromium } from 'playwright-core';
import { env, report } from './browser.mjs';

const rp = env('RP_URL');
const shots = env('ARTIFACTS_DIR');
const email = env('EMAIL');

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
});
try {
  const context = await browser.newContext({ ignoreHTTPSErrors: true, locale: 'en-US' });
  const page = await context.newPage();
  await page.goto(`${rp}/login`);
  await page.waitForURL(/\/sign-in/);
  await page.getByRole('link', { name: 'Forgot your password?' }).click();
  await page.waitForURL(/\/reset-password/);
  await page.getByLabel('Email').fill(email);
  await page.screenshot({ path: `${shots}/reset-email.png`, fullPage: true });
  await page.getByRole('button', { name: 'Send code' }).click();
  await page.getByLabel('Code').waitFor();
  await page.screenshot({ path: `${shots}/reset-code.png`, fullPage: true });

  let code = '';
  for (let i = 0; i < 50 && !code; i++) {
    code = await (await fetch(env('MAILBOX') + encodeURIComponent(email))).text();
    if (!code) await new Promise((r) => setTimeout(r, 100));
  }
  if (!code) throw new Error('no code arrived at the mail server');
  await page.getByLabel('Code').fill(code);
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByLabel('New password').fill(env('NEW_PASSWORD'));
  await page.getByLabel('Confirm password').fill(env('NEW_PASSWORD'));
  await page.screenshot({ path: `${shots}/reset-new-password.png`, fullPage: true });
  await page.getByRole('button', { name: 'Reset password' }).click();
  await page.waitForURL(/\/sign-in\?.*reset=done/);
  const notice = (await page.locator('.notice').textContent()).trim();
  await page.screenshot({ path: `${shots}/reset-done.png`, fullPage: true });

  await page.getByLabel(/username/i).first().fill(env('USERNAME'));
  await page.getByLabel(/^password/i).first().fill(env('NEW_PASSWORD'));
  await page.keyboard.press('Enter');
  await page.waitForURL(`${rp}/callback**`);
  const signedIn = (await page.textContent('body')).trim();
  report({ signedIn, notice });
} finally {
  await browser.close();
}
