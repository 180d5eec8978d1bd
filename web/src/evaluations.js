// The evaluation panel beside the video. The evaluator (an admin the teacher shared the
// video with by name) scores each framework element on the district's rubric, links
// evidence to time-stamped comments, saves drafts and releases; the teacher sees what was
// released, responds and acknowledges. Both see every evaluation of the video they may
// see, with when it was released and acknowledged. A comment linked as evidence plays
// from its moment when clicked.
import { get, post, patch } from "./api.js";
import { loadAllThreads, timeLabel } from "./comments.js";
import { session } from "./session.js";
import { h, replace, errorBox, toast, elementLabel, tagChips } from "./ui.js";

const STATUS = { draft: "Draft", released: "Released", acknowledged: "Acknowledged" };
const rubrics = new Map();

async function rubricOf(version) {
  if (!rubrics.has(version)) rubrics.set(version, get(`/evaluations/rubric?version=${version}`));
  return rubrics.get(version);
}

function levelText(rubric, score) {
  const level = rubric.levels.find((l) => l.score === score);
  return level ? `${score} · ${level.label}` : String(score);
}

function when(iso) {
  return iso ? new Date(iso).toLocaleString() : "";
}

export function evaluationPanel({ video, framework, player, focus }) {
  const me = session.user();
  const isOwner = me.user_id === video.owner_id;
  const mayEvaluate = session.has("admin") && !isOwner;
  const basePath = `/videos/${encodeURIComponent(video.id)}/evaluations`;
  const list = h("div", { id: "evaluations" });
  const editor = h("div", { id: "evaluation-editor" });
  const el = h("section", { class: "card evaluations", id: "evaluation-panel", "aria-labelledby": "evaluations-h" },
    h("h2", { id: "evaluations-h" }, "Evaluations"), list, editor);
  let threads = [];

  function evidenceItem(commentId) {
    const comment = threads.find((t) => t.id === commentId);
    if (!comment) return h("li", { class: "muted" }, "A comment that has since been deleted");
    return h("li", { class: "evidence", dataset: { commentId } },
      h("button", {
        type: "button",
        class: "time",
        "aria-label": `Play from ${timeLabel(comment)}`,
        onclick: () => player.seek(comment.at_s),
      }, timeLabel(comment)),
      " ", tagChips(framework, comment.tags), " ", h("span", {}, comment.body));
  }

  async function card(evaluation) {
    const rubric = await rubricOf(evaluation.rubric_version);
    const mine = evaluation.evaluator_id === me.user_id;
    const item = h("article", {
      class: `evaluation evaluation-${evaluation.status}`,
      id: `evaluation-${evaluation.id}`,
      dataset: { evaluationId: evaluation.id, status: evaluation.status },
    },
    h("p", {}, h("span", { class: `badge badge-${evaluation.status === "draft" ? "pending" : "approved"}` },
      STATUS[evaluation.status]), " ",
      `${evaluation.evaluator_name || evaluation.evaluator_id}`,
      h("span", { class: "muted" }, ` · rubric version ${evaluation.rubric_version}`)),
    h("table", { class: "scores" },
      h("tbody", {}, Object.entries(evaluation.scores).map(([element, score]) => h("tr", {},
        h("th", { scope: "row" }, elementLabel(framework, element)),
        h("td", { dataset: { element, score } }, levelText(rubric, score)))))),
    h("p", { class: "prewrap summary" }, evaluation.summary),
    evaluation.evidence.length
      ? [h("h3", {}, "Evidence"), h("ul", { class: "evidence-list" }, evaluation.evidence.map(evidenceItem))]
      : null,
    h("ul", { class: "history muted" },
      h("li", {}, `Drafted ${when(evaluation.created_at)}`),
      evaluation.released_at ? h("li", {}, `Released ${when(evaluation.released_at)}`) : null,
      evaluation.acknowledged_at ? h("li", {}, `Acknowledged ${when(evaluation.acknowledged_at)}`) : null),
    evaluation.teacher_response
      ? h("blockquote", { class: "teacher-response" }, h("strong", {}, "Teacher's response: "), evaluation.teacher_response)
      : null);
    if (mine && evaluation.status === "draft") {
      item.append(h("div", { class: "actions" },
        h("button", { type: "button", class: "edit-draft", onclick: () => openEditor(evaluation) }, "Edit draft"),
        h("button", { type: "button", class: "primary release", onclick: () => release(evaluation) }, "Release to the teacher")));
    }
    if (isOwner && evaluation.status === "released") item.append(acknowledgeForm(evaluation));
    return item;
  }

  function acknowledgeForm(evaluation) {
    const response = h("textarea", { id: `response-${evaluation.id}`, rows: 3, maxlength: 10000 });
    const status = h("div", { "aria-live": "polite" });
    const form = h("form", { class: "acknowledge-form" },
      h("label", { for: response.id }, "Your response (optional)"), response, status,
      h("div", { class: "actions" }, h("button", { type: "submit", class: "primary" }, "Acknowledge")));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      try {
        await post(`${basePath}/${encodeURIComponent(evaluation.id)}/acknowledge`,
          response.value.trim() ? { response: response.value.trim() } : {});
        toast("Acknowledged");
        await refresh();
      } catch (error) {
        replace(status, errorBox(error));
      }
    });
    return form;
  }

  async function release(evaluation) {
    try {
      await post(`${basePath}/${encodeURIComponent(evaluation.id)}/release`);
      toast("Released to the teacher");
      await refresh();
    } catch (error) {
      toast(error.message, "error");
    }
  }

  async function openEditor(draft = null) {
    const rubric = await get("/evaluations/rubric");
    const active = framework.elements.filter((e) => !e.retired);
    const scores = draft ? draft.scores : {};
    const chosen = new Set(draft ? draft.evidence : []);
    const status = h("div", { "aria-live": "polite", id: "evaluation-status" });
    const summary = h("textarea", { id: "evaluation-summary", rows: 4, maxlength: 10000, required: true });
    summary.value = draft ? draft.summary : "";
    const form = h("form", { class: "evaluation-form", id: "evaluation-form" },
      h("h3", {}, draft ? "Edit the draft" : "New evaluation"),
      h("p", { class: "hint" }, `Rubric version ${rubric.version}: `,
        rubric.levels.map((l) => `${l.score} ${l.label}`).join(" · ")),
      active.map((element) => h("fieldset", { class: "score-row", dataset: { element: element.id } },
        h("legend", {}, element.label),
        rubric.levels.map((level) => h("label", { class: "check" },
          h("input", { type: "radio", name: `score-${element.id}`, value: level.score, checked: scores[element.id] === level.score }),
          ` ${level.score} ${level.label}`)))),
      h("fieldset", { class: "evidence-picker" }, h("legend", {}, "Evidence: time-stamped comments"),
        threads.length ? threads.map((c) => h("label", { class: "check block", dataset: { commentId: c.id } },
          h("input", { type: "checkbox", name: "evidence", value: c.id, checked: chosen.has(c.id) }),
          h("button", { type: "button", class: "time", onclick: () => player.seek(c.at_s) }, timeLabel(c)),
          " ", h("span", {}, c.body)))
          : h("p", { class: "muted" }, "No comments on this video yet.")),
      h("label", { for: "evaluation-summary" }, "Summary"), summary, status,
      h("div", { class: "actions" },
        h("button", { type: "submit", class: "primary", id: "save-draft" }, "Save draft"),
        h("button", { type: "button", onclick: () => replace(editor, newButton()) }, "Cancel")));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const picked = {};
      for (const element of active) {
        const input = form.querySelector(`input[name="score-${CSS.escape(element.id)}"]:checked`);
        if (input) picked[element.id] = Number(input.value);
      }
      const body = {
        scores: picked,
        summary: summary.value.trim(),
        evidence: [...form.querySelectorAll('input[name="evidence"]:checked')].map((i) => i.value),
      };
      if (!Object.keys(picked).length) {
        replace(status, errorBox({ message: "Score at least one element." }));
        return;
      }
      try {
        if (draft) await patch(`${basePath}/${encodeURIComponent(draft.id)}`, body);
        else await post(basePath, body);
        toast("Draft saved");
        await refresh();
      } catch (error) {
        replace(status, errorBox(error));
      }
    });
    replace(editor, form);
  }

  function newButton() {
    return mayEvaluate
      ? h("button", { type: "button", id: "new-evaluation", onclick: () => openEditor() }, "Evaluate this lesson")
      : null;
  }

  async function refresh() {
    const [page, loaded] = await Promise.all([get(basePath), loadAllThreads(`/videos/${encodeURIComponent(video.id)}/comments`)]);
    threads = loaded;
    const cards = await Promise.all(page.items.map(card));
    replace(list, cards.length ? cards : h("p", { class: "muted" }, isOwner
      ? "No evaluation has been released to you for this lesson."
      : "No evaluations yet."));
    replace(editor, newButton());
    if (focus) {
      const target = document.getElementById(`evaluation-${focus}`);
      target?.classList.add("highlight");
      target?.scrollIntoView({ block: "nearest" });
      focus = null;
    }
  }

  return { el, refresh };
}
