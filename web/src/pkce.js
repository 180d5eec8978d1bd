// Sign-in in AWS: Cognito's hosted UI, the authorization-code flow with PKCE
// (RFC 7636). The client is public, so a one-time secret (the verifier) kept in
// this tab proves that whoever trades the code is who asked for it.
//   1. start(): remember a random verifier and state, go to /oauth2/authorize
//      with SHA-256(verifier) as the challenge.
//   2. Cognito sends the browser back to redirect_uri with ?code=…&state=….
//   3. finish(): check the state, POST the code and the verifier to
//      /oauth2/token, and keep the ID token (the API reads its claims).
const KEY = "classreel.pkce";
const SCOPES = "openid email profile";

function base64url(bytes) {
  return btoa(String.fromCharCode(...new Uint8Array(bytes)))
    .replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

const randomString = () => base64url(crypto.getRandomValues(new Uint8Array(32)));
const redirectUri = () => `${location.origin}/`;
const hostedUi = (config) => config.hosted_ui_url.replace(/\/$/, "");

export async function start(config) {
  const verifier = randomString();
  const state = randomString();
  sessionStorage.setItem(KEY, JSON.stringify({ verifier, state }));
  const challenge = base64url(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier)));
  const params = new URLSearchParams({
    response_type: "code",
    client_id: config.client_id,
    redirect_uri: redirectUri(),
    scope: SCOPES,
    state,
    code_challenge: challenge,
    code_challenge_method: "S256",
  });
  location.assign(`${hostedUi(config)}/oauth2/authorize?${params}`);
}

// The ID token if this page is Cognito's redirect back; null if it is not.
export async function finish(config) {
  const params = new URLSearchParams(location.search);
  if (!params.has("code") && !params.has("error")) return null;
  const saved = JSON.parse(sessionStorage.getItem(KEY) || "null");
  sessionStorage.removeItem(KEY);
  history.replaceState(null, "", redirectUri() + location.hash); // the code is single-use
  if (params.has("error")) throw new Error(params.get("error_description") || params.get("error"));
  if (!saved || saved.state !== params.get("state")) {
    throw new Error("This sign-in was not started here (state mismatch); please sign in again.");
  }
  const response = await fetch(`${hostedUi(config)}/oauth2/token`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "authorization_code",
      client_id: config.client_id,
      code: params.get("code"),
      redirect_uri: redirectUri(),
      code_verifier: saved.verifier,
    }),
  });
  const tokens = await response.json().catch(() => ({}));
  if (!response.ok || !tokens.id_token) {
    throw new Error(tokens.error_description || tokens.error || `Sign-in failed (${response.status})`);
  }
  return tokens.id_token;
}

// Where "Sign out" goes: Cognito ends its own session, then comes back here.
export function logoutUrl(config) {
  const params = new URLSearchParams({ client_id: config.client_id, logout_uri: redirectUri() });
  return `${hostedUi(config)}/logout?${params}`;
}
