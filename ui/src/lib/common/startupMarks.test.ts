import { describe, expect, it, vi } from 'vitest';
import { mark, pageMarks } from './startupMarks';

describe('start-up marks', () => {
  it('keeps the first time of each mark, beside the page origin', () => {
    const now = vi.spyOn(performance, 'now');
    now.mockReturnValueOnce(12.5).mockReturnValueOnce(40);
    mark('script');
    mark('script');
    const page = pageMarks();
    expect(page.script).toBe(12.5);
    expect(page.time_origin_unix_ms).toBe(performance.timeOrigin);
    now.mockRestore();
  });
});
