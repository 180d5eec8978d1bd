// The header: brand, the main navigation and who is signed in. One place for
// every header item: to add one, add an entry to NAV_ITEMS (who sees it, where
// it goes, its label, `when` for other conditions; `count` may return a number shown
// as a badge) or an element to headerExtras. The inbox link with its unread count
// sits beside the signed-in user.
import { config } from "./config.js";
import { inboxLink, stopInbox } from "./inbox.js";
import { session } from "./session.js";
import { h, replace, roleWord } from "./ui.js";

const WORKS_WITH_VIDEOS = ["teacher", "coach", "admin"];

export const NAV_ITEMS = [
  { href: "#/videos?scope=mine", label: "My videos", roles: WORKS_WITH_VIDEOS },
  { href: "#/videos?scope=shared", label: "Shared with me", roles: WORKS_WITH_VIDEOS },
  { href: "#/upload", label: "Upload", roles: WORKS_WITH_VIDEOS },
  { href: "#/videos?scope=district", label: "District", roles: ["admin"] },
  { href: "#/review", label: "Review queue", roles: ["reviewer", "admin"] },
  { href: "#/cycles", label: "Coaching cycles", roles: ["teacher", "coach"] },
  { href: "#/library", label: "Library" },
  { href: "#/settings", label: "District settings", roles: ["admin"] },
  // The local twin's mail viewer (never in a deployment).
  { href: "#/local/mail", label: "Mail (local)", when: () => config().auth === "local" },
];

// Extra elements after the navigation (before the signed-in user), built per render.
export const headerExtras = [];

const visible = (item) =>
  (!item.roles || item.roles.some((role) => session.has(role))) && (!item.when || item.when());

function navItem(item, current) {
  const count = item.count ? item.count() : null;
  return h("li", {},
    h("a", { href: item.href, "aria-current": current === item.href ? "page" : null },
      item.label,
      count ? h("span", { class: "nav-count" }, h("span", { class: "sr-only" }, ", "), String(count)) : null));
}

export function renderHeader({ onSignOut }) {
  const user = session.user();
  const nav = document.getElementById("nav");
  const who = document.getElementById("who");
  if (!user) {
    replace(nav);
    replace(who);
    stopInbox();
    return;
  }
  const current = location.hash || "#/";
  replace(nav, h("ul", {}, NAV_ITEMS.filter(visible).map((item) => navItem(item, current))),
    headerExtras.map((make) => make()));
  replace(who,
    inboxLink(),
    h("span", { class: "who-name" }, user.name || user.user_id,
      h("span", { class: "who-role" }, ` · ${user.roles.map(roleWord).join(", ")}`)),
    h("button", { type: "button", class: "link", onclick: onSignOut }, "Sign out"));
}
