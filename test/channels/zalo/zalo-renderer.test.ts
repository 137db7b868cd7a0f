import { menuHint, renderForZalo, resolveMenuChoice } from '../../../src/channels/zalo/zalo-renderer';
import { InMemoryZaloMenuStore } from '../../../src/channels/zalo/zalo-menu-store';

const menu = [
  { label: 'Nộp hồ sơ trực tuyến', payload: '#intent:online_submission_howto' },
  { label: 'Bưu chính công ích', payload: '#intent:postal_service' },
  { label: 'Bộ phận một cửa', payload: '#intent:one_stop_center' },
];

describe('renderForZalo', () => {
  it('appends the quick replies as a numbered menu with a hint in the citizen’s language', () => {
    const vi = renderForZalo([{ text: 'Đăng ký khai sinh…', quickReplies: menu }], 'vi');
    expect(vi.parts).toEqual([
      'Đăng ký khai sinh…\n\n1. Nộp hồ sơ trực tuyến\n2. Bưu chính công ích\n3. Bộ phận một cửa\nTrả lời 1, 2 hoặc 3',
    ]);
    expect(vi.menu).toEqual(menu.map((m) => m.payload));
    expect(renderForZalo([{ text: 'Birth registration…', quickReplies: menu }], 'en').parts[0]).toMatch(/\nReply 1, 2 or 3$/);
  });

  it('numbers only the last message offering quick replies, and a reply without any clears the menu', () => {
    const r = renderForZalo([{ text: 'A', quickReplies: [menu[0]] }, { text: 'B', quickReplies: [menu[1], menu[2]] }, { text: 'C' }], 'vi');
    expect(r.parts).toEqual(['A', 'B\n\n1. Bưu chính công ích\n2. Bộ phận một cửa\nTrả lời 1 hoặc 2', 'C']);
    expect(r.menu).toEqual(['#intent:postal_service', '#intent:one_stop_center']);
    expect(renderForZalo([{ text: 'Cảm ơn' }], 'vi')).toEqual({ parts: ['Cảm ơn'], menu: [] });
  });

  it('splits long texts into parts within the limit, keeping every word, the menu at the end', () => {
    const text = Array.from({ length: 300 }, (_, i) => `câu ${i}.`).join(' ');
    const r = renderForZalo([{ text, quickReplies: menu }], 'vi', undefined, 500);
    expect(r.parts.length).toBeGreaterThan(3);
    for (const part of r.parts) expect(part.length).toBeLessThanOrEqual(500);
    expect(r.parts.join(' ').replace(/\s+/g, ' ')).toContain('câu 0. câu 1.');
    expect(r.parts.join(' ')).toContain('câu 299.');
    expect(r.parts.at(-1)).toMatch(/Trả lời 1, 2 hoặc 3$/);
  });

  it('gives a range for long menus', () => {
    expect(menuHint(1, 'vi')).toBe('Trả lời 1');
    expect(menuHint(4, 'en')).toBe('Reply 1, 2, 3 or 4');
    expect(menuHint(6, 'vi')).toBe('Trả lời một số từ 1 đến 6');
    expect(menuHint(6, 'en')).toBe('Reply with a number from 1 to 6');
  });
});

describe('resolveMenuChoice', () => {
  const payloads = ['a', 'b', 'c'];
  it.each([
    ['1', 'a'],
    [' 2 ', 'b'],
    ['3.', 'c'],
    ['#2', 'b'],
    ['３', 'c'],
  ])('reads %p as a choice', (text, expected) => {
    expect(resolveMenuChoice(text, payloads)).toBe(expected);
  });

  it.each(['0', '4', '12', '1 2', 'số 1', 'PA-7K3M9Q', ''])('leaves %p as typed', (text) => {
    expect(resolveMenuChoice(text, payloads)).toBeUndefined();
  });
});

describe('InMemoryZaloMenuStore', () => {
  it('replaces, clears with an empty list, and deletes', async () => {
    const store = new InMemoryZaloMenuStore();
    await store.set('u', ['a']);
    expect(await store.get('u')).toEqual(['a']);
    await store.set('u', []);
    expect(await store.get('u')).toBeUndefined();
    await store.set('u', ['b']);
    await store.delete('u');
    expect(await store.get('u')).toBeUndefined();
  });
});
