// Small DOM helpers. Text always goes in as text nodes, never as HTML.

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") {
      el.addEventListener(name.slice(2).toLowerCase(), value);
    } else if (name === "class") {
      el.className = value;
    } else if (name === "style" && typeof value === "object") {
      for (const [property, setting] of Object.entries(value)) {
        if (property.startsWith("--")) el.style.setProperty(property, setting);
        else el.style[property] = setting;
      }
    } else if (name === "dataset") {
      Object.assign(el.dataset, value);
    } else if (name in el && typeof value !== "string") {
      el[name] = value;
    } else {
      el.setAttribute(name, value === true ? "" : String(value));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

export function clock(seconds) {
  const s = Math.max(0, Math.floor(Number(seconds) || 0));
  const hours = Math.floor(s / 3600);
  const minutes = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, "0");
  return hours ? `${hours}:${String(minutes).padStart(2, "0")}:${rest}` : `${minutes}:${rest}`;
}

// "1:05", "1:02:03" or plain seconds ("65", "65.5") → seconds; NaN when it is neither.
export function parseClock(text) {
  const value = String(text || "").trim();
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value);
  if (!/^\d+(:\d{1,2}){1,2}(\.\d+)?$/.test(value)) return NaN;
  return value.split(":").reduce((total, part) => total * 60 + Number(part), 0);
}

export function duration(seconds) {
  if (seconds === null || seconds === undefined) return "";
  const s = Math.round(seconds);
  if (s < 90) return `${s} s`;
  if (s < 5400) return `${Math.round(s / 60)} min`;
  if (s < 172800) return `${Math.round(s / 3600)} h`;
  return `${Math.round(s / 86400)} days`;
}

// Powers of 1024, as the server's limits are set (10 GiB reads "10.0 GB").
export function bytes(n) {
  const units = ["bytes", "KB", "MB", "GB", "TB"];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit ? `${value.toFixed(1)} ${units[unit]}` : `${value} bytes`;
}

const STATUS_TEXT = {
  uploading: "Uploading",
  processing: "Processing",
  ready: "Ready",
  failed: "Failed",
  pending: "Pending",
  in_review: "In review",
  approved: "Approved",
  rejected: "Rejected",
  unpublished: "Unpublished",
  withdrawn: "Withdrawn",
};

const ROLE_WORDS = { teacher: "teacher", coach: "coach", reviewer: "reviewer", admin: "district admin", system: "ClassReel" };
export const roleWord = (role) => ROLE_WORDS[role] || role || "";

export const statusWord = (status) => STATUS_TEXT[status] || status;

export function badge(status, extra = "") {
  return h("span", { class: `badge badge-${status}`, dataset: { status } },
    (STATUS_TEXT[status] || status) + extra);
}

export function toast(message, kind = "info") {
  const el = document.getElementById("toast");
  el.textContent = message;
  el.className = `toast toast-${kind} show`;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { el.className = "toast"; }, 4000);
}

// Framework elements get stable colours by their position in the framework.
const PALETTE = ["#1b7f79", "#c2410c", "#6d28d9", "#0369a1", "#b91c1c", "#4d7c0f", "#a16207", "#be185d"];

export function elementColour(framework, id) {
  const index = framework.elements.findIndex((e) => e.id === id);
  if (index >= 0 && framework.elements[index].colour) return framework.elements[index].colour;
  return index < 0 ? "#64748b" : PALETTE[index % PALETTE.length];
}

export function elementLabel(framework, id) {
  const element = framework.elements.find((e) => e.id === id);
  return element ? element.label : id;
}

export function tagChips(framework, tags) {
  return h("span", { class: "chips" }, tags.map((tag) =>
    h("span", { class: "chip", style: { "--chip": elementColour(framework, tag) } },
      elementLabel(framework, tag))));
}

export function elementCheckboxes(framework, name, selected = []) {
  return h("fieldset", { class: "elements" },
    h("legend", {}, "Framework elements"),
    framework.elements.filter((e) => !e.retired).map((e) =>
      h("label", { class: "check", style: { "--chip": elementColour(framework, e.id) } },
        h("input", { type: "checkbox", name, value: e.id, checked: selected.includes(e.id) }),
        " ", e.label)));
}

export function checkedValues(form, name) {
  return [...form.querySelectorAll(`input[name="${name}"]:checked`)].map((i) => i.value);
}

export function errorBox(error) {
  return h("p", { class: "error", role: "alert" }, error.message || String(error));
}

export function poll(fn, intervalMs, isDone) {
  let stopped = false;
  let timer = null;
  const tick = async () => {
    if (stopped) return;
    let done = false;
    try {
      done = await isDone(await fn());
    } catch (error) {
      console.warn(error);
    }
    if (!done && !stopped) timer = setTimeout(tick, intervalMs);
  };
  timer = setTimeout(tick, intervalMs);
  return () => { stopped = true; clearTimeout(timer); };
}
