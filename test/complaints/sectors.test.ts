import { writeFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SECTORS, inferSector, isSector, rankSectors, type Sector } from '../../src/complaints/sectors';
import { loadSectorFile, type SectorTable } from '../../src/content/sector-file';
import { SAMPLE_SECTORS_PATH, loadSampleSectors } from './sample-directory';

let table: SectorTable;
beforeAll(async () => {
  table = await loadSampleSectors();
});

describe('sector ids and the sector file', () => {
  it('the file lists every id the code knows, each with vi and en labels', () => {
    expect(table.sectors.map((s) => s.id).sort()).toEqual([...SECTORS].sort());
    for (const s of table.sectors) {
      expect(s.label.vi.length).toBeGreaterThan(0);
      expect(s.label.en.length).toBeGreaterThan(0);
    }
    expect(isSector('land')).toBe(true);
    expect(isSector('đất')).toBe(false);
  });

  it('reports a missing id, an unknown id and a bad key with file and line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cchc-sectors-'));
    const broken = readFileSync(SAMPLE_SECTORS_PATH, 'utf8')
      .replace('  - id: tax\n', '  - id: taxes\n')
      .replace('    keywords: [bệnh viện', '    keywrods: [bệnh viện');
    const file = join(dir, 'sectors.yaml');
    writeFileSync(file, broken);
    const lineOf = (needle: string): number => broken.split('\n').findIndex((l) => l.includes(needle)) + 1;
    const result = await loadSectorFile(file, 'config/sectors.yaml', SECTORS);
    expect(result.ok).toBe(false);
    const errors = result.ok ? [] : result.errors;
    expect(errors).toEqual([
      expect.objectContaining({
        file: 'config/sectors.yaml',
        line: lineOf('keywrods'),
        message: expect.stringContaining("unknown key(s) 'keywrods'"),
      }),
    ]);
    writeFileSync(file, readFileSync(SAMPLE_SECTORS_PATH, 'utf8').replace('  - id: tax\n', '  - id: taxes\n'));
    const again = await loadSectorFile(file, 'config/sectors.yaml', SECTORS);
    const messages = again.ok ? [] : again.errors;
    expect(messages).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ line: lineOf('id: taxes'), message: expect.stringContaining("unknown sector 'taxes'") }),
        expect.objectContaining({ message: expect.stringContaining("sector 'tax' is missing") }),
      ]),
    );
  });

  it('ranks the sectors a text hints at first, in file order otherwise', () => {
    const ranked = rankSectors(table, 'đường vào thôn bị sạt lở');
    expect(ranked[0]).toEqual({ sector: 'transport', score: expect.any(Number) });
    expect(ranked.map((r) => r.sector).sort()).toEqual([...SECTORS].sort());
    expect(rankSectors(table, 'xin chào').map((r) => r.sector)).toEqual(table.sectors.map((s) => s.id));
  });
});

describe('inferSector', () => {
  const cases: [string, Sector | undefined][] = [
    // land
    ['Tôi xin cấp sổ đỏ 3 tháng chưa có', 'land'],
    ['xin cap so do 3 thang chua co', 'land'],
    ['tranh chấp đất với hàng xóm', 'land'],
    ['bìa đỏ nhà tôi bị ghi sai số thửa', 'land'],
    ['Hồ sơ tách thửa bị trả lại', 'land'],
    // construction
    ['xin giấy phép xây dựng nhà ở', 'construction'],
    ['giay phep xay nha bi cham', 'construction'],
    ['giấy phép xây dựng trên đất của tôi bị từ chối', 'construction'],
    // officer conduct, with and without diacritics, and winning over a field
    ['cán bộ hách dịch, quát mắng người dân', 'officer_conduct'],
    ['can bo xa Dak Ha doi tien moi giai quyet ho so dat', 'officer_conduct'],
    ['Cán bộ địa chính đòi bồi dưỡng mới làm sổ đỏ', 'officer_conduct'],
    ['thái độ cán bộ một cửa rất tệ', 'officer_conduct'],
    ['cán bộ thuế gây khó dễ', 'officer_conduct'],
    // electricity — but not phones or e-government
    ['nhà tôi mất điện 3 ngày', 'electricity'],
    ['xin lắp đồng hồ điện mới', 'electricity'],
    ['dang ky cap dien cho xuong', 'electricity'],
    ['gọi điện thoại đường dây nóng không ai nghe', undefined],
    ['cổng dịch vụ công điện tử bị lỗi', undefined],
    // tax
    ['xin cấp mã số thuế cá nhân', 'tax'],
    ['tra cuu mst', 'tax'],
    ['hóa đơn điện tháng này cao bất thường', 'electricity'],
    // business registration
    ['đăng ký kinh doanh hộ cá thể', 'business_registration'],
    ['thủ tục đăng ký công ty mất bao lâu', 'business_registration'],
    ['doanh nghiep cua toi cho thay doi giay phep', 'business_registration'],
    // civil status
    ['làm giấy khai sinh cho con', 'civil_status'],
    ['dang ky ket hon', 'civil_status'],
    ['trích lục hộ tịch bị sai tên', 'civil_status'],
    // health
    ['bệnh viện huyện thiếu thuốc', 'health'],
    ['tram y te xa dong cua', 'health'],
    // market management
    ['cửa hàng bán hàng giả', 'market_management'],
    ['giá cả tăng vô lý', 'market_management'],
    ['kinh doanh hàng giả', 'market_management'],
    ['quan ly thi truong khong xu ly', 'market_management'],
    // roads and the environment are not "other"
    ['đường vào thôn bị sạt lở', 'transport'],
    ['duong vao thon bi sat lo nua nam chua ai sua', 'transport'],
    ['trại heo gần nhà xả thải ra suối gây hôi thối', 'environment'],
    ['the road to our village has a huge pothole', 'transport'],
    // nothing recognisable → undefined, the conversation asks
    ['xin chào', undefined],
    ['tôi muốn phản ánh', undefined],
    // accents typed are trusted: "đặt" (place/book) is not "đất"
    ['đặt lịch hẹn làm hồ sơ', undefined],
    ['dat lich hen', undefined],
    ['', undefined],
  ];
  it.each(cases)('%s → %s', (text, expected) => {
    expect(inferSector(table, text)).toBe(expected);
  });

  it('finds keywords on word boundaries only', () => {
    // "thuế" must not be found inside another word, nor "đất" inside "đấtnước"-like run-ons
    expect(inferSector(table, 'thuếxyz')).toBeUndefined();
  });
});
