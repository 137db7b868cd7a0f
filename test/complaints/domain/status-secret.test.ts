/** The secret that opens a complaint's details from another device. */
import { findSecret, newPin, pinHash, secretMatches } from '../../../src/complaints/domain/status-secret';

describe('status secrets', () => {
  it('PINs are 6 digits, kept as a hash salted with the code', () => {
    expect(newPin(() => 42)).toBe('000042');
    expect(newPin()).toMatch(/^\d{6}$/);
    expect(pinHash('PA-7K3M9X', '123456')).not.toBe(pinHash('PA-22222A', '123456'));
    expect(pinHash('PA-7K3M9X', '123456')).not.toContain('123456');
  });

  it('the PIN or the last 4 digits of a phone left with the complaint open it; anything else does not', () => {
    const complaint = { code: 'PA-7K3M9X', pinHash: pinHash('PA-7K3M9X', '048213'), contact: { phone: '0912 345 678' } };
    expect(secretMatches(complaint, '048213')).toBe(true);
    expect(secretMatches(complaint, '048214')).toBe(false);
    expect(secretMatches(complaint, '5678')).toBe(true);
    expect(secretMatches(complaint, '5679')).toBe(false);
    expect(secretMatches({ code: 'PA-7K3M9X', pinHash: null, contact: null }, '5678')).toBe(false);
    expect(secretMatches({ ...complaint, contact: { phone: '5678' } }, '5678')).toBe(false);
  });

  it('finds a secret typed right after the code, and nothing else', () => {
    expect(findSecret('  048213')).toBe('048213');
    expect(findSecret(' pin 048 213')).toBe('048213');
    expect(findSecret(' mã PIN: 048213 nhé')).toBe('048213');
    expect(findSecret(' 5678')).toBe('5678');
    expect(findSecret(' 12345')).toBeUndefined();
    expect(findSecret(' xin chào')).toBeUndefined();
    expect(findSecret(' gửi ngày 12/03/2025 sao rồi')).toBeUndefined();
  });
});
