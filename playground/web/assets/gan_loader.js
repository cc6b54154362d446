// The GAN view's inline code: the palette and static_loader.js (prepended), and this.
const GAN_FILES = ["common.js", "live_forward.js", "gan_view.js"];

export default function (component) {
  loadStatic(GAN_FILES).then(() => window.__pgGanMount(component));
}
