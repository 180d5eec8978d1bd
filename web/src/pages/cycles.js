// Coaching cycles: a goal tied to one framework element, the videos and moments that show
// progress toward it week by week, and a reflection to close it. The home pages (My
// videos, Shared with me) show the open ones (openCyclesCard).
import { get, post, query, framework as loadFramework } from "../api.js";
import { loadAllThreads, timeLabel } from "../comments.js";
import { session } from "../session.js";
import { h, replace, errorBox, toast, tagChips } from "../ui.js";

function cycleItem(framework, cycle) {
  const me = session.user();
  const other = me.user_id === cycle.teacher_id ? `with coach ${cycle.coach_id}` : `with ${cycle.teacher_id}`;
  return h("li", { class: "cycle-item", dataset: { cycleId: cycle.id, status: cycle.status } },
    h("a", { href: `#/cycles/${encodeURIComponent(cycle.id)}` }, cycle.goal), " ",
    tagChips(framework, [cycle.element]),
    h("span", { class: "muted" }, ` ${other} · ${cycle.evidence_count} evidence · since ${new Date(cycle.opened_at).toLocaleDateString()}`));
}

// The home pages' hook: open cycles, or nothing when there are none.
export function openCyclesCard() {
  const card = h("section", { class: "card open-cycles", id: "open-cycles", hidden: true, "aria-labelledby": "open-cycles-h" });
  Promise.all([get("/cycles"), loadFramework()]).then(([page, framework]) => {
    if (!page.items.length) return;
    replace(card, h("h2", { id: "open-cycles-h" }, "Open coaching cycles"),
      h("ul", { class: "cycles" }, page.items.map((c) => cycleItem(framework, c))),
      h("p", {}, h("a", { href: "#/cycles" }, "All coaching cycles")));
    card.hidden = false;
  }).catch((error) => console.warn(error));
  return card;
}

export async function renderList(main) {
  const [framework, open, closed] = await Promise.all([
    loadFramework(), get("/cycles"), get(`/cycles${query({ status: "closed" })}`)]);
  const isCoach = session.has("coach");
  const other = h("input", { id: "cycle-person", required: true, placeholder: isCoach ? "teacher-ana" : "coach-ben" });
  const goal = h("textarea", { id: "cycle-goal", rows: 2, required: true, minlength: 3, maxlength: 500 });
  const element = h("select", { id: "cycle-element", required: true },
    framework.elements.filter((e) => !e.retired).map((e) => h("option", { value: e.id }, e.label)));
  const status = h("div", { "aria-live": "polite" });
  const form = h("form", { class: "card", id: "cycle-form" },
    h("h2", {}, "Start a coaching cycle"),
    h("label", { for: "cycle-person" }, isCoach ? "Teacher (user id)" : "Coach (user id)"), other,
    h("label", { for: "cycle-goal" }, "Goal"), goal,
    h("label", { for: "cycle-element" }, "Framework element"), element,
    status, h("div", { class: "actions" }, h("button", { type: "submit", class: "primary" }, "Start the cycle")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const body = { goal: goal.value, element: element.value, [isCoach ? "teacher_id" : "coach_id"]: other.value.trim() };
      const cycle = await post("/cycles", body);
      location.hash = `#/cycles/${encodeURIComponent(cycle.id)}`;
    } catch (error) {
      replace(status, errorBox(error));
    }
  });
  const list = (items, empty) => (items.length
    ? h("ul", { class: "cycles" }, items.map((c) => cycleItem(framework, c)))
    : h("p", { class: "muted" }, empty));
  replace(main,
    h("div", { class: "page-head" }, h("h1", {}, "Coaching cycles")),
    h("section", { class: "card", id: "cycles-open" }, h("h2", {}, "Open"), list(open.items, "No open cycle.")),
    session.has("coach") || session.has("teacher") ? form : null,
    h("section", { class: "card", id: "cycles-closed" }, h("h2", {}, "Closed"), list(closed.items, "None closed yet.")));
  return null;
}

async function videosOf(cycle) {
  // The teacher's videos the caller can open: their own, or what they share with the coach.
  const me = session.user();
  const scopes = me.user_id === cycle.teacher_id ? ["mine"] : ["shared", ...(me.school ? ["school"] : [])];
  const pages = await Promise.all(scopes.map((scope) => get(`/videos${query({ scope, limit: 50 })}`).catch(() => ({ items: [] }))));
  const seen = new Map();
  for (const v of pages.flatMap((p) => p.items)) if (v.owner_id === cycle.teacher_id) seen.set(v.id, v);
  return [...seen.values()];
}

function evidenceForm(cycle, videos, onAdded) {
  const video = h("select", { id: "evidence-video", required: true },
    h("option", { value: "" }, "Choose a video"), videos.map((v) => h("option", { value: v.id }, v.title)));
  const moment = h("select", { id: "evidence-comment" }, h("option", { value: "" }, "The whole video"));
  const note = h("textarea", { id: "evidence-note", rows: 2, required: true, maxlength: 2000 });
  const status = h("div", { "aria-live": "polite" });
  video.addEventListener("change", async () => {
    replace(moment, h("option", { value: "" }, "The whole video"));
    if (!video.value) return;
    const threads = await loadAllThreads(`/videos/${encodeURIComponent(video.value)}/comments`);
    moment.append(...threads.map((t) => h("option", { value: t.id }, `${timeLabel(t)} ${t.body.slice(0, 60)}`)));
  });
  const form = h("form", { class: "card", id: "evidence-form" }, h("h2", {}, "Add evidence"),
    h("label", { for: "evidence-video" }, "Video"), video,
    h("label", { for: "evidence-comment" }, "Moment (a comment)"), moment,
    h("label", { for: "evidence-note" }, "What it shows"), note, status,
    h("div", { class: "actions" }, h("button", { type: "submit", class: "primary" }, "Add evidence")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      await post(`/cycles/${encodeURIComponent(cycle.id)}/evidence`,
        { video_id: video.value, comment_id: moment.value || null, note: note.value });
      toast("Evidence added");
      await onAdded();
    } catch (error) {
      replace(status, errorBox(error));
    }
  });
  return form;
}

function closeForm(cycle, onClosed) {
  const reflection = h("textarea", { id: "cycle-reflection", rows: 3, required: true, minlength: 3 });
  const status = h("div", { "aria-live": "polite" });
  const form = h("form", { class: "card", id: "close-form" }, h("h2", {}, "Close the cycle"),
    h("label", { for: "cycle-reflection" }, "Reflection: what changed, what comes next"), reflection, status,
    h("div", { class: "actions" }, h("button", { type: "submit" }, "Close with this reflection")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      await post(`/cycles/${encodeURIComponent(cycle.id)}/close`, { reflection: reflection.value });
      toast("Cycle closed");
      await onClosed();
    } catch (error) {
      replace(status, errorBox(error));
    }
  });
  return form;
}

export async function renderCycle(main, params, cycleId) {
  const framework = await loadFramework();
  async function show() {
    const cycle = await get(`/cycles/${encodeURIComponent(cycleId)}`);
    const me = session.user();
    const works = cycle.status === "open" && [cycle.teacher_id, cycle.coach_id].includes(me.user_id);
    const weeks = new Map();
    for (const item of cycle.evidence) {
      if (!weeks.has(item.week)) weeks.set(item.week, []);
      weeks.get(item.week).push(item);
    }
    const titles = new Map((works ? await videosOf(cycle) : []).map((v) => [v.id, v.title]));
    replace(main,
      h("div", { class: "page-head" }, h("h1", {}, cycle.goal),
        h("p", {}, tagChips(framework, [cycle.element]), " ",
          h("span", { class: `badge badge-${cycle.status === "open" ? "processing" : "ready"}`, id: "cycle-status" },
            cycle.status === "open" ? "Open" : "Closed"))),
      h("p", { class: "muted" }, `Teacher ${cycle.teacher_id} · coach ${cycle.coach_id} · opened ${new Date(cycle.opened_at).toLocaleDateString()} by ${cycle.opened_by}`),
      h("section", { class: "card", id: "cycle-evidence", "aria-labelledby": "evidence-h" },
        h("h2", { id: "evidence-h" }, "Evidence"),
        cycle.evidence.length ? [...weeks.entries()].map(([week, items]) => h("div", { class: "cycle-week" },
          h("h3", {}, `Week ${week}`),
          h("ul", {}, items.map((item) => h("li", { class: "evidence-item" },
            h("a", { href: `#/videos/${encodeURIComponent(item.video_id)}${item.comment_id ? `?t=${item.at_s}&comment=${encodeURIComponent(item.comment_id)}` : ""}` },
              `${titles.get(item.video_id) || item.video_id}${item.at_s != null ? ` at ${timeLabel({ at_s: item.at_s })}` : ""}`),
            ` — ${item.note} `, h("span", { class: "muted" }, `(${item.added_by})`))))))
          : h("p", { class: "muted" }, "No evidence yet.")),
      cycle.status === "closed"
        ? h("section", { class: "card", id: "cycle-reflection-view" }, h("h2", {}, "Reflection"),
          h("p", { class: "prewrap" }, cycle.reflection),
          h("p", { class: "muted" }, `Closed ${new Date(cycle.closed_at).toLocaleString()} by ${cycle.closed_by}`))
        : null,
      works ? evidenceForm(cycle, [...titles.entries()].map(([id, title]) => ({ id, title })), show) : null,
      works ? closeForm(cycle, show) : null);
  }
  await show();
  return null;
}
