// NextAuth v4's OIDC provider as docs/nextauth.md configures it: NextAuth v4 signs in through
// openid-client v5 (next-auth 4.24 depends on ^5.4.0), which expects RS256 ID tokens unless the
// client says otherwise. With `client: { id_token_signed_response_alg: "ES384" }` the sign-in
// works; without it openid-client refuses Gatehouse's (and Logto's) ES384 ID token.
import { Issuer, generators } from 'openid-client-v5';
import { Browser, signIn, env, report } from './browser.mjs';

const redirectUri = env('REDIRECT_URI');
const issuer = await Issuer.discover(env('ISSUER'));

async function attempt(clientOptions) {
  const client = new issuer.Client({
    client_id: env('CLIENT_ID'), client_secret: env('CLIENT_SECRET'), redirect_uris: [redirectUri],
    response_types: ['code'], ...clientOptions,
  });
  const verifier = generators.codeVerifier();
  const state = generators.state();
  // NextAuth v4's defaults for an OIDC provider: checks ["pkce", "state"], scope "openid email profile".
  const authUrl = client.authorizationUrl({
    scope: 'openid email profile', code_challenge: generators.codeChallenge(verifier),
    code_challenge_method: 'S256', state,
  });
  const callback = await signIn(new Browser(), authUrl, {
    username: env('USERNAME'), password: env('PASSWORD'), redirectUri, clientId: env('CLIENT_ID'),
  });
  try {
    const params = client.callbackParams(callback);
    const tokens = await client.callback(redirectUri, params, { code_verifier: verifier, state });
    return { claims: tokens.claims() };
  } catch (err) {
    return { error: String(err.message ?? err) };
  }
}

report({
  withAlg: await attempt({ id_token_signed_response_alg: 'ES384' }),
  withoutAlg: await attempt({}),
});
