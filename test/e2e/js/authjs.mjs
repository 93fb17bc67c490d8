// @auth/core with its Logto provider, as Auth.js / LobeChat use it: issuer `<endpoint>/oidc`,
// scopes `offline_access openid email profile`, client_secret_basic, and the profile taken from
// the ID token (name ?? username, email, picture). The app runs in this process through Auth()'s
// Request/Response interface; the browser is ours.
import { Auth } from '@auth/core';
import Logto from '@auth/core/providers/logto';
import { Browser, signIn, logout, env, report } from './browser.mjs';

const appOrigin = env('APP_ORIGIN'); // e.g. http://lobe.example.test
const issuer = env('ISSUER');
const redirectUri = `${appOrigin}/api/auth/callback/logto`;
const postLogout = env('POST_LOGOUT_REDIRECT_URI');

let account; // what Auth.js received from the token endpoint
const config = {
  providers: [Logto({ clientId: env('CLIENT_ID'), clientSecret: env('CLIENT_SECRET'), issuer })],
  secret: 'an-e2e-test-secret-that-is-long-enough-0123456789',
  trustHost: true,
  basePath: '/api/auth',
  callbacks: {
    jwt({ token, account: a }) {
      if (a) account = a;
      return token;
    },
  },
};

// appCookies is the app's own cookie jar (the browser's, for the app's origin).
const app = new Browser();
const call = async (path, init = {}) => {
  const url = path.startsWith('http') ? path : `${appOrigin}${path}`;
  const headers = new Headers(init.headers ?? {});
  const cookie = app.cookieHeader(url);
  if (cookie) headers.set('cookie', cookie);
  const response = await Auth(new Request(url, { ...init, headers }), config);
  app.store(url, response);
  return response;
};

const csrf = await (await call('/api/auth/csrf')).json();
const signInResponse = await call('/api/auth/signin/logto', {
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams({ csrfToken: csrf.csrfToken, callbackUrl: `${appOrigin}/` }),
});
const authUrl = signInResponse.headers.get('location');
if (!authUrl?.startsWith(issuer)) throw new Error(`Auth.js did not redirect to the issuer: ${signInResponse.status} ${authUrl}`);

const idp = new Browser();
const callback = await signIn(idp, authUrl, {
  username: env('USERNAME'), password: env('PASSWORD'), redirectUri, clientId: env('CLIENT_ID'),
});
const done = await call(callback);
if (done.status >= 400 || !(done.headers.get('location') ?? '').startsWith(appOrigin)) {
  throw new Error(`callback failed: ${done.status} ${done.headers.get('location')} ${await done.text()}`);
}
const session = await (await call('/api/auth/session')).json();

// LobeChat refreshes with the refresh token itself (client_secret_basic at the token endpoint).
const discovery = await (await fetch(`${issuer}/.well-known/openid-configuration`)).json();
const basic = 'Basic ' + Buffer.from(`${encodeURIComponent(env('CLIENT_ID'))}:${encodeURIComponent(env('CLIENT_SECRET'))}`).toString('base64');
let refreshed = null;
if (account?.refresh_token) {
  const r = await fetch(discovery.token_endpoint, {
    method: 'POST',
    headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: account.refresh_token }),
  });
  refreshed = { status: r.status, body: await r.json() };
}
const userinfoResponse = await fetch(discovery.userinfo_endpoint, { headers: { authorization: `Bearer ${account.access_token}` } });
const userinfo = await userinfoResponse.json();

const endSession = new URL(discovery.end_session_endpoint);
endSession.searchParams.set('id_token_hint', account.id_token);
endSession.searchParams.set('post_logout_redirect_uri', postLogout);
const loggedOutAt = await logout(idp, endSession.href, postLogout);
const signOut = await call('/api/auth/signout', {
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams({ csrfToken: csrf.csrfToken }),
});
const sessionAfter = await (await call('/api/auth/session')).json();

report({
  session,
  scope: account.scope,
  hasRefreshToken: Boolean(account.refresh_token),
  refreshStatus: refreshed?.status ?? null,
  refreshedHasIdToken: Boolean(refreshed?.body?.id_token),
  userinfo,
  loggedOutAt,
  signOutStatus: signOut.status,
  sessionAfter,
});
