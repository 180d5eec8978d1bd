// A video that failed to process: its reason is shown by the page; here, what
// its teacher (or an admin) can do about it.
import { del } from "./api.js";
import { session } from "./session.js";
import { h, replace, toast, errorBox } from "./ui.js";

// What a teacher can do with a video that failed: try another file (the failed
// one goes once the new one is uploaded) or delete it.
export function failedActions(video, { onDeleted } = {}) {
  const me = session.user();
  const mine = me && me.user_id === video.owner_id;
  if (!mine && !session.has("admin")) return null;
  const status = h("div", { "aria-live": "polite" });
  const remove = h("button", { type: "button", class: "danger", dataset: { action: "delete" } }, "Delete");
  remove.setAttribute("aria-label", `Delete “${video.title}”`);
  remove.addEventListener("click", async () => {
    if (!confirm(`Delete “${video.title}”? Nothing of it can be watched.`)) return;
    remove.disabled = true;
    try {
      await del(`/videos/${encodeURIComponent(video.id)}`);
      toast("Deleted");
      if (onDeleted) onDeleted(); else location.hash = "#/videos?scope=mine";
    } catch (error) {
      remove.disabled = false;
      replace(status, errorBox(error));
    }
  });
  return h("div", { class: "actions failed-actions" },
    mine ? h("a", { class: "button", href: `#/upload?replaces=${encodeURIComponent(video.id)}`, "aria-label": `Upload a new file for “${video.title}”` }, "Upload a new file") : null,
    remove, status);
}
