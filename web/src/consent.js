// Library consent in the teacher's and the coach's words. The teacher sees on the
// video the requests coaches sent ("Ask the teacher") and agrees or declines; the
// coach sees before nominating whether the recording may go to the library, and
// asks when the teacher's agreement is what is missing: the nomination then goes
// to review by itself once the teacher agrees (it is not approved by that).
import { get, post } from "./api.js";
import { h, replace, errorBox, poll, tagChips } from "./ui.js";

const when = (at) => new Date(at).toLocaleDateString(undefined, { day: "numeric", month: "short", year: "numeric" });

const REQUEST_WORDS = {
  open: "waiting for your answer",
  agreed: "you agreed: the nomination is on its way to review",
  nominated: "you agreed: the nomination is in the review queue",
  not_nominated: "you agreed, but the nomination could not be made",
  declined: "you chose not to share it",
};

// The teacher's side: requests about this recording, newest first.
export function consentRequestsPanel(video, { framework } = {}) {
  const path = `/videos/${encodeURIComponent(video.id)}/consent-requests`;
  const el = h("section", { class: "card consent-requests", id: "consent-requests", "aria-labelledby": "consent-requests-h", hidden: true });
  const status = h("div", { "aria-live": "polite" });
  let stop = null;

  function row(request) {
    const who = request.requested_by_name || request.requested_by;
    const open = request.status === "open";
    const answer = async (agree) => {
      try {
        await post(`${path}/${encodeURIComponent(request.id)}/answer`, { agree });
        replace(status, h("p", { class: "ok" }, agree
          ? "Thank you: the nomination goes to the district's reviewers, who decide whether it is published."
          : "Noted: nothing of this recording goes to the library."));
        await load();
      } catch (error) {
        replace(status, errorBox(error));
      }
    };
    return h("li", { class: `consent-request consent-${request.status}`, dataset: { requestId: request.id, status: request.status } },
      h("p", {}, h("strong", {}, who), ` asks to nominate the clip `,
        h("a", { href: `#/clips/${encodeURIComponent(request.clip_id)}` }, `“${request.clip_title}”`),
        ` for the district library (${when(request.created_at)}).`),
      h("blockquote", { class: "prewrap" }, request.note),
      framework ? tagChips(framework, request.elements) : null,
      open
        ? h("div", { class: "actions" },
          h("button", { type: "button", class: "primary", dataset: { answer: "agree" }, onclick: () => answer(true) },
            "Agree to share this recording in the library"),
          h("button", { type: "button", dataset: { answer: "decline" }, onclick: () => answer(false) }, "Not now"))
        : h("p", { class: "muted" }, `Answered: ${REQUEST_WORDS[request.status] || request.status}`,
          request.outcome ? ` (${request.outcome})` : "", "."));
  }

  async function load() {
    stop?.();
    try {
      const { items } = await get(path);
      el.hidden = !items.length;
      replace(el,
        h("h2", { id: "consent-requests-h" }, "Requests to share in the library"),
        items.some((r) => r.status === "open")
          ? h("p", { class: "hint" }, "Agreeing lets clips of this recording be nominated for the district library; reviewers still check each one before anything is published. You can withdraw it later in Sharing.")
          : null,
        h("ul", { class: "consent-list" }, items.map(row)),
        status);
      // Agreed: show when the nomination reaches the queue.
      if (items.some((r) => r.status === "agreed")) stop = poll(() => get(path), 1500, (page) => {
        if (page.items.some((r) => r.status === "agreed")) return false;
        load();
        return true;
      });
    } catch (error) {
      el.hidden = false;
      replace(el, errorBox(error));
    }
  }
  load();
  return { el, stop: () => stop?.() };
}

// The coach's side, before nominating: may this clip go to the library?
export const loadLibraryConsent = (clipId) => get(`/clips/${encodeURIComponent(clipId)}/library-consent`);

export function consentNote(consent) {
  const ok = consent.state === "given";
  return h("p", { class: `consent-note ${ok ? "ok" : "warning"}`, id: "consent-note" },
    h("span", { "aria-hidden": "true" }, ok ? "✓ " : "! "), consent.message);
}

const ASKED_WORDS = {
  open: (c) => `You asked ${c.teacher_name || "the teacher"} on ${when(c.request.created_at)}. Your nomination goes to review as soon as they agree.`,
  agreed: () => "The teacher agreed: your nomination is on its way to review.",
  declined: (c) => `${c.teacher_name || "The teacher"} chose not to share this recording in the library.`,
  not_nominated: (c) => `The teacher agreed, but the nomination could not be made: ${c.request.outcome || "it was refused"}.`,
};

export function askedNote(consent) {
  const words = consent.request && ASKED_WORDS[consent.request.status];
  return words ? h("p", { class: "asked", id: "consent-asked" }, words(consent)) : null;
}
