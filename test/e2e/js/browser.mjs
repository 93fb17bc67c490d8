// A minimal browser for the client-library tests: a cookie jar per host, redirects followed by
// hand (so every hop is seen), and a sign-in driven through Gatehouse's Experience API exactly as
// Logto's hosted page performs it (logto-observed.md).

export class Browser {
  constructor() {
    this.jar = new Map(); // host -> Map(name -> value)
  }

  cookieHeader(url) {
    const cookies = this.jar.get(new URL(url).host);
    if (!cookies) return undefined;
    return [...cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  store(url, response) {
    const host = new URL(url).host;
    const cookies = this.jar.get(host) ?? new Map();
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attrs.some((a) => /^\s*max-age=(0|-)/i.test(a)) ||
        attrs.some((a) => /^\s*expires=/i.test(a) && new Date(a.split('=')[1]) < new Date());
      if (expired || value === '') cookies.delete(name);
      else cookies.set(name, value);
    }
    this.jar.set(host, cookies);
  }

  async fetch(url, init = {}) {
    const headers = new Headers(init.headers ?? {});
    const cookie = this.cookieHeader(url);
    if (cookie) headers.set('cookie', cookie);
    const response = await fetch(url, { ...init, headers, redirect: 'manual' });
    this.store(url, response);
    return response;
  }

  // follow GETs url and its redirects until a Location starts with `stop` (returned, not fetched)
  // or a non-redirect answer arrives (returned as {response}).
  async follow(url, stop) {
    let current = url;
    for (let hops = 0; hops < 20; hops++) {
      if (stop && current.startsWith(stop)) return { url: current };
      const response = await this.fetch(current);
      if (response.status >= 300 && response.status < 400) {
        current = new URL(response.headers.get('location'), current).toString();
        continue;
      }
      return { url: current, response };
    }
    throw new Error(`too many redirects from ${url}`);
  }

  async json(method, url, body, extraHeaders = {}) {
    const response = await this.fetch(url, {
      method,
      headers: { 'content-type': 'application/json', ...extraHeaders },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    let data;
    try { data = text ? JSON.parse(text) : undefined; } catch { data = text; }
    if (response.status >= 400) {
      throw new Error(`${method} ${url} -> ${response.status} ${text}`);
    }
    return { status: response.status, data };
  }
}

// signIn starts at the authorization URL, signs in with a username and password through the
// Experience API and returns the callback URL the server sent the browser to (with code, state
// and iss), without fetching it.
export async function signIn(browser, authUrl, { username, password, redirectUri, clientId }) {
  const start = await browser.follow(authUrl, null);
  const page = new URL(start.url);
  if (start.response?.status !== 200 || page.pathname !== '/sign-in') {
    // Already signed in (SSO): the server went straight back to the app.
    if (start.url.startsWith(redirectUri)) return start.url;
    throw new Error(`expected the sign-in page, got ${start.response?.status} ${start.url}`);
  }
  const api = `${page.origin}/api/experience`;
  const headers = clientId ? { 'Logto-App-Id': clientId } : {};
  const put = await browser.json('PUT', api, { interactionEvent: 'SignIn' }, headers);
  if (put.status !== 204) throw new Error(`PUT /api/experience -> ${put.status}`);
  const verification = await browser.json('POST', `${api}/verification/password`,
    { identifier: { type: 'username', value: username }, password }, headers);
  const { verificationId } = verification.data;
  const identified = await browser.json('POST', `${api}/identification`, { verificationId }, headers);
  if (identified.status !== 204) throw new Error(`identification -> ${identified.status}`);
  const submitted = await browser.json('POST', `${api}/submit`, undefined, headers);
  const done = await browser.follow(submitted.data.redirectTo, redirectUri);
  if (!done.url.startsWith(redirectUri)) {
    throw new Error(`sign-in did not end at ${redirectUri}: ${done.response?.status} ${done.url}`);
  }
  return done.url;
}

// logout follows an end-session URL to the post-logout redirect URI and returns where it ended.
export async function logout(browser, endSessionUrl, postLogoutRedirectUri) {
  let current = endSessionUrl;
  for (let hops = 0; hops < 10; hops++) {
    if (current.startsWith(postLogoutRedirectUri)) return current;
    const response = await browser.fetch(current);
    if (response.status >= 300 && response.status < 400) {
      current = new URL(response.headers.get('location'), current).toString();
      continue;
    }
    // Logto answers a self-submitting confirmation form; submit it as a browser would.
    const html = await response.text();
    const form = html.match(/<form[^>]*action="([^"]+)"[^>]*>([\s\S]*?)<\/form>/i);
    if (!form) throw new Error(`logout stopped at ${response.status} ${current}: ${html.slice(0, 300)}`);
    const fields = new URLSearchParams();
    for (const input of form[2].matchAll(/<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"/gi)) {
      fields.set(input[1], decodeEntities(input[2]));
    }
    const action = new URL(decodeEntities(form[1]), current).toString();
    const posted = await browser.fetch(action, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: fields.toString(),
    });
    if (posted.status < 300 || posted.status >= 400) {
      throw new Error(`logout confirmation -> ${posted.status}`);
    }
    current = new URL(posted.headers.get('location'), action).toString();
  }
  throw new Error('logout: too many hops');
}

function decodeEntities(s) {
  return s.replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>');
}

export function env(name) {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set`);
  return v;
}

// report prints the script's findings as one JSON line for the Go test to check.
export function report(obj) {
  process.stdout.write(JSON.stringify(obj) + '\n');
}
