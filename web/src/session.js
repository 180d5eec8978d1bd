// Who is signed in: their ID token and the person /me describes, in this tab's
// sessionStorage (never localStorage: a token should not outlive the tab, nor be shared by
// every tab of the browser). Tokens from the sign-in provider are short-lived and renewed
// with its refresh token (./pkce.js); the local demo picker's dev tokens are not.
const KEY = "classreel.session";
// Renew this long before the ID token ends, so no request leaves with a stale one.
const RENEW_BEFORE_S = 30;

// Sessions of older versions of this client were kept in localStorage: drop them.
localStorage.removeItem(KEY);

let renewer = null;
let renewing = null;

function read() {
  try {
    return JSON.parse(sessionStorage.getItem(KEY)) || null;
  } catch {
    return null;
  }
}

function write(value) {
  sessionStorage.setItem(KEY, JSON.stringify(value));
}

export const session = {
  token: () => read()?.token || null,
  user: () => read()?.user || null,
  // via: "provider" (renewable) or "dev" (the local picker); expiresAt in epoch seconds.
  save(token, user, { via = read()?.via || "dev", expiresAt = read()?.expiresAt || null } = {}) {
    write({ token, user, via, expiresAt });
  },
  clear() {
    sessionStorage.removeItem(KEY);
  },
  has(role) {
    return (read()?.user?.roles || []).includes(role);
  },
  viaProvider: () => read()?.via === "provider",
  // The provider renewed the tokens (a refresh, or oidc-client-ts's own schedule).
  renewed(token, expiresAt) {
    const current = read();
    if (current) write({ ...current, token, expiresAt, via: "provider" });
  },
  useRenewer(renew) {
    renewer = renew;
  },
  // One renewal at a time, however many requests ask for it.
  async renew() {
    if (!renewer || !session.viaProvider()) return false;
    renewing ??= renewer().finally(() => {
      renewing = null;
    });
    return Boolean(await renewing);
  },
  // The token to send now: renewed first if it is about to end.
  async freshToken() {
    const current = read();
    if (current?.via === "provider" && current.expiresAt
      && current.expiresAt - Date.now() / 1000 < RENEW_BEFORE_S) {
      await session.renew();
    }
    return session.token();
  },
};
