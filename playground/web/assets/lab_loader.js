// The lab grid's inline code: the palette and static_loader.js (prepended), and this. It paints each network from its
// weights with the live view's forward pass (live_forward.js).
const LAB_FILES = ["common.js", "live_forward.js", "lab_view.js"];

export default function (component) {
  loadStatic(LAB_FILES).then(() => window.__pgLabMount(component));
}
