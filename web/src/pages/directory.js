// The district's directory, for its admins: people (roles, schools, switched on or off),
// a new person, a coach's caseload, and the rostering import (a dry run, then apply).
import { get, post, patch, query } from "../api.js";
import { chosenList, personDetail, peoplePicker, roleWords } from "../picker.js";
import { h, replace, errorBox } from "../ui.js";

const ROLES = ["teacher", "coach", "reviewer", "admin"];

function roleBoxes(name, chosen) {
  return h("fieldset", { class: "roles" }, h("legend", {}, "Roles"),
    ROLES.map((role) => h("label", { class: "check" },
      h("input", { type: "checkbox", name, value: role, checked: chosen.includes(role) }), ` ${roleWords([role])}`)));
}

function schoolBoxes(name, schools, chosen) {
  return h("fieldset", { class: "schools" }, h("legend", {}, "Schools"),
    schools.map((school) => h("label", { class: "check" },
      h("input", { type: "checkbox", name, value: school.id, checked: chosen.includes(school.id) }), ` ${school.name}`)));
}

const checked = (form, name) => [...form.querySelectorAll(`input[name="${name}"]:checked`)].map((i) => i.value);

function personRow(person, schools, onSaved) {
  const status = h("div", { "aria-live": "polite" });
  const details = h("details", { class: "person-edit" }, h("summary", {}, `Edit ${person.name}`));
  const form = h("form", { dataset: { person: person.id } },
    roleBoxes(`roles-${person.id}`, person.roles),
    schoolBoxes(`schools-${person.id}`, schools, person.schools.map((s) => s.id)),
    h("label", { class: "check" },
      h("input", { type: "checkbox", name: "active", checked: person.active }), " Can sign in (switched on)"),
    status,
    h("div", { class: "actions" }, h("button", { type: "submit" }, "Save")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const saved = await patch(`/directory/people/${encodeURIComponent(person.id)}`, {
        version: person.version,
        roles: checked(form, `roles-${person.id}`),
        schools: checked(form, `schools-${person.id}`),
        active: form.querySelector('input[name="active"]').checked,
      });
      onSaved(saved);
    } catch (error) {
      replace(status, errorBox(error));
    }
  });
  details.append(form);
  return h("li", { class: "person", dataset: { id: person.id, active: String(person.active) } },
    h("strong", {}, person.name), person.email ? h("span", { class: "muted" }, ` ${person.email}`) : null,
    h("span", {}, ` — ${personDetail(person)}`),
    person.active ? null : h("span", { class: "badge badge-failed" }, "Switched off"),
    details);
}

function peopleSection(schools) {
  const list = h("ul", { class: "people-list", id: "people-list" });
  const status = h("div");
  const more = h("button", { type: "button", id: "people-more", hidden: true }, "Load more");
  let cursor = null;
  const rows = new Map();
  function put(person) {
    const row = personRow(person, schools, (saved) => {
      put(saved);
    });
    if (rows.has(person.id)) rows.get(person.id).replaceWith(row);
    else list.append(row);
    rows.set(person.id, row);
  }
  async function load() {
    try {
      const page = await get(`/directory/people${query({ cursor, limit: 100 })}`);
      page.items.forEach(put);
      cursor = page.next_cursor;
      more.hidden = !cursor;
      replace(status);
    } catch (error) {
      replace(status, errorBox(error));
    }
  }
  more.addEventListener("click", load);
  load();
  return { el: h("section", { class: "card", "aria-labelledby": "people-h" }, h("h2", { id: "people-h" }, "People"), list, status, more), put };
}

function newPersonForm(schools, onAdded) {
  const status = h("div", { "aria-live": "polite" });
  const form = h("form", { class: "card", id: "person-form", "aria-labelledby": "new-person-h" },
    h("h2", { id: "new-person-h" }, "Add a person"),
    h("label", { for: "person-given" }, "Given name"), h("input", { id: "person-given", required: true, maxlength: 100 }),
    h("label", { for: "person-family" }, "Family name"), h("input", { id: "person-family", maxlength: 100 }),
    h("label", { for: "person-email" }, "Email (how they sign in)"), h("input", { id: "person-email", type: "email" }),
    roleBoxes("new-roles", ["teacher"]),
    schoolBoxes("new-schools", schools, []),
    status,
    h("div", { class: "actions" }, h("button", { type: "submit", class: "primary" }, "Add")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const person = await post("/directory/people", {
        given_name: form.querySelector("#person-given").value.trim(),
        family_name: form.querySelector("#person-family").value.trim(),
        email: form.querySelector("#person-email").value.trim() || null,
        roles: checked(form, "new-roles"),
        schools: checked(form, "new-schools"),
      });
      form.reset();
      replace(status, h("p", { class: "ok" }, `${person.name} added.`));
      onAdded(person);
    } catch (error) {
      replace(status, errorBox(error));
    }
  });
  return form;
}

function caseloadForm() {
  const status = h("div", { "aria-live": "polite" });
  let coach = null;
  const teachers = new Map();
  const coachList = chosenList({ id: "caseload-coach", empty: "No coach chosen.", items: [] });
  const teacherList = chosenList({
    id: "caseload-teachers",
    empty: "No teachers yet.",
    items: [],
    onRemove: (item) => { teachers.delete(item.id); teacherList.render([...teachers.values()]); },
  });
  const name = h("input", { id: "caseload-name", required: true, maxlength: 120 });
  const form = h("form", { class: "card", id: "caseload-form", "aria-labelledby": "caseload-h" },
    h("h2", { id: "caseload-h" }, "New caseload"),
    h("p", { class: "hint" }, "A coach sees what these teachers share with coaches, whatever their school."),
    h("label", { for: "caseload-name" }, "Name"), name,
    peoplePicker({ id: "caseload-coach-picker", label: "Coach", groups: false, onPick: (c) => { coach = c; coachList.render([c]); } }).el,
    coachList.el,
    peoplePicker({ id: "caseload-teacher-picker", label: "Add a teacher", groups: false, exclude: (id) => teachers.has(id), onPick: (t) => { teachers.set(t.id, t); teacherList.render([...teachers.values()]); } }).el,
    teacherList.el,
    status,
    h("div", { class: "actions" }, h("button", { type: "submit" }, "Create caseload")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const group = await post("/directory/groups", {
        name: name.value.trim(),
        kind: "caseload",
        owners: coach ? [{ id: coach.id }] : [],
        members: [...teachers.keys()].map((id) => ({ id })),
      });
      location.hash = `#/groups/${encodeURIComponent(group.id)}`;
    } catch (error) {
      replace(status, errorBox(error));
    }
  });
  return form;
}

function importSection(onApplied) {
  const input = h("input", { type: "file", id: "roster-files", multiple: true, accept: ".csv,text/csv" });
  const report = h("div", { id: "roster-report", "aria-live": "polite" });
  let files = null;
  async function dryRun() {
    files = {};
    for (const file of input.files) files[file.name] = await file.text();
    show(await post("/directory/imports", { files }));
  }
  function show(result) {
    const counts = result.counts;
    const lines = (title, people) => people.length ? h("details", {}, h("summary", {}, `${title} (${people.length})`),
      h("ul", {}, people.slice(0, 200).map((p) => h("li", {},
        p.line ? `Line ${p.line}: ` : "", `${p.name} <${p.email || "no email"}>`,
        p.changes?.length && title === "Update" ? ` — ${p.changes.join(", ")}` : "")))) : null;
    const apply = h("button", {
      type: "button",
      class: "primary",
      id: "roster-apply",
      disabled: !result.can_apply || result.applied,
      onclick: async () => {
        try {
          const applied = await post("/directory/imports", { files, apply: true, digest: result.digest });
          show(applied);
          onApplied();
        } catch (error) {
          replace(report, errorBox(error));
        }
      },
    }, "Apply");
    replace(report,
      h("p", { id: "roster-summary" }, result.applied ? "Imported: " : `OneRoster ${result.version}, dry run: `,
        `${counts.creates} to add, ${counts.updates} to update, ${counts.deactivations} to switch off, ${counts.unchanged} unchanged.`),
      Object.keys(result.skipped).length
        ? h("p", { class: "muted" }, "Not imported: ", Object.entries(result.skipped).map(([role, n]) => `${n} ${role}`).join(", "), ".")
        : null,
      result.errors.length ? h("ul", { class: "error", role: "alert", id: "roster-errors" }, result.errors.map((e) =>
        h("li", {}, `${e.file}${e.line ? ` line ${e.line}` : ""}${e.field ? ` (${e.field})` : ""}: ${e.message}`))) : null,
      lines("Add", result.creates), lines("Update", result.updates), lines("Switch off", result.deactivations),
      result.applied ? null : h("div", { class: "actions" }, apply));
  }
  const check = h("button", {
    type: "button",
    id: "roster-check",
    onclick: () => dryRun().catch((error) => replace(report, errorBox(error))),
  }, "Check (dry run)");
  return h("section", { class: "card", id: "roster", "aria-labelledby": "roster-h" },
    h("h2", { id: "roster-h" }, "Import from your student information system"),
    h("p", { class: "hint" }, "Choose the OneRoster 1.1 or 1.2 CSV files (orgs.csv, users.csv, and roles.csv for 1.2). Nothing changes until you apply."),
    h("label", { for: "roster-files" }, "CSV files"), input, h("div", { class: "actions" }, check), report);
}

export async function render(main) {
  const schools = (await get("/directory/schools")).items;
  const people = peopleSection(schools);
  replace(main,
    h("div", { class: "page-head" }, h("h1", {}, "Directory")),
    people.el,
    newPersonForm(schools, (person) => people.put(person)),
    caseloadForm(),
    importSection(() => location.reload()));
  return null;
}
