// Social-only sign-in in a real Chromium: the sign-in page shows one "Continue with …" button,
// the provider's page is allowed (then, in a second run, denied), and screenshots are kept.
import { chromium } from 'playwright-core';
import { env, report } from './browser.mjs';

const rp = env('RP_URL');
const shots = env('ARTIFACTS_DIR');

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
  const button = page.getByRole('button', { name: 'Continue with LINUX DO' });
  await button.waitFor();
  const passwordFields = await page.locator('input[type=password]').count();
  const borderTop = await page.evaluate(() => {
    const body = getComputedStyle(document.body);
    return body.borderTopColor + ' ' + body.borderTopWidth;
  });
  await page.screenshot({ path: `${shots}/social-only-sign-in.png`, fullPage: true });
  await button.click();
  await page.locator('#allow').click();
  await page.waitForURL(`${rp}/callback**`);
  const signedIn = (await page.textContent('body')).trim();
  await page.screenshot({ path: `${shots}/social-signed-in.png`, fullPage: true });

  // A fresh browser denies at the provider.
  const other = await browser.newContext({ ignoreHTTPSErrors: true, locale: 'en-US' });
  const p2 = await other.newPage();
  await p2.goto(`${rp}/login`);
  await p2.getByRole('button', { name: 'Continue with LINUX DO' }).click();
  await p2.locator('#deny').click();
  await p2.waitForURL(/\/callback\//);
  const denied = (await p2.textContent('main')).trim();
  await p2.screenshot({ path: `${shots}/social-denied.png`, fullPage: true });

  // The same page in Simplified Chinese.
  const zh = await browser.newContext({ ignoreHTTPSErrors: true, locale: 'zh-CN' });
  const p3 = await zh.newPage();
  await p3.goto(`${rp}/login`);
  await p3.waitForURL(/\/sign-in/);
  const zhButton = (await p3.locator('button.social-button').first().textContent()).trim();
  await p3.screenshot({ path: `${shots}/social-only-sign-in-zh.png`, fullPage: true });

  report({ signedIn, denied, zhButton, passwordFields, borderTop });
} finally {
  await browser.close();
}
