/** Errors nobody caught become notices instead of vanishing into the console. */
import { useLab } from '../store';

export function reportUncaughtErrors(win: Window = window): void {
  win.addEventListener('unhandledrejection', (e) => {
    const reason = e.reason;
    useLab.getState().pushNotice({
      level: 'error',
      title: 'Something failed unexpectedly',
      detail: reason instanceof Error ? reason.message : String(reason),
      hint: 'The lab may be in an odd state; reloading the page helps.',
    });
  });
}
