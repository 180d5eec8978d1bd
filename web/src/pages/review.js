// The quality-control review queue: stats, pending items with their age,
// claim, watch, checklist, approve or reject with a reason.
import { get, post, query, framework as loadFramework } from "../api.js";
import { session } from "../session.js";
import { createPlayer, bindKeys } from "../player.js";
import { openPlayback } from "../playback.js";
import { createCommentList, loadAllThreads } from "../comments.js";
import { reviewRedactionPanel } from "../redaction.js";
import { h, replace, badge, duration, clock, tagChips, elementLabel, errorBox, toast, statusWord, roleWord } from "../ui.js";

const DECIDED = ["approved", "rejected", "unpublished", "withdrawn"];
const at = (iso) => new Date(iso).toLocaleString();
const person = (id, name) => name || id;

// How long it waited: until now while open, until the decision once decided.
export function ageText(item) {
  if (DECIDED.includes(item.status) && item.decision_age_s != null) return `decided after ${duration(item.decision_age_s)}`;
  if (DECIDED.includes(item.status)) return `nominated ${at(item.submitted_at)}`;
  return `waiting ${duration(item.age_s)}`;
}

// A history line in words: who did what, when.
const TRANSITIONS = {
  "-pending": "nominated it",
  "pending-in_review": "claimed it",
  "in_review-pending": "released the claim",
  "in_review-approved": "approved it and published it in the library",
  "in_review-rejected": "rejected it",
  "approved-unpublished": "took it out of the library",
  "pending-withdrawn": "withdrew it from the queue",
  "in_review-withdrawn": "withdrew it from the queue",
};

export function historyWords(entry) {
  const key = `${entry.from_status || ""}-${entry.to_status}`;
  return TRANSITIONS[key] || `moved it to “${statusWord(entry.to_status).toLowerCase()}”`;
}

function statsBar(stats, framework) {
  const s = stats.by_status || {};
  const tile = (label, value, id) => h("div", { class: "stat", dataset: { stat: id } },
    h("span", { class: "stat-value" }, String(value ?? "–")), h("span", { class: "stat-label" }, label));
  const total = (counts) => Object.values(counts || {}).reduce((a, b) => a + b, 0);
  const elements = Object.entries(stats.by_element || {}).filter(([, counts]) => total(counts));
  const reviewers = Object.entries(stats.by_reviewer || {});
  return h("section", { class: "stats", "aria-label": "Queue statistics", id: "stats" },
    h("div", { class: "stat-row" },
      tile("Pending", s.pending ?? 0, "pending"),
      tile("In review", s.in_review ?? 0, "in_review"),
      tile("Approved", s.approved ?? 0, "approved"),
      tile("Rejected", s.rejected ?? 0, "rejected"),
      tile("Oldest pending", stats.oldest_pending_age_s == null ? "–" : duration(stats.oldest_pending_age_s), "oldest"),
      tile("Median decision (30 d)", stats.median_decision_s_30d == null ? "–" : duration(stats.median_decision_s_30d), "median")),
    elements.length ? h("p", { class: "muted", id: "stats-elements" }, "By element: ",
      elements.map(([id, counts]) => `${elementLabel(framework, id)} ${total(counts)}`
        + (counts.pending ? ` (${counts.pending} pending)` : "")).join(" · ")) : null,
    reviewers.length ? h("p", { class: "muted", id: "stats-reviewers" }, "Decisions by reviewer: ",
      reviewers.map(([user, counts]) => `${user}: ${Object.entries(counts).map(([d, n]) => `${n} ${statusWord(d).toLowerCase()}`).join(", ")}`).join(" · ")) : null);
}

export async function renderQueue(main, params) {
  const framework = await loadFramework();
  const filters = {
    status: params.get("status") || "pending",
    element: params.get("element") || "",
    school: params.get("school") || "",
  };
  const [stats, page] = await Promise.all([
    get("/review-queue/stats").catch((error) => ({ error })),
    get(`/review-queue${query({ ...filters, cursor: params.get("cursor") })}`),
  ]);
  const form = h("form", { class: "filters", role: "search" },
    h("label", {}, "Status ", h("select", { name: "status" },
      ["pending", "in_review", "approved", "rejected", "unpublished", "withdrawn"].map((s) =>
        h("option", { value: s, selected: s === filters.status }, statusWord(s))))),
    h("label", {}, "Element ", h("select", { name: "element" },
      h("option", { value: "" }, "Any"),
      framework.elements.map((e) => h("option", { value: e.id, selected: e.id === filters.element }, e.label)))),
    h("label", {}, "School ", h("input", { name: "school", value: filters.school, size: 16 })),
    h("button", { type: "submit" }, "Filter"));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const data = new FormData(form);
    location.hash = `#/review${query(Object.fromEntries(data.entries()))}`;
  });
  const items = page.items.length ? h("ul", { class: "queue", id: "queue" }, page.items.map((item) =>
    h("li", { class: "queue-item", dataset: { reviewId: item.id } },
      item.clip && item.clip.poster_url ? h("img", { src: item.clip.poster_url, alt: "", width: 120, height: 68 }) : null,
      h("div", {},
        h("h2", {}, h("a", { href: `#/review/${encodeURIComponent(item.id)}` }, item.title)),
        h("p", {}, badge(item.status), " ",
          h("span", { class: "muted" }, [
            item.recording ? person(item.recording.teacher_id, item.recording.teacher_name) : null,
            item.school,
            ageText(item),
            `nominated by ${person(item.nominated_by, item.nominated_by_name)}`,
          ].filter(Boolean).join(" · ")),
          item.claimed_by ? h("span", { class: "muted" }, ` · claimed by ${item.claimed_by}`) : null),
        tagChips(framework, item.elements || [])))))
    : h("p", { class: "empty" }, "Nothing in the queue with these filters.");
  replace(main,
    h("h1", {}, "Review queue"),
    stats.error ? errorBox(stats.error) : statsBar(stats, framework),
    form,
    items,
    page.next_cursor ? h("p", {}, h("a", { href: `#/review${query({ ...filters, cursor: page.next_cursor })}` }, "Older items →")) : null);
  return null;
}

export async function renderItem(main, params, itemId) {
  const [item, framework, checklist] = await Promise.all([
    get(`/review-queue/${encodeURIComponent(itemId)}`),
    loadFramework(),
    get("/review-queue/checklist").catch(() => ({ items: [] })),
  ]);
  const me = session.user();
  const path = `/review-queue/${encodeURIComponent(itemId)}`;
  const clip = item.clip || {};
  const access = clip.renditions?.length && item.clip_id ? await openPlayback("clips", item.clip_id) : null;
  const player = clip.renditions ? createPlayer({
    access,
    renditions: clip.renditions,
    poster: clip.poster_url,
    storyboardVttUrl: clip.storyboard_vtt_url,
    storyboardUrl: clip.storyboard_url,
    duration: clip.duration_s,
    framework,
  }) : null;
  let moments = null;
  if (player && item.clip_id) {
    const path = `/clips/${encodeURIComponent(item.clip_id)}/comments`;
    const threads = await loadAllThreads(path).catch(() => []);
    const list = createCommentList({ player, framework, basePath: path, readOnly: true, onChange: async () => {} });
    list.set(threads);
    player.setComments(threads);
    moments = h("section", { class: "card" }, h("h2", {}, "Tagged moments"), list.el);
  }
  // Students' faces: the redacted clip the player shows, its corrections and sign-off.
  const redaction = player && item.clip_id
    ? await reviewRedactionPanel(item.clip_id, player, { canSignOff: item.status === "in_review" && item.claimed_by === session.user().user_id })
    : null;
  const rerender = () => window.dispatchEvent(new HashChangeEvent("hashchange"));
  // Each control reports its own outcome next to itself.
  async function act(action, body, message, status) {
    try {
      await post(`${path}/${action}`, body);
      toast(message);
      rerender();
    } catch (error) {
      replace(status, errorBox(error.code === "already_claimed"
        ? { message: `Someone else claimed this item first${error.body.claimed_by ? ` (${error.body.claimed_by})` : ""}.` }
        : error));
    }
  }
  const outcome = (id) => h("div", { "aria-live": "polite", id, class: "control-status" });

  const decision = h("section", { class: "card", id: "decision", "aria-labelledby": "decide-h" }, h("h2", { id: "decide-h" }, "Decision"));
  const mineClaim = item.status === "in_review" && item.claimed_by === me.user_id;
  if (item.status === "pending") {
    const claimStatus = outcome("claim-status");
    decision.append(h("p", {}, "Claim this item to review it; others will see it is taken."),
      h("button", { type: "button", class: "primary", id: "claim", onclick: () => act("claim", {}, "Claimed", claimStatus) }, "Claim"),
      claimStatus);
  } else if (item.status === "in_review" && !mineClaim) {
    decision.append(h("p", {}, `Being reviewed by ${item.claimed_by}` +
      (item.claim_expires_at ? ` until ${new Date(item.claim_expires_at).toLocaleTimeString()}` : "") + "."));
  } else if (mineClaim) {
    const approveStatus = outcome("approve-status");
    const approve = h("form", { id: "approve-form" },
      h("fieldset", {}, h("legend", {}, "Quality-control checklist"),
        checklist.items.map((c) => h("label", { class: "check" },
          h("input", { type: "checkbox", name: "checklist", value: c.key }), " ", c.label))),
      h("label", { for: "approve-note" }, "Note (optional)"),
      h("textarea", { id: "approve-note", rows: 2 }),
      approveStatus,
      h("div", { class: "actions" }, h("button", { type: "submit", class: "primary", id: "approve" }, "Approve and publish")));
    approve.addEventListener("submit", (event) => {
      event.preventDefault();
      const checked = new Set([...approve.querySelectorAll('input[name="checklist"]:checked')].map((i) => i.value));
      const missing = checklist.items.filter((c) => !checked.has(c.key));
      if (missing.length) {
        replace(approveStatus, errorBox({ message: `Check every item before approving: ${missing.map((c) => c.label).join("; ")}` }));
        approve.querySelector(`input[value="${CSS.escape(missing[0].key)}"]`)?.focus();
        return;
      }
      act("approve", {
        checklist: Object.fromEntries(checklist.items.map((c) => [c.key, true])),
        // The district's version the reviewer read: a checklist edited meanwhile is a 409.
        checklist_version: checklist.version,
        note: approve.querySelector("#approve-note").value,
      }, "Approved: the clip is in the library", approveStatus);
    });
    const rejectStatus = outcome("reject-status");
    const reason = h("textarea", { id: "reject-reason", rows: 2, required: true });
    const reject = h("form", { id: "reject-form" },
      h("label", { for: "reject-reason" }, "Reason for rejecting (shown to the nominator)"), reason,
      rejectStatus,
      h("div", { class: "actions" },
        h("button", { type: "submit", id: "reject" }, "Reject"),
        h("button", { type: "button", class: "link", onclick: () => act("release", {}, "Released", rejectStatus) }, "Release the claim")));
    reject.addEventListener("submit", (event) => {
      event.preventDefault();
      if (!reason.value.trim()) {
        replace(rejectStatus, errorBox({ message: "Give a reason, so the nominator can fix the clip." }));
        reason.focus();
        return;
      }
      act("reject", { reason: reason.value }, "Rejected", rejectStatus);
    });
    decision.append(approve, reject);
  } else {
    const by = item.decided_by ? person(item.decided_by, item.decided_by_name) : null;
    decision.append(h("p", { id: "decided" }, badge(item.status), " ",
      by ? `by ${by}` : "", item.decided_at ? ` on ${at(item.decided_at)}` : "",
      item.decision_age_s != null ? ` (${duration(item.decision_age_s)} after the nomination)` : ""));
    if (item.reject_reason) decision.append(h("p", {}, `Reason: ${item.reject_reason}`));
    if (item.unpublish_reason) decision.append(h("p", {}, `${item.status === "withdrawn" ? "Withdrawn" : "Taken out of the library"}: ${item.unpublish_reason}`));
    if (item.decision_note) decision.append(h("p", {}, `Note: ${item.decision_note}`));
  }

  const recording = item.recording;
  const privacy = h("section", { class: "card", id: "recording", "aria-labelledby": "recording-h" },
    h("h2", { id: "recording-h" }, "Teacher and privacy"),
    recording
      ? [h("p", {}, h("strong", {}, person(recording.teacher_id, recording.teacher_name)), recording.school ? ` · ${recording.school}` : ""),
        h("p", { class: "badges" },
          h("span", { class: `badge ${recording.consent_to_library ? "badge-ready" : "badge-failed"}` },
            recording.consent_to_library ? "Library consent given" : "No library consent"),
          recording.contains_students_without_consent ? h("span", { class: "badge badge-pending" }, "Students without media consent") : null,
          recording.legal_hold ? h("span", { class: "badge badge-failed" }, "Legal hold") : null),
        h("p", { id: "privacy-words" }, recording.privacy)]
      : h("p", { class: "muted" }, "The recording this clip comes from has been deleted."));

  replace(main,
    h("p", {}, h("a", { href: "#/review" }, "← Review queue")),
    h("div", { class: "page-head" }, h("h1", {}, item.title),
      h("p", {}, badge(item.status), " ", h("span", { class: "muted", id: "item-age" },
        [item.school, clock(clip.duration_s), ageText(item)].filter(Boolean).join(" · ")), " ",
      tagChips(framework, item.elements || []))),
    h("div", { class: "video-layout" },
      h("div", { class: "video-main" }, player ? player.el : h("p", { class: "muted" }, "The clip has no playable version.")),
      h("div", { class: "video-side" },
        privacy,
        redaction?.el,
        h("section", { class: "card", "aria-labelledby": "nomination-h" }, h("h2", { id: "nomination-h" }, "Nomination"),
          h("p", { class: "prewrap" }, item.note || "(no note)"),
          h("p", { class: "muted" }, `by ${person(item.nominated_by, item.nominated_by_name)} · ${at(item.submitted_at)}`)),
        decision,
        moments,
        h("section", { class: "card", "aria-labelledby": "history-h" }, h("h2", { id: "history-h" }, "History"),
          h("ol", { class: "history", id: "history" }, (item.history || []).map((e) => h("li", {},
            `${at(e.at)} · ${person(e.by, e.by_name)} (${roleWord(e.by_role)}) ${historyWords(e)}`,
            e.note ? `: “${e.note}”` : "")))))));
  const unbind = player ? bindKeys(player) : () => {};
  return () => { unbind(); redaction?.stop(); player?.video.pause(); player?.destroy(); };
}
