// The player shared by the video, clip, review and library pages: an HTML5
// <video> streaming HLS (hls.js where the browser has Media Source Extensions,
// native HLS elsewhere, the MP4 renditions of videos processed before HLS), with
// a quality switch (automatic, or one rung; the first rung fits the player and
// the network), a captions <track> slot, a timeline that shows comment markers
// (points), coloured bands (ranges, by framework element), the marked in/out
// selection, and storyboard thumbnails, and controls of our own: play, the
// timeline, sound, quality and full screen are five tab stops (the browser's
// own controls take seven, and their buttons are small on a phone).
import Hls from "hls.js";
import { h, replace, clock, elementColour, elementLabel } from "./ui.js";

export function normaliseRenditions(renditions) {
  if (Array.isArray(renditions)) return renditions.map((r) => ({ label: r.label, url: r.url }));
  return Object.entries(renditions || {}).map(([label, url]) => ({ label, url }))
    .sort((a, b) => parseInt(b.label, 10) - parseInt(a.label, 10));
}

export async function loadStoryboard(vttUrl, spriteUrl) {
  if (!vttUrl) return [];
  const response = await fetch(vttUrl);
  if (!response.ok) return [];
  const text = await response.text();
  const cues = [];
  const toSeconds = (stamp) => stamp.split(":").reduce((acc, part) => acc * 60 + parseFloat(part), 0);
  for (const block of text.split(/\r?\n\r?\n/)) {
    const lines = block.split(/\r?\n/).filter(Boolean);
    const timing = lines.findIndex((line) => line.includes("-->"));
    if (timing < 0 || !lines[timing + 1]) continue;
    const [start, end] = lines[timing].split("-->").map((s) => toSeconds(s.trim().split(" ")[0]));
    const [file, fragment = ""] = lines[timing + 1].trim().split("#xywh=");
    const [x, y, w, hgt] = fragment.split(",").map(Number);
    const image = spriteUrl || new URL(file, vttUrl).href;
    cues.push({ start, end, image, x, y, w, h: hgt });
  }
  return cues;
}

// A rung's name, as the API names renditions: by the picture's short side.
const rungLabel = (level) => `${Math.min(level.width, level.height)}p`;

// A slow or metered connection starts on the lowest rung whatever the screen.
function slowNetwork() {
  const connection = navigator.connection;
  return Boolean(connection && (connection.saveData || ["slow-2g", "2g", "3g"].includes(connection.effectiveType)));
}

// The first rung: the smallest whose picture is at least as tall as the player
// shows it (CSS pixels: a phone's 390-pixel-wide player gets the low rung even on
// a dense screen), the lowest on a slow network. ``rungs`` are {width, height}.
export function fittingRung(rungs, playerWidth, { slow = slowNetwork() } = {}) {
  if (!rungs.length) return -1;
  const byHeight = rungs.map((rung, index) => ({ index, height: Math.min(rung.width, rung.height) }))
    .sort((a, b) => a.height - b.height);
  if (slow) return byHeight[0].index;
  const shown = (playerWidth || 640) * 9 / 16;
  return (byHeight.find((rung) => rung.height >= shown) || byHeight[byHeight.length - 1]).index;
}

function attachHls(video, quality, access) {
  const hls = new Hls({
    // A lesson still encoding has a growing (EVENT) playlist: start at its
    // beginning, not at its live edge.
    startPosition: 0,
    // Automatic quality never goes past what the player shows, in CSS pixels.
    capLevelToPlayerSize: true,
    ignoreDevicePixelRatio: true,
  });
  hls.on(Hls.Events.MANIFEST_PARSED, (_event, data) => {
    replace(quality,
      h("option", { value: "auto", selected: true }, "Auto"),
      data.levels.map((level, index) => h("option", { value: String(index) }, rungLabel(level))));
    const first = fittingRung(data.levels, video.clientWidth);
    if (first >= 0) {
      hls.startLevel = first;
      video.dataset.startLevel = rungLabel(data.levels[first]);
    }
  });
  hls.on(Hls.Events.LEVEL_SWITCHED, (_event, data) => {
    video.dataset.level = rungLabel(hls.levels[data.level]);
  });
  let recovering = false;
  hls.on(Hls.Events.ERROR, async (_event, data) => {
    const status = data.response?.code ?? data.networkDetails?.status;
    if (status === 403 || (data.fatal && data.type === Hls.ErrorTypes.NETWORK_ERROR)) {
      // Access ran out (a laptop asleep past the renewal): renew, then go on.
      if (recovering) return;
      recovering = true;
      try {
        await access.renew();
        hls.startLoad(video.currentTime);
      } finally {
        recovering = false;
      }
    } else if (data.fatal && data.type === Hls.ErrorTypes.MEDIA_ERROR) {
      hls.recoverMediaError();
    }
  });
  quality.addEventListener("change", () => {
    // -1 lets hls.js choose by bandwidth and player size again.
    hls.currentLevel = quality.value === "auto" ? -1 : Number(quality.value);
  });
  hls.loadSource(access.view.hls_url);
  hls.attachMedia(video);
  return hls;
}

function attachFiles(video, quality, sources) {
  const sized = sources.map((s) => ({ width: parseInt(s.label, 10) || 0, height: parseInt(s.label, 10) || 0 }));
  // Not laid out yet: about the width the page gives the player.
  const width = video.clientWidth || Math.min(window.innerWidth, 1200) * 0.62;
  const preferred = sources[fittingRung(sized, width)] || sources[0];
  replace(quality, sources.map((s) => h("option", { value: s.label, selected: s === preferred }, s.label)));
  if (preferred) {
    video.src = preferred.url;
    video.dataset.level = preferred.label;
  }
  quality.addEventListener("change", () => {
    const source = sources.find((s) => s.label === quality.value);
    const at = video.currentTime;
    const wasPlaying = !video.paused;
    video.src = source.url;
    video.dataset.level = source.label;
    video.addEventListener("loadedmetadata", () => {
      video.currentTime = at;
      if (wasPlaying) video.play().catch(() => {});
    }, { once: true });
  });
}

export function createPlayer({ access, renditions, poster, storyboardVttUrl, storyboardUrl, duration, framework, captionsUrl }) {
  const video = h("video", {
    id: "player",
    preload: "metadata",
    playsinline: true,
    poster: poster || null,
    "aria-label": "Lesson video",
  });
  // Our controls below replace the browser's; a click on the picture plays or pauses.
  video.addEventListener("click", () => togglePlay(video));
  // Captions slot: the API has no captions yet; a file dropped here later shows up.
  const track = h("track", { kind: "captions", srclang: "en", label: "English captions" });
  if (captionsUrl) track.src = captionsUrl;
  video.append(track);

  const quality = h("select", { id: "quality", "aria-label": "Quality" });
  const frame = h("div", { class: "video-frame" }, video);
  let hls = null;
  const hlsUrl = access?.view?.hls_url;
  if (hlsUrl && Hls.isSupported()) {
    hls = attachHls(video, quality, access);
    video.dataset.engine = "hls.js";
  } else if (hlsUrl && video.canPlayType("application/vnd.apple.mpegurl")) {
    video.src = hlsUrl; // the browser plays HLS itself; the cookies open it
    video.dataset.engine = "native";
    quality.hidden = true;
  } else {
    attachFiles(video, quality, normaliseRenditions(access?.view?.renditions || renditions));
    video.dataset.engine = "file";
  }

  let total = duration || 0;
  const bands = h("div", { class: "bands", "aria-hidden": "true" });
  // Mouse shortcuts onto the timeline; keyboard and screen-reader users have the
  // same comments, in words, in the comment list.
  const markers = h("div", { class: "markers", "aria-hidden": "true" });
  const selection = h("div", { class: "selection", hidden: true, "aria-hidden": "true" });
  const playhead = h("div", { class: "playhead", "aria-hidden": "true" });
  const track_ = h("div", {
    class: "track",
    role: "slider",
    tabindex: 0,
    "aria-label": "Timeline",
    "aria-valuemin": 0,
    "aria-valuemax": Math.round(total),
    "aria-valuenow": 0,
  }, bands, selection, playhead);
  const sprite = h("div", { class: "sprite" });
  const thumbTime = h("span", { class: "thumb-time" });
  const thumb = h("div", { class: "thumb", hidden: true, "aria-hidden": "true" }, sprite, thumbTime);
  const timeline = h("div", { class: "timeline", id: "timeline" }, track_, markers, thumb);
  const timeText = h("span", { class: "time-text", "aria-live": "off" }, "0:00");
  let cues = [];
  loadStoryboard(storyboardVttUrl, storyboardUrl).then((loaded) => { cues = loaded; }).catch(() => {});

  const pct = (t) => `${Math.min(100, Math.max(0, (t / (total || 1)) * 100))}%`;
  const timeAt = (event) => {
    const rect = track_.getBoundingClientRect();
    return Math.min(total, Math.max(0, ((event.clientX - rect.left) / rect.width) * total));
  };

  function seek(t) {
    video.currentTime = Math.min(Math.max(0, t), total || t);
  }
  track_.addEventListener("click", (event) => seek(timeAt(event)));
  track_.addEventListener("keydown", (event) => {
    if (event.key === "ArrowLeft") { seek(video.currentTime - 5); event.preventDefault(); }
    if (event.key === "ArrowRight") { seek(video.currentTime + 5); event.preventDefault(); }
    if (event.key === "Home") { seek(0); event.preventDefault(); }
    if (event.key === "End") { seek(total); event.preventDefault(); }
  });
  track_.addEventListener("mousemove", (event) => {
    const t = timeAt(event);
    const cue = cues.find((c) => t >= c.start && t < c.end) || cues[cues.length - 1];
    thumb.hidden = false;
    thumb.style.left = pct(t);
    thumbTime.textContent = clock(t);
    if (cue) {
      Object.assign(sprite.style, {
        width: `${cue.w}px`,
        height: `${cue.h}px`,
        backgroundImage: `url("${cue.image}")`,
        backgroundPosition: `-${cue.x}px -${cue.y}px`,
      });
      sprite.hidden = false;
    } else {
      sprite.hidden = true;
    }
  });
  track_.addEventListener("mouseleave", () => { thumb.hidden = true; });

  function update() {
    const t = video.currentTime;
    playhead.style.left = pct(t);
    track_.setAttribute("aria-valuenow", String(Math.round(t)));
    track_.setAttribute("aria-valuetext", `${clock(t)} of ${clock(total)}`);
    timeText.textContent = `${clock(t)} / ${clock(total)}`;
  }
  video.addEventListener("timeupdate", update);
  video.addEventListener("seeked", update);
  video.addEventListener("loadedmetadata", () => {
    if (!total && Number.isFinite(video.duration)) total = video.duration;
    track_.setAttribute("aria-valuemax", String(Math.round(total)));
    update();
  });

  function setComments(threads, onPick) {
    const points = threads.filter((c) => c.end_s === null || c.end_s === undefined);
    const ranges = threads.filter((c) => c.end_s !== null && c.end_s !== undefined);
    replace(bands, ranges.map((c, index) => {
      const colours = (c.tags.length ? c.tags : [""]).map((tag) => elementColour(framework, tag));
      const background = colours.length === 1 ? colours[0]
        : `linear-gradient(90deg, ${colours.map((col, i) => `${col} ${(i / colours.length) * 100}% ${((i + 1) / colours.length) * 100}%`).join(", ")})`;
      return h("div", {
        class: "band",
        dataset: { commentId: c.id, tags: c.tags.join(" ") },
        title: `${clock(c.at_s)}–${clock(c.end_s)} ${c.tags.map((t) => elementLabel(framework, t)).join(", ")}`,
        style: { left: pct(c.at_s), width: `calc(${pct(c.end_s)} - ${pct(c.at_s)})`, top: `${(index % 3) * 6}px`, background },
      });
    }));
    replace(markers, [...points, ...ranges].map((c) => h("button", {
      type: "button",
      class: `marker ${c.end_s == null ? "marker-point" : "marker-range"}`,
      dataset: { commentId: c.id, tags: c.tags.join(" ") },
      style: { left: pct(c.at_s), "--chip": elementColour(framework, c.tags[0] || "") },
      "aria-label": `${c.end_s == null ? "Comment at" : "Range from"} ${clock(c.at_s)}${c.end_s == null ? "" : ` to ${clock(c.end_s)}`}: ${c.body.slice(0, 80)}`,
      tabindex: -1,
      onclick: () => { seek(c.at_s); if (onPick) onPick(c); },
    })));
  }

  function setSelection(start, end) {
    if (start == null && end == null) {
      selection.hidden = true;
      return;
    }
    const a = start ?? end;
    const b = end ?? start;
    selection.hidden = false;
    selection.style.left = pct(Math.min(a, b));
    selection.style.width = `calc(${pct(Math.max(a, b))} - ${pct(Math.min(a, b))})`;
  }

  const playButton = h("button", { type: "button", class: "control play", id: "play", "aria-label": "Play" },
    h("span", { "aria-hidden": "true" }, "▶"));
  playButton.addEventListener("click", () => togglePlay(video));
  const showPlaying = () => {
    const playing = !video.paused;
    playButton.setAttribute("aria-label", playing ? "Pause" : "Play");
    playButton.firstChild.textContent = playing ? "❚❚" : "▶";
  };
  video.addEventListener("play", showPlaying);
  video.addEventListener("pause", showPlaying);
  const muteButton = h("button", { type: "button", class: "control", id: "mute", "aria-pressed": "false" }, "Mute");
  muteButton.addEventListener("click", () => { video.muted = !video.muted; });
  video.addEventListener("volumechange", () => muteButton.setAttribute("aria-pressed", String(video.muted)));
  const fullScreen = h("button", { type: "button", class: "control", id: "full-screen" }, "Full screen");
  fullScreen.addEventListener("click", () => {
    if (document.fullscreenElement) document.exitFullscreen().catch(() => {});
    else (frame.requestFullscreen ? frame.requestFullscreen() : Promise.reject()).catch(() => video.webkitEnterFullscreen?.());
  });
  const controls = h("div", { class: "player-controls" },
    playButton,
    timeText,
    h("span", { class: "control-gap" }),
    muteButton,
    h("label", { class: "inline" }, h("span", { class: "sr-only" }, "Quality "), quality),
    fullScreen);
  const el = h("div", { class: "player" }, frame, timeline, controls);
  function destroy() {
    hls?.destroy();
    access?.stop();
  }
  return { el, video, seek, setComments, setSelection, destroy, get duration() { return total; } };
}

function togglePlay(video) {
  if (video.paused) video.play().catch(() => {}); else video.pause();
}

// Space plays/pauses, arrows step 5 s; extra keys per page. Typing in a form
// field keeps its meaning, as do space on a button or link and the native
// player's own keys when it has focus.
export function bindKeys(player, extra = {}) {
  const handler = (event) => {
    const target = event.target;
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (target.closest("input, textarea, select, [contenteditable]")) return;
    if (event.key === " " && target.closest("button, a, summary, video")) return;
    if (event.key.startsWith("Arrow") && target.closest("video, [role=slider]")) return;
    const { video } = player;
    if (event.key === " ") {
      togglePlay(video);
    } else if (event.key === "ArrowLeft") {
      player.seek(video.currentTime - 5);
    } else if (event.key === "ArrowRight") {
      player.seek(video.currentTime + 5);
    } else if (extra[event.key.toLowerCase()]) {
      extra[event.key.toLowerCase()]();
    } else {
      return;
    }
    event.preventDefault();
  };
  document.addEventListener("keydown", handler);
  return () => document.removeEventListener("keydown", handler);
}
