// Collections: named, ordered sets of library clips a teacher leader or a PLC curates and
// shares with groups ("Wait time, grades 3-5"). The list, and a collection's page: its clips
// in order (move, remove, add from the library), who it is shared with (the picker).
import { get, post, patch, del, query } from "../api.js";
import { chosenList, peoplePicker } from "../picker.js";
import { h, replace, errorBox, clock } from "../ui.js";

export async function renderList(main) {
  const page = await get("/collections");
  const status = h("div", { "aria-live": "polite" });
  const title = h("input", { id: "collection-title", required: true, maxlength: 200 });
  const form = h("form", { class: "card", id: "collection-form", "aria-labelledby": "new-collection-h" },
    h("h2", { id: "new-collection-h" }, "New collection"),
    h("label", { for: "collection-title" }, "Title"), title,
    h("p", { class: "hint" }, "Add clips from the district library on the collection's page."),
    status,
    h("div", { class: "actions" }, h("button", { type: "submit", class: "primary" }, "Create collection")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const made = await post("/collections", { title: title.value.trim() });
      location.hash = `#/collections/${encodeURIComponent(made.id)}`;
    } catch (error) {
      replace(status, errorBox(error));
    }
  });
  replace(main,
    h("div", { class: "page-head" }, h("h1", {}, "Collections")),
    h("section", { class: "card", "aria-labelledby": "collections-h" },
      h("h2", { id: "collections-h" }, "Yours and shared with you"),
      page.items.length
        ? h("ul", { class: "collection-list", id: "collection-list" }, page.items.map((c) => h("li", {},
          h("a", { href: `#/collections/${encodeURIComponent(c.id)}` }, c.title),
          h("span", { class: "muted" }, ` — ${c.clips} clips, curated by ${c.owner_name}`))))
        : h("p", { class: "muted" }, "No collection yet.")),
    form);
  return null;
}

export async function renderCollection(main, params, collectionId) {
  const path = `/collections/${encodeURIComponent(collectionId)}`;
  let collection = await get(path);
  const status = h("div", { "aria-live": "polite", id: "collection-status" });
  const list = h("ol", { class: "collection-items", id: "collection-items" });
  const heading = h("h1", {}, collection.title);

  async function save(body, done) {
    try {
      collection = await patch(path, { version: collection.version, ...body });
      show();
      replace(status, h("p", { class: "ok" }, done));
    } catch (error) {
      replace(status, errorBox(error));
    }
  }
  const itemsBody = (items) => ({ items: items.map((i) => ({ clip_id: i.clip_id, note: i.note })) });
  function move(index, by) {
    const items = [...collection.items];
    const [item] = items.splice(index, 1);
    items.splice(index + by, 0, item);
    save(itemsBody(items), `Moved “${item.title}”.`);
  }
  function show() {
    heading.textContent = collection.title;
    const curate = collection.can_curate;
    replace(list, collection.items.length ? collection.items.map((item, index) => h("li", { class: "collection-item", dataset: { clip: item.clip_id } },
      item.available
        ? h("a", { href: `#/clips/${encodeURIComponent(item.clip_id)}` }, item.title)
        : h("span", { class: "muted" }, item.title),
      item.duration_s ? h("span", { class: "muted" }, ` ${clock(item.duration_s)}`) : null,
      item.note ? h("p", { class: "hint" }, item.note) : null,
      curate ? h("span", { class: "item-actions" },
        h("button", { type: "button", class: "link", disabled: index === 0, "aria-label": `Move ${item.title} up`, onclick: () => move(index, -1) }, "Up"),
        h("button", { type: "button", class: "link", disabled: index === collection.items.length - 1, "aria-label": `Move ${item.title} down`, onclick: () => move(index, 1) }, "Down"),
        h("button", {
          type: "button",
          class: "link",
          "aria-label": `Remove ${item.title}`,
          onclick: () => save(itemsBody(collection.items.filter((i) => i.clip_id !== item.clip_id)), `Removed “${item.title}”.`),
        }, "Remove")) : null))
      : h("li", { class: "muted" }, "No clips yet."));
    sharing.render(collection.shared_with);
  }
  const sharing = chosenList({
    id: "collection-sharing",
    empty: "Shared with nobody yet.",
    items: [],
    onRemove: (item) => save(sharingBody(collection.shared_with.filter((s) => s.id !== item.id)), `No longer shared with ${item.name}.`),
  });
  const sharingBody = (shared) => ({
    sharing: {
      users: shared.filter((s) => s.kind === "person").map((s) => s.id),
      groups: shared.filter((s) => s.kind === "group").map((s) => s.id),
    },
  });

  // Adding clips: search the district library, add a result at the end.
  const search = h("input", { type: "search", id: "library-search", placeholder: "Words of a title or a note" });
  const results = h("ul", { id: "library-results", class: "library-results" });
  async function find() {
    try {
      const page = await get(`/library${query({ q: search.value.trim() || undefined, limit: 20 })}`);
      replace(results, page.items.map((clip) => h("li", {},
        `${clip.title} `,
        h("button", {
          type: "button",
          disabled: collection.items.some((i) => i.clip_id === clip.clip_id),
          "aria-label": `Add ${clip.title}`,
          onclick: () => save(itemsBody([...collection.items, { clip_id: clip.clip_id, note: null }]), `Added “${clip.title}”.`),
        }, "Add"))));
    } catch (error) {
      replace(results, h("li", {}, errorBox(error)));
    }
  }
  const curatorTools = collection.can_curate ? [
    h("section", { class: "card", "aria-labelledby": "add-clips-h" },
      h("h2", { id: "add-clips-h" }, "Add clips from the library"),
      h("label", { for: "library-search" }, "Search the library"),
      h("form", { class: "inline-form", onsubmit: (event) => { event.preventDefault(); find(); } },
        search, h("button", { type: "submit" }, "Search")),
      results),
    h("section", { class: "card", "aria-labelledby": "collection-sharing-h" },
      h("h2", { id: "collection-sharing-h" }, "Shared with"),
      sharing.el,
      peoplePicker({
        id: "collection-picker",
        label: "Share with a person or a group",
        exclude: (id) => collection.shared_with.some((s) => s.id === id),
        onPick: (choice) => save(sharingBody([...collection.shared_with, choice]), `Shared with ${choice.name}.`),
      }).el),
    h("div", { class: "actions" }, h("button", {
      type: "button",
      class: "danger",
      id: "delete-collection",
      onclick: async () => {
        if (!confirm(`Delete “${collection.title}”? Its clips stay in the library.`)) return;
        try {
          await del(path);
          location.hash = "#/collections";
        } catch (error) {
          replace(status, errorBox(error));
        }
      },
    }, "Delete this collection")),
  ] : [];
  replace(main,
    h("div", { class: "page-head" }, heading,
      h("p", { class: "muted" }, `Curated by ${collection.owner_name}`,
        collection.curator_group ? ` and ${collection.curator_group.name}` : "")),
    collection.description ? h("p", {}, collection.description) : null,
    h("section", { class: "card", "aria-labelledby": "clips-h" }, h("h2", { id: "clips-h" }, "Clips"), list),
    status,
    ...curatorTools,
    h("p", {}, h("a", { href: "#/collections" }, "All collections")));
  show();
  if (collection.can_curate) find();
  return null;
}
