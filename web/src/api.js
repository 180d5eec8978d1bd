// The API client: same origin, bearer token from the signed-in session.
import { apiBase } from "./config.js";
import { session } from "./session.js";

export class ApiError extends Error {
  constructor(status, body) {
    super((body && body.message) || `Request failed (${status})`);
    this.status = status;
    this.code = body && body.error;
    this.body = body || {};
  }
}

export async function api(method, path, body, { renewed = false } = {}) {
  const headers = { Accept: "application/json" };
  const token = await session.freshToken();
  if (token) headers.Authorization = `Bearer ${token}`;
  const init = { method, headers };
  if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const response = await fetch(`${apiBase()}${path}`, init);
  const text = await response.text();
  let data = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = { message: text };
    }
  }
  if (response.status === 401) {
    // An ID token that ended early (a sleeping laptop): renew once with the refresh token.
    if (!renewed && (await session.renew())) return api(method, path, body, { renewed: true });
    session.clear();
    location.hash = "#/sign-in";
  }
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

export const get = (path) => api("GET", path);
export const post = (path, body = {}) => api("POST", path, body);
export const patch = (path, body) => api("PATCH", path, body);
export const put = (path, body) => api("PUT", path, body);
export const del = (path) => api("DELETE", path);

export function query(params) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== "") search.set(key, value);
  }
  const text = search.toString();
  return text ? `?${text}` : "";
}

let frameworkPromise = null;
export function framework() {
  frameworkPromise ??= get("/framework").catch((error) => {
    frameworkPromise = null;
    throw error;
  });
  return frameworkPromise;
}
export function forgetFramework() {
  frameworkPromise = null;
}
