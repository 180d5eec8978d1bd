// The local twin's OpenID Connect provider (npm oidc-provider 8.x, which runs on Debian's
// Node 18 as on newer ones): `make run` starts it on loopback so the web client signs in
// exactly as it does with Cognito's hosted UI in AWS — authorization code with PKCE, short
// ID tokens, refresh tokens — and the API trusts its tokens beside the dev issuer's.
//
// Accounts come from the directory: the API writes them to OIDC_ACCOUNTS_PATH whenever
// people are added, changed or switched off (chalicelib/directory/accounts.py), and every
// sign-in and refresh reads that file again, so a switched-off person can neither sign in
// nor refresh. Every local account has the one password OIDC_PASSWORD (printed by
// `make run`). Configured by environment variables only (classreel/local/oidc.py).
import { createServer } from "node:http";
import { readFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import Provider from "oidc-provider";

const env = (name, fallback) => {
  const value = process.env[name] ?? fallback;
  if (value === undefined) throw new Error(`${name} is not set`);
  return value;
};
const issuer = env("OIDC_ISSUER");
const port = Number(new URL(issuer).port);
const clientId = env("OIDC_CLIENT_ID");
const redirectUris = env("OIDC_REDIRECT_URIS").split(",");
const accountsPath = env("OIDC_ACCOUNTS_PATH");
const password = env("OIDC_PASSWORD");
const idTokenTtl = Number(env("OIDC_ID_TOKEN_TTL_S", "300"));
const allowedOrigins = new Set(redirectUris.map((uri) => new URL(uri).origin));
const SHOWN_ACCOUNTS = 8;

function accounts() {
  try {
    return Object.values(JSON.parse(readFileSync(accountsPath, "utf8")).people || {});
  } catch (error) {
    if (error.code === "ENOENT") return [];
    throw error;
  }
}

const byId = (id) => accounts().find((a) => a.sub === id && a.enabled);

const provider = new Provider(issuer, {
  clients: [{
    client_id: clientId,
    application_type: "web",
    token_endpoint_auth_method: "none",
    grant_types: ["authorization_code", "refresh_token"],
    response_types: ["code"],
    redirect_uris: redirectUris,
    post_logout_redirect_uris: redirectUris,
  }],
  jwks: JSON.parse(readFileSync(env("OIDC_JWKS_PATH"), "utf8")),
  cookies: { keys: [randomBytes(32).toString("hex")] },
  pkce: { required: () => true, methods: ["S256"] },
  claims: {
    openid: ["sub"],
    email: ["email", "email_verified"],
    profile: ["name", "given_name", "family_name"],
  },
  // The API reads the ID token alone: its claims are in it, not only at /me.
  conformIdTokenClaims: false,
  ttl: {
    IdToken: idTokenTtl,
    AccessToken: idTokenTtl,
    RefreshToken: 12 * 3600,
    Session: 12 * 3600,
    Grant: 12 * 3600,
    Interaction: 600,
  },
  // A public web client doing the code flow gets a refresh token (no offline_access).
  issueRefreshToken: async (ctx, client) => client.grantTypeAllowed("refresh_token"),
  async findAccount(ctx, id) {
    const account = byId(id);
    if (!account) return undefined;
    return {
      accountId: id,
      async claims() {
        return {
          sub: id,
          email: account.email,
          email_verified: true,
          name: account.name,
          given_name: account.given_name,
          family_name: account.family_name,
        };
      },
    };
  },
  // ClassReel's own client needs no consent screen: grant what it asks.
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope("openid email profile");
    grant.addOIDCClaims(["email", "email_verified", "name", "given_name", "family_name"]);
    await grant.save();
    return grant;
  },
  clientBasedCORS: (ctx, origin) => allowedOrigins.has(origin),
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  features: { devInteractions: { enabled: false }, rpInitiatedLogout: { enabled: true } },
});

const escape = (text) => String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(res, status, title, body) {
  res.writeHead(status, {
    "Content-Type": "text/html; charset=utf-8",
    // A form's redirects count too: the login ends on the web client's origin.
    "Content-Security-Policy": `default-src 'none'; form-action 'self' ${[...allowedOrigins].join(" ")}; frame-ancestors 'none'`,
    "Cache-Control": "no-store",
  });
  res.end(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escape(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head><body>
<main><h1>${escape(title)}</h1>${body}</main></body></html>`);
}

function loginForm(uid, error, email = "") {
  const known = accounts().filter((a) => a.enabled).slice(0, SHOWN_ACCOUNTS);
  const hints = known.length
    ? `<p>Local accounts include ${known.map((a) => `<code>${escape(a.email)}</code>`).join(", ")}.</p>`
    : "";
  return `<p>Sign in to ClassReel with your district account (local twin).</p>
${error ? `<p role="alert" id="login-error">${escape(error)}</p>` : ""}
<form method="post" action="/interaction/${escape(uid)}/login">
<p><label for="email">Email</label><br><input id="email" name="email" type="email" autocomplete="username" required value="${escape(email)}"></p>
<p><label for="password">Password</label><br><input id="password" name="password" type="password" autocomplete="current-password" required></p>
<p><button type="submit" id="sign-in">Sign in</button></p>
</form>${hints}<p>Every local account's password is printed by <code>make run</code>.</p>`;
}

async function form(req) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > 16 * 1024) throw new Error("form too large");
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString("utf8"));
}

async function interaction(req, res, uid, action) {
  const details = await provider.interactionDetails(req, res);
  if (details.uid !== uid) return page(res, 400, "Sign-in expired", "<p>Start again from ClassReel.</p>");
  if (req.method === "GET") return page(res, 200, "Sign in", loginForm(uid));
  if (req.method !== "POST" || action !== "login") return page(res, 405, "Not allowed", "");
  const fields = await form(req);
  const email = (fields.get("email") || "").trim().toLowerCase();
  const account = accounts().find((a) => a.email === email);
  if (!account || fields.get("password") !== password) {
    return page(res, 401, "Sign in", loginForm(uid, "That email and password do not match a local account.", email));
  }
  if (!account.enabled) {
    return page(res, 403, "Sign in", loginForm(uid, "This account is switched off. Ask your district's ClassReel administrator.", email));
  }
  return provider.interactionFinished(req, res, { login: { accountId: account.sub } }, { mergeWithLastSubmission: false });
}

const callback = provider.callback();
const server = createServer((req, res) => {
  const match = /^\/interaction\/([^/?]+)(?:\/(login))?/.exec(req.url || "");
  if (!match) return callback(req, res);
  interaction(req, res, match[1], match[2]).catch((error) => {
    console.error(error);
    if (!res.headersSent) page(res, 400, "Sign-in failed", `<p>${escape(error.message)}</p>`);
  });
});
server.listen(port, "127.0.0.1", () => console.log(JSON.stringify({ message: "oidc provider listening", issuer })));
const stop = () => server.close(() => process.exit(0));
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
