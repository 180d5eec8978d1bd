// Groups: the PLCs and teams you are in or lead (all of the district's for admins), and a
// group's page, where its owners and admins add and remove members with the people picker.
// Whoever is in a group sees what is shared with it; whoever leaves stops seeing it.
import { get, post, patch, del, query } from "../api.js";
import { session } from "../session.js";
import { chosenList, groupWord, peoplePicker } from "../picker.js";
import { h, replace, errorBox } from "../ui.js";

const KINDS = [["plc", "Professional learning community (PLC)"], ["team", "Team"]];

export async function renderList(main) {
  const page = await get("/directory/groups");
  const status = h("div", { "aria-live": "polite" });
  const name = h("input", { type: "text", id: "group-name", required: true, maxlength: 120 });
  const kinds = session.has("admin") ? [...KINDS, ["caseload", "Caseload (a coach's teachers)"]] : KINDS;
  const kind = h("select", { id: "group-kind" }, kinds.map(([value, label]) => h("option", { value }, label)));
  const form = h("form", { class: "card", id: "group-form", "aria-labelledby": "new-group-h" },
    h("h2", { id: "new-group-h" }, "New group"),
    h("label", { for: "group-name" }, "Name"), name,
    h("label", { for: "group-kind" }, "Kind"), kind,
    h("p", { class: "hint" }, "You lead the groups you make; add members on the group's page."),
    status,
    h("div", { class: "actions" }, h("button", { type: "submit", class: "primary" }, "Create group")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const body = { name: name.value.trim(), kind: kind.value };
      if (kind.value === "caseload") {
        replace(status, errorBox({ message: "Make caseloads from the directory page: a caseload needs its coach." }));
        return;
      }
      const group = await post("/directory/groups", body);
      location.hash = `#/groups/${encodeURIComponent(group.id)}`;
    } catch (error) {
      replace(status, errorBox(error));
    }
  });
  replace(main,
    h("div", { class: "page-head" }, h("h1", {}, "Groups")),
    h("section", { class: "card", "aria-labelledby": "my-groups-h" },
      h("h2", { id: "my-groups-h" }, session.has("admin") ? "The district's groups" : "Your groups"),
      page.items.length
        ? h("ul", { class: "group-list", id: "group-list" }, page.items.map((g) => h("li", {},
          h("a", { href: `#/groups/${encodeURIComponent(g.id)}` }, g.name),
          h("span", { class: "muted" }, ` — ${groupWord(g.kind)}`))))
        : h("p", { class: "muted" }, "You are in no group yet.")),
    form);
  return null;
}

export async function renderGroup(main, params, groupId) {
  const path = `/directory/groups/${encodeURIComponent(groupId)}`;
  let group = await get(path);
  const status = h("div", { "aria-live": "polite", id: "group-status" });
  const label = (m) => ({ ...m, detail: m.kind === "group" ? "group" : "" });

  async function change(action, done) {
    try {
      group = await action();
      show();
      replace(status, h("p", { class: "ok" }, done));
    } catch (error) {
      replace(status, errorBox(error));
    }
  }
  const remove = (relation) => (item) => change(
    () => del(`${path}/members/${encodeURIComponent(item.id)}${query({ kind: item.kind, relation })}`),
    `${item.name} is no longer ${relation === "owner" ? "an owner" : "a member"}.`);
  const members = chosenList({ id: "group-members", empty: "No members yet.", items: [], onRemove: group.can_manage ? remove("member") : null });
  const owners = chosenList({ id: "group-owners", empty: "No owners.", items: [], onRemove: group.can_manage ? remove("owner") : null });
  const add = (relation) => (choice) => change(
    () => post(`${path}/members`, { id: choice.id, kind: choice.kind, relation }),
    `${choice.name} is now ${relation === "owner" ? "an owner" : "a member"}.`);
  const inGroup = (id) => group.members.some((m) => m.id === id) || id === group.id;

  function show() {
    members.render(group.members.map(label));
    owners.render(group.owners.map(label));
    heading.textContent = group.name;
  }
  const heading = h("h1", {}, group.name);
  const manage = group.can_manage ? [
    peoplePicker({ id: "member-picker", label: "Add a member (a person or a group)", onPick: add("member"), exclude: inGroup }).el,
  ] : [];
  const manageOwners = group.can_manage ? [
    peoplePicker({ id: "owner-picker", label: "Add an owner", groups: false, onPick: add("owner"), exclude: (id) => group.owners.some((o) => o.id === id) }).el,
  ] : [];
  const rename = group.can_manage ? renameForm() : null;
  function renameForm() {
    const input = h("input", { type: "text", id: "group-rename", value: group.name, maxlength: 120 });
    const form = h("form", { class: "inline-form", id: "group-rename-form" },
      h("label", { for: "group-rename" }, "Name"), input,
      h("button", { type: "submit" }, "Rename"));
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      change(() => patch(path, { version: group.version, name: input.value.trim() }), "Renamed.");
    });
    return form;
  }
  replace(main,
    h("div", { class: "page-head" }, heading,
      h("p", { class: "muted" }, groupWord(group.kind), group.description ? ` — ${group.description}` : "")),
    h("section", { class: "card", "aria-labelledby": "members-h" },
      h("h2", { id: "members-h" }, "Members"),
      h("p", { class: "hint" }, "Members (and owners) see what is shared with the group; whoever leaves stops seeing it."),
      members.el, ...manage),
    h("section", { class: "card", "aria-labelledby": "owners-h" },
      h("h2", { id: "owners-h" }, "Owners"),
      owners.el, ...manageOwners, rename),
    status,
    group.can_manage ? h("div", { class: "actions" }, h("button", {
      type: "button",
      class: "danger",
      id: "delete-group",
      onclick: async () => {
        if (!confirm(`Delete “${group.name}”? What was shared with it is no longer shared with its members.`)) return;
        try {
          await del(path);
          location.hash = "#/groups";
        } catch (error) {
          replace(status, errorBox(error));
        }
      },
    }, "Delete this group")) : null,
    h("p", {}, h("a", { href: "#/groups" }, "All groups")));
  show();
  return null;
}
