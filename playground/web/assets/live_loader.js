// The live view's code is ~30 kB, and Streamlit sends a component's inline code with every run of its fragment (several
// times a second while playing). So the inline code is only the palette (prepended) and this loader; the rest is
// loaded once per page as classic scripts from the app's static files (`static/` is playground/web/assets, served by
// `server.enableStaticServing`), which share one global scope.
const LIVE_FILES = ["common.js", "live_forward.js", "live_paint.js", "live_view.js", "live_input.js", "live_draw.js"];

function loadLiveCode() {
  if (!window.__pgLiveCode) {
    Object.assign(window, {NEG, MID, POS, CLASS_COLOURS});
    // all requested at once, run in order (async = false), ready when the last one has run
    // one promise per file in `window.__pgScripts`, shared with the GAN view's loader (gan_loader.js)
    const registry = window.__pgScripts = window.__pgScripts || {};
    window.__pgLiveCode = Promise.all(LIVE_FILES.map(name => registry[name] = registry[name] || new Promise((done, fail) => {
      const script = document.createElement("script");
      script.async = false;
      script.src = new URL(`app/static/${name}`, document.baseURI).href;
      script.onload = done;
      script.onerror = () => fail(new Error(`could not load ${script.src}`));
      document.head.appendChild(script);
    })));
  }
  return window.__pgLiveCode;
}

// A new page's first script run draws only the stage; the rest of the page waits until the live view has painted
// (playground/web/first_paint.py). While the server's header says `first`, the frame painted in this animation frame
// is followed by the trigger `painted` (a repeat is harmless: the server takes the first one only).
function saidPainted(component) {
  const header = (component.data || [])[0];
  if (header && header.first) requestAnimationFrame(() => component.setTriggerValue("painted", true));
}

export default function (component) {
  loadLiveCode().then(() => { window.__pgLiveMount(component); saidPainted(component); });
}
