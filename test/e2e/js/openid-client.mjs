// openid-client v6 as LibreChat uses it (api/strategies/openidStrategy.js): discovery from the
// issuer, client_secret_post (v6's default when given a secret), PKCE S256, userinfo with the
// opaque access token, refresh, and RP-initiated logout with id_token_hint.
import * as client from 'openid-client';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { Browser, signIn, logout, env, report } from './browser.mjs';

const issuer = env('ISSUER');
const redirectUri = env('REDIRECT_URI');
const postLogout = env('POST_LOGOUT_REDIRECT_URI');

const config = await client.discovery(new URL(issuer), env('CLIENT_ID'), env('CLIENT_SECRET'));
const verifier = client.randomPKCECodeVerifier();
const state = client.randomState();
const authUrl = client.buildAuthorizationUrl(config, {
  redirect_uri: redirectUri,
  scope: 'openid profile email offline_access',
  code_challenge: await client.calculatePKCECodeChallenge(verifier),
  code_challenge_method: 'S256',
  state,
  prompt: 'consent', // LibreChat asks for a refresh token this way when token reuse is on
});

const browser = new Browser();
const callback = await signIn(browser, authUrl.href, {
  username: env('USERNAME'), password: env('PASSWORD'), redirectUri, clientId: env('CLIENT_ID'),
});
const tokens = await client.authorizationCodeGrant(config, new URL(callback), {
  pkceCodeVerifier: verifier, expectedState: state,
});
const claims = tokens.claims();

// openid-client does not check the ID token's signature in the code flow; a careful RP does.
const jwks = createRemoteJWKSet(new URL(config.serverMetadata().jwks_uri));
const verified = await jwtVerify(tokens.id_token, jwks, { issuer, audience: env('CLIENT_ID') });

const userinfo = await client.fetchUserInfo(config, tokens.access_token, claims.sub);
const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token);
const userinfoAfterRefresh = await client.fetchUserInfo(config, refreshed.access_token, claims.sub);

const endSession = client.buildEndSessionUrl(config, {
  id_token_hint: refreshed.id_token ?? tokens.id_token,
  post_logout_redirect_uri: postLogout,
  state: 'bye',
});
const loggedOutAt = await logout(browser, endSession.href, postLogout);

// After logout the browser's session is gone: a new authorization request shows the sign-in page.
const again = await browser.follow(client.buildAuthorizationUrl(config, {
  redirect_uri: redirectUri, scope: 'openid', code_challenge: await client.calculatePKCECodeChallenge(verifier),
  code_challenge_method: 'S256', state: 'again',
}).href, redirectUri);

report({
  callbackHasIss: new URL(callback).searchParams.get('iss'),
  idTokenAlg: verified.protectedHeader.alg,
  claims,
  userinfo,
  userinfoAfterRefresh,
  tokenType: tokens.token_type,
  hasRefreshToken: Boolean(tokens.refresh_token),
  refreshRotated: Boolean(refreshed.refresh_token) && refreshed.refresh_token !== tokens.refresh_token,
  loggedOutAt,
  afterLogout: new URL(again.url).pathname,
});
