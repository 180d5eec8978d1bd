// The inbox (newest first, unread highlighted, mark read, open at the moment) and the
// notification preferences (each kind on or off; email now, in a daily digest, or never).
import { get, post, put, query } from "../api.js";
import { refreshUnread } from "../inbox.js";
import { h, replace, errorBox, toast } from "../ui.js";

function when(iso) {
  return new Date(iso).toLocaleString();
}

function item(notification, onOpen) {
  const unread = !notification.read_at;
  return h("li", {
    class: `notification${unread ? " unread" : ""}`,
    dataset: { notificationId: notification.id, kind: notification.kind },
  },
  h("a", {
    href: notification.web_path,
    class: "notification-open",
    onclick: (event) => onOpen(event, notification),
  }, notification.headline),
  notification.detail ? h("p", { class: "notification-detail prewrap" }, notification.detail) : null,
  h("p", { class: "muted notification-meta" },
    when(notification.created_at),
    unread ? h("span", { class: "badge badge-pending" }, "Unread") : null,
    notification.email_status === "sent" ? " · emailed" : null,
    notification.email_status === "digest" ? " · in today's digest" : null));
}

export async function render(main, params) {
  const unreadOnly = params.get("unread") === "true";
  const list = h("ol", { class: "notifications", id: "notifications", "aria-label": "Notifications" });
  const status = h("div", { "aria-live": "polite" });
  const more = h("button", { type: "button", id: "inbox-more", hidden: true }, "Load more");
  let cursor = null;

  async function open(event, notification) {
    // Mark it read, then follow the link (to the video at the moment, the clip…).
    event.preventDefault();
    if (!notification.read_at) {
      try {
        await post(`/me/notifications/${encodeURIComponent(notification.id)}/read`);
      } catch (error) {
        console.warn(error);
      }
      refreshUnread();
    }
    location.hash = notification.web_path;
  }

  async function load(reset) {
    const page = await get(`/me/notifications${query({ unread: unreadOnly ? "true" : null, cursor: reset ? null : cursor, limit: 25 })}`);
    if (reset) replace(list);
    list.append(...page.items.map((n) => item(n, open)));
    if (!list.children.length) replace(list, h("li", { class: "empty" }, unreadOnly ? "Nothing unread." : "No notifications yet."));
    cursor = page.next_cursor;
    more.hidden = !cursor;
    return page;
  }
  more.addEventListener("click", () => load(false).catch((error) => replace(status, errorBox(error))));

  const markAll = h("button", {
    type: "button",
    id: "mark-all-read",
    onclick: async () => {
      try {
        // A hundred at a time: ask again while there are more.
        let count;
        do count = await post("/me/notifications/read-all"); while (count.more);
        toast("Everything is marked read");
        refreshUnread();
        await load(true);
      } catch (error) {
        replace(status, errorBox(error));
      }
    },
  }, "Mark all read");

  replace(main,
    h("div", { class: "page-head" },
      h("h1", {}, "Inbox"),
      h("p", {},
        h("a", { href: unreadOnly ? "#/inbox" : "#/inbox?unread=true" }, unreadOnly ? "Show all" : "Show unread only"),
        " · ",
        h("a", { href: "#/settings/notifications", id: "preferences-link" }, "Notification preferences"))),
    h("div", { class: "actions" }, markAll),
    status,
    h("section", { class: "card" }, list, more));
  await load(true);
  return null;
}

const EMAIL_CHOICES = [
  ["immediately", "Email me each one as it happens"],
  ["daily", "One email a day with everything (a daily digest)"],
  ["off", "No email: the inbox only"],
];

export async function renderPreferences(main) {
  const prefs = await get("/me/notification-preferences");
  const status = h("div", { "aria-live": "polite" });
  const form = h("form", { class: "card narrow-form", id: "preferences-form" },
    h("fieldset", {},
      h("legend", {}, "Tell me when"),
      prefs.kinds.map((k) => h("label", { class: "check block" },
        h("input", { type: "checkbox", name: "kind", value: k.kind, checked: k.enabled }), " ", k.label))),
    h("fieldset", {},
      h("legend", {}, "Email"),
      prefs.email_address
        ? h("p", { class: "hint", id: "email-address" }, `To ${prefs.email_address}`)
        : h("p", { class: "hint", id: "email-address" }, "ClassReel has no email address for you yet (it comes from your sign-in)."),
      prefs.email_suppressed
        ? h("p", { class: "notice", id: "email-suppressed", role: "alert" },
          "Mail to this address bounced or was reported as spam, so ClassReel no longer sends to it. Ask your administrator to correct your address.")
        : null,
      EMAIL_CHOICES.map(([value, label]) => h("label", { class: "check block" },
        h("input", { type: "radio", name: "email", value, checked: prefs.email === value }), " ", label))),
    status,
    h("div", { class: "actions" }, h("button", { type: "submit", class: "primary" }, "Save preferences")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const kinds = Object.fromEntries([...form.querySelectorAll('input[name="kind"]')].map((box) => [box.value, box.checked]));
    const email = form.querySelector('input[name="email"]:checked')?.value || "immediately";
    try {
      await put("/me/notification-preferences", { kinds, email });
      replace(status, h("p", { class: "ok" }, "Preferences saved."));
    } catch (error) {
      replace(status, errorBox(error));
    }
  });
  replace(main,
    h("div", { class: "page-head" }, h("h1", {}, "Notification preferences"),
      h("p", {}, h("a", { href: "#/inbox" }, "Back to the inbox"))),
    form);
  return null;
}
