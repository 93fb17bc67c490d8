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
  await page.getByLabel('Name').fill('Demo chat');
  await page.getByLabel('Redirect URI (optional)').fill(`${env('RP_URL')}/callback`);
  await page.screenshot({ path: `${shots}/console-apps.png`, fullPage: true });
  await page.getByRole('button', { name: 'Create an application' }).click();
  await page.waitForURL(/\/console\/applications\/[a-z0-9]+$/);
  const app = await page.textContent('main');
  const appURL = page.url();
  await page.screenshot({ path: `${shots}/console-app.png`, fullPage: true });
  // The relying party gets the client the console just showed.
  const facts = await page.locator('dl.facts dd code').allTextContents();
  await fetch(`${env('RP_CONFIGURE')}?id=${encodeURIComponent(facts[1])}&secret=${encodeURIComponent(facts[2])}`);

  // A generic OAuth 2.0 connector for the community's server.
  const idp = env('IDP');
  await page.getByRole('link', { name: 'Connectors' }).click();
  await page.getByText('Generic OAuth 2.0', { exact: false }).first().click(); // opens its form
  await page.locator('#oauth2_target').fill('community');
  await page.locator('#oauth2_buttonName').fill('Community');
  await page.locator('#oauth2_authorizationEndpoint').fill(`${idp}/oauth2/authorize`);
  await page.locator('#oauth2_tokenEndpoint').fill(`${idp}/oauth2/token`);
  await page.locator('#oauth2_userInfoEndpoint').fill(`${idp}/api/user`);
  await page.locator('#oauth2_clientId').fill('gatehouse');
  await page.locator('#oauth2_clientSecret').fill('community-secret');
  await page.locator('#oauth2_scope').fill('read');
  await page.locator('#oauth2_tokenEndpointResponseType').selectOption('query-string');
  await page.locator('#oauth2_profileMap').fill('{"id":"user.id","name":"user.name","email":"user.email"}');
  await page.locator('form:has(#oauth2_target) button[type=submit]').click();
  await page.waitForURL(/\/console\/connectors\/[A-Za-z0-9]+\?notice=saved$/);
  const connector = (await page.textContent('main')).replace(/\s+/g, ' ');
  const connectorURL = page.url();
  await page.screenshot({ path: `${shots}/console-connector.png`, fullPage: true });
  await page.getByRole('link', { name: 'All connectors' }).click();
  await page.waitForURL(/\/console\/connectors$/);
  await page.screenshot({ path: `${shots}/console-connectors.png`, fullPage: true });

  // Social-only, with a logo, a colour and custom CSS.
  await page.getByRole('link', { name: 'Sign-in experience' }).click();
  for (const id of ['#pw_username', '#pw_email', '#code_email']) await page.locator(id).uncheck();
  await page.locator('#signup_with').selectOption('');
  await page.locator('#t_community').check();
  await page.locator('#logo').fill("data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' width='120' height='32'%3E%3Crect width='120' height='32' rx='6' fill='%230f766e'/%3E%3C/svg%3E");
  await page.locator('#primary').fill('#0f766e');
  await page.locator('#css').fill('body { border-top: 6px solid rgb(15, 118, 110); }');
  // The preview frame follows the form (console.js posts it there as it changes).
  await page.frameLocator('iframe.preview').getByRole('button', { name: 'Continue with Community' }).waitFor();
  const previewBorder = await page.frameLocator('iframe.preview').locator('body').evaluate((b) => getComputedStyle(b).borderTopWidth);
  await page.screenshot({ path: `${shots}/console-sign-in-experience.png`, fullPage: true });
  await page.getByRole('button', { name: 'Save' }).click();
  await page.waitForURL(/notice=saved/);

  // LobeChat's webhook (seed guide A's last step), with its signing key to copy.
  await page.getByRole('link', { name: 'Webhooks' }).click();
  await page.locator('#h_name').fill('LobeChat');
  await page.locator('#h_url').fill('https://lobe.example.com/api/webhooks/logto');
  await page.getByRole('button', { name: 'Create a webhook' }).click();
  await page.waitForURL(/\/console\/webhooks\/[A-Za-z0-9]+\?notice=saved$/);
  const webhook = (await page.textContent('main')).replace(/\s+/g, ' ');
  const webhookURL = page.url();
  await page.screenshot({ path: `${shots}/console-webhook.png`, fullPage: true });

  // A person signs in to the relying party through the connector.
  const person = await browser.newContext({ ignoreHTTPSErrors: true, locale: 'en-US' });
  const pp = await person.newPage();
  await pp.goto(`${env('RP_URL')}/login`);
  await pp.waitForURL(/\/sign-in/);
  const borderTop = await pp.evaluate(() => {
    const b = getComputedStyle(document.body);
    return b.borderTopColor + ' ' + b.borderTopWidth;
  });
  await pp.screenshot({ path: `${shots}/console-social-only-sign-in.png`, fullPage: true });
  await pp.getByRole('button', { name: 'Continue with Community' }).click();
  await pp.locator('#allow').click();
  await pp.waitForURL(`${env('RP_URL')}/callback**`);
  const signedIn = (await pp.textContent('body')).trim();
  await pp.screenshot({ path: `${shots}/console-done.png`, fullPage: true });

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

  // Every list page, in both languages, for the record; and the keyboard reaches the content
  // first (the skip link).
  const pages = { users: '/console/users', resources: '/console/api-resources', roles: '/console/roles',
    audit: '/console/audit-logs', settings: '/console/settings', webhooks: '/console/webhooks',
    'sign-in-experience-page': '/console/sign-in-experience' };
  const statuses = {};
  for (const [name, path] of Object.entries(pages)) {
    const r = await page.goto(`${admin}${path}`);
    statuses[name] = r.status();
    await page.screenshot({ path: `${shots}/console-${name}.png`, fullPage: true });
    await p2.goto(`${admin}${path}`);
    await p2.screenshot({ path: `${shots}/console-${name}-zh.png`, fullPage: true });
  }
  for (const [name, url] of Object.entries({ app: appURL, connector: connectorURL, webhook: webhookURL })) {
    await p2.goto(url);
    await p2.screenshot({ path: `${shots}/console-${name}-zh.png`, fullPage: true });
  }
  // Dark mode follows the system.
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.goto(`${admin}/console`);
  await page.screenshot({ path: `${shots}/console-home-dark.png`, fullPage: true });
  await page.emulateMedia({ colorScheme: 'light' });
  await page.goto(`${admin}/console`);
  await page.keyboard.press('Tab');
  const firstFocus = await page.evaluate(() => document.activeElement.textContent);

  report({ home, app, homeZh, signedIn, borderTop, connector, webhook, previewBorder, statuses, firstFocus });
} finally {
  await browser.close();
}
