// The local twin's mail viewer (served only by the local API server, like the dev
// sign-in): every message the local SMTP server received, newest first, with its
// headers, its plain-text part, and its HTML part opened on its own page.
import { config } from "../config.js";
import { post } from "../api.js";
import { h, replace, errorBox } from "../ui.js";

async function local(path) {
  const response = await fetch(path, { headers: { Accept: "application/json" } });
  const body = await response.json();
  if (!response.ok) throw new Error(body.message || `Request failed (${response.status})`);
  return body;
}

// The links of the HTML part, read without rendering it (DOMParser runs nothing and
// loads nothing): what a reader of the email could click.
function linksOf(html) {
  // Without its <style>: even an inert document applies the page's style policy to it.
  const doc = new DOMParser().parseFromString(html.replace(/<style[\s\S]*?<\/style>/gi, ""), "text/html");
  return [...doc.querySelectorAll("a[href]")]
    .map((a) => ({ text: a.textContent.trim(), href: a.getAttribute("href") }))
    .filter((link) => /^https?:\/\//.test(link.href));
}

function messageView(message) {
  const headers = message.headers.filter(([name]) =>
    ["From", "To", "Subject", "Date", "List-Unsubscribe", "List-Unsubscribe-Post", "Message-ID"].includes(name));
  return h("article", { class: "card mail-message", id: "mail-message", dataset: { messageId: message.id } },
    h("h2", {}, message.subject),
    h("dl", { class: "mail-headers" }, headers.map(([name, value]) => [h("dt", {}, name), h("dd", {}, value)])),
    h("h3", {}, "Plain text"),
    message.text ? h("pre", { class: "mail-text", id: "mail-text" }, message.text) : h("p", { class: "muted" }, "No plain-text part."),
    h("h3", {}, "HTML"),
    message.html
      ? [h("p", {}, h("a", { href: `/local/mail/${encodeURIComponent(message.id)}/html`, target: "_blank", rel: "noopener", id: "mail-html-link" }, "Open the HTML part as sent")),
        h("ul", { class: "mail-links", id: "mail-links" }, linksOf(message.html).map((link) =>
          h("li", {}, h("a", { href: link.href }, link.text || link.href))))]
      : h("p", { class: "muted" }, "No HTML part."));
}

export async function render(main, params) {
  if (config().auth !== "local") {
    replace(main, h("h1", {}, "Not available"), h("p", {}, "The mail viewer exists only on the local twin."));
    return null;
  }
  const list = await local("/local/mail");
  const selected = params.get("id") || (list.items[0] && list.items[0].id);
  const detail = h("div", { id: "mail-detail" });
  const messages = h("ol", { class: "mail-list card", id: "mail-list", "aria-label": "Messages", "aria-live": "polite" });
  const showList = (items) => replace(messages, items.length
    ? items.map((m) => h("li", { class: m.id === selected ? "current" : "", dataset: { messageId: m.id } },
      h("a", { href: `#/local/mail?id=${encodeURIComponent(m.id)}` },
        h("strong", {}, m.subject), h("br"), h("span", { class: "muted" }, `${m.to} · ${new Date(m.received_at).toLocaleString()}`))))
    : h("li", { class: "empty" }, "No mail yet."));
  showList(list.items);
  replace(main,
    h("div", { class: "page-head" }, h("h1", {}, "Mail (local)"),
      h("p", { class: "muted" }, "What the local SMTP server received: exactly what ClassReel would send.")),
    h("div", { class: "mail-layout" }, messages, detail));
  if (selected) {
    try {
      replace(detail, messageView(await local(`/local/mail/${encodeURIComponent(selected)}`)));
    } catch (error) {
      replace(detail, errorBox(error));
    }
  }
  // New mail shows up while the page is open.
  const timer = setInterval(() => local("/local/mail").then((l) => showList(l.items)).catch(console.warn), 3000);
  return () => clearInterval(timer);
}

// The page an email's "stop all email" link opens: it asks first, so a mail scanner
// that follows links unsubscribes nobody.
export async function renderUnsubscribe(main, params) {
  const token = params.get("token") || "";
  const status = h("div", { "aria-live": "polite", id: "unsubscribe-status" });
  const button = h("button", {
    type: "button",
    class: "primary",
    id: "unsubscribe",
    onclick: async () => {
      try {
        await post("/unsubscribe", { token });
        button.disabled = true;
        replace(status, h("p", { class: "ok" },
          "Done: ClassReel will not email you any more. Your inbox still shows what happens; you can turn email back on in your notification preferences."));
      } catch (error) {
        replace(status, errorBox(error));
      }
    },
  }, "Stop all ClassReel email");
  replace(main, h("section", { class: "card narrow" },
    h("h1", {}, "Unsubscribe"),
    h("p", {}, "Stop every email from ClassReel to you? Notifications stay in your inbox."),
    button, status));
  return null;
}
