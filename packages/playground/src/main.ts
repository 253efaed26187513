/**
 * Entry of the page: builds the app into #app. Any error that escapes (at
 * start or later) is shown in the page, never a blank page.
 */
import './style.css';
import { App } from './app.js';

function showFatal(message: string): void {
  const box = document.getElementById('fatal');
  if (!box) return;
  box.hidden = false;
  box.textContent = `Something went wrong: ${message}. Reload the page; if it happens again, the settings in the link may be the cause: open the page without them.`;
}

window.addEventListener('error', (e) => showFatal(e.message));
window.addEventListener('unhandledrejection', (e) => showFatal(e.reason instanceof Error ? e.reason.message : String(e.reason)));

try {
  new App(document.getElementById('app')!);
  document.body.dataset.ready = 'true';
} catch (e) {
  showFatal(e instanceof Error ? e.message : String(e));
  throw e;
}
