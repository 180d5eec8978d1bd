// The people picker: find people (by given or family name, or email) and groups of the
// district as you type, with each person's role and schools shown, instead of typing ids.
// An ARIA combobox: arrows move through the results, Enter picks, Escape closes.
import { get, query } from "./api.js";
import { h, replace, roleWord } from "./ui.js";

const GROUP_WORDS = { plc: "PLC", team: "Team", caseload: "Caseload" };
const WAIT_MS = 200;

const capitalized = (word) => word.charAt(0).toUpperCase() + word.slice(1);
export const roleWords = (roles) => roles.map((r) => capitalized(roleWord(r))).join(", ");
export const groupWord = (kind) => GROUP_WORDS[kind] || "Group";

// A person's line: "Coach · North Elementary, South Middle".
export function personDetail(person) {
  const schools = (person.schools || []).map((s) => s.name).join(", ");
  return [roleWords(person.roles || []), schools].filter(Boolean).join(" · ");
}

// ``onPick({id, kind, name, detail})``; ``groups``: offer groups too; ``exclude(id)``: hide.
export function peoplePicker({ id, label, groups = true, onPick, exclude = () => false }) {
  const listId = `${id}-results`;
  const input = h("input", {
    type: "search",
    id,
    role: "combobox",
    autocomplete: "off",
    "aria-autocomplete": "list",
    "aria-expanded": "false",
    "aria-controls": listId,
    placeholder: groups ? "Type a name, an email or a group" : "Type a name or an email",
  });
  const list = h("ul", { id: listId, role: "listbox", class: "picker-results", hidden: true });
  const status = h("p", { class: "hint picker-status", "aria-live": "polite" });
  let options = [];
  let active = -1;
  let timer = null;
  let asked = 0;

  function close() {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  }

  function highlight(index) {
    active = index;
    options.forEach((option, i) => option.el.setAttribute("aria-selected", String(i === index)));
    if (options[index]) {
      input.setAttribute("aria-activedescendant", options[index].el.id);
      options[index].el.scrollIntoView({ block: "nearest" });
    }
  }

  function pick(option) {
    onPick(option.choice);
    input.value = "";
    replace(status, `Added ${option.choice.name}.`);
    close();
    input.focus();
  }

  function show(found) {
    const choices = [
      ...(groups ? found.groups.map((g) => ({ id: g.id, kind: "group", name: g.name, detail: groupWord(g.kind) })) : []),
      ...found.people.map((p) => ({ id: p.id, kind: "person", name: p.name, detail: personDetail(p), email: p.email })),
    ].filter((choice) => !exclude(choice.id));
    options = choices.map((choice, index) => {
      const el = h("li", {
        id: `${id}-option-${index}`,
        role: "option",
        class: `picker-option picker-${choice.kind}`,
        "aria-selected": "false",
        dataset: { id: choice.id, kind: choice.kind },
        onmousedown: (event) => event.preventDefault(), // keep the input's focus
        onclick: () => pick(options[index]),
      },
      h("strong", { class: "picker-name" }, choice.name),
      choice.email ? h("span", { class: "muted" }, ` ${choice.email}`) : null,
      h("span", { class: "picker-detail muted" }, ` — ${choice.detail || (choice.kind === "group" ? "Group" : "")}`));
      return { el, choice };
    });
    replace(list, options.map((o) => o.el));
    list.hidden = options.length === 0;
    input.setAttribute("aria-expanded", String(options.length > 0));
    replace(status, options.length ? `${options.length} found` : "Nobody found by that name");
    highlight(options.length ? 0 : -1);
  }

  async function search() {
    const text = input.value.trim();
    if (!text) {
      close();
      replace(status);
      return;
    }
    const mine = ++asked;
    try {
      const found = await get(`/directory/search${query({ q: text, limit: 10 })}`);
      if (mine === asked) show(found);
    } catch (error) {
      if (mine === asked) replace(status, error.message);
    }
  }

  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(search, WAIT_MS);
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown" && options.length) {
      event.preventDefault();
      if (list.hidden) { list.hidden = false; input.setAttribute("aria-expanded", "true"); }
      highlight(Math.min(options.length - 1, active + 1));
    } else if (event.key === "ArrowUp" && options.length) {
      event.preventDefault();
      highlight(Math.max(0, active - 1));
    } else if (event.key === "Enter" && !list.hidden && options[active]) {
      event.preventDefault();
      pick(options[active]);
    } else if (event.key === "Escape") {
      close();
    }
  });
  input.addEventListener("blur", () => setTimeout(close, 150));

  return {
    el: h("div", { class: "picker" }, h("label", { for: id }, label), input, list, status),
    focus: () => input.focus(),
  };
}

// Who was chosen, each with a Remove button (its name said, for screen readers too).
export function chosenList({ id, empty, items, onRemove }) {
  const list = h("ul", { class: "chosen", id });
  function render(current) {
    replace(list, current.length
      ? current.map((item) => h("li", { class: `chosen-item chosen-${item.kind}`, dataset: { id: item.id, kind: item.kind } },
        h("span", { class: "chosen-name" }, item.name),
        item.detail ? h("span", { class: "muted" }, ` (${item.detail})`) : null,
        " ",
        onRemove ? h("button", {
          type: "button",
          class: "link remove",
          "aria-label": `Remove ${item.name}`,
          onclick: () => onRemove(item),
        }, "Remove") : null))
      : h("li", { class: "muted" }, empty));
  }
  render(items);
  return { el: list, render };
}
