// Sign-in. Everywhere: "Sign in with your district account", the authorization code with
// PKCE through oidc-client-ts (../pkce.js) — Cognito's hosted UI in AWS, the local OpenID
// Connect provider on `make run`. Locally also: pick a demo user and the local server signs
// a dev token for them (POST /local/dev-token exists only in the local twin's server).
// Whoever signs in, the district's directory says who they are: someone it does not know,
// or has switched off, gets a page that says so.
import { ApiError, get } from "../api.js";
import { loadConfig } from "../config.js";
import { session } from "../session.js";
import * as pkce from "../pkce.js";
import { h, replace, errorBox } from "../ui.js";

const REFUSALS = {
  not_in_directory: "You are not in your district's ClassReel directory",
  account_inactive: "Your ClassReel account is switched off",
};

async function finish(main, config, token, options) {
  session.save(token, null, options);
  let me;
  try {
    me = await get("/me");
  } catch (error) {
    if (error instanceof ApiError && REFUSALS[error.code]) {
      refused(main, config, error);
      return;
    }
    throw error;
  }
  session.save(token, me, options);
  location.hash = "#/";
}

// Signed in at the provider, refused by the directory: say why, and offer to sign out
// there (another account), since signing in again would only land here again.
function refused(main, config, error) {
  const viaProvider = session.viaProvider();
  session.clear();
  replace(main, h("section", { class: "card narrow", id: "refused" },
    h("h1", {}, REFUSALS[error.code]),
    h("p", { role: "alert" }, error.message),
    h("p", {}, "Your videos are kept. Once your administrator has added you (or switched you back on), sign in again."),
    h("p", {}, viaProvider && pkce.configured(config)
      ? h("button", { type: "button", id: "sign-out-provider", onclick: () => pkce.signOut(config) }, "Sign in with another account")
      : h("a", { href: "#/sign-in", class: "button" }, "Back to sign-in"))));
  document.title = `${REFUSALS[error.code]} · ClassReel`;
}

function providerSection(config, status) {
  const button = h("button", {
    type: "button",
    class: "primary",
    id: "hosted-sign-in",
    onclick: () => pkce.start(config).catch((error) => replace(status, errorBox(error))),
  }, "Sign in with your district account");
  return { button, el: h("section", { class: "sign-in-provider" }, h("p", {}, button)) };
}

function demoPicker(main, config, status) {
  const groups = new Map();
  for (const user of config.demo_users) {
    const key = user.school || "District office";
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(user);
  }
  async function pick(user) {
    replace(status, h("p", { class: "muted" }, `Signing in as ${user.name}…`));
    try {
      const response = await fetch("/local/dev-token", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ user_id: user.user_id }),
      });
      const body = await response.json();
      if (!response.ok) throw new Error(body.message || "Could not sign in");
      await finish(main, config, body.token, { via: "dev", expiresAt: null });
    } catch (error) {
      replace(status, errorBox(error));
    }
  }
  return h("section", { class: "demo-users", "aria-labelledby": "demo-h" },
    h("h2", { id: "demo-h" }, "Or choose a demo user"),
    h("p", { class: "hint" }, "Local mode: the local server signs a development token for a demo user of ",
      h("strong", {}, config.district), "; the API checks it like any other."),
    [...groups.entries()].map(([school, users]) => h("section", { class: "user-group" },
      h("h3", {}, school),
      h("ul", { class: "user-list" }, users.map((user) => h("li", {},
        h("button", {
          type: "button",
          class: "user-pick",
          dataset: { user: user.user_id },
          onclick: () => pick(user),
        }, h("strong", {}, user.name), h("span", { class: "muted" }, ` ${user.role} · ${user.email || user.user_id}`))))))));
}

export async function render(main) {
  const config = await loadConfig();
  const status = h("div", { "aria-live": "polite", id: "sign-in-status" });
  const local = config.auth !== "cognito";
  const provider = pkce.configured(config) ? providerSection(config, status) : null;
  replace(main, h("section", { class: "card narrow" },
    h("h1", {}, "Sign in to ClassReel"),
    provider ? provider.el : h("p", { class: "error", role: "alert" },
      local ? "No sign-in provider is running on this machine." : "Sign-in is not configured for this deployment yet (no Cognito hosted UI)."),
    status,
    local && config.demo_users?.length ? demoPicker(main, config, status) : null));
  try {
    const signedIn = provider ? await pkce.finish(config) : null;
    if (signedIn) {
      replace(status, h("p", { class: "muted" }, "Signing in…"));
      await finish(main, config, signedIn.token, { via: "provider", expiresAt: signedIn.expiresAt });
      return null;
    }
  } catch (error) {
    replace(status, errorBox(error));
  }
  (provider?.button || main.querySelector("button.user-pick"))?.focus();
  return null;
}
