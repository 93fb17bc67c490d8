// The @logto/node SDK as a Node.js app uses it: signIn (PKCE, prompt=consent, offline_access),
// handleSignInCallback, ID token claims, userinfo, an access token for an API resource, a refresh
// (after clearing the cached access token), and signOut.
import LogtoClient from '@logto/node';
import { Browser, signIn, logout, env, report } from './browser.mjs';

const redirectUri = env('REDIRECT_URI');
const postLogout = env('POST_LOGOUT_REDIRECT_URI');
const resource = env('RESOURCE');

const storage = new Map();
let navigated = '';
const logto = new LogtoClient(
  {
    endpoint: env('ENDPOINT'),
    appId: env('CLIENT_ID'),
    appSecret: env('CLIENT_SECRET'),
    scopes: ['email', 'read:orders'],
    resources: [resource],
  },
  {
    storage: {
      getItem: async (k) => storage.get(k) ?? null,
      setItem: async (k, v) => { storage.set(k, v); },
      removeItem: async (k) => { storage.delete(k); },
    },
    navigate: (url) => { navigated = url; },
  },
);

await logto.signIn({ redirectUri });
const browser = new Browser();
const callback = await signIn(browser, navigated, {
  username: env('USERNAME'), password: env('PASSWORD'), redirectUri, clientId: env('CLIENT_ID'),
});
await logto.handleSignInCallback(callback);

const claims = await logto.getIdTokenClaims();
const userinfo = await logto.fetchUserInfo();
const refreshToken = await logto.getRefreshToken();
const apiToken = await logto.getAccessToken(resource);
const apiClaims = await logto.getAccessTokenClaims(resource);
await logto.clearAccessToken();
const opaqueAfterRefresh = await logto.getAccessToken(); // forces the refresh_token grant
const refreshTokenAfter = await logto.getRefreshToken();

await logto.signOut(postLogout);
const loggedOutAt = await logout(browser, navigated, postLogout);

report({
  authenticated: true,
  claims,
  userinfo,
  hasRefreshToken: Boolean(refreshToken),
  refreshRotated: Boolean(refreshTokenAfter) && refreshTokenAfter !== refreshToken,
  apiTokenIsJwt: apiToken.split('.').length === 3,
  apiClaims,
  opaqueAfterRefresh: Boolean(opaqueAfterRefresh),
  loggedOutAt,
  authenticatedAfter: await logto.isAuthenticated(),
});
