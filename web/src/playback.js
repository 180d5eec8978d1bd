// Playback access: the media of a video or clip is private; POST …/playback
// returns where to play from and sets cookies that open its /media/ path for a
// while. The session renews them before they run out (and at once when the
// media server refuses a request), so a viewer who pauses for an hour and then
// seeks keeps watching.
import { post } from "./api.js";

// ``suffix``: a version of it ("/redaction": a clip's redacted version only).
export async function openPlayback(kind, id, suffix = "") {
  const path = `/${kind}/${encodeURIComponent(id)}${suffix}/playback`;
  let view = await post(path);
  let timer = null;
  let stopped = false;
  let pending = null;
  const schedule = () => {
    clearTimeout(timer);
    if (!stopped) timer = setTimeout(() => { renew().catch(() => {}); }, view.renew_after_s * 1000);
  };
  async function renew() {
    pending ??= post(path).then((fresh) => {
      view = fresh;
      schedule();
      return fresh;
    }).finally(() => { pending = null; });
    return pending;
  }
  schedule();
  return {
    get view() { return view; },
    renew,
    stop() { stopped = true; clearTimeout(timer); },
  };
}
