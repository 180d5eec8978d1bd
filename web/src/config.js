// What this deployment tells the client (GET /web-config.json): how people sign
// in, where the API lives (the local twin: the origin itself; AWS: /api on the
// same origin) and the upload limits. Read once per page load.
let loaded = null;
let current = { auth: "local", api_base: "", upload: null };

export function loadConfig() {
  loaded ??= fetch("/web-config.json", { headers: { Accept: "application/json" } })
    .then((response) => {
      if (!response.ok) throw new Error("This deployment has no web configuration (web-config.json)");
      return response.json();
    })
    .then((config) => {
      current = { ...current, ...config };
      return current;
    })
    .catch((error) => {
      loaded = null;
      throw error;
    });
  return loaded;
}

export const config = () => current;
export const apiBase = () => (current.api_base || "").replace(/\/$/, "");
