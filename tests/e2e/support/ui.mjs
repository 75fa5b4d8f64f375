// Small helpers for driving the window the way a person does: by the
// words on buttons and labels.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';

export async function waitForText(browser, selector, text, timeout = 15_000) {
  await browser.waitUntil(
    async () => {
      const el = await browser.$(selector);
      return (await el.isExisting()) && (await el.getText()).includes(text);
    },
    { timeout, timeoutMsg: `"${text}" did not appear in ${selector}` },
  );
}

export async function clickButton(browser, text) {
  const button = await browser.$(`//button[contains(normalize-space(.), "${text}")]`);
  await button.waitForClickable({ timeout: 10_000 });
  await button.click();
}

/** Sets an input the way typing would, for inputs WebDriver cannot type into (dates). */
export async function setInput(browser, selector, value) {
  await browser.execute(
    (sel, val) => {
      const input = document.querySelector(sel);
      input.value = val;
      input.dispatchEvent(new Event('input', { bubbles: true }));
      input.dispatchEvent(new Event('change', { bubbles: true }));
    },
    selector,
    value,
  );
}

export function daysFromNow(days) {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}

/** Polls `check` until it returns something truthy, or fails naming `what` and the last thing seen. */
export async function until(what, check, timeout = 15_000) {
  const deadline = Date.now() + timeout;
  let last;
  while (Date.now() < deadline) {
    try {
      last = await check();
      if (last) return last;
    } catch (error) {
      last = error;
    }
    await sleep(200);
  }
  assert.fail(`${what} (last seen: ${last instanceof Error ? last.message : JSON.stringify(last)})`);
}
