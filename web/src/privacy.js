// Privacy on the video page and "My videos": who has access and what they did
// (the audit trail), the safeguards (students without media consent, legal
// hold), deleting a video, and downloading one's own data.
import { get, put, del, post, query } from "./api.js";
import { session } from "./session.js";
import { h, replace, errorBox, poll, bytes } from "./ui.js";

// Audit actions in plain words; the subject (whom or what else) follows.
const ACTIONS = {
  "video.viewed": "viewed",
  "clip.viewed": "viewed a clip",
  "video.shared": "shared with",
  "video.unshared": "stopped sharing with",
  "video.consent_changed": "consent changed",
  "video.legal_hold_changed": "legal hold changed",
  "evaluation.released": "released an evaluation",
  "clip.nominated": "nominated a clip for the library",
  "review.approved": "approved a clip",
  "review.rejected": "rejected a clip",
  "library.published": "published a clip in the library",
  "library.unpublished": "removed a clip from the library",
  "video.deleted": "deleted",
  "retention.applied": "retention policy applied",
  "data.exported": "exported data",
};

const SUBJECTS = {
  school_coaches: "the school's coaches",
  "consent_to_library=true": "library consent given",
  "consent_to_library=false": "library consent withdrawn",
  "contains_students_without_consent=true": "students without media consent flagged",
  "contains_students_without_consent=false": "students without media consent flag cleared",
  "legal_hold=true": "hold placed",
  "legal_hold=false": "hold lifted",
};

export function describe(entry) {
  const action = ACTIONS[entry.action] || entry.action;
  const subject = entry.subject ? SUBJECTS[entry.subject] || entry.subject : "";
  return subject ? `${action}: ${subject}` : action;
}

function auditRow(entry) {
  const when = new Date(entry.at);
  return h("li", { class: "audit-entry", dataset: { action: entry.action, actor: entry.actor_id } },
    h("span", { class: "audit-who" }, h("strong", {}, entry.actor_id), h("span", { class: "muted" }, ` (${entry.actor_role})`)),
    " ", h("span", { class: "audit-what" }, describe(entry)),
    " ", h("time", { class: "muted", datetime: when.toISOString() }, when.toLocaleString()));
}

// Who has access and every recorded action on the video (its owner, admins).
export function accessPanel(video) {
  const path = `/videos/${encodeURIComponent(video.id)}/audit`;
  const sharing = video.sharing || { users: [], school_coaches: false };
  const list = h("ol", { class: "audit-list", id: "audit-list" });
  const status = h("div");
  const more = h("button", { type: "button", id: "audit-more", hidden: true }, "Load more");
  let cursor = null;
  async function load() {
    more.disabled = true;
    try {
      const page = await get(`${path}${query({ cursor, limit: 20 })}`);
      list.append(...page.items.map(auditRow));
      if (!list.children.length) list.append(h("li", { class: "muted" }, "Nothing recorded yet."));
      cursor = page.next_cursor;
      more.hidden = !cursor;
      replace(status);
    } catch (error) {
      replace(status, errorBox(error));
    } finally {
      more.disabled = false;
    }
  }
  more.addEventListener("click", async () => {
    const before = list.children.length;
    await load();
    // Keyboard and screen-reader users continue at the first entry just loaded.
    const first = list.children[before];
    if (first) {
      first.tabIndex = -1;
      first.focus();
    }
  });
  const section = h("section", { class: "card access", id: "access", "aria-labelledby": "access-h" },
    h("h2", { id: "access-h" }, "Access & activity"),
    h("h3", {}, "Who has access"),
    h("ul", { class: "access-list", id: "access-list" },
      h("li", {}, h("strong", {}, video.owner_id), " (owner)"),
      sharing.users.map((user) => h("li", {}, user)),
      h("li", {}, `School coaches: ${sharing.school_coaches ? "yes" : "no"}`)),
    h("h3", {}, "Activity"),
    list, status, more);
  load();
  // After a change on this page (e.g. a safeguard), show the trail from the top again.
  section.reload = () => {
    list.replaceChildren();
    cursor = null;
    return load();
  };
  return section;
}

export function safeguardBadges(video) {
  return [
    video.contains_students_without_consent
      ? h("span", { class: "badge badge-pending", id: "badge-no-consent" }, "Students without media consent")
      : null,
    video.legal_hold ? h("span", { class: "badge badge-failed", id: "badge-hold" }, "Legal hold") : null,
  ];
}

// The safeguards: owner, coaches it is shared with and admins flag students
// without consent; admins place a legal hold (with a reason). The owner or an
// admin may delete the video (refused by the API while it is held).
export function safeguardsPanel(video, { onChange }) {
  const me = session.user();
  const isOwner = me.user_id === video.owner_id;
  const isAdmin = session.has("admin");
  if (!(isOwner || isAdmin || session.has("coach"))) return null;
  const path = `/videos/${encodeURIComponent(video.id)}`;
  const status = h("div", { "aria-live": "polite", id: "safeguards-status" });
  const badges = h("p", { class: "badges", id: "safeguard-badges" }, safeguardBadges(video));
  const show = (updated) => {
    replace(badges, safeguardBadges(updated));
    onChange?.(updated);
  };
  const noConsent = h("input", {
    type: "checkbox", id: "no-consent", checked: video.contains_students_without_consent,
    "aria-describedby": "no-consent-hint",
  });
  noConsent.addEventListener("change", async () => {
    noConsent.disabled = true;
    try {
      show(await put(`${path}/safeguards`, { contains_students_without_consent: noConsent.checked }));
      replace(status, h("p", { class: "ok" }, noConsent.checked
        ? "Flagged: this video can't be nominated to the library."
        : "Flag cleared."));
    } catch (error) {
      noConsent.checked = !noConsent.checked;
      replace(status, errorBox(error));
    } finally {
      noConsent.disabled = false;
    }
  });
  const section = h("section", { class: "card safeguards", id: "safeguards", "aria-labelledby": "safeguards-h" },
    h("h2", { id: "safeguards-h" }, "Student privacy"),
    badges,
    h("label", { class: "check" }, noConsent, " Students without media consent appear in this video"),
    h("p", { class: "hint", id: "no-consent-hint" }, "While set, no clip of it can be nominated or published."));

  if (isAdmin) {
    const hold = h("input", { type: "checkbox", id: "legal-hold", checked: video.legal_hold });
    const reason = h("input", { type: "text", id: "hold-reason", maxlength: 2000, "aria-describedby": "hold-hint" });
    const form = h("form", { id: "hold-form", class: "hold-form" },
      h("label", { class: "check" }, hold, " Legal hold (nothing of this video can be deleted)"),
      h("label", { for: "hold-reason" }, "Reason"),
      h("p", { class: "hint", id: "hold-hint" }, "Required to place a hold; kept in the audit trail."),
      reason,
      h("div", { class: "actions" }, h("button", { type: "submit" }, "Save legal hold")));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (hold.checked && !reason.value.trim()) {
        replace(status, errorBox({ message: "Say why the video is held." }));
        reason.focus();
        return;
      }
      try {
        show(await put(`${path}/safeguards`, { legal_hold: hold.checked, reason: reason.value.trim() || null }));
        replace(status, h("p", { class: "ok" }, hold.checked ? "Legal hold placed." : "Legal hold lifted."));
      } catch (error) {
        replace(status, errorBox(error));
      }
    });
    section.append(form);
  }
  if (isOwner || isAdmin) {
    section.append(h("div", { class: "actions" }, h("button", {
      type: "button",
      id: "delete-video",
      class: "danger",
      onclick: async () => {
        if (!confirm(`Delete “${video.title}”, its feedback and every stored file? This cannot be undone.`)) return;
        try {
          await del(path);
          location.hash = "#/videos?scope=mine";
        } catch (error) {
          replace(status, errorBox(error));
        }
      },
    }, "Delete this video")));
  }
  section.append(status);
  return section;
}

// "Download my data": start an export, poll until the zip is ready, link it.
export function exportPanel() {
  const status = h("div", { id: "export-status", "aria-live": "polite" });
  let stop = null;
  const button = h("button", { type: "button", id: "export-start" }, "Download my data");
  function show(job) {
    if (job.status === "ready") {
      replace(status, h("p", {},
        h("a", { class: "button", id: "export-link", href: job.download_url, download: `classreel-${job.id}.zip` },
          "Download the zip"),
        " ", h("span", { class: "muted" }, `${job.videos ?? 0} videos · ${bytes(job.size_bytes || 0)} · `,
          `available until ${new Date(job.expires_at).toLocaleString()}`)));
      button.disabled = false;
      return true;
    }
    if (job.status === "failed") {
      replace(status, errorBox({ message: "The export failed. Try again, or ask your district admin." }));
      button.disabled = false;
      return true;
    }
    replace(status, h("p", { class: "muted" }, "Preparing your videos and comments…"));
    return false;
  }
  button.addEventListener("click", async () => {
    stop?.();
    button.disabled = true;
    replace(status, h("p", { class: "muted" }, "Starting the export…"));
    try {
      const job = await post("/me/exports");
      if (show(job)) return;
      stop = poll(() => get(`/me/exports/${encodeURIComponent(job.id)}`), 1000, show);
    } catch (error) {
      replace(status, errorBox(error));
      button.disabled = false;
    }
  });
  const el = h("section", { class: "card export", id: "export", "aria-labelledby": "export-h" },
    h("h2", { id: "export-h" }, "Your data"),
    h("p", { class: "hint" }, "A zip of your videos, reflections and the comments on them."),
    button, status);
  return { el, stop: () => stop?.() };
}
