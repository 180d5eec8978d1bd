// The district library: filter by framework element, search, and jump straight
// to the tagged moment inside a clip.
import { get, post, query, framework as loadFramework } from "../api.js";
import { session } from "../session.js";
import { createPlayer } from "../player.js";
import { openPlayback } from "../playback.js";
import { h, replace, clock, duration, tagChips, elementLabel, errorBox, toast } from "../ui.js";

export async function render(main, params) {
  const framework = await loadFramework();
  const filters = { element: params.get("element") || "", q: params.get("q") || "", school: params.get("school") || "" };
  const page = await get(`/library${query({ ...filters, cursor: params.get("cursor") })}`);
  const form = h("form", { class: "filters", role: "search", id: "library-search" },
    h("label", {}, "Element ", h("select", { name: "element", id: "library-element" },
      h("option", { value: "" }, "All elements"),
      framework.elements.map((e) => h("option", { value: e.id, selected: e.id === filters.element }, e.label)))),
    h("label", {}, "Search ", h("input", { type: "search", name: "q", id: "library-q", value: filters.q })),
    h("label", {}, "School ", h("input", { name: "school", value: filters.school, size: 16 })),
    h("button", { type: "submit" }, "Search"));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    location.hash = `#/library${query(Object.fromEntries(new FormData(form).entries()))}`;
  });
  const results = page.items.length
    ? h("ul", { class: "library", id: "library-results" }, page.items.map((item) => card(item, framework)))
    : h("p", { class: "empty" }, "No clips match. Try another element or fewer words.");
  replace(main,
    h("h1", {}, "Library of practice examples"),
    h("p", { class: "muted" }, "Examples, not exemplars: short clips reviewed for quality, tagged by framework element."),
    form, results,
    page.next_cursor ? h("p", {}, h("a", { href: `#/library${query({ ...filters, cursor: page.next_cursor })}` }, "More →")) : null);
  return null;
}

function card(item, framework) {
  const frame = h("div", { class: "library-frame" },
    item.poster_url ? h("img", { src: item.poster_url, alt: "", width: 320, height: 180 }) : null);
  let player = null;
  async function playFrom(t) {
    if (!player) {
      // Opening playback is a view of the clip: it starts when someone presses play.
      const access = await openPlayback("clips", item.clip_id);
      player = createPlayer({
        access,
        renditions: item.renditions,
        poster: item.poster_url,
        duration: item.duration_s,
        framework,
      });
      player.video.setAttribute("aria-label", item.title);
      replace(frame, player.el);
    }
    const { video } = player;
    const go = () => { video.currentTime = t; video.play().catch(() => {}); };
    if (video.readyState >= 1) go(); else video.addEventListener("loadedmetadata", go, { once: true });
  }
  const status = h("div", { "aria-live": "polite" });
  const unpublish = session.has("admin") ? h("form", { class: "unpublish" },
    h("label", {}, "Reason ", h("input", { name: "reason", required: true })),
    h("button", { type: "submit" }, "Unpublish")) : null;
  unpublish?.addEventListener("submit", async (event) => {
    event.preventDefault();
    const reason = unpublish.querySelector("input").value.trim();
    if (!reason) return replace(status, errorBox({ message: "Say why it is being removed." }));
    try {
      await post(`/library/${encodeURIComponent(item.clip_id)}/unpublish`, { reason });
      toast("Removed from the library");
      window.dispatchEvent(new HashChangeEvent("hashchange"));
    } catch (error) {
      replace(status, errorBox(error));
    }
  });
  return h("li", { class: "library-card", dataset: { clipId: item.clip_id } },
    frame,
    h("div", { class: "library-meta" },
      h("h2", {}, item.title),
      h("p", { class: "muted" }, `${item.school || ""} · ${duration(item.duration_s)}`),
      tagChips(framework, item.elements || []),
      item.note ? h("p", {}, item.note) : null,
      h("div", { class: "actions" }, h("button", { type: "button", class: "primary", onclick: () => playFrom(0) }, "Play")),
      item.matches && item.matches.length ? h("ul", { class: "matches", "aria-label": "Tagged moments" },
        item.matches.map((m) => h("li", {}, h("button", {
          type: "button",
          class: "match",
          dataset: { start: m.start_s },
          onclick: () => playFrom(m.start_s),
        }, `${elementLabel(framework, m.element)} at ${clock(m.start_s)}${m.end_s != null ? `–${clock(m.end_s)}` : ""}`),
        m.body ? h("span", { class: "muted" }, ` “${m.body.slice(0, 120)}”`) : null))) : null,
      unpublish, status));
}
