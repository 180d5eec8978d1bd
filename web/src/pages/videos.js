// My videos / shared with me / the district's: status badges, posters, progress.
import { get, query } from "../api.js";
import { session } from "../session.js";
import { h, replace, badge, duration, poll, errorBox } from "../ui.js";
import { exportPanel, safeguardBadges } from "../privacy.js";
import { failedActions } from "../failed.js";
import { openCyclesCard } from "./cycles.js";

export async function renderHome() {
  let target = "#/library";
  if (session.has("teacher")) target = "#/videos?scope=mine";
  else if (session.has("coach")) target = "#/videos?scope=shared";
  else if (session.has("admin")) target = "#/videos?scope=district";
  else if (session.has("reviewer")) target = "#/review";
  location.replace(target);
  return null;
}

const TITLES = { mine: "My videos", shared: "Shared with me", district: "District videos" };

async function load(scope) {
  if (scope !== "shared") return (await get(`/videos${query({ scope, limit: 50 })}`)).items;
  // Coaches see what was shared with them by name and with their school's coaches.
  const scopes = ["shared"];
  if (session.user()?.school && (session.has("coach") || session.has("admin"))) scopes.push("school");
  const pages = await Promise.all(scopes.map((s) => get(`/videos${query({ scope: s, limit: 50 })}`)));
  const seen = new Map();
  for (const item of pages.flatMap((p) => p.items)) seen.set(item.id, item);
  return [...seen.values()].sort((a, b) => (a.created_at < b.created_at ? 1 : -1));
}

function statusOf(video) {
  if (video.status === "processing") {
    return badge("processing", ` ${Math.round((video.progress || 0) * 100)}%`);
  }
  return badge(video.status);
}

function card(video, onDeleted) {
  const poster = video.poster_url
    ? h("img", { src: video.poster_url, alt: "", loading: "lazy", width: 160, height: 90 })
    : h("div", { class: "poster-placeholder" }, "▶");
  const href = `#/videos/${encodeURIComponent(video.id)}`;
  const failed = video.status === "failed";
  return h("li", { class: "video-card", dataset: { videoId: video.id, status: video.status } },
    // The title is the link for keyboards and screen readers; the picture repeats it for the mouse.
    h("a", { href, class: "poster", tabindex: -1, "aria-hidden": "true" }, poster),
    h("div", { class: "video-meta" },
      h("h2", {}, h("a", { href }, video.title)),
      h("p", {}, statusOf(video), " ", safeguardBadges(video), " ",
        video.duration_s ? h("span", { class: "muted" }, duration(video.duration_s)) : null, " ",
        h("span", { class: "muted" }, `${video.owner_name || video.owner_id} · ${new Date(video.created_at).toLocaleString()}`)),
      failed ? h("p", { class: "failure" }, video.failure_reason || "This file could not be processed.") : null,
      failed ? failedActions(video, { onDeleted }) : null));
}

export async function render(main, params) {
  const scope = params.get("scope") || "mine";
  const list = h("ul", { class: "video-list", "aria-live": "polite" });
  const exporter = scope === "mine" ? exportPanel() : null;
  replace(main,
    h("div", { class: "page-head" },
      h("h1", {}, TITLES[scope] || "Videos"),
      scope === "mine" ? h("a", { class: "button", href: "#/upload" }, "Upload a video") : null),
    // The teacher's and coach's home pages: their open coaching cycles first.
    scope === "mine" || scope === "shared" ? openCyclesCard() : null,
    list,
    exporter?.el);
  const show = (items) => {
    if (!items.length) {
      replace(list, h("li", { class: "empty" }, scope === "mine"
        ? "No videos yet. Upload a lesson to get started."
        : "Nothing here yet."));
    } else {
      replace(list, items.map((video) => card(video, () => window.dispatchEvent(new HashChangeEvent("hashchange")))));
    }
    return items.every((v) => v.status === "ready" || v.status === "failed");
  };
  try {
    if (show(await load(scope))) return exporter?.stop ?? null;
  } catch (error) {
    replace(list, errorBox(error));
    return exporter?.stop ?? null;
  }
  const stop = poll(() => load(scope), 1500, show);
  return () => { stop(); exporter?.stop(); };
}
