// The clip tool on a video page: cut the marked in/out, or a range comment
// ("Make a clip" fills the form from it: range, a title cut at a word boundary,
// its tags; everything stays editable), then watch it go from processing to ready.
import { get, post } from "./api.js";
import { h, replace, clock, badge, tagChips, elementCheckboxes, checkedValues, toast, errorBox } from "./ui.js";

export const TITLE_FROM_COMMENT_MAX = 80;

// The first line of a comment, cut at the last word that fits (never mid-word).
export function titleFromComment(body, max = TITLE_FROM_COMMENT_MAX) {
  const line = (body || "").split(/\r?\n/).map((l) => l.trim()).find(Boolean) || "";
  if (line.length <= max) return line;
  const cut = line.slice(0, max + 1);
  const space = cut.lastIndexOf(" ");
  const words = space > max / 3 ? cut.slice(0, space) : line.slice(0, max);
  return words.replace(/[\s,;:.\-–—]+$/, "");
}

const NO_RANGE = "Mark in and out on the timeline, or use “Make a clip” on a range comment.";

export function createClipTool({ videoId, framework }) {
  let start = null;
  let end = null;
  let fromComment = null;
  let timer = null;
  const range = h("p", { id: "clip-range" }, NO_RANGE);
  const title = h("input", { type: "text", id: "clip-title", maxlength: 200 });
  const status = h("div", { "aria-live": "polite" });
  const list = h("ul", { class: "clip-list", id: "clips", "aria-live": "polite" });
  const tags = () => [...form.querySelectorAll('input[name="clip-tags"]')];
  const form = h("form", { class: "clip-form", id: "clip-form" },
    range,
    h("label", { for: "clip-title" }, "Clip title"),
    title,
    elementCheckboxes(framework, "clip-tags"),
    status,
    h("div", { class: "actions" }, h("button", { type: "submit", class: "primary", id: "create-clip" }, "Create clip")));
  const el = h("section", { class: "card clip-tool", id: "clip-tool", "aria-labelledby": "clip-h" },
    h("h2", { id: "clip-h" }, "Clips"), form, list);

  function showRange() {
    const marked = start != null && end != null && start !== end;
    range.textContent = marked
      ? `${fromComment ? "From the comment: " : ""}${clock(Math.min(start, end))} to ${clock(Math.max(start, end))} (${Math.abs(end - start).toFixed(1)} s)`
      : NO_RANGE;
  }

  form.addEventListener("submit", async (event) => {
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
    const body = {
      start_s: Math.min(start, end),
      end_s: Math.max(start, end),
      title: title.value.trim(),
      tags: checkedValues(form, "clip-tags"),
    };
    if (fromComment) body.from_comment_id = fromComment.id;
    try {
      const clip = await post(`/videos/${encodeURIComponent(videoId)}/clips`, body);
      replace(status, clip.warning ? h("p", { class: "warning" }, clip.warning) : null);
      title.value = "";
      for (const box of tags()) box.checked = false;
      fromComment = null;
      toast("Clip requested: it is being cut now");
      await load();
    } catch (error) {
      replace(status, errorBox(error));
    }
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
      fromComment = null;
      showRange();
    },
    // Fill the form from a range comment; the coach edits it and presses Create.
    fromComment(comment) {
      fromComment = comment;
      start = comment.at_s;
      end = comment.end_s;
      showRange();
      title.value = titleFromComment(comment.body);
      for (const box of tags()) box.checked = (comment.tags || []).includes(box.value);
      replace(status, h("p", { class: "hint" }, "Check the title and tags, then create the clip."));
      el.scrollIntoView({ block: "nearest" });
      title.focus();
    },
  };
}
