// A component's inline code is sent with every run of its fragment (several times a second while a view plays), so
// the live view, the GAN view and the lab's grid send only the palette (prepended), this loader and a mount call.
// Their files come once per page from the app's static files (`static/` is playground/web/assets, served by
// `server.enableStaticServing`) as classic scripts, which share one global scope. One promise per file in
// `window.__pgScripts`, shared by every component: a file two of them need (common.js, live_forward.js) runs once.
function loadStatic(names) {
  Object.assign(window, {NEG, MID, POS, CLASS_COLOURS});
  const registry = window.__pgScripts = window.__pgScripts || {};
  return Promise.all(names.map(name => registry[name] = registry[name] || new Promise((done, fail) => {
    const script = document.createElement("script");
    script.async = false;   // all requested at once, run in the order requested
    script.src = new URL(`app/static/${name}`, document.baseURI).href;
    script.onload = done;
    script.onerror = () => fail(new Error(`could not load ${script.src}`));
    document.head.appendChild(script);
  })));
}
