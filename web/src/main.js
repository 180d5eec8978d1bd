// The light web client: a hash router over a handful of pages.
import { config, loadConfig } from "./config.js";
import { logoutUrl } from "./pkce.js";
import { session } from "./session.js";
import { h, replace } from "./ui.js";
import { renderHeader } from "./header.js";
import * as signIn from "./pages/signin.js";
import * as videos from "./pages/videos.js";
import * as upload from "./pages/upload.js";
import * as video from "./pages/video.js";
import * as clip from "./pages/clip.js";
import * as review from "./pages/review.js";
import * as library from "./pages/library.js";
import * as inbox from "./pages/inbox.js";
import * as mail from "./pages/mail.js";
import * as settings from "./pages/settings.js";
import * as cycles from "./pages/cycles.js";

const ROUTES = [
  [/^\/sign-in$/, signIn.render, { public: true }],
  [/^\/$/, videos.renderHome],
  [/^\/videos$/, videos.render],
  [/^\/upload$/, upload.render],
  [/^\/videos\/([^/]+)$/, video.render],
  [/^\/clips\/([^/]+)$/, clip.render],
  [/^\/review$/, review.renderQueue],
  [/^\/review\/([^/]+)$/, review.renderItem],
  [/^\/library$/, library.render],
  [/^\/inbox$/, inbox.render],
  [/^\/settings\/notifications$/, inbox.renderPreferences],
  [/^\/local\/mail$/, mail.render],
  [/^\/cycles$/, cycles.renderList],
  [/^\/cycles\/([^/]+)$/, cycles.renderCycle],
  [/^\/settings(?:\/framework)?$/, settings.renderFramework],
  [/^\/settings\/checklist$/, settings.renderChecklist],
  [/^\/settings\/rubric$/, settings.renderRubric],
  [/^\/settings\/retention$/, settings.renderRetention],
  [/^\/unsubscribe$/, mail.renderUnsubscribe, { public: true }],
];

function signOut() {
  session.clear();
  // In AWS, end the hosted UI's session too, or the next sign-in skips the password.
  if (config().auth === "cognito" && config().hosted_ui_url) location.assign(logoutUrl(config()));
  else location.hash = "#/sign-in";
}

const renderChrome = () => renderHeader({ onSignOut: signOut });

let cleanup = null;

async function route() {
  try {
    await loadConfig();
  } catch (error) {
    replace(document.getElementById("main"), h("h1", {}, "ClassReel is not configured"),
      h("p", { class: "error", role: "alert" }, error.message));
    return;
  }
  const hash = location.hash.replace(/^#/, "") || "/";
  const [path, search = ""] = hash.split("?");
  const params = new URLSearchParams(search);
  const main = document.getElementById("main");
  if (typeof cleanup === "function") cleanup();
  cleanup = null;
  for (const [pattern, render, options = {}] of ROUTES) {
    const match = pattern.exec(path);
    if (!match) continue;
    if (!options.public && !session.token()) {
      location.hash = "#/sign-in";
      return;
    }
    renderChrome();
    replace(main, h("p", { class: "muted" }, "Loading…"));
    main.setAttribute("aria-busy", "true");
    try {
      cleanup = await render(main, params, ...match.slice(1).map(decodeURIComponent));
      const heading = main.querySelector("h1");
      document.title = heading ? `${heading.textContent} · ClassReel` : "ClassReel";
      // Move a screen reader's attention to the new page, unless a page put focus somewhere.
      if (!main.contains(document.activeElement)) main.focus({ preventScroll: true });
    } catch (error) {
      console.error(error);
      replace(main, h("h1", {}, "Something went wrong"),
        h("p", { class: "error", role: "alert" }, error.message || String(error)));
    } finally {
      main.setAttribute("aria-busy", "false");
    }
    return;
  }
  renderChrome();
  replace(main, h("h1", {}, "Not found"), h("p", {}, h("a", { href: "#/" }, "Go home")));
}

window.addEventListener("hashchange", route);
if (document.readyState === "loading") window.addEventListener("DOMContentLoaded", route);
else route();
