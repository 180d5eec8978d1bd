// The comment composer beside the player: a point comment at the playhead or a
// range comment over the marked in/out, tagged with framework elements. It keeps
// the time it shows following the playhead until the comment is started, pauses
// the video when the comment box takes focus (as coaching tools do), and owns
// the marks shared with the clip tool and the keys that set them.
import { post } from "./api.js";
import { bindKeys } from "./player.js";
import { h, replace, clock, elementCheckboxes, checkedValues, toast, errorBox } from "./ui.js";

const kbd = (key) => h("span", { class: "kbd-hint" }, ` (${key})`);

export function shortcutsHelp() {
  return h("details", { class: "shortcuts" }, h("summary", {}, "Keyboard shortcuts"),
    h("ul", {},
      h("li", {}, h("kbd", {}, "Space"), " play / pause"),
      h("li", {}, h("kbd", {}, "←"), " / ", h("kbd", {}, "→"), " back / forward 5 seconds"),
      h("li", {}, h("kbd", {}, "C"), " comment: on the marked range when one is marked, else at the current time"),
      h("li", {}, h("kbd", {}, "I"), " / ", h("kbd", {}, "O"), " mark in / out")));
}

export function createComposer({ player, framework, basePath, onPosted, onMarks }) {
  const { video } = player;
  let markIn = null;
  let markOut = null;
  let commentAt = 0;
  const hasRange = () => markIn != null && markOut != null && markIn !== markOut;

  const atLabel = h("span", { id: "comment-at" }, clock(0));
  const rangeLabel = h("span", { id: "comment-range" }, "mark in and out first");
  const pointRadio = h("input", { type: "radio", name: "kind", value: "point", checked: true, id: "kind-point" });
  const rangeRadio = h("input", { type: "radio", name: "kind", value: "range", id: "kind-range", disabled: true });
  const body = h("textarea", { id: "comment-body", rows: 3, required: true, maxlength: 5000 });
  const formStatus = h("div", { "aria-live": "polite" });

  function captureTime() {
    commentAt = video.currentTime;
    atLabel.textContent = clock(commentAt);
  }
  // Until a comment is started, its time is wherever the video is.
  const follow = () => { if (!body.value && document.activeElement !== body) captureTime(); };
  video.addEventListener("timeupdate", follow);
  video.addEventListener("seeked", follow);
  body.addEventListener("focus", () => {
    video.pause();
    if (!body.value) captureTime();
  });

  function setMark(which) {
    const t = Math.round(video.currentTime * 10) / 10;
    if (which === "in") markIn = t; else markOut = t;
    showMarks();
  }
  function clearMarks() {
    markIn = null;
    markOut = null;
    showMarks();
  }
  function showMarks() {
    player.setSelection(markIn, markOut);
    const ready = hasRange();
    rangeRadio.disabled = !ready;
    const text = `${markIn == null ? "–" : clock(Math.min(markIn, markOut ?? markIn))} → ${markOut == null ? "–" : clock(Math.max(markOut, markIn ?? markOut))}`;
    marksText.textContent = markIn == null && markOut == null ? "No range marked" : `Marked: ${text}`;
    rangeLabel.textContent = ready ? text : "mark in and out first";
    if (ready) rangeRadio.checked = true; else pointRadio.checked = true;
    onMarks?.(markIn, markOut);
  }
  const marksText = h("span", { id: "marks", class: "muted" }, "No range marked");
  const markBar = h("div", { class: "mark-bar" },
    h("button", { type: "button", id: "mark-in", onclick: () => setMark("in") }, "Mark in", kbd("I")),
    h("button", { type: "button", id: "mark-out", onclick: () => setMark("out") }, "Mark out", kbd("O")),
    h("button", { type: "button", class: "link", id: "mark-clear", onclick: clearMarks }, "Clear"),
    marksText);

  const form = h("form", { class: "card comment-form", id: "comment-form", "aria-labelledby": "comment-form-h" },
    h("h2", { id: "comment-form-h" }, "Add a comment"),
    h("fieldset", { class: "kind" },
      h("legend", {}, "Where"),
      h("div", { class: "kind-choice" },
        h("label", { class: "check", for: "kind-point" }, pointRadio, " At ", atLabel),
        h("button", { type: "button", class: "link", id: "use-current-time", onclick: captureTime }, "use current time")),
      h("div", { class: "kind-choice" },
        h("label", { class: "check", for: "kind-range" }, rangeRadio, " Over the marked range ", rangeLabel)),
      markBar),
    h("label", { for: "comment-body" }, "Comment"),
    body,
    elementCheckboxes(framework, "comment-tags"),
    formStatus,
    h("div", { class: "actions" }, h("button", { type: "submit", class: "primary" }, "Post comment")));

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!body.value.trim()) {
      replace(formStatus, errorBox({ message: "Write a comment first." }));
      body.focus();
      return;
    }
    const range = rangeRadio.checked && hasRange();
    const payload = {
      at_s: range ? Math.min(markIn, markOut) : commentAt,
      end_s: range ? Math.max(markIn, markOut) : null,
      body: body.value,
      tags: checkedValues(form, "comment-tags"),
    };
    try {
      await post(basePath, payload);
      body.value = "";
      for (const box of form.querySelectorAll('input[name="comment-tags"]')) box.checked = false;
      replace(formStatus);
      toast("Comment posted");
      if (range) clearMarks();
      captureTime();
      await onPosted();
    } catch (error) {
      replace(formStatus, errorBox(error));
    }
  });

  // C comments where its label says: over the marked range when there is one,
  // else at the current time.
  function startComment() {
    video.pause();
    if (hasRange()) {
      rangeRadio.checked = true;
    } else {
      pointRadio.checked = true;
      captureTime();
    }
    body.focus();
  }

  return {
    el: form,
    bindKeys: () => bindKeys(player, { c: startComment, i: () => setMark("in"), o: () => setMark("out") }),
  };
}
