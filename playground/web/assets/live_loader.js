// The live view's inline code: the palette and static_loader.js (prepended), and this. Its ~30 kB of code comes once
// per page from the app's static files.
const LIVE_FILES = ["common.js", "live_forward.js", "live_paint.js", "live_view.js", "live_input.js", "live_draw.js"];

// A new page's first script run draws only the stage; the rest of the page waits until the live view has painted
// (playground/web/first_paint.py). While the server's header says `first`, the frame painted in this animation frame
// is followed by the trigger `painted` (a repeat is harmless: the server takes the first one only).
function saidPainted(component) {
  const header = (component.data || [])[0];
  if (header && header.first) requestAnimationFrame(() => component.setTriggerValue("painted", true));
}

export default function (component) {
  loadStatic(LIVE_FILES).then(() => { window.__pgLiveMount(component); saidPainted(component); });
}
