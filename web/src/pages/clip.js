// A clip: its player, the comments carried over from the source video, and the
// library: the recording's consent shown before nominating ("Ask the teacher"
// when their agreement is missing), nomination, and after a rejection a new cut
// (re-trim) that can be nominated again.
import { get, post, framework as loadFramework } from "../api.js";
import { session } from "../session.js";
import { createPlayer, bindKeys } from "../player.js";
import { openPlayback } from "../playback.js";
import { createCommentList, loadAllThreads } from "../comments.js";
import { askedNote, consentNote, loadLibraryConsent } from "../consent.js";
import { redactionPanel } from "../redaction.js";
import { h, replace, clock, badge, poll, tagChips, elementCheckboxes, checkedValues, errorBox, parseClock, toast } from "../ui.js";

const clipPath = (id) => `/clips/${encodeURIComponent(id)}`;

export async function render(main, params, clipId) {
  const [clip, framework] = await Promise.all([get(clipPath(clipId)), loadFramework()]);
  const previous = clip.revision_of ? await get(clipPath(clip.revision_of)).catch(() => null) : null;
  const head = h("div", { class: "page-head" },
    h("h1", {}, clip.title),
    h("p", {}, badge(clip.status), " ",
      h("span", { class: "muted" }, `${clock(clip.duration_s)} · cut from `),
      h("a", { href: `#/videos/${encodeURIComponent(clip.video_id)}?t=${clip.start_s}` }, "the full lesson"), " ",
      tagChips(framework, clip.tags || [])),
    previous ? h("p", { class: "muted", id: "revision-of" }, "A new cut of ",
      h("a", { href: `#/clips/${encodeURIComponent(previous.id)}` }, `“${previous.title}”`),
      previous.review?.reason ? `, which was ${previous.review.status === "rejected" ? "rejected" : "taken out"}: “${previous.review.reason}”` : "",
      ".") : null);
  if (clip.status !== "ready") {
    replace(main, head, h("div", { class: "card", "aria-live": "polite" },
      clip.status === "failed"
        ? h("p", { class: "failure" }, clip.failure_reason || "The clip could not be made.")
        : h("p", { class: "muted" }, "The clip is being cut…")),
    clip.status === "failed" && isCurator(clip) ? retrimPanel(clip, framework) : null);
    if (clip.status === "failed") return null;
    return poll(() => get(clipPath(clipId)), 1500, (c) => {
      if (c.status !== "processing") window.dispatchEvent(new HashChangeEvent("hashchange"));
      return c.status !== "processing";
    });
  }
  const [access, consent] = await Promise.all([
    openPlayback("clips", clipId),
    isCurator(clip) ? loadLibraryConsent(clipId).catch(() => null) : null,
  ]);
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
    player, framework, basePath: `${clipPath(clipId)}/comments`, readOnly: true, onChange: async () => {},
  });
  const threads = await loadAllThreads(`${clipPath(clipId)}/comments`).catch(() => []);
  comments.set(threads);
  player.setComments(threads);
  const library = libraryPanel(clip, framework, consent, previous);
  const redaction = isCurator(clip) ? await redactionPanel(clip, player) : null;

  replace(main, head,
    clip.warning ? h("p", { class: "warning" }, clip.warning) : null,
    h("div", { class: "video-layout" },
      h("div", { class: "video-main" }, player.el),
      h("div", { class: "video-side" },
        library.el,
        redaction?.el,
        h("section", { class: "card", "aria-labelledby": "carried-h" }, h("h2", { id: "carried-h" }, "Comments from the lesson"), comments.el),
        canRetrim(clip) ? retrimPanel(clip, framework) : null)));
  const unbind = bindKeys(player);
  if (params.get("t")) player.seek(Number(params.get("t")));
  return () => { unbind(); library.stop(); redaction?.stop(); player.video.pause(); player.destroy(); };
}

// The teacher in the recording, or a coach (the API decides; this only hides what
// would be refused).
function isCurator(clip) {
  return session.user()?.user_id === clip.owner_id || session.has("coach");
}

const OPEN_REVIEW = ["pending", "in_review", "approved"];
const ENDED_AS = { rejected: "rejected", unpublished: "taken out of the library", withdrawn: "withdrawn" };
// A clip out of review (rejected, say) can be cut again; a new clip is cut on the video page.
const canRetrim = (clip) => isCurator(clip) && !clip.published && Boolean(ENDED_AS[clip.review?.status]);

function libraryPanel(clip, framework, consent, previous) {
  let stop = () => {};
  const section = h("section", { class: "card", id: "nominate", "aria-labelledby": "nominate-h" },
    h("h2", { id: "nominate-h" }, "Library"));
  const result = { el: section, stop: () => stop() };
  if (clip.published) {
    section.append(h("p", {}, badge("approved"), " Published in the district library."));
    return result;
  }
  if (clip.review && OPEN_REVIEW.includes(clip.review.status)) {
    section.append(h("p", {}, "Nominated: ", badge(clip.review.status), " The district's reviewers decide whether it is published."));
    return result;
  }
  if (!consent) return result; // not a curator: nothing to do here
  const ended = clip.review && ENDED_AS[clip.review.status];
  if (ended) {
    section.append(h("p", { class: "warning", id: "last-decision" }, `The last nomination was ${ended}`,
      clip.review.reason ? `: “${clip.review.reason}”` : "", ". ",
      clip.review.status === "rejected" ? "Cut it again below (another start or end), then nominate the new cut." : ""));
  }
  section.append(consentNote(consent));
  const asked = askedNote(consent);
  if (asked) section.append(asked);
  const waiting = consent.request && ["open", "agreed"].includes(consent.request.status);
  if (waiting) {
    // The hand-off happens without the coach: show it arriving.
    stop = poll(() => loadLibraryConsent(clip.id), 3000, (fresh) => {
      if (fresh.request && ["open", "agreed"].includes(fresh.request.status)) return false;
      window.dispatchEvent(new HashChangeEvent("hashchange"));
      return true;
    });
    return result;
  }
  if (consent.state !== "given" && !consent.can_ask) return result;
  const ask = consent.state !== "given";
  const note = h("textarea", { id: "nominate-note", rows: 3, maxlength: 2000 });
  const status = h("div", { "aria-live": "polite", id: "nominate-status" });
  const teacher = consent.teacher_name || "the teacher";
  const form = h("form", { id: "nominate-form" },
    h("label", { for: "nominate-note" }, "Why this clip is a good example"),
    note,
    elementCheckboxes(framework, "nominate-elements", previous?.tags || clip.tags || []),
    status,
    h("div", { class: "actions" }, h("button", { type: "submit", class: "primary", id: "nominate-submit" },
      ask ? `Ask ${teacher} and nominate` : "Nominate for the library")),
    ask ? h("p", { class: "hint" }, `${teacher} sees your request on the video. Once they agree, your nomination goes to review without you coming back.`) : null);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!note.value.trim()) {
      replace(status, errorBox({ message: "Say why this clip is a good example." }));
      note.focus();
      return;
    }
    const elements = checkedValues(form, "nominate-elements");
    if (!elements.length) {
      replace(status, errorBox({ message: "Tick at least one framework element the clip shows." }));
      return;
    }
    try {
      if (ask) {
        await post(`${clipPath(clip.id)}/consent-requests`, { note: note.value, elements });
        toast(`Asked ${teacher}`);
      } else {
        await post(`${clipPath(clip.id)}/nominate`, { note: note.value, elements });
        toast("Nominated");
      }
      window.dispatchEvent(new HashChangeEvent("hashchange"));
    } catch (error) {
      // Consent changed meanwhile: say what it is now, in words.
      if (error.code === "consent_required") {
        const fresh = await loadLibraryConsent(clip.id).catch(() => null);
        replace(status, errorBox({ message: fresh ? fresh.message : error.message }));
      } else {
        replace(status, errorBox(error));
      }
    }
  });
  section.append(form);
  return result;
}

// Cut the clip again from the lesson: another start or end (in the lesson's time),
// title and tags; the new cut is a clip of its own that can be nominated.
function retrimPanel(clip, framework) {
  const start = h("input", { type: "text", id: "retrim-start", inputmode: "decimal", value: clock(clip.start_s), size: 8, "aria-describedby": "retrim-hint" });
  const end = h("input", { type: "text", id: "retrim-end", inputmode: "decimal", value: clock(clip.end_s), size: 8, "aria-describedby": "retrim-hint" });
  const title = h("input", { type: "text", id: "retrim-title", value: clip.title, maxlength: 200 });
  const status = h("div", { "aria-live": "polite", id: "retrim-status" });
  // The visible "−5 s" starts the accessible name; the rest is said, not shown.
  const nudge = (input, delta, label) => h("button", {
    type: "button",
    class: "nudge",
    onclick: () => {
      const value = parseClock(input.value);
      if (!Number.isNaN(value)) input.value = clock(Math.max(0, value + delta));
    },
  }, delta < 0 ? `−${Math.abs(delta)} s` : `+${delta} s`, h("span", { class: "sr-only" }, `: ${label}`));
  const form = h("form", { id: "retrim-form", class: "retrim" },
    h("p", { class: "hint", id: "retrim-hint" }, "Times in the full lesson, like 1:05."),
    h("div", { class: "retrim-times" },
      h("div", {}, h("label", { for: "retrim-start" }, "Start"), start,
        nudge(start, -5, "Start 5 seconds earlier"), nudge(start, 5, "Start 5 seconds later")),
      h("div", {}, h("label", { for: "retrim-end" }, "End"), end,
        nudge(end, -5, "End 5 seconds earlier"), nudge(end, 5, "End 5 seconds later"))),
    h("label", { for: "retrim-title" }, "Title"), title,
    elementCheckboxes(framework, "retrim-tags", clip.tags || []),
    status,
    h("div", { class: "actions" }, h("button", { type: "submit", class: "primary", id: "retrim-submit" }, "Cut the new version")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const from = parseClock(start.value);
    const to = parseClock(end.value);
    if (Number.isNaN(from)) {
      replace(status, errorBox({ message: "Write the start as minutes:seconds, like 1:05." }));
      start.focus();
      return;
    }
    if (Number.isNaN(to) || to <= from) {
      replace(status, errorBox({ message: "Write an end after the start, as minutes:seconds." }));
      end.focus();
      return;
    }
    try {
      const cut = await post(`${clipPath(clip.id)}/retrim`, {
        start_s: from, end_s: to, title: title.value.trim() || clip.title, tags: checkedValues(form, "retrim-tags"),
      });
      toast("The new cut is being made");
      location.hash = `#/clips/${encodeURIComponent(cut.id)}`;
    } catch (error) {
      replace(status, errorBox(error));
    }
  });
  return h("section", { class: "card", id: "retrim", "aria-labelledby": "retrim-h" },
    h("h2", { id: "retrim-h" }, "Cut it again"), form);
}
