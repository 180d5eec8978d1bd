// District settings for admins: the framework's elements, the QC checklist, the
// evaluation rubric and the retention policy. Each save writes what the admin read
// (its version): a stale one is refused with the API's message, nothing overwritten.
import { get, put, forgetFramework } from "../api.js";
import { h, replace, errorBox, elementColour } from "../ui.js";

const TABS = [
  ["framework", "Framework"],
  ["checklist", "QC checklist"],
  ["rubric", "Evaluation rubric"],
  ["retention", "Retention"],
];

function shell(main, tab, ...content) {
  replace(main,
    h("div", { class: "page-head" }, h("h1", {}, "District settings")),
    h("nav", { class: "tabs", "aria-label": "District settings" },
      h("ul", {}, TABS.map(([id, label]) => h("li", {},
        h("a", { href: `#/settings/${id}`, "aria-current": id === tab ? "page" : null }, label))))),
    ...content);
}

function saveBar(form, status, label, onSave) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      await onSave();
      replace(status, h("p", { class: "ok", role: "status" }, "Saved."));
    } catch (error) {
      replace(status, errorBox(error));
    }
  });
  return h("div", { class: "actions" }, h("button", { type: "submit", class: "primary" }, label));
}

const slug = (text) => text.toLowerCase().normalize("NFKD").replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 48);

// --- framework ----------------------------------------------------------------
function elementRow(framework, element, isNew) {
  const row = h("fieldset", { class: "element-row", dataset: { elementId: element.id || "" } },
    h("legend", {}, element.label || "New element"),
    h("label", {}, "Name", h("input", { name: "label", value: element.label || "", required: true, maxlength: 80 })),
    isNew ? h("p", { class: "hint" }, "Its id (used in tags) is made from the name.") : h("p", { class: "hint" }, `Id: ${element.id}`),
    h("label", {}, "Description", h("textarea", { name: "description", rows: 2, maxlength: 1000 }, element.description || "")),
    h("label", {}, "Colour", h("input", { type: "color", name: "colour", value: element.colour || elementColour(framework, element.id) })),
    h("label", {}, "Teacher actions (one per line)", h("textarea", { name: "actions", rows: 3 }, (element.teacher_actions || []).join("\n"))),
    h("label", { class: "check" }, h("input", { type: "checkbox", name: "retired", checked: Boolean(element.retired) }),
      " Retired: kept on existing comments, no longer offered for new tags"),
    h("button", { type: "button", class: "link", onclick: () => row.remove() }, "Remove this element"));
  row.querySelector('textarea[name="description"]').value = element.description || "";
  row.querySelector('textarea[name="actions"]').value = (element.teacher_actions || []).join("\n");
  return row;
}

export async function renderFramework(main) {
  const framework = await get("/framework");
  const rows = h("div", { id: "element-rows" }, framework.elements.map((e) => elementRow(framework, e, false)));
  const name = h("input", { id: "framework-name", value: framework.name, required: true });
  const status = h("div", { "aria-live": "polite", id: "framework-status" });
  const form = h("form", { class: "card", id: "framework-form" },
    h("label", { for: "framework-name" }, "Framework name"), name, rows,
    h("button", { type: "button", id: "add-element", onclick: () => rows.append(elementRow(framework, { id: "" }, true)) }, "Add an element"),
    status);
  form.append(saveBar(form, status, "Save framework", async () => {
    const elements = [...rows.querySelectorAll(".element-row")].map((row) => {
      const label = row.querySelector('[name="label"]').value.trim();
      return {
        id: row.dataset.elementId || slug(label),
        label,
        description: row.querySelector('[name="description"]').value.trim() || null,
        colour: row.querySelector('[name="colour"]').value,
        teacher_actions: row.querySelector('[name="actions"]').value.split("\n").map((a) => a.trim()).filter(Boolean),
        retired: row.querySelector('[name="retired"]').checked,
      };
    });
    const saved = await put("/framework", { name: name.value, elements, version: framework.version });
    framework.version = saved.version;
    forgetFramework();
  }));
  shell(main, "framework", h("p", { class: "muted" },
    "Elements already used to tag comments cannot be deleted (the count says where): retire them instead, and they stay on what they tag."), form);
  return null;
}

// --- QC checklist -------------------------------------------------------------
function criterionRow(item) {
  const row = h("li", { class: "criterion-row", dataset: { key: item.key || "" } },
    h("input", { name: "label", value: item.label || "", "aria-label": "Criterion", required: true, minlength: 3 }),
    h("button", { type: "button", class: "link", onclick: () => row.remove() }, "Remove"));
  return row;
}

export async function renderChecklist(main) {
  const checklist = await get("/review-queue/checklist");
  const rows = h("ol", { id: "criterion-rows", class: "editable-list" }, checklist.items.map(criterionRow));
  const status = h("div", { "aria-live": "polite", id: "checklist-status" });
  const version = h("p", { class: "muted", id: "checklist-version" }, `Version ${checklist.version}${checklist.updated_by ? ` by ${checklist.updated_by}` : " (the built-in checklist)"}`);
  const form = h("form", { class: "card", id: "checklist-form" }, version, rows,
    h("button", { type: "button", id: "add-criterion", onclick: () => rows.append(criterionRow({})) }, "Add a criterion"), status);
  form.append(saveBar(form, status, "Save as a new version", async () => {
    const items = [...rows.querySelectorAll(".criterion-row")].map((row) => {
      const label = row.querySelector('[name="label"]').value.trim();
      return { key: row.dataset.key || slug(label).replace(/-/g, "_").slice(0, 64), label };
    });
    const saved = await put("/review-queue/checklist", { items, version: checklist.version });
    checklist.version = saved.version;
    replace(version, `Version ${saved.version} by ${saved.updated_by}`);
  }));
  shell(main, "checklist", h("p", { class: "muted" },
    "Reviewers confirm every criterion before approving a clip. Approvals keep the version they confirmed."), form);
  return null;
}

// --- rubric -------------------------------------------------------------------
function levelRow(level) {
  const row = h("li", { class: "level-row" },
    h("input", { type: "number", name: "score", value: level.score ?? "", min: 0, max: 10, "aria-label": "Score", required: true }),
    h("input", { name: "label", value: level.label || "", "aria-label": "Label", required: true }),
    h("button", { type: "button", class: "link", onclick: () => row.remove() }, "Remove"));
  return row;
}

export async function renderRubric(main) {
  const rubric = await get("/evaluations/rubric");
  const rows = h("ol", { id: "level-rows", class: "editable-list" }, rubric.levels.map(levelRow));
  const status = h("div", { "aria-live": "polite", id: "rubric-status" });
  const form = h("form", { class: "card", id: "rubric-form" },
    h("p", { class: "muted", id: "rubric-version" }, `Version ${rubric.version}`), rows,
    h("button", { type: "button", id: "add-level", onclick: () => {
      const scores = [...rows.querySelectorAll('[name="score"]')].map((i) => Number(i.value));
      rows.append(levelRow({ score: scores.length ? Math.max(...scores) + 1 : 1 }));
    } }, "Add a level"), status);
  form.append(saveBar(form, status, "Save as a new version", async () => {
    const levels = [...rows.querySelectorAll(".level-row")].map((row) => ({
      score: Number(row.querySelector('[name="score"]').value),
      label: row.querySelector('[name="label"]').value.trim(),
    }));
    const saved = await put("/evaluations/rubric", { levels, version: rubric.version });
    rubric.version = saved.version;
  }));
  shell(main, "rubric", h("p", { class: "muted" },
    "Evaluators score each framework element on these levels. Evaluations keep the version they were scored on."), form);
  return null;
}

// --- retention ----------------------------------------------------------------
export async function renderRetention(main) {
  const policy = await get("/retention");
  const days = (name, label, value) => h("label", {}, label,
    h("input", { type: "number", name, min: 1, max: 3650, value: value ?? "", placeholder: "keep forever" }));
  const status = h("div", { "aria-live": "polite", id: "retention-status" });
  const form = h("form", { class: "card", id: "retention-form" },
    days("source_days", "Delete original uploads this many days after they are ready", policy.source_days),
    days("renditions_days", "Delete playable videos this many days after they are ready (never a library clip's)", policy.renditions_days),
    status);
  form.append(saveBar(form, status, "Save retention policy", async () => {
    const read = (name) => (form.querySelector(`[name="${name}"]`).value ? Number(form.querySelector(`[name="${name}"]`).value) : null);
    await put("/retention", { source_days: read("source_days"), renditions_days: read("renditions_days") });
  }));
  shell(main, "retention", h("p", { class: "muted" }, "Applied every day; videos on legal hold are never deleted."), form);
  return null;
}
