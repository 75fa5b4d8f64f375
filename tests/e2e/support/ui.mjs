// Small helpers for driving the window the way a person does: by the
// words on buttons and labels.

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
