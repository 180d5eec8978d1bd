// Blurring students' faces in a clip (the API's /clips/{id}/redaction).
//
// On the clip page (the teacher or a coach): pause where the teacher's face shows,
// click it in the picture to keep it unblurred, and start; progress while the job
// runs; a preview of the redacted version. In a review item (the reviewer): the
// item's player already shows the redacted clip; step through the moments the
// detector was least sure of, draw regions to blur as well (or not to blur), and
// confirm "students' privacy is respected" for the version that is ready.
import { get, post, put } from "./api.js";
import { openPlayback } from "./playback.js";
import { createPlayer } from "./player.js";
import { h, replace, clock, errorBox, toast, poll } from "./ui.js";

const path = (clipId) => `/clips/${encodeURIComponent(clipId)}/redaction`;
const at = (iso) => new Date(iso).toLocaleString();
const rerender = () => window.dispatchEvent(new HashChangeEvent("hashchange"));

export async function loadRedaction(clipId) {
  try {
    return await get(path(clipId));
  } catch (error) {
    if (error.status === 404) return null;
    throw error;
  }
}

// Where in the picture a pointer event is, 0..1 of the video's own frame (the
// picture is letterboxed inside the element when their shapes differ).
export function picturePoint(video, event) {
  const box = video.getBoundingClientRect();
  const ratio = (video.videoWidth || 16) / (video.videoHeight || 9);
  let width = box.width;
  let height = box.width / ratio;
  if (height > box.height) {
    height = box.height;
    width = box.height * ratio;
  }
  const left = box.left + (box.width - width) / 2;
  const top = box.top + (box.height - height) / 2;
  const clamp = (v) => Math.min(1, Math.max(0, v));
  return { x: clamp((event.clientX - left) / width), y: clamp((event.clientY - top) / height) };
}

// A layer over the player's picture that takes clicks (a point) or drags (a box)
// instead of play/pause, and shows what was marked.
function markingLayer(player, { onPoint, onBox }) {
  const frame = player.el.querySelector(".video-frame");
  const layer = h("div", { class: "redaction-layer", id: "redaction-layer", title: "Click a face to keep it" });
  frame.append(layer);
  let start = null;
  layer.addEventListener("pointerdown", (event) => {
    player.video.pause();
    start = picturePoint(player.video, event);
  });
  layer.addEventListener("pointerup", (event) => {
    if (!start) return;
    const end = picturePoint(player.video, event);
    const moved = Math.abs(end.x - start.x) > 0.02 || Math.abs(end.y - start.y) > 0.02;
    if (moved && onBox) {
      onBox({ x0: Math.min(start.x, end.x), y0: Math.min(start.y, end.y), x1: Math.max(start.x, end.x), y1: Math.max(start.y, end.y) });
    } else if (onPoint) {
      onPoint(end);
    }
    start = null;
  });
  const mark = (x, y, label) => {
    const dot = h("span", { class: "redaction-dot", title: label });
    dot.style.left = `${x * 100}%`;
    dot.style.top = `${y * 100}%`;
    layer.append(dot);
  };
  return { mark, remove: () => layer.remove() };
}

function progressView(redaction) {
  const percent = Math.round((redaction.progress || 0) * 100);
  return h("div", { id: "redaction-progress", "aria-live": "polite" },
    h("p", {}, `Blurring faces… ${percent} %`),
    h("progress", { max: 100, value: percent, "aria-label": "Redaction progress" }));
}

function summary(redaction) {
  const kept = redaction.keep || [];
  const missed = kept.filter((k) => k.found === false);
  return h("div", { id: "redaction-summary" },
    h("p", {}, `${redaction.faces_found ?? 0} faces found; ${redaction.faces_kept ?? 0} kept unblurred, every other face blurred.`),
    missed.length ? h("p", { class: "warning", id: "redaction-missed" },
      `${missed.length} of your clicks landed on no face (at ${missed.map((k) => clock(k.at_s)).join(", ")}): mark the face again where it is clearly visible.`) : null,
    redaction.signed_off
      ? h("p", { class: "ok", id: "redaction-signed" }, `✓ Signed off by ${redaction.signed_off_by} on ${at(redaction.signed_off_at)}: students' privacy is respected in this version.`)
      : h("p", { class: "muted" }, "A reviewer signs off the redacted version before the clip can be published."));
}

// Follow a run until it is ready (or failed), then show the page anew.
function follow(clipId, status) {
  return poll(() => loadRedaction(clipId), 1500, (fresh) => {
    if (!fresh) return true;
    if (fresh.status === "processing") {
      replace(status, progressView(fresh));
      return false;
    }
    rerender();
    return true;
  });
}

// The clip page: mark faces to keep, start, follow, preview.
export async function redactionPanel(clip, player) {
  let stop = () => {};
  const section = h("section", { class: "card", id: "redaction", "aria-labelledby": "redaction-h" },
    h("h2", { id: "redaction-h" }, "Blur students' faces"));
  const result = { el: section, stop: () => stop() };
  const redaction = await loadRedaction(clip.id).catch(() => null);
  const status = h("div", { "aria-live": "polite", id: "redaction-status" });
  if (clip.published) {
    section.append(redaction ? summary(redaction) : null,
      h("p", { class: "muted" }, "The clip is in the library: its redaction can change once it is taken out."));
    return result;
  }
  if (redaction?.status === "processing") {
    const box = h("div", {}, progressView(redaction));
    section.append(box);
    stop = follow(clip.id, box);
    return result;
  }
  if (redaction?.status === "failed") {
    section.append(h("p", { class: "failure", id: "redaction-failed" }, redaction.failure_reason || "The faces could not be blurred."));
  }
  if (redaction?.ready_run_id) {
    section.append(summary(redaction));
    const preview = h("div", { id: "redaction-preview" });
    const show = h("button", { type: "button", id: "redaction-preview-open", onclick: async () => {
      show.disabled = true;
      try {
        const access = await openPlayback("clips", clip.id, "/redaction");
        const redacted = createPlayer({ access, renditions: access.view.renditions, duration: clip.duration_s });
        redacted.video.setAttribute("aria-label", "Redacted clip");
        redacted.video.id = "redacted-player";
        replace(preview, h("p", { class: "muted" }, "The redacted version, as reviewers and the library see it:"), redacted.el);
        const previous = stop;
        stop = () => { previous(); access.stop(); redacted.destroy(); };
      } catch (error) {
        replace(preview, errorBox(error));
      }
    } }, "Preview the redacted version");
    section.append(show, preview);
  }
  // Marking the faces to keep (again): clicks on the paused picture.
  const marks = [];
  const list = h("ul", { class: "redaction-marks", id: "redaction-marks" });
  let layer = null;
  const start = h("button", { type: "button", class: "primary", id: "redaction-start", disabled: true }, "Blur every other face");
  const toggle = h("button", { type: "button", id: "redaction-mark" }, redaction ? "Mark the faces to keep again" : "Mark faces to keep");
  const redraw = () => {
    replace(list, marks.map((m, index) => h("li", {}, `Face at ${clock(m.at_s)} `,
      h("button", { type: "button", class: "link", "aria-label": `Forget the face at ${clock(m.at_s)}`, onclick: () => { marks.splice(index, 1); redraw(); } }, "Forget"))));
    start.disabled = false;
  };
  toggle.addEventListener("click", () => {
    if (layer) return;
    player.video.pause();
    layer = markingLayer(player, {
      onPoint: ({ x, y }) => {
        marks.push({ at_s: Number(player.video.currentTime.toFixed(3)), x: Number(x.toFixed(4)), y: Number(y.toFixed(4)) });
        layer.mark(x, y, "Kept face");
        redraw();
      },
    });
    toggle.hidden = true;
    start.disabled = false;
    hint.textContent = "Click the teacher's face in the picture (pause where it shows clearly). Faces you do not click are blurred.";
  });
  start.addEventListener("click", async () => {
    start.disabled = true;
    try {
      await post(path(clip.id), { keep: marks });
      toast("Blurring faces");
      layer?.remove();
      rerender();
    } catch (error) {
      start.disabled = false;
      replace(status, errorBox(error));
    }
  });
  const hint = h("p", { class: "hint", id: "redaction-hint" },
    "Students whose families have not agreed to media use must not be recognisable in the library. Keep the teacher's face, blur the rest.");
  section.append(hint, list, status, h("div", { class: "actions" }, toggle, start));
  result.stop = () => { stop(); layer?.remove(); };
  return result;
}

// The review item: check the redacted clip the player shows, correct it, sign it off.
export async function reviewRedactionPanel(clipId, player, { canSignOff }) {
  let stop = () => {};
  const redaction = await loadRedaction(clipId).catch(() => null);
  if (!redaction) return null;
  const section = h("section", { class: "card", id: "review-redaction", "aria-labelledby": "review-redaction-h" },
    h("h2", { id: "review-redaction-h" }, "Students' faces"));
  const result = { el: section, stop: () => stop() };
  const status = h("div", { "aria-live": "polite", id: "review-redaction-status" });
  if (redaction.status === "processing") {
    const box = h("div", {}, progressView(redaction));
    section.append(box);
    stop = follow(clipId, box);
    return result;
  }
  section.append(summary(redaction));
  if (!redaction.ready_run_id) {
    if (redaction.failure_reason) section.append(h("p", { class: "failure" }, redaction.failure_reason));
    return result;
  }
  // The detector's least sure moments first.
  const moments = (redaction.unsure_at_s || []).slice().sort((a, b) => a - b);
  if (moments.length) {
    section.append(h("p", {}, "Check the moments where the detector was least sure:"),
      h("div", { class: "redaction-moments", id: "redaction-moments" }, moments.map((t) => h("button", {
        type: "button",
        class: "chip",
        onclick: () => { player.video.pause(); player.seek(t); },
      }, clock(t)))));
  }
  // Regions: drag a box on the paused picture; it applies around that moment.
  const regions = (redaction.regions || []).map(({ by, ...region }) => region);
  const list = h("ul", { class: "redaction-regions", id: "redaction-regions" });
  const action = h("select", { id: "region-action", "aria-label": "What a box you draw does" },
    h("option", { value: "add" }, "Blur this too (a missed face)"),
    h("option", { value: "remove" }, "Do not blur this"));
  const span = h("input", { type: "number", id: "region-span", min: 0.5, step: 0.5, value: 2, size: 4, "aria-label": "Seconds the box applies for" });
  const apply = h("button", { type: "button", id: "regions-apply", disabled: true }, "Apply the corrections");
  const redraw = () => {
    replace(list, regions.map((r, index) => h("li", {},
      `${r.action === "add" ? "Blur" : "Do not blur"} from ${clock(r.from_s)} to ${clock(r.to_s)} `,
      h("button", { type: "button", class: "link", onclick: () => { regions.splice(index, 1); redraw(); apply.disabled = false; } }, "Remove"))));
  };
  redraw();
  const layer = markingLayer(player, {
    onBox: (box) => {
      const t = player.video.currentTime;
      const half = Math.max(0.25, Number(span.value) / 2 || 1);
      regions.push({ action: action.value, from_s: Math.max(0, t - half), to_s: t + half, ...box });
      redraw();
      apply.disabled = false;
    },
  });
  apply.addEventListener("click", async () => {
    apply.disabled = true;
    try {
      await put(`${path(clipId)}/regions`, { regions });
      toast("Blurring again with your corrections");
      rerender();
    } catch (error) {
      apply.disabled = false;
      replace(status, errorBox(error));
    }
  });
  section.append(
    h("p", { class: "hint" }, "Pause on a frame and drag a box over a face the blur missed (or over something blurred that need not be)."),
    h("div", { class: "redaction-region-controls" }, action, h("label", { for: "region-span" }, " for "), span, " s"),
    list, apply);
  if (canSignOff && !redaction.signed_off) {
    const confirm = h("input", { type: "checkbox", id: "privacy-respected" });
    const signOff = h("button", { type: "button", class: "primary", id: "redaction-sign-off" }, "Sign off the redacted version");
    signOff.addEventListener("click", async () => {
      if (!confirm.checked) {
        replace(status, errorBox({ message: "Confirm that students' privacy is respected, or correct the blur first." }));
        confirm.focus();
        return;
      }
      try {
        await post(`${path(clipId)}/sign-off`, { run_id: redaction.ready_run_id, privacy_respected: true });
        toast("Signed off");
        rerender();
      } catch (error) {
        replace(status, errorBox(error));
      }
    });
    section.append(h("label", { class: "check" }, confirm, " Students' privacy is respected in this redacted version"),
      h("div", { class: "actions" }, signOff));
  }
  section.append(status);
  result.stop = () => { stop(); layer.remove(); };
  return result;
}
