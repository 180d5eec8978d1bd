// The video page: player, timeline, comments synced to playback, comment form
// (point or range, with element tags), the teacher's reflection, sharing, and
// the clip tool.
import { get, post, patch, framework as loadFramework } from "../api.js";
import { session } from "../session.js";
import { createPlayer, bindKeys } from "../player.js";
import { openPlayback } from "../playback.js";
import { createCommentList, loadAllThreads } from "../comments.js";
import { createClipTool } from "../cliptool.js";
import { accessPanel, safeguardsPanel, safeguardBadges } from "../privacy.js";
import { evaluationPanel } from "../evaluations.js";
import { h, replace, clock, badge, poll, elementCheckboxes, checkedValues, toast, errorBox } from "../ui.js";

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
  let markIn = null;
  let markOut = null;

  // --- comment form --------------------------------------------------------
  let commentAt = 0;
  const atLabel = h("span", { id: "comment-at" }, clock(0));
  const rangeLabel = h("span", { id: "comment-range" }, "mark in (I) and out (O) first");
  const pointRadio = h("input", { type: "radio", name: "kind", value: "point", checked: true, id: "kind-point" });
  const rangeRadio = h("input", { type: "radio", name: "kind", value: "range", id: "kind-range", disabled: true });
  const body = h("textarea", { id: "comment-body", rows: 3, required: true, maxlength: 5000 });
  const formStatus = h("div", { "aria-live": "polite" });
  function captureTime() {
    commentAt = player.video.currentTime;
    atLabel.textContent = clock(commentAt);
  }
  body.addEventListener("focus", () => { if (!body.value) captureTime(); });
  const commentForm = h("form", { class: "card comment-form", id: "comment-form" },
    h("h2", {}, "Add a comment"),
    h("fieldset", { class: "kind" },
      h("legend", {}, "Where"),
      h("label", { class: "check" }, pointRadio, " At ", atLabel,
        h("button", { type: "button", class: "link", onclick: captureTime }, "use current time")),
      h("label", { class: "check" }, rangeRadio, " Over the marked range ", rangeLabel)),
    h("label", { for: "comment-body" }, "Comment"),
    body,
    elementCheckboxes(framework, "comment-tags"),
    formStatus,
    h("div", { class: "actions" }, h("button", { type: "submit", class: "primary" }, "Post comment")));
  commentForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!body.value.trim()) {
      replace(formStatus, errorBox({ message: "Write a comment first." }));
      body.focus();
      return;
    }
    const range = rangeRadio.checked && markIn != null && markOut != null;
    const payload = {
      at_s: range ? Math.min(markIn, markOut) : commentAt,
      end_s: range ? Math.max(markIn, markOut) : null,
      body: body.value,
      tags: checkedValues(commentForm, "comment-tags"),
    };
    try {
      await post(basePath, payload);
      body.value = "";
      for (const box of commentForm.querySelectorAll('input[name="comment-tags"]')) box.checked = false;
      replace(formStatus);
      toast("Comment posted");
      await refresh();
    } catch (error) {
      replace(formStatus, errorBox(error));
    }
  });

  // --- marks (shared by range comments and the clip tool) --------------------
  const marksText = h("span", { id: "marks" }, "No range marked");
  function setMark(which) {
    const t = Math.round(player.video.currentTime * 10) / 10;
    if (which === "in") markIn = t; else markOut = t;
    player.setSelection(markIn, markOut);
    const ready = markIn != null && markOut != null && markIn !== markOut;
    rangeRadio.disabled = !ready;
    const text = `${markIn == null ? "–" : clock(markIn)} → ${markOut == null ? "–" : clock(markOut)}`;
    marksText.textContent = `In/out: ${text}`;
    rangeLabel.textContent = ready ? text : "mark in (I) and out (O) first";
    if (ready) rangeRadio.checked = true;
    clipTool?.setRange(markIn, markOut);
  }
  const markBar = h("div", { class: "mark-bar" },
    h("button", { type: "button", id: "mark-in", onclick: () => setMark("in") }, "Mark in (I)"),
    h("button", { type: "button", id: "mark-out", onclick: () => setMark("out") }, "Mark out (O)"),
    h("button", {
      type: "button",
      class: "link",
      onclick: () => { markIn = null; markOut = null; player.setSelection(null, null); rangeRadio.disabled = true; pointRadio.checked = true; marksText.textContent = "No range marked"; clipTool?.setRange(null, null); },
    }, "Clear"),
    marksText);

  // --- comments --------------------------------------------------------------
  const clipTool = canClip ? createClipTool({ videoId, framework, duration: video.duration_s }) : null;
  const comments = createCommentList({
    player,
    framework,
    basePath,
    onChange: () => refresh(),
    extraActions: canClip ? (c) => (c.end_s != null
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

  // --- sharing (the owner) ---------------------------------------------------
  const sharing = isOwner && video.sharing ? sharingPanel(video) : null;

  // --- privacy: who has access and did what; safeguards ----------------------
  const headBadges = h("p", { class: "badges", id: "head-badges" }, safeguardBadges(video));
  const activity = (isOwner || session.has("admin")) && video.sharing ? accessPanel(video) : null;
  const safeguards = safeguardsPanel(video, {
    onChange: (v) => {
      replace(headBadges, safeguardBadges(v));
      activity?.reload();
    },
  });
  const processing = video.status === "ready" ? null : processingNote(video, videoId);

  // Beside the video: its evaluations (the evaluator's drafts, what was released).
  const evaluations = evaluationPanel({ video, framework, player, focus: params.get("evaluation") });

  const reflection = h("section", { class: "card reflection", "aria-labelledby": "reflection-h" },
    h("h2", { id: "reflection-h" }, `${video.owner_id === me.user_id ? "Your" : "Teacher's"} reflection`),
    video.reflection ? h("p", { class: "prewrap" }, video.reflection) : h("p", { class: "muted" }, "No reflection written."));

  replace(main,
    h("div", { class: "page-head" },
      h("h1", {}, video.title),
      h("p", { class: "muted" }, `${video.owner_id} · ${video.school || ""} · ${clock(video.duration_s)}`),
      headBadges),
    processing?.el,
    h("div", { class: "video-layout" },
      h("div", { class: "video-main" },
        player.el,
        markBar,
        h("details", { class: "shortcuts" }, h("summary", {}, "Keyboard shortcuts"),
          h("ul", {},
            h("li", {}, h("kbd", {}, "Space"), " play / pause"),
            h("li", {}, h("kbd", {}, "←"), " / ", h("kbd", {}, "→"), " back / forward 5 seconds"),
            h("li", {}, h("kbd", {}, "C"), " comment at the current time"),
            h("li", {}, h("kbd", {}, "I"), " / ", h("kbd", {}, "O"), " mark in / out")))),
      h("aside", { class: "video-side" },
        reflection,
        evaluations.el,
        h("section", { class: "card", "aria-labelledby": "comments-h" },
          h("h2", { id: "comments-h" }, "Comments"),
          comments.el),
        sharing,
        safeguards,
        activity),
      h("div", { class: "video-tools" }, commentForm, clipTool ? clipTool.el : null)));
  await refresh();
  await evaluations.refresh();
  clipTool?.load();
  const unbind = bindKeys(player, {
    c: () => {
      player.video.pause();
      captureTime();
      pointRadio.checked = true;
      body.focus();
    },
    i: () => setMark("in"),
    o: () => setMark("out"),
  });
  if (params.get("t")) player.seek(Number(params.get("t")));
  // A notification's link names the thread it is about.
  if (params.get("comment")) highlightThread(params.get("comment"));
  return () => {
    unbind();
    clipTool?.stop();
    processing?.stop();
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
  const show = (v) => replace(note, badge(v.status, ` ${Math.round((v.progress || 0) * 100)}%`), " ",
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

function sharingPanel(video) {
  const users = h("input", { type: "text", id: "share-users", value: video.sharing.users.join(", "), "aria-describedby": "share-hint" });
  const school = h("input", { type: "checkbox", id: "share-school", checked: video.sharing.school_coaches });
  const consent = h("input", { type: "checkbox", id: "consent", checked: video.consent_to_library });
  const status = h("div", { "aria-live": "polite" });
  const form = h("form", { class: "card sharing", id: "sharing-form" },
    h("h2", {}, "Sharing"),
    h("label", { for: "share-users" }, "Share with (user ids)"),
    h("p", { class: "hint", id: "share-hint" }, "Separate with commas, e.g. coach-ben"),
    users,
    h("label", { class: "check" }, school, " Share with my school's coaches"),
    h("label", { class: "check" }, consent, " Families' consent is on file: this video may be nominated to the library"),
    status,
    h("div", { class: "actions" }, h("button", { type: "submit", class: "primary" }, "Save sharing")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      await patch(`/videos/${encodeURIComponent(video.id)}`, {
        sharing: {
          users: users.value.split(",").map((u) => u.trim()).filter(Boolean),
          school_coaches: school.checked,
        },
        consent_to_library: consent.checked,
      });
      replace(status, h("p", { class: "ok" }, "Sharing saved."));
    } catch (error) {
      replace(status, errorBox(error));
    }
  });
  return form;
}

function renderWaiting(main, video, videoId) {
  const status = h("div", { class: "card", "aria-live": "polite" });
  const show = (v) => {
    replace(status,
      h("p", {}, badge(v.status, v.status === "processing" ? ` ${Math.round((v.progress || 0) * 100)}%` : "")),
      v.status === "failed"
        ? h("p", { class: "failure" }, v.failure_reason || "Processing failed.")
        : h("p", { class: "muted" }, v.status === "uploading"
          ? "Waiting for the upload to finish…"
          : "Making the web versions, poster and storyboard…"),
      h("progress", { max: 100, value: Math.round((v.progress || 0) * 100), "aria-label": "Processing progress" }));
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
