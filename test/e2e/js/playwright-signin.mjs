// Signs a user in through Gatehouse's hosted sign-in page in a real Chromium (Debian's), starting
// at a demo relying party, and saves screenshots. COLOR_SCHEME chooses light or dark.
import { chromium } from 'playwright-core';
import { env, report } from './browser.mjs';

const rp = env('RP_URL');
const shots = env('ARTIFACTS_DIR');
const scheme = env('COLOR_SCHEME');

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
});
try {
  const context = await browser.newContext({ ignoreHTTPSErrors: true, colorScheme: scheme, locale: 'en-US' });
  const page = await context.newPage();
  await page.goto(`${rp}/login`);
  await page.waitForURL(/\/sign-in/);
  const usernameField = page.getByLabel(/username/i).first();
  await usernameField.waitFor();
  await page.screenshot({ path: `${shots}/sign-in-${scheme}.png`, fullPage: true });

  const styles = await page.evaluate(() => {
    const body = getComputedStyle(document.body);
    return { background: body.backgroundColor, borderTop: body.borderTopColor + ' ' + body.borderTopWidth, lang: document.documentElement.lang };
  });

  // Keyboard only: type into the labelled fields and press Enter, as a person without a mouse would.
  await usernameField.fill(env('USERNAME'));
  await page.getByLabel(/password/i).first().fill(env('PASSWORD'));
  await page.keyboard.press('Enter');
  await page.waitForURL(`${rp}/callback**`);
  const signedIn = (await page.textContent('body')).trim();
  await page.screenshot({ path: `${shots}/signed-in-${scheme}.png`, fullPage: true });

  // The same page on a phone-sized screen.
  const phone = await browser.newContext({ ignoreHTTPSErrors: true, colorScheme: scheme, viewport: { width: 390, height: 844 }, isMobile: true });
  const phonePage = await phone.newPage();
  await phonePage.goto(`${rp}/login`);
  await phonePage.waitForURL(/\/sign-in/);
  const overflow = await phonePage.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
  await phonePage.screenshot({ path: `${shots}/sign-in-${scheme}-phone.png`, fullPage: true });

  report({ signedIn, styles, phoneOverflowsHorizontally: overflow });
} finally {
  await browser.close();
}
