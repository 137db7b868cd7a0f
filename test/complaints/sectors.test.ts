import { SECTORS, SECTOR_LABELS, inferSector, isSector, type Sector } from '../../src/complaints/sectors';

describe('sector ids', () => {
  it('are exactly the ten agreed ids, each with vi and en labels', () => {
    expect(SECTORS).toEqual([
      'land',
      'construction',
      'business_registration',
      'civil_status',
      'tax',
      'health',
      'electricity',
      'market_management',
      'officer_conduct',
      'other',
    ]);
    for (const s of SECTORS) {
      expect(SECTOR_LABELS[s].vi.length).toBeGreaterThan(0);
      expect(SECTOR_LABELS[s].en.length).toBeGreaterThan(0);
    }
    expect(isSector('land')).toBe(true);
    expect(isSector('đất')).toBe(false);
  });
});

describe('inferSector', () => {
  const table: [string, Sector | undefined][] = [
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
    // nothing recognisable → undefined, the conversation asks
    ['xin chào', undefined],
    ['tôi muốn phản ánh', undefined],
    // accents typed are trusted: "đặt" (place/book) is not "đất"
    ['đặt lịch hẹn làm hồ sơ', undefined],
    ['dat lich hen', undefined],
    ['', undefined],
  ];
  it.each(table)('%s → %s', (text, expected) => {
    expect(inferSector(text)).toBe(expected);
  });

  it('finds keywords on word boundaries only', () => {
    // "thuế" must not be found inside another word, nor "đất" inside "đấtnước"-like run-ons
    expect(inferSector('thuếxyz')).toBeUndefined();
  });
});
