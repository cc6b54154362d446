// The GAN view's inline code: the palette (prepended) and this loader. Its files come once per page from the app's
// static files, like the live view's (live_loader.js); both loaders share the registry `window.__pgScripts`, so a
// file both need (common.js, live_forward.js) runs once, whichever tab asked first.
const GAN_FILES = ["common.js", "live_forward.js", "gan_view.js"];

function loadGanScript(name) {
  const registry = window.__pgScripts = window.__pgScripts || {};
  if (!registry[name]) {
    registry[name] = new Promise((done, fail) => {
      const script = document.createElement("script");
      script.async = false;   // run in the order requested
      script.src = new URL(`app/static/${name}`, document.baseURI).href;
      script.onload = done;
      script.onerror = () => fail(new Error(`could not load ${script.src}`));
      document.head.appendChild(script);
    });
  }
  return registry[name];
}

export default function (component) {
  Object.assign(window, {NEG, MID, POS, CLASS_COLOURS});
  Promise.all(GAN_FILES.map(loadGanScript)).then(() => window.__pgGanMount(component));
}
