import type { Directory } from '../../src/complaints/directory/directory';
import { LocalityMatcher } from '../../src/complaints/directory/locality-matcher';
import { loadSampleDirectory } from './sample-directory';

let directory: Directory;
let matcher: LocalityMatcher;

beforeAll(async () => {
  directory = await loadSampleDirectory();
  matcher = new LocalityMatcher(directory);
});

const idOf = (text: string): string | undefined => matcher.find(text)?.locality.id;

describe('LocalityMatcher.find', () => {
  it('finds the district in the reference complaint typed without diacritics', () => {
    const match = matcher.find('can bo xa Dak Ha doi tien moi giai quyet ho so dat');
    expect(match?.locality.id).toBe('huyen-dak-ha');
    expect(match?.locality.kind).toBe('district');
    expect(['Đăk Hà', 'Dak Ha', 'Đắk Hà']).toContain(match?.matchedAlias);
  });

  it.each([
    ['Huyện Đăk Hà', 'huyen-dak-ha'],
    ['ĐẮK HÀ', 'huyen-dak-ha'],
    ['đắk hà', 'huyen-dak-ha'],
    ['dakha', 'huyen-dak-ha'],
    ['tôi ở thị trấn Đắk Hà', 'tt-dak-ha'],
    ['TT. Dak Ha', 'tt-dak-ha'],
    ['xã Đăk Mar, huyện Đăk Hà', 'xa-dak-mar'],
    ['huyện Đăk Hà, xã Đắk Mar', 'xa-dak-mar'],
    ['ha mon', 'xa-ha-mon'],
    ['tp kon tum', 'tp-kon-tum'],
    ['Thành phố Kontum', 'tp-kon-tum'],
    ['thị xã Kon Tum', 'tp-kon-tum'], // the name before 2009
    ['phường Quyết Thắng, TP Kon Tum', 'p-quyet-thang'],
    ['xa Dak Cam', 'xa-dak-cam'],
    ["huyện Ia H'Drai", 'huyen-ia-hdrai'],
    ['Ia Hdrai', 'huyen-ia-hdrai'],
    ['ia h’drai', 'huyen-ia-hdrai'], // typographic apostrophe
    ['IA H DRAI', 'huyen-ia-hdrai'],
    ['thi tran Plei Kan, Ngoc Hoi', 'tt-plei-kan'],
    ['Măng Đen', 'huyen-kon-plong'],
    ['tỉnh Kon Tum', 'kon-tum'],
    ['Kon Tum', 'kon-tum'],
  ])('%s → %s', (text, id) => {
    expect(idOf(text)).toBe(id);
  });

  it('matches on word boundaries only', () => {
    expect(idOf('ông dak hanh ở xóm trên')).toBeUndefined();
    expect(idOf('dakhanh')).toBeUndefined();
    expect(idOf('quyết thắng đói nghèo')).toBeUndefined(); // ordinary phrase, not the ward
    expect(idOf('Bộ Y tế chậm trả lời')).toBeUndefined(); // "bo y" is not xã Bờ Y
    expect(idOf('cửa khẩu Bờ Y đông người')).toBe('xa-bo-y');
  });

  it('prefers the narrower place, then the longer name', () => {
    // the commune wins over its own district and over the province
    expect(idOf('Kon Tum, Đăk Hà, Hà Mòn')).toBe('xa-ha-mon');
    // a name inside a longer name is not a separate match
    const all = matcher.findAll('thị trấn Đăk Hà').map((m) => m.locality.id);
    expect(all).toEqual(['tt-dak-ha']);
  });

  it('returns undefined when no place is named', () => {
    expect(matcher.find('cán bộ đòi tiền')).toBeUndefined();
    expect(matcher.find('')).toBeUndefined();
  });

  it('findById', () => {
    expect(matcher.findById('xa-dak-mar')?.name.vi).toBe('Xã Đăk Mar');
    expect(matcher.findById('nowhere')).toBeUndefined();
  });
});
