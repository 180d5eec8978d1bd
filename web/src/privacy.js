// Privacy on the video page and "My videos": sharing (the people picker), who has access
// and what they did (the audit trail, in names and words), the safeguards (students
// without media consent, legal hold), deleting a video, and downloading one's own data.
import { get, put, del, post, patch, query } from "./api.js";
import { chosenList, peoplePicker } from "./picker.js";
import { session } from "./session.js";
import { h, replace, errorBox, poll, bytes, roleWord } from "./ui.js";

// Audit actions in plain words (every action of chalicelib/audit/models.py: a unit test
// checks); the subject (whom or what else) follows.
const ACTIONS = {
  "video.viewed": "watched the video",
  "clip.viewed": "watched a clip",
  "video.shared": "shared it with",
  "video.unshared": "stopped sharing it with",
  "video.consent_changed": "changed library consent",
  "video.legal_hold_changed": "changed the legal hold",
  "consent.requested": "asked the teacher to agree to the library",
  "consent.given": "agreed to share it in the library",
  "consent.declined": "declined to share it in the library",
  "evaluation.released": "released an evaluation",
  "comment.posted": "commented",
  "clip.created": "made a clip",
  "clip.nominated": "nominated a clip for the library",
  "review.approved": "approved a clip",
  "review.rejected": "sent a clip back",
  "review.withdrawn": "a clip left the review queue",
  "redaction.requested": "asked for a clip's faces to be blurred",
  "redaction.face_kept": "kept a face in a clip unblurred",
  "redaction.regions_changed": "changed the blurred areas of a clip",
  "redaction.signed_off": "signed off a clip's blurring",
  "library.published": "published a clip in the library",
  "library.unpublished": "removed a clip from the library",
  "video.deleted": "deleted the video",
  "retention.applied": "applied the retention policy",
  "data.exported": "exported their data",
  "person.added": "added someone to the directory",
  "person.changed": "changed someone in the directory",
  "person.deactivated": "switched someone's account off",
  "person.reactivated": "switched someone's account back on",
  "school.saved": "saved a school",
  "group.created": "made a group",
  "group.changed": "changed a group",
  "group.deleted": "deleted a group",
  "group.member_added": "added a member to a group",
  "group.member_removed": "removed a member from a group",
  "group.owner_added": "added an owner to a group",
  "group.owner_removed": "removed an owner from a group",
  "roster.imported": "imported the roster",
  "collection.created": "made a collection",
  "collection.changed": "changed a collection",
  "collection.deleted": "deleted a collection",
};

// Actions whose subject is a reason in words (a withdrawal's, an admin's).
const REASONS = new Set(["review.withdrawn", "library.unpublished"]);

const SUBJECTS = {
  school_coaches: "coaches",
  "consent_to_library=true": "consent given",
  "consent_to_library=false": "consent withdrawn",
  "contains_students_without_consent=true": "students without media consent flagged",
  "contains_students_without_consent=false": "students without media consent flag cleared",
  "legal_hold=true": "hold placed",
  "legal_hold=false": "hold lifted",
  delete_source: "the original file removed",
  delete_renditions: "the playable copies removed",
};

// The words of one entry: "shared it with: Fractions PLC". Only words the API gave in
// names (subject_name) or we know (SUBJECTS): never an id.
export function describe(entry) {
  const action = ACTIONS[entry.action] || "did something";
  const subject = entry.subject_name || SUBJECTS[entry.subject]
    || (REASONS.has(entry.action) ? entry.subject : null) || null;
  const who = entry.subject && !subject && (entry.action === "video.shared" || entry.action === "video.unshared")
    ? "someone no longer in the directory" : subject;
  return who ? `${action}: ${who}` : action;
}

function auditRow(entry) {
  const when = new Date(entry.at);
  const name = entry.actor_name || (entry.actor_id === "system" ? "ClassReel" : "Someone no longer in the directory");
  return h("li", { class: "audit-entry", dataset: { action: entry.action, actor: entry.actor_id } },
    h("span", { class: "audit-who" }, h("strong", {}, name), h("span", { class: "muted" }, ` (${roleWord(entry.actor_role)})`)),
    " ", h("span", { class: "audit-what" }, describe(entry)),
    " ", h("time", { class: "muted", datetime: when.toISOString() }, when.toLocaleString()));
}

let schoolNames = null;
function schools() {
  schoolNames ??= get("/directory/schools")
    .then((page) => new Map(page.items.map((s) => [s.id, s.name])))
    .catch(() => new Map());
  return schoolNames;
}

async function ownerName(video) {
  const me = session.user();
  if (me?.user_id === video.owner_id) return `${me.name || "You"} (you)`;
  const found = await get(`/directory/names${query({ ids: video.owner_id })}`).catch(() => ({ items: [] }));
  return found.items[0]?.name || "The teacher";
}

async function accessItems(video) {
  const sharing = video.sharing || { shared_with: [], school_coaches: false };
  const school = video.school ? (await schools()).get(video.school) || "the school" : null;
  return [
    h("li", {}, h("strong", {}, await ownerName(video)), " — owner"),
    ...sharing.shared_with.map((s) => h("li", { dataset: { id: s.id, kind: s.kind } },
      s.name, h("span", { class: "muted" }, s.kind === "group" ? " — group" : ""))),
    sharing.school_coaches
      ? h("li", {}, school ? `Coaches of ${school}, and coaches whose caseload includes the teacher` : "Coaches of the teacher's caseload")
      : null,
  ];
}

// Who has access and every recorded action on the video (its owner, admins). ``refresh``
// takes the video as the API answered a change, so the panel shows what is, not what was.
export function accessPanel(video) {
  const path = `/videos/${encodeURIComponent(video.id)}/audit`;
  const access = h("ul", { class: "access-list", id: "access-list" });
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
    access,
    h("h3", {}, "Activity"),
    list, status, more);
  accessItems(video).then((items) => replace(access, items));
  load();
  // After a change on this page (sharing, a safeguard), show what is now, from the top.
  section.reload = (changed) => {
    if (changed) accessItems(changed).then((items) => replace(access, items));
    list.replaceChildren();
    cursor = null;
    return load();
  };
  return section;
}

// Sharing (the owner): people and groups chosen with the picker, the coaches, and the
// families' consent to the library. After saving it shows what the API says is shared.
export function sharingPanel(video, { onSaved } = {}) {
  const chosen = new Map((video.sharing?.shared_with || []).map((s) => [s.id, { ...s, detail: s.kind === "group" ? "group" : "" }]));
  const shown = chosenList({
    id: "share-list",
    empty: "Nobody yet: only you can see this video.",
    items: [...chosen.values()],
    onRemove: (item) => {
      chosen.delete(item.id);
      shown.render([...chosen.values()]);
    },
  });
  const picker = peoplePicker({
    id: "share-picker",
    label: "Share with a person or a group",
    exclude: (id) => chosen.has(id) || id === video.owner_id,
    onPick: (choice) => {
      chosen.set(choice.id, { ...choice, detail: choice.kind === "group" ? "group" : choice.detail });
      shown.render([...chosen.values()]);
    },
  });
  const school = h("input", { type: "checkbox", id: "share-school", checked: Boolean(video.sharing?.school_coaches) });
  const consent = h("input", { type: "checkbox", id: "consent", checked: video.consent_to_library });
  const status = h("div", { "aria-live": "polite", id: "sharing-status" });
  const form = h("form", { class: "card sharing", id: "sharing-form", "aria-labelledby": "sharing-h" },
    h("h2", { id: "sharing-h" }, "Sharing"),
    h("h3", {}, "Shared with"),
    shown.el,
    picker.el,
    h("label", { class: "check" }, school, " Share with coaches (my school's, and those whose caseload I am in)"),
    h("label", { class: "check" }, consent, " Families' consent is on file: this video may be nominated to the library"),
    status,
    h("div", { class: "actions" }, h("button", { type: "submit", class: "primary" }, "Save sharing")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const items = [...chosen.values()];
    try {
      const saved = await patch(`/videos/${encodeURIComponent(video.id)}`, {
        sharing: {
          users: items.filter((i) => i.kind === "person").map((i) => i.id),
          groups: items.filter((i) => i.kind === "group").map((i) => i.id),
          school_coaches: school.checked,
        },
        consent_to_library: consent.checked,
      });
      chosen.clear();
      for (const s of saved.sharing?.shared_with || []) chosen.set(s.id, { ...s, detail: s.kind === "group" ? "group" : "" });
      shown.render([...chosen.values()]);
      school.checked = Boolean(saved.sharing?.school_coaches);
      consent.checked = saved.consent_to_library;
      replace(status, h("p", { class: "ok" }, "Sharing saved."));
      onSaved?.(saved);
    } catch (error) {
      replace(status, errorBox(error));
    }
  });
  return form;
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
