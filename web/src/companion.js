// Uppy's @uppy/aws-s3 talks to our API through the companion protocol
// (/s3/multipart…), using the browser's fetch with no way to add headers. This
// adapter adds the signed-in user's token to those same-origin calls, and
// answers the protocol's /s3/params (the presigned POST for a small file) from
// the one POST /videos already issued for that video, so no second signature
// is minted.
import { apiBase } from "./config.js";
import { session } from "./session.js";

const postUploads = new Map();

export function rememberPostUpload(videoId, upload) {
  postUploads.set(videoId, { method: "POST", url: upload.url, fields: upload.fields, headers: {} });
}

let installed = false;

export function installCompanionAdapter() {
  if (installed) return;
  installed = true;
  const realFetch = window.fetch.bind(window);
  const prefix = `${location.origin}${apiBase()}/s3/`;
  window.fetch = (input, init = {}) => {
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    if (!url.startsWith(prefix)) return realFetch(input, init);
    const parsed = new URL(url);
    if (parsed.pathname === `${apiBase()}/s3/params`) {
      const params = postUploads.get(parsed.searchParams.get("metadata[video_id]"));
      const body = params || { error: "not_found", message: "No upload was issued for this file" };
      return Promise.resolve(new Response(JSON.stringify(body), {
        status: params ? 200 : 404,
        headers: { "Content-Type": "application/json" },
      }));
    }
    const headers = new Headers(init.headers || {});
    const token = session.token();
    if (token) headers.set("Authorization", `Bearer ${token}`);
    return realFetch(input, { ...init, headers });
  };
}
