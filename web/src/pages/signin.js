// Sign-in. Locally: pick a demo user and the local server signs a dev token
// (POST /local/dev-token exists only in the local twin's server). In AWS:
// Cognito's hosted UI, authorization code + PKCE (../pkce.js), the ID token.
import { get } from "../api.js";
import { loadConfig } from "../config.js";
import { session } from "../session.js";
import * as pkce from "../pkce.js";
import { h, replace, errorBox } from "../ui.js";

async function finish(token) {
  session.save(token, null);
  const me = await get("/me");
  session.save(token, me);
  location.hash = "#/";
}

async function renderCognito(main, config) {
  const status = h("div", { "aria-live": "polite" });
  const configured = config.hosted_ui_url && config.client_id;
  const button = h("button", {
    type: "button",
    class: "primary",
    id: "hosted-sign-in",
    onclick: () => pkce.start(config).catch((error) => replace(status, errorBox(error))),
  }, "Sign in with your district account");
  replace(main, h("section", { class: "card narrow" },
    h("h1", {}, "Sign in to ClassReel"),
    configured
      ? h("p", {}, button)
      : h("p", { class: "error", role: "alert" }, "Sign-in is not configured for this deployment yet (no Cognito hosted UI)."),
    status));
  if (!configured) return null;
  try {
    const idToken = await pkce.finish(config);
    if (idToken) {
      replace(status, h("p", { class: "muted" }, "Signing in…"));
      await finish(idToken);
      return null;
    }
  } catch (error) {
    replace(status, errorBox(error));
  }
  button.focus();
  return null;
}

export async function render(main) {
  const config = await loadConfig();
  if (config.auth === "cognito") return renderCognito(main, config);
  const status = h("div", { "aria-live": "polite" });
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
      await finish(body.token);
    } catch (error) {
      replace(status, errorBox(error));
    }
  }
  replace(main, h("section", { class: "card narrow" },
    h("h1", {}, "Sign in"),
    h("p", {}, "Local mode: choose a demo user of ", h("strong", {}, config.district),
      ". The local server signs a development token for them; the API checks it like any other."),
    [...groups.entries()].map(([school, users]) => h("section", { class: "user-group" },
      h("h2", {}, school),
      h("ul", { class: "user-list" }, users.map((user) => h("li", {},
        h("button", {
          type: "button",
          class: "user-pick",
          dataset: { user: user.user_id },
          onclick: () => pick(user),
        }, h("strong", {}, user.name), h("span", { class: "muted" }, ` ${user.role} · ${user.user_id}`))))))),
    status));
  main.querySelector("button.user-pick")?.focus();
  return null;
}
