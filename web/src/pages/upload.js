// Upload: drag-and-drop or pick a file, title + reflection, progress,
// pause/resume, and resume after a reload (multipart: the parts S3 already
// holds are listed and skipped). Any file can be chosen: what a file is comes
// from its bytes, which the server probes when it lands (camcorders' .MTS often
// come with no type at all); a refusal comes back as the video's reason, in the
// teacher's words. Only an empty or too large file is refused before any byte is
// sent. "Upload a new file" for a failed video (?replaces=ID) carries its title
// and reflection over and deletes the failed one once the new file is sent.
import Uppy from "@uppy/core";
import AwsS3 from "@uppy/aws-s3";
import { get, post, del, api } from "../api.js";
import { installCompanionAdapter, rememberPostUpload } from "../companion.js";
import { apiBase, loadConfig } from "../config.js";
import { h, replace, bytes, errorBox } from "../ui.js";

const PENDING_KEY = "classreel.pending-upload";

function loadPending() {
  try {
    return JSON.parse(localStorage.getItem(PENDING_KEY)) || null;
  } catch {
    return null;
  }
}
const savePending = (value) => localStorage.setItem(PENDING_KEY, JSON.stringify(value));
const clearPending = () => localStorage.removeItem(PENDING_KEY);

async function uploadConfig() {
  const config = await loadConfig();
  return config.upload || {
    max_bytes: 10 * 1024 ** 3,
    extensions: ["mp4", "mov", "m4v", "3gp", "3g2", "mts", "m2ts", "ts", "m2t", "mkv", "webm", "avi", "mpg", "mpeg", "vob", "mod", "tod"],
    content_types: [],
  };
}

const TYPE_BY_EXTENSION = {
  mp4: "video/mp4", mov: "video/quicktime", m4v: "video/x-m4v", webm: "video/webm",
  avi: "video/x-msvideo", mkv: "video/x-matroska", "3gp": "video/3gpp",
};

function contentTypeOf(file) {
  const extension = file.name.split(".").pop().toLowerCase();
  if (file.type && file.type.startsWith("video/")) return file.type;
  return TYPE_BY_EXTENSION[extension] || file.type || "application/octet-stream";
}

const sameFile = (pending, file) => pending && pending.name === file.name
  && pending.size === file.size && pending.last_modified === file.lastModified;

export async function render(main, params) {
  installCompanionAdapter();
  const replacesId = params?.get("replaces") || null;
  const [limits, replaced] = await Promise.all([
    uploadConfig(),
    replacesId ? get(`/videos/${encodeURIComponent(replacesId)}`).catch(() => null) : null,
  ]);
  let partSize = 5 * 1024 * 1024;
  const uppy = new Uppy({
    autoProceed: false,
    allowMultipleUploadBatches: true,
    restrictions: {
      maxNumberOfFiles: 1,
      minFileSize: 1,
      maxFileSize: limits.max_bytes,
    },
  });
  uppy.use(AwsS3, {
    companionEndpoint: `${location.origin}${apiBase()}`,
    shouldUseMultipart: (file) => file.meta.mode === "multipart",
    getChunkSize: () => partSize,
    allowedMetaFields: ["video_id"],
    limit: 1,
  });

  let file = null;
  let videoId = null;
  const pending = loadPending();

  // No accept filter: a file dialog that filters by name or type hides camcorder
  // files whose names or types the system does not know as video.
  const input = h("input", { type: "file", id: "file", "aria-describedby": "file-hint" });
  let refusal = null;
  const chosen = h("p", { class: "muted", id: "chosen", "aria-live": "polite" }, "No file chosen yet.");
  const errors = h("div", { id: "upload-errors", "aria-live": "assertive" });
  const title = h("input", { type: "text", id: "title", name: "title", required: true, maxlength: 200 });
  const reflection = h("textarea", { id: "reflection", name: "reflection", rows: 5, maxlength: 10000 });
  const progress = h("progress", { id: "upload-progress", max: 100, value: 0, "aria-label": "Upload progress" });
  const progressText = h("span", { id: "upload-progress-text", "aria-live": "polite" }, "");
  const submit = h("button", { type: "submit", class: "primary" }, "Upload");
  const pause = h("button", { type: "button", id: "pause", hidden: true }, "Pause");
  const resumeNote = h("div", { id: "resume-note" });

  function showError(message) {
    replace(errors, errorBox({ message }));
  }

  function choose(picked) {
    replace(errors);
    refusal = null;
    uppy.cancelAll();
    file = null;
    try {
      const id = uppy.addFile({ name: picked.name, type: contentTypeOf(picked), data: picked, source: "Local" });
      file = uppy.getFile(id);
    } catch (error) {
      refusal = picked.size > limits.max_bytes
        ? `${picked.name} is ${bytes(picked.size)}; the largest video you can upload is ${bytes(limits.max_bytes)}.`
        : picked.size === 0
          ? `${picked.name} is empty: choose the video file itself.`
          : `${picked.name} can't be uploaded: ${error.message}`;
      showError(refusal);
      replace(chosen, "No file chosen yet.");
      return;
    }
    replace(chosen, `${picked.name} · ${bytes(picked.size)}`);
    if (sameFile(pending, picked)) {
      title.value = pending.title;
      reflection.value = pending.reflection || "";
      replace(chosen, `${picked.name} · ${bytes(picked.size)} — this continues your unfinished upload.`);
    } else if (!title.value) {
      title.value = picked.name.replace(/\.[^.]+$/, "").replace(/[_-]+/g, " ");
    }
  }

  input.addEventListener("change", () => input.files[0] && choose(input.files[0]));
  const drop = h("div", { class: "dropzone", id: "dropzone" },
    h("p", {}, "Drag a video here, or "),
    h("label", { for: "file", class: "button" }, "Choose a file"),
    input,
    h("p", { class: "muted", id: "file-hint" }, `Any video from a phone or a school camera (MP4, MOV, MTS, AVI, MKV, …), up to ${bytes(limits.max_bytes)}. We check the file itself once it arrives.`),
    chosen);
  drop.addEventListener("dragover", (event) => { event.preventDefault(); drop.classList.add("over"); });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (event) => {
    event.preventDefault();
    drop.classList.remove("over");
    const picked = event.dataTransfer.files[0];
    if (picked) choose(picked);
  });

  pause.addEventListener("click", () => {
    if (!file) return;
    const paused = uppy.pauseResume(file.id);
    pause.textContent = paused ? "Resume" : "Pause";
    progressText.textContent = paused ? "Paused" : progressText.textContent;
  });

  uppy.on("upload-progress", (_, p) => {
    const percent = p.bytesTotal ? Math.floor((p.bytesUploaded / p.bytesTotal) * 100) : 0;
    progress.value = percent;
    progressText.textContent = `${percent}% · ${bytes(p.bytesUploaded)} of ${bytes(p.bytesTotal)}`;
  });
  uppy.on("upload-success", async () => {
    clearPending();
    progress.value = 100;
    progressText.textContent = "Uploaded. Processing starts now.";
    // The new file is in: the failed video it replaces goes.
    if (replaced?.status === "failed") await del(`/videos/${encodeURIComponent(replaced.id)}`).catch((error) => console.warn(error));
    location.hash = `#/videos/${encodeURIComponent(videoId)}`;
  });
  uppy.on("upload-error", (_, error) => {
    pause.hidden = true;
    submit.disabled = false;
    submit.textContent = "Retry";
    showError(`The upload stopped: ${error.message}. Press Retry, or reload and choose the same file to continue.`);
  });

  async function start(event) {
    event.preventDefault();
    replace(errors);
    // A refused file keeps its reason until another file is chosen.
    if (!file) return showError(refusal || "Choose a video file first.");
    if (submit.textContent === "Retry") {
      submit.disabled = true;
      pause.hidden = false;
      uppy.retryAll();
      return;
    }
    submit.disabled = true;
    try {
      if (sameFile(pending, file.data)) {
        videoId = pending.video_id;
        if (pending.mode === "multipart") {
          partSize = pending.part_size;
          uppy.setFileMeta(file.id, { video_id: videoId, mode: "multipart" });
          uppy.setFileState(file.id, { s3Multipart: { key: pending.key, uploadId: pending.upload_id } });
        } else {
          if (new Date(pending.expires_at) < new Date()) {
            clearPending();
            throw new Error("The upload link has expired; please upload the file again.");
          }
          rememberPostUpload(videoId, pending.post);
          uppy.setFileMeta(file.id, { video_id: videoId, mode: "post" });
        }
      } else {
        const created = await post("/videos", {
          title: title.value,
          reflection: reflection.value || null,
          filename: file.name,
          content_type: file.type,
          size_bytes: file.size,
        });
        videoId = created.video.id;
        const upload = created.upload;
        const record = {
          video_id: videoId, name: file.name, size: file.size, last_modified: file.data.lastModified,
          title: title.value, reflection: reflection.value, mode: upload.mode, expires_at: upload.expires_at,
        };
        if (upload.mode === "multipart") {
          partSize = upload.part_size;
          Object.assign(record, { key: upload.key, upload_id: upload.upload_id, part_size: upload.part_size });
        } else {
          rememberPostUpload(videoId, upload);
          record.post = { url: upload.url, fields: upload.fields };
        }
        savePending(record);
        uppy.setFileMeta(file.id, { video_id: videoId, mode: upload.mode });
      }
    } catch (error) {
      submit.disabled = false;
      showError(error.message);
      return;
    }
    pause.hidden = false;
    progressText.textContent = "Starting…";
    uppy.upload();
  }

  async function discard() {
    const stale = loadPending();
    clearPending();
    replace(resumeNote);
    if (stale?.mode === "multipart") {
      try {
        await api("DELETE", `/s3/multipart/${encodeURIComponent(stale.upload_id)}?key=${encodeURIComponent(stale.key)}`);
      } catch (error) {
        console.warn(error);
      }
    }
  }

  if (pending) {
    replace(resumeNote, h("div", { class: "notice", role: "note" },
      h("p", {}, h("strong", {}, "Unfinished upload: "), `${pending.title} (${pending.name}, ${bytes(pending.size)}). `,
        "Choose the same file again to continue where it stopped."),
      h("button", { type: "button", onclick: discard }, "Discard it")));
  }

  if (replaced) {
    title.value = replaced.title;
    reflection.value = replaced.reflection || "";
  }
  replace(main,
    h("h1", {}, replaced ? "Upload a new file" : "Upload a lesson"),
    replaced ? h("div", { class: "notice", id: "replaces-note", role: "note" },
      h("p", {}, `This replaces “${replaced.title}”`, replaced.failure_reason ? `, which could not be used: ${replaced.failure_reason}` : "",
        " It is deleted once the new file is uploaded.")) : null,
    resumeNote,
    h("form", { class: "card upload-form", onsubmit: start, novalidate: true },
      drop,
      errors,
      h("label", { for: "title" }, "Title"),
      title,
      h("label", { for: "reflection" }, "Your reflection"),
      h("p", { class: "hint", id: "reflection-hint" }, "What were you working on? What should your coach look for?"),
      reflection,
      h("div", { class: "progress-row" }, progress, progressText),
      h("div", { class: "actions" }, submit, pause)));
  reflection.setAttribute("aria-describedby", "reflection-hint");
  return () => {
    // Leaving the page pauses rather than abandons: the upload can resume.
    if (file && uppy.getFile(file.id)) uppy.pauseAll();
  };
}
