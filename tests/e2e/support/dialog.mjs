// The app's native confirmation dialogs (GTK, parented to the window), as a
// person meets them: found by their title on the X display, answered from
// the keyboard or by clicking a button. Specs that use them start a window
// manager (openbox) so the dialog takes focus the way it does on a desktop.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';

/** A dialog's exact title as an xdotool (POSIX extended) pattern. */
function titlePattern(title) {
  return `^${title.replace(/[.?*+()[\]{}|^$\\]/g, '\\$&')}$`;
}

function windowsShown() {
  try {
    const ids = execFileSync('xdotool', ['search', '--onlyvisible', '--name', '.'], { encoding: 'utf8' }).trim().split('\n');
    return ids.map((id) => execFileSync('xdotool', ['getwindowname', id], { encoding: 'utf8' }).trim()).join(' | ');
  } catch {
    return '';
  }
}

/** The X window of the dialog titled `title`, once it is shown. */
export async function dialogWindow(title, timeout = 10_000) {
  const deadline = Date.now() + timeout;
  while (Date.now() < deadline) {
    try {
      const ids = execFileSync('xdotool', ['search', '--onlyvisible', '--name', titlePattern(title)], { encoding: 'utf8' })
        .trim()
        .split('\n')
        .filter(Boolean);
      if (ids.length > 0) return ids[0];
    } catch {
      // Not shown yet.
    }
    await sleep(200);
  }
  assert.fail(`the dialog “${title}” did not appear (windows shown: ${windowsShown()})`);
}

/** Whether a dialog titled `title` is shown now. */
export function dialogShown(title) {
  try {
    return execFileSync('xdotool', ['search', '--onlyvisible', '--name', titlePattern(title)], { encoding: 'utf8' }).trim() !== '';
  } catch {
    return false;
  }
}

/** Answers the dialog from the keyboard, as a person would (Escape: Cancel). */
export async function answerDialog(title, keys) {
  const id = await dialogWindow(title);
  execFileSync('xdotool', ['windowactivate', '--sync', id]);
  execFileSync('xdotool', ['key', '--delay', '150', ...keys]);
}

/** Clicks one of the dialog's two buttons (left: the action, right: "Cancel"). */
export async function clickDialogButton(title, side) {
  const id = await dialogWindow(title);
  execFileSync('xdotool', ['windowactivate', '--sync', id]);
  const geometry = execFileSync('xdotool', ['getwindowgeometry', '--shell', id], { encoding: 'utf8' });
  const size = Object.fromEntries(geometry.trim().split('\n').map((line) => line.split('=')));
  const x = Math.round(Number(size.WIDTH) * (side === 'left' ? 0.25 : 0.75));
  const y = Number(size.HEIGHT) - 18;
  execFileSync('xdotool', ['mousemove', '--window', id, String(x), String(y), 'click', '1']);
}
