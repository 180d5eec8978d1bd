// A clip: its player, the comments carried over from the source video, and
// nomination to the district library's review queue.
import { get, post, framework as loadFramework } from "../api.js";
import { createPlayer, bindKeys } from "../player.js";
import { openPlayback } from "../playback.js";
import { createCommentList, loadAllThreads } from "../comments.js";
import { h, replace, clock, badge, poll, tagChips, elementCheckboxes, checkedValues, errorBox } from "../ui.js";

export async function render(main, params, clipId) {
  const [clip, framework] = await Promise.all([get(`/clips/${encodeURIComponent(clipId)}`), loadFramework()]);
  const head = h("div", { class: "page-head" },
    h("h1", {}, clip.title),
    h("p", {}, badge(clip.status), " ",
      h("span", { class: "muted" }, `${clock(clip.duration_s)} · cut from `),
      h("a", { href: `#/videos/${encodeURIComponent(clip.video_id)}` }, "the full lesson"), " ",
      tagChips(framework, clip.tags || [])));
  if (clip.status !== "ready") {
    replace(main, head, h("div", { class: "card", "aria-live": "polite" },
      clip.status === "failed"
        ? h("p", { class: "failure" }, clip.failure_reason || "The clip could not be made.")
        : h("p", { class: "muted" }, "The clip is being cut…")));
    if (clip.status === "failed") return null;
    return poll(() => get(`/clips/${encodeURIComponent(clipId)}`), 1500, (c) => {
      if (c.status !== "processing") window.dispatchEvent(new HashChangeEvent("hashchange"));
      return c.status !== "processing";
    });
  }
  const access = await openPlayback("clips", clipId);
  const player = createPlayer({
    access,
    renditions: clip.renditions,
    poster: clip.poster_url,
    storyboardVttUrl: clip.storyboard_vtt_url,
    storyboardUrl: clip.storyboard_url,
    duration: clip.duration_s,
    framework,
  });
  const comments = createCommentList({
    player, framework, basePath: `/clips/${encodeURIComponent(clipId)}/comments`, readOnly: true, onChange: async () => {},
  });
  const threads = await loadAllThreads(`/clips/${encodeURIComponent(clipId)}/comments`).catch(() => []);
  comments.set(threads);
  player.setComments(threads);

  replace(main, head,
    clip.warning ? h("p", { class: "warning" }, clip.warning) : null,
    h("div", { class: "video-layout" },
      h("div", { class: "video-main" }, player.el, nominatePanel(clip, framework)),
      h("aside", { class: "video-side" },
        h("section", { class: "card" }, h("h2", {}, "Comments from the lesson"), comments.el))));
  const unbind = bindKeys(player);
  if (params.get("t")) player.seek(Number(params.get("t")));
  return () => { unbind(); player.video.pause(); player.destroy(); };
}

function nominatePanel(clip, framework) {
  const section = h("section", { class: "card", id: "nominate", "aria-labelledby": "nominate-h" },
    h("h2", { id: "nominate-h" }, "Library"));
  if (clip.published) {
    section.append(h("p", {}, badge("approved"), " Published in the district library."));
    return section;
  }
  const ended = ["rejected", "unpublished", "withdrawn"];
  const endedAs = { rejected: "rejected", unpublished: "taken out of the library", withdrawn: "withdrawn" };
  if (clip.review && !ended.includes(clip.review.status)) {
    section.append(h("p", {}, "Nominated: ", badge(clip.review.status)));
    return section;
  }
  const note = h("textarea", { id: "nominate-note", rows: 3, maxlength: 2000 });
  const status = h("div", { "aria-live": "polite" });
  const form = h("form", { id: "nominate-form" },
    clip.review && ended.includes(clip.review.status)
      ? h("p", { class: "warning" }, `The last nomination was ${endedAs[clip.review.status]}`,
        clip.review.reason ? `: “${clip.review.reason}”` : "", ". You can fix the clip and nominate it again.")
      : null,
    h("label", { for: "nominate-note" }, "Why this clip is a good example"),
    note,
    elementCheckboxes(framework, "nominate-elements", clip.tags || []),
    status,
    h("div", { class: "actions" }, h("button", { type: "submit", class: "primary" }, "Nominate for the library")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!note.value.trim()) {
      replace(status, errorBox({ message: "Say why this clip is a good example." }));
      note.focus();
      return;
    }
    if (!checkedValues(form, "nominate-elements").length) {
      replace(status, errorBox({ message: "Tick at least one framework element the clip shows." }));
      return;
    }
    try {
      const item = await post(`/clips/${encodeURIComponent(clip.id)}/nominate`, {
        note: note.value, elements: checkedValues(form, "nominate-elements"),
      });
      replace(form, h("p", {}, "Nominated: ", badge(item.status)));
    } catch (error) {
      replace(status, errorBox(error.code === "consent_required"
        ? { message: `This clip can't be nominated yet: ${error.message}. The teacher can record the consent on the video's page.` }
        : error));
    }
  });
  section.append(form);
  return section;
}
