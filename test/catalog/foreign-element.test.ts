import { withForeignElement } from '../../src/catalog/foreign-element';

describe('withForeignElement', () => {
  it('adds "nước ngoài" when a country or nationality is named, with or without marks', () => {
    expect(withForeignElement('vợ tôi quốc tịch Nhật Bản, đăng ký kết hôn ở đâu', 'vi')).toMatch(/nước ngoài$/);
    expect(withForeignElement('doi bang lai dai loan', 'vi')).toMatch(/nước ngoài$/);
    expect(withForeignElement('khai sinh cho con, bố là người Mỹ', 'vi')).toMatch(/nước ngoài$/);
  });

  it('leaves everyday words that share a short country name alone', () => {
    for (const text of ['lý lịch tư pháp số 2', 'người lao động nghỉ việc', 'phẫu thuật thẩm mỹ có được bảo hiểm', 'bà Đức ở xã bên'])
      expect(withForeignElement(text, 'vi')).toBe(text);
  });

  it('adds nothing when the message already says it', () => {
    const text = 'khai sinh cho con người nước ngoài, mẹ là người Hàn';
    expect(withForeignElement(text, 'vi')).toBe(text);
  });

  it('reads English nationalities as "foreign", not travel abroad', () => {
    expect(withForeignElement('my husband is Korean, how do we register our marriage', 'en')).toMatch(/foreign$/);
    expect(withForeignElement('passport to travel abroad', 'en')).toBe('passport to travel abroad');
  });
});
