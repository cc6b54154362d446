// Lesson keyboard: space plays or pauses the live view, the right and left arrows move to the next or previous step.
// One listener per page (a component run only hands it the latest component, whose trigger `key` the server reads).
// Keys typed into a field, a select or a slider keep their usual meaning.

function lessonKeyTarget(event) {
  const t = event.target;
  if (!t || !t.closest) return false;
  return !t.closest("input, textarea, select, [contenteditable], [role='slider'], [role='combobox'], [role='listbox']");
}

function onLessonKey(event) {
  const component = window.__pgLessonKeys;
  if (!component || event.altKey || event.ctrlKey || event.metaKey || !lessonKeyTarget(event)) return;
  if (event.key === " ") {
    const play = document.querySelector(".pg-root .pg-play");
    if (!play) return;
    event.preventDefault();           // no page scroll, and no second click of a focused button
    play.click();
  } else if (event.key === "ArrowRight" || event.key === "ArrowLeft") {
    event.preventDefault();
    component.setTriggerValue("key", event.key === "ArrowRight" ? "next" : "prev");
  }
}

// A page run unmounts and mounts the component again: keys pressed in between still reach the last one. Only when no
// mount follows within a second (the lesson was left) do the keys stop acting.
const LEAVE_MS = 1000;

export default function (component) {
  window.__pgLessonKeys = component;
  const mount = window.__pgLessonKeysMount = (window.__pgLessonKeysMount || 0) + 1;
  if (!window.__pgLessonKeysListening) {
    window.__pgLessonKeysListening = true;
    document.addEventListener("keydown", onLessonKey);
  }
  return () => setTimeout(() => { if (window.__pgLessonKeysMount === mount) window.__pgLessonKeys = null; }, LEAVE_MS);
}
