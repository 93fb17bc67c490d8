"""authlib (Debian's python3-authlib) as Open WebUI uses it: OPENID_PROVIDER_URL is the full
discovery URL, client_secret_basic, scope "openid email profile", PKCE S256, and the user's
email/name/picture taken from the verified ID token with userinfo as fallback. Adds offline_access
with prompt=consent to exercise refresh, then logs out. Prints one JSON line for the Go test."""

import json
import os
import re
import secrets
import sys
from urllib.parse import urljoin, urlparse

import requests
from authlib.integrations.requests_client import OAuth2Session
from authlib.jose import JsonWebKey, jwt


def env(name):
    value = os.environ.get(name)
    if not value:
        sys.exit(f"{name} is not set")
    return value


def follow(session, url, stop):
    """GET url and its redirects until a Location starts with stop (returned unfetched)."""
    for _ in range(20):
        if stop and url.startswith(stop):
            return url, None
        response = session.get(url, allow_redirects=False)
        if 300 <= response.status_code < 400:
            url = urljoin(url, response.headers["Location"])
            continue
        return url, response
    raise RuntimeError("too many redirects")


def sign_in(browser, auth_url, username, password, redirect_uri, client_id):
    url, response = follow(browser, auth_url, None)
    page = urlparse(url)
    if response is None or response.status_code != 200 or page.path != "/sign-in":
        raise RuntimeError(f"expected the sign-in page, got {url}")
    api = f"{page.scheme}://{page.netloc}/api/experience"
    headers = {"Logto-App-Id": client_id}
    checks = [
        browser.put(api, json={"interactionEvent": "SignIn"}, headers=headers),
    ]
    verification = browser.post(f"{api}/verification/password", headers=headers,
                                json={"identifier": {"type": "username", "value": username}, "password": password})
    checks.append(verification)
    checks.append(browser.post(f"{api}/identification", headers=headers,
                               json={"verificationId": verification.json()["verificationId"]}))
    submitted = browser.post(f"{api}/submit", headers=headers)
    checks.append(submitted)
    for r in checks:
        if r.status_code >= 400:
            raise RuntimeError(f"{r.request.method} {r.url} -> {r.status_code} {r.text}")
    callback, _ = follow(browser, submitted.json()["redirectTo"], redirect_uri)
    return callback


def logout(browser, url, post_logout):
    for _ in range(10):
        if url.startswith(post_logout):
            return url
        response = browser.get(url, allow_redirects=False)
        if 300 <= response.status_code < 400:
            url = urljoin(url, response.headers["Location"])
            continue
        form = re.search(r'<form[^>]*action="([^"]+)"[^>]*>(.*?)</form>', response.text, re.S | re.I)
        if not form:
            raise RuntimeError(f"logout stopped at {response.status_code} {url}")
        fields = dict(re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', form.group(2), re.I))
        action = urljoin(url, form.group(1).replace("&amp;", "&"))
        posted = browser.post(action, data=fields, allow_redirects=False)
        url = urljoin(action, posted.headers["Location"])
    raise RuntimeError("logout: too many hops")


def main():
    discovery_url = env("OPENID_PROVIDER_URL")
    client_id, client_secret = env("CLIENT_ID"), env("CLIENT_SECRET")
    redirect_uri, post_logout = env("REDIRECT_URI"), env("POST_LOGOUT_REDIRECT_URI")

    meta = requests.get(discovery_url).json()
    oauth = OAuth2Session(client_id, client_secret, scope="openid email profile offline_access",
                          redirect_uri=redirect_uri, code_challenge_method="S256",
                          token_endpoint_auth_method="client_secret_basic")
    verifier = secrets.token_urlsafe(48)
    nonce = secrets.token_urlsafe(16)
    auth_url, state = oauth.create_authorization_url(meta["authorization_endpoint"], nonce=nonce,
                                                     code_verifier=verifier, prompt="consent")

    browser = requests.Session()
    callback = sign_in(browser, auth_url, env("USERNAME"), env("PASSWORD"), redirect_uri, client_id)
    token = oauth.fetch_token(meta["token_endpoint"], authorization_response=callback, code_verifier=verifier)

    keys = JsonWebKey.import_key_set(requests.get(meta["jwks_uri"]).json())
    claims = jwt.decode(token["id_token"], keys, claims_options={
        "iss": {"essential": True, "value": meta["issuer"]},
        "aud": {"essential": True, "value": client_id},
        "nonce": {"essential": True, "value": nonce},
    })
    claims.validate()

    userinfo = oauth.get(meta["userinfo_endpoint"]).json()
    refreshed = oauth.refresh_token(meta["token_endpoint"], refresh_token=token["refresh_token"])

    end = requests.Request("GET", meta["end_session_endpoint"], params={
        "id_token_hint": refreshed.get("id_token") or token["id_token"],
        "post_logout_redirect_uri": post_logout, "state": "bye"}).prepare().url
    logged_out_at = logout(browser, end, post_logout)

    print(json.dumps({
        "idTokenAlg": json.loads(__import__("base64").urlsafe_b64decode(token["id_token"].split(".")[0] + "==")).get("alg"),
        "claims": dict(claims),
        "userinfo": userinfo,
        "tokenType": token.get("token_type"),
        "refreshed": bool(refreshed.get("access_token")),
        "refreshRotated": refreshed.get("refresh_token") not in (None, token["refresh_token"]),
        "loggedOutAt": logged_out_at,
        "state": state,
    }))


if __name__ == "__main__":
    main()
