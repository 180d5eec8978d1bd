// Sign-in through OpenID Connect with oidc-client-ts: the authorization code with PKCE
// (RFC 7636), the same code path for Cognito's hosted UI in AWS and for the local OpenID
// Connect provider `make run` starts. The client is public, so a one-time secret (the
// verifier) kept in this tab proves that whoever trades the code is who asked for it.
//   1. start(): oidc-client-ts remembers a verifier and a state, and goes to the
//      provider's authorize endpoint with SHA-256(verifier) as the challenge.
//   2. The provider sends the browser back to redirect_uri with ?code=…&state=….
//   3. finish(): oidc-client-ts checks the state, trades the code (and the verifier) for
//      an ID token and a refresh token, kept in this tab's sessionStorage only.
//   4. The ID token is short-lived (minutes): before it ends, and whenever the API refuses
//      it, renew() trades the refresh token for a new one, without leaving the page.
import { UserManager, WebStorageStateStore } from "oidc-client-ts";
import { session } from "./session.js";

const SCOPES = "openid email profile";
const redirectUri = () => `${location.origin}/`;
let manager = null;
let managedFor = null;

// What the deployment's /web-config.json says about signing in, as oidc-client-ts settings.
function providerSettings(config) {
  if (config.auth === "cognito") {
    const hosted = config.hosted_ui_url.replace(/\/$/, "");
    const issuer = `https://cognito-idp.${config.region}.amazonaws.com/${config.user_pool_id}`;
    // The endpoints are the hosted UI's: no discovery request, nothing else to allow.
    return {
      authority: issuer,
      client_id: config.client_id,
      metadata: {
        issuer,
        authorization_endpoint: `${hosted}/oauth2/authorize`,
        token_endpoint: `${hosted}/oauth2/token`,
        userinfo_endpoint: `${hosted}/oauth2/userInfo`,
        revocation_endpoint: `${hosted}/oauth2/revoke`,
        end_session_endpoint: `${hosted}/logout`,
      },
    };
  }
  return { authority: config.oidc.authority, client_id: config.oidc.client_id };
}

export function configured(config) {
  return config.auth === "cognito"
    ? Boolean(config.hosted_ui_url && config.client_id && config.user_pool_id)
    : Boolean(config.oidc?.authority);
}

function userManager(config) {
  if (manager && managedFor === config) return manager;
  manager = new UserManager({
    ...providerSettings(config),
    redirect_uri: redirectUri(),
    post_logout_redirect_uri: redirectUri(),
    response_type: "code",
    scope: SCOPES,
    loadUserInfo: false,
    // Renew with the refresh token a minute before the ID token ends.
    automaticSilentRenew: true,
    userStore: new WebStorageStateStore({ store: window.sessionStorage }),
  });
  managedFor = config;
  manager.events.addUserLoaded((user) => session.renewed(user.id_token, user.expires_at));
  manager.events.addSilentRenewError(() => session.clear());
  session.useRenewer(() => renew(config));
  return manager;
}

// Picks up a signed-in tab after a reload (the tokens are in this tab's storage).
export async function resume(config) {
  if (!configured(config) || !session.viaProvider()) return;
  await userManager(config).getUser();
}

export async function start(config) {
  await userManager(config).signinRedirect();
}

// The ID token if this page is the provider's redirect back; null if it is not.
export async function finish(config) {
  const params = new URLSearchParams(location.search);
  if (!params.has("code") && !params.has("error")) return null;
  if (params.has("error")) {
    history.replaceState(null, "", redirectUri() + location.hash);
    throw new Error(params.get("error_description") || params.get("error"));
  }
  let user;
  try {
    user = await userManager(config).signinCallback();
  } catch (error) {
    history.replaceState(null, "", redirectUri() + location.hash);
    if (/state/i.test(error.message)) {
      throw new Error("This sign-in was not started here (state mismatch); please sign in again.");
    }
    throw error;
  }
  history.replaceState(null, "", redirectUri() + location.hash); // the code is single-use
  return { token: user.id_token, expiresAt: user.expires_at };
}

// A fresh ID token from the refresh token; null when there is none to renew.
export async function renew(config) {
  try {
    const user = await userManager(config).signinSilent();
    return user?.id_token || null;
  } catch {
    return null;
  }
}

// Sign out at the provider too, or the next sign-in skips the password.
export async function signOut(config) {
  const users = userManager(config);
  if (config.auth === "cognito") {
    await users.removeUser();
    const params = new URLSearchParams({ client_id: config.client_id, logout_uri: redirectUri() });
    location.assign(`${config.hosted_ui_url.replace(/\/$/, "")}/logout?${params}`);
    return;
  }
  await users.signoutRedirect();
}
