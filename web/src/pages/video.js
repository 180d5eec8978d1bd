// The video page: the player (pinned while one scrolls: beside the composer and
// comments on a wide screen, at the top on a phone), the comment composer, the
// comments synced to playback, the teacher's reflection, then the clip tool and
// the owner's and admins' panels (consent requests, sharing, privacy, activity).
import { get, framework as loadFramework } from "../api.js";
import { session } from "../session.js";
import { createPlayer } from "../player.js";
import { openPlayback } from "../playback.js";
import { createCommentList, loadAllThreads } from "../comments.js";
import { createComposer, shortcutsHelp } from "../composer.js";
import { createClipTool } from "../cliptool.js";
import { consentRequestsPanel } from "../consent.js";
import { accessPanel, safeguardsPanel, safeguardBadges, sharingPanel } from "../privacy.js";
import { failedActions } from "../failed.js";
import { evaluationPanel } from "../evaluations.js";
import { h, replace, clock, badge, poll, errorBox } from "../ui.js";

const percent = (v) => `${Math.round((v.progress || 0) * 100)}%`;

export async function render(main, params, videoId) {
  const [video, framework] = await Promise.all([get(`/videos/${encodeURIComponent(videoId)}`), loadFramework()]);
  // The player comes as soon as the start of the lesson can be watched; the rest
  // keeps encoding beside it.
  if (!video.playable) return renderWaiting(main, video, videoId);
  const me = session.user();
  const isOwner = me.user_id === video.owner_id;
  const canClip = isOwner || session.has("coach") || session.has("admin");
  const access = await openPlayback("videos", videoId);
  const player = createPlayer({
    access,
    renditions: video.renditions,
    poster: video.poster_url,
    storyboardVttUrl: video.storyboard_vtt_url,
    storyboardUrl: video.storyboard_url,
    duration: video.duration_s,
    framework,
  });
  const basePath = `/videos/${encodeURIComponent(videoId)}/comments`;

  const clipTool = canClip ? createClipTool({ videoId, framework }) : null;
  const composer = createComposer({
    player,
    framework,
    basePath,
    onPosted: () => refresh(),
    onMarks: (a, b) => clipTool?.setRange(a, b),
  });
  const comments = createCommentList({
    player,
    framework,
    basePath,
    onChange: () => refresh(),
    extraActions: clipTool ? (c) => (c.end_s != null
      ? h("button", { type: "button", class: "link", onclick: () => clipTool.fromComment(c) }, "Make a clip")
      : null) : null,
  });
  async function refresh() {
    const threads = await loadAllThreads(basePath);
    comments.set(threads);
    player.setComments(threads, (c) => {
      document.getElementById(`comment-${c.id}`)?.querySelector("button.time")?.focus();
    });
  }

  // --- the owner's and admins' panels, after the feedback ---------------------
  // Sharing (the owner): the activity panel shows what the API answered after a save.
  const sharing = isOwner && video.sharing
    ? sharingPanel(video, { onSaved: (saved) => activity?.reload(saved) })
    : null;
  const headBadges = h("p", { class: "badges", id: "head-badges" }, safeguardBadges(video));
  const activity = (isOwner || session.has("admin")) && video.sharing ? accessPanel(video) : null;
  const safeguards = safeguardsPanel(video, {
    onChange: (v) => {
      replace(headBadges, safeguardBadges(v));
      activity?.reload();
    },
  });
  const requests = isOwner ? consentRequestsPanel(video, { framework }) : null;
  const processing = video.status === "ready" ? null : processingNote(video, videoId);
  // Beside the video: its evaluations (the evaluator's drafts, what was released).
  const evaluations = evaluationPanel({ video, framework, player, focus: params.get("evaluation") });

  const reflection = h("section", { class: "card reflection", "aria-labelledby": "reflection-h" },
    h("h2", { id: "reflection-h" }, `${isOwner ? "Your" : "Teacher's"} reflection`),
    video.reflection ? h("p", { class: "prewrap" }, video.reflection) : h("p", { class: "muted" }, "No reflection written."));

  replace(main,
    h("div", { class: "page-head" },
      h("h1", {}, video.title),
      h("p", { class: "muted" }, [video.owner_name || video.owner_id, video.school, clock(video.duration_s)].filter(Boolean).join(" · ")),
      headBadges),
    h("div", { class: "video-layout" },
      h("div", { class: "video-main" }, player.el, shortcutsHelp()),
      h("div", { class: "video-side" },
        processing?.el,
        requests?.el,
        composer.el,
        evaluations.el,
        h("section", { class: "card", "aria-labelledby": "comments-h" },
          h("h2", { id: "comments-h" }, "Comments"),
          comments.el),
        reflection,
        clipTool ? clipTool.el : null,
        sharing,
        safeguards,
        activity)));
  // The shortcuts work as soon as the player shows, not once the feedback has loaded.
  const unbind = composer.bindKeys();
  try {
    await refresh();
    await evaluations.refresh();
  } catch (error) {
    unbind(); // the page shows the error instead; its keys go with it
    throw error;
  }
  clipTool?.load();
  if (params.get("t")) player.seek(Number(params.get("t")));
  // A notification's link names the thread it is about.
  if (params.get("comment")) highlightThread(params.get("comment"));
  return () => {
    unbind();
    clipTool?.stop();
    processing?.stop();
    requests?.stop();
    player.video.pause();
    player.destroy();
  };
}

function highlightThread(commentId) {
  const thread = document.getElementById(`comment-${commentId}`);
  if (!thread) return;
  thread.classList.add("highlight");
  thread.scrollIntoView({ block: "nearest" });
}

// Still encoding: how far it is, beside a player that already plays the start.
function processingNote(video, videoId) {
  const note = h("p", { class: "card processing", id: "processing", "aria-live": "polite" });
  const show = (v) => replace(note, badge(v.status, v.status === "processing" ? ` ${percent(v)}` : ""), " ",
    v.status === "failed" ? h("span", { class: "failure" }, v.failure_reason || "Processing failed.")
      : v.status === "ready" ? "Every part of the lesson can now be watched."
        : "You can watch while the rest of the lesson is prepared.");
  show(video);
  const stop = poll(() => get(`/videos/${encodeURIComponent(videoId)}`), 2000, (v) => {
    show(v);
    return v.status === "ready" || v.status === "failed";
  });
  return { el: note, stop };
}

// Not playable yet (uploading, the first segments still encoding) or failed:
// the state, and for a failed upload its reason, Delete and "Upload a new file".
function renderWaiting(main, video, videoId) {
  const status = h("div", { class: "card", id: "video-status", "aria-live": "polite" });
  const show = (v) => {
    replace(status,
      h("p", {}, badge(v.status, v.status === "processing" ? ` ${percent(v)}` : "")),
      v.status === "failed"
        ? [h("p", { class: "failure" }, v.failure_reason || "This file could not be processed."), failedActions(v)]
        : [h("p", { class: "muted" }, v.status === "uploading"
          ? "Waiting for the upload to finish…"
          : "Preparing the start of the lesson: the player appears in a moment…"),
        h("progress", { max: 100, value: Math.round((v.progress || 0) * 100), "aria-label": "Processing progress" })]);
  };
  replace(main, h("div", { class: "page-head" }, h("h1", {}, video.title)), status,
    video.reflection ? h("section", { class: "card reflection" }, h("h2", {}, "Reflection"), h("p", { class: "prewrap" }, video.reflection)) : null);
  show(video);
  if (video.status === "failed") return null;
  return poll(() => get(`/videos/${encodeURIComponent(videoId)}`), 1000, (v) => {
    if (v.playable) {
      window.dispatchEvent(new HashChangeEvent("hashchange"));
      return true;
    }
    show(v);
    return v.status === "failed";
  });
}
