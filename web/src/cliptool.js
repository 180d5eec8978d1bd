// The clip tool on a video page: cut the marked in/out (or a range comment)
// into a clip, then watch it go from processing to ready.
import { get, post } from "./api.js";
import { h, replace, clock, badge, tagChips, elementCheckboxes, checkedValues, toast, errorBox } from "./ui.js";

export function createClipTool({ videoId, framework }) {
  let start = null;
  let end = null;
  let timer = null;
  const range = h("p", { id: "clip-range" }, "Mark in (I) and out (O) on the timeline, or use “Make a clip” on a range comment.");
  const title = h("input", { type: "text", id: "clip-title", maxlength: 200 });
  const status = h("div", { "aria-live": "polite" });
  const list = h("ul", { class: "clip-list", id: "clips", "aria-live": "polite" });
  const form = h("form", { class: "clip-form" },
    range,
    h("label", { for: "clip-title" }, "Clip title"),
    title,
    elementCheckboxes(framework, "clip-tags"),
    status,
    h("div", { class: "actions" }, h("button", { type: "submit", class: "primary", id: "create-clip" }, "Create clip")));
  const el = h("section", { class: "card clip-tool", "aria-labelledby": "clip-h" },
    h("h2", { id: "clip-h" }, "Clips"), form, list);

  async function create(body) {
    try {
      const clip = await post(`/videos/${encodeURIComponent(videoId)}/clips`, body);
      replace(status, clip.warning ? h("p", { class: "warning" }, clip.warning) : null);
      toast("Clip requested: it is being cut now");
      await load();
    } catch (error) {
      replace(status, errorBox(error));
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (start == null || end == null || start === end) {
      replace(status, errorBox({ message: "Mark an in and an out point first." }));
      return;
    }
    if (!title.value.trim()) {
      replace(status, errorBox({ message: "Give the clip a title." }));
      title.focus();
      return;
    }
    create({
      start_s: Math.min(start, end),
      end_s: Math.max(start, end),
      title: title.value.trim(),
      tags: checkedValues(form, "clip-tags"),
    });
  });

  function show(clips) {
    if (!clips.length) {
      replace(list, h("li", { class: "empty" }, "No clips yet."));
      return;
    }
    replace(list, clips.map((clip) => h("li", { dataset: { clipId: clip.id, status: clip.status } },
      h("a", { href: `#/clips/${encodeURIComponent(clip.id)}` }, clip.title), " ",
      badge(clip.status), " ",
      h("span", { class: "muted" }, `${clock(clip.start_s)}–${clock(clip.end_s)}`), " ",
      tagChips(framework, clip.tags || []),
      clip.status === "failed" && clip.failure_reason ? h("p", { class: "failure" }, clip.failure_reason) : null)));
  }

  async function load() {
    clearTimeout(timer);
    try {
      const { items } = await get(`/videos/${encodeURIComponent(videoId)}/clips`);
      show(items);
      if (items.some((c) => c.status === "processing")) timer = setTimeout(load, 1500);
    } catch (error) {
      replace(list, h("li", { class: "muted" }, error.status === 404 ? "Clips are not available here yet." : error.message));
    }
  }

  return {
    el,
    load,
    stop: () => clearTimeout(timer),
    setRange(a, b) {
      start = a;
      end = b;
      range.textContent = a != null && b != null && a !== b
        ? `From ${clock(Math.min(a, b))} to ${clock(Math.max(a, b))} (${Math.abs(b - a).toFixed(1)} s)`
        : "Mark in (I) and out (O) on the timeline, or use “Make a clip” on a range comment.";
    },
    fromComment(comment) {
      const clipTitle = title.value.trim() || comment.body.slice(0, 80);
      create({
        start_s: comment.at_s,
        end_s: comment.end_s,
        title: clipTitle,
        tags: comment.tags,
        from_comment_id: comment.id,
      });
    },
  };
}
