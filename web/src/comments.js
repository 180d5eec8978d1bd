// The comment list beside a player: threads in video time, synced to playback,
// click to seek, replies, resolve, and edits that report a conflict (409).
import { api, post, patch } from "./api.js";
import { session } from "./session.js";
import { h, replace, clock, tagChips, toast, elementCheckboxes, checkedValues, roleWord } from "./ui.js";

export function timeLabel(c) {
  return c.end_s == null ? clock(c.at_s) : `${clock(c.at_s)}–${clock(c.end_s)}`;
}

export function createCommentList({ player, framework, basePath, readOnly = false, onChange, extraActions }) {
  const list = h("ol", { class: "comment-list", id: "comments", "aria-label": "Comments" });
  let threads = [];
  let activeId = null;
  const me = session.user();

  function sync() {
    const t = player.video.currentTime;
    let active = null;
    for (const thread of threads) {
      const inRange = thread.end_s != null && t >= thread.at_s && t <= thread.end_s;
      if (thread.at_s <= t + 0.05 || inRange) active = thread;
    }
    const id = active ? active.id : null;
    if (id === activeId) return;
    activeId = id;
    for (const item of list.querySelectorAll(".thread")) {
      const isActive = item.dataset.commentId === id;
      item.classList.toggle("active", isActive);
      if (isActive) item.setAttribute("aria-current", "true"); else item.removeAttribute("aria-current");
      if (isActive) {
        // Keep the active comment in view inside the list, without moving the page.
        const top = item.offsetTop - list.offsetTop;
        if (top < list.scrollTop || top > list.scrollTop + list.clientHeight - 40) list.scrollTop = top;
      }
    }
  }
  player.video.addEventListener("timeupdate", sync);
  player.video.addEventListener("seeked", sync);

  async function act(fn, message) {
    try {
      await fn();
      if (message) toast(message);
      await onChange();
    } catch (error) {
      toast(error.message, "error");
    }
  }

  function editForm(comment, bodyEl) {
    let version = comment.version;
    const text = h("textarea", { rows: 3, "aria-label": "Edit comment" }, comment.body);
    text.value = comment.body;
    const tags = elementCheckboxes(framework, `edit-tags-${comment.id}`, comment.tags);
    const note = h("div", { "aria-live": "assertive" });
    const form = h("form", { class: "edit-form" }, text, tags, note,
      h("div", { class: "actions" },
        h("button", { type: "submit", class: "primary" }, "Save"),
        h("button", { type: "button", onclick: () => onChange() }, "Cancel")));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      try {
        await patch(`${basePath}/${encodeURIComponent(comment.id)}`, {
          body: text.value, tags: checkedValues(form, `edit-tags-${comment.id}`), version,
        });
        toast("Comment updated");
        await onChange();
      } catch (error) {
        if (error.status === 409 && error.body.current) {
          const current = error.body.current;
          version = current.version;
          replace(note, h("div", { class: "conflict", role: "alert" },
            h("p", {}, h("strong", {}, "Someone changed this comment while you were editing. "),
              `${current.author_name || current.author_id}'s current text is:`),
            h("blockquote", {}, current.body),
            h("p", {}, "Your text is still here. Save again to replace theirs, or Cancel to keep it.")));
        } else {
          replace(note, h("p", { class: "error", role: "alert" }, error.message));
        }
      }
    });
    bodyEl.replaceWith(form);
    text.focus();
  }

  function commentView(comment, isReply) {
    const body = h("p", { class: "body" }, comment.body);
    const mine = me && comment.author_id === me.user_id;
    const actions = readOnly ? [] : [
      !isReply ? h("button", { type: "button", class: "link", onclick: () => replyForm(comment) }, "Reply") : null,
      mine ? h("button", { type: "button", class: "link", onclick: () => editForm(comment, body) }, "Edit") : null,
      !isReply ? h("button", {
        type: "button",
        class: "link",
        onclick: () => act(() => post(`${basePath}/${encodeURIComponent(comment.id)}/${comment.resolved ? "reopen" : "resolve"}`),
          comment.resolved ? "Reopened" : "Resolved"),
      }, comment.resolved ? "Reopen" : "Resolve") : null,
      !isReply && extraActions ? extraActions(comment) : null,
    ];
    return h("div", { class: "comment" },
      h("div", { class: "comment-head" },
        // A reply belongs to its thread's moment: no second "play from" to announce.
        isReply ? h("span", { class: "reply-mark", "aria-hidden": "true" }, "↳") : h("button", {
          type: "button",
          class: "time",
          dataset: { seek: comment.at_s },
          "aria-label": `Play from ${timeLabel(comment)}`,
          onclick: () => { player.seek(comment.at_s); },
        }, timeLabel(comment)),
        tagChips(framework, comment.tags),
        comment.resolved ? h("span", { class: "badge badge-ready" }, "Resolved") : null),
      h("p", { class: "author" }, `${comment.author_name || comment.author_id} · ${roleWord(comment.author_role)}`,
        comment.edits && comment.edits.length ? h("span", { class: "muted" }, " · edited") : null),
      body,
      h("div", { class: "comment-actions" }, actions));
  }

  function replyForm(comment) {
    const item = list.querySelector(`[data-comment-id="${CSS.escape(comment.id)}"]`);
    if (item.querySelector(".reply-form")) return;
    const text = h("textarea", { rows: 2, "aria-label": `Reply to ${comment.author_name || comment.author_id}` });
    const form = h("form", { class: "reply-form" }, text,
      h("div", { class: "actions" }, h("button", { type: "submit", class: "primary" }, "Reply")));
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      if (!text.value.trim()) return;
      act(() => post(basePath, { at_s: comment.at_s, body: text.value, parent_id: comment.id }), "Reply added");
    });
    item.append(form);
    text.focus();
  }

  function set(newThreads) {
    threads = newThreads;
    activeId = null;
    if (!threads.length) {
      replace(list, h("li", { class: "empty" }, "No comments yet."));
      return;
    }
    replace(list, threads.map((thread) => h("li", {
      class: `thread${thread.resolved ? " resolved" : ""}`,
      id: `comment-${thread.id}`,
      dataset: { commentId: thread.id, at: thread.at_s },
    },
    commentView(thread, false),
    thread.replies && thread.replies.length
      ? h("ol", { class: "replies" }, thread.replies.map((r) => h("li", { dataset: { commentId: r.id } }, commentView(r, true))))
      : null)));
    sync();
  }

  return { el: list, set, act };
}

export async function loadAllThreads(path) {
  const threads = [];
  let cursor = null;
  do {
    const page = await api("GET", `${path}${cursor ? `?cursor=${encodeURIComponent(cursor)}` : ""}`);
    threads.push(...page.threads);
    cursor = page.next_cursor;
  } while (cursor);
  return threads;
}
