// The header's inbox link with its unread badge, refreshed on every page and twice a minute.
import { get } from "./api.js";
import { h } from "./ui.js";

const REFRESH_MS = 30_000;
let badge = null;
let timer = null;

function show(count) {
  if (!badge) return;
  const n = count.more ? `${count.unread}+` : String(count.unread);
  badge.textContent = n;
  badge.hidden = count.unread === 0;
  badge.parentElement?.setAttribute("aria-label", count.unread ? `Inbox, ${n} unread` : "Inbox");
}

export async function refreshUnread() {
  try {
    show(await get("/me/notifications/unread"));
  } catch (error) {
    console.warn(error);
  }
}

// One element for the header; each call (every page render) replaces the last.
export function inboxLink() {
  badge = h("span", { class: "unread-badge", id: "unread-count", hidden: true });
  clearInterval(timer);
  timer = setInterval(refreshUnread, REFRESH_MS);
  refreshUnread();
  return h("a", { href: "#/inbox", id: "inbox-link", class: "inbox-link", "aria-label": "Inbox" }, "Inbox ", badge);
}

export function stopInbox() {
  clearInterval(timer);
  timer = null;
  badge = null;
}
