// The quality-control review queue: stats, pending items with their age,
// claim, watch, checklist, approve or reject with a reason.
import { get, post, query, framework as loadFramework } from "../api.js";
import { session } from "../session.js";
import { createPlayer, bindKeys } from "../player.js";
import { openPlayback } from "../playback.js";
import { createCommentList, loadAllThreads } from "../comments.js";
import { h, replace, badge, duration, clock, tagChips, elementLabel, errorBox, toast } from "../ui.js";

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
      reviewers.map(([user, counts]) => `${user}: ${Object.entries(counts).map(([d, n]) => `${n} ${d}`).join(", ")}`).join(" · ")) : null);
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
        h("option", { value: s, selected: s === filters.status }, s.replace("_", " "))))),
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
          h("span", { class: "muted" }, `${item.school || ""} · waiting ${duration(item.age_s)} · nominated by ${item.nominated_by}`),
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
  const status = h("div", { "aria-live": "polite", id: "review-status" });
  const rerender = () => window.dispatchEvent(new HashChangeEvent("hashchange"));
  async function act(action, body, message) {
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

  const decision = h("section", { class: "card", "aria-labelledby": "decide-h" }, h("h2", { id: "decide-h" }, "Decision"));
  const mineClaim = item.status === "in_review" && item.claimed_by === me.user_id;
  if (item.status === "pending") {
    decision.append(h("p", {}, "Claim this item to review it; others will see it is taken."),
      h("button", { type: "button", class: "primary", id: "claim", onclick: () => act("claim", {}, "Claimed") }, "Claim"));
  } else if (item.status === "in_review" && !mineClaim) {
    decision.append(h("p", {}, `Being reviewed by ${item.claimed_by}` +
      (item.claim_expires_at ? ` until ${new Date(item.claim_expires_at).toLocaleTimeString()}` : "") + "."));
  } else if (mineClaim) {
    const approve = h("form", { id: "approve-form" },
      h("fieldset", {}, h("legend", {}, "Quality-control checklist"),
        checklist.items.map((c) => h("label", { class: "check" },
          h("input", { type: "checkbox", name: "checklist", value: c.key }), " ", c.label))),
      h("label", { for: "approve-note" }, "Note (optional)"),
      h("textarea", { id: "approve-note", rows: 2 }),
      h("div", { class: "actions" }, h("button", { type: "submit", class: "primary", id: "approve" }, "Approve and publish")));
    approve.addEventListener("submit", (event) => {
      event.preventDefault();
      const checked = new Set([...approve.querySelectorAll('input[name="checklist"]:checked')].map((i) => i.value));
      const missing = checklist.items.filter((c) => !checked.has(c.key));
      if (missing.length) {
        replace(status, errorBox({ message: `Check every item before approving: ${missing.map((c) => c.label).join("; ")}` }));
        return;
      }
      act("approve", {
        checklist: Object.fromEntries(checklist.items.map((c) => [c.key, true])),
        // The district's version the reviewer read: a checklist edited meanwhile is a 409.
        checklist_version: checklist.version,
        note: approve.querySelector("#approve-note").value,
      }, "Approved: the clip is in the library");
    });
    const reason = h("textarea", { id: "reject-reason", rows: 2, required: true });
    const reject = h("form", { id: "reject-form" },
      h("label", { for: "reject-reason" }, "Reason for rejecting (shown to the nominator)"), reason,
      h("div", { class: "actions" },
        h("button", { type: "submit", id: "reject" }, "Reject"),
        h("button", { type: "button", class: "link", onclick: () => act("release", {}, "Released") }, "Release the claim")));
    reject.addEventListener("submit", (event) => {
      event.preventDefault();
      if (!reason.value.trim()) {
        replace(status, errorBox({ message: "Give a reason, so the nominator can fix the clip." }));
        reason.focus();
        return;
      }
      act("reject", { reason: reason.value }, "Rejected");
    });
    decision.append(approve, reject);
  } else {
    decision.append(h("p", {}, badge(item.status), ` by ${item.decided_by || "?"}`,
      item.decided_at ? ` on ${new Date(item.decided_at).toLocaleString()}` : ""),
    item.reject_reason ? h("p", {}, `Reason: ${item.reject_reason}`) : null,
    item.unpublish_reason ? h("p", {}, `Unpublished: ${item.unpublish_reason}`) : null,
    item.decision_note ? h("p", {}, `Note: ${item.decision_note}`) : null);
  }
  decision.append(status);

  replace(main,
    h("p", {}, h("a", { href: "#/review" }, "← Review queue")),
    h("div", { class: "page-head" }, h("h1", {}, item.title),
      h("p", {}, badge(item.status), " ", h("span", { class: "muted" },
        `${item.school || ""} · ${clock(clip.duration_s)} · waiting ${duration(item.age_s)}`), " ",
      tagChips(framework, item.elements || []))),
    h("div", { class: "video-layout" },
      h("div", { class: "video-main" }, player ? player.el : h("p", { class: "muted" }, "The clip has no playable version."), moments),
      h("aside", { class: "video-side" },
        h("section", { class: "card" }, h("h2", {}, "Nomination"),
          h("p", { class: "prewrap" }, item.note || "(no note)"),
          h("p", { class: "muted" }, `by ${item.nominated_by} · ${new Date(item.submitted_at).toLocaleString()}`)),
        decision,
        h("section", { class: "card" }, h("h2", {}, "History"),
          h("ol", { class: "history" }, (item.history || []).map((e) => h("li", {},
            `${new Date(e.at).toLocaleString()} · ${e.by}: ${e.from_status || "—"} → ${e.to_status}`,
            e.note ? ` (${e.note})` : "")))))));
  const unbind = player ? bindKeys(player) : () => {};
  return () => { unbind(); player?.video.pause(); player?.destroy(); };
}
