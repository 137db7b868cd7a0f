import type { Directory } from '../../src/complaints/directory/directory';
import { parseDirectory } from '../../src/complaints/directory/directory-loader';
import { LocalityMatcher } from '../../src/complaints/directory/locality-matcher';
import { routeComplaint } from '../../src/complaints/directory/routing';
import { inferSector, type Sector } from '../../src/complaints/sectors';
import { SMALL_DIRECTORY, loadSampleDirectory, loadSampleSectors } from './sample-directory';

let directory: Directory;

beforeAll(async () => {
  directory = await loadSampleDirectory();
});

const route = (sector: Sector, localityId?: string) => routeComplaint(directory, { sector, localityId });

describe('routeComplaint on the sample directory', () => {
  it('routes the reference complaint end to end: place, sector, agency', async () => {
    const text = 'can bo xa Dak Ha doi tien moi giai quyet ho so dat';
    const locality = new LocalityMatcher(directory).find(text)?.locality;
    const sector = inferSector(await loadSampleSectors(), text);
    expect(sector).toBe('officer_conduct');
    const decision = routeComplaint(directory, { sector: sector ?? 'other', localityId: locality?.id });
    expect(decision.agency.id).toBe('ubnd-huyen-dak-ha');
    expect(decision.ruleIndex).toBe(0);
    expect(decision.rule).toContain('rules[0]');
    expect(decision.rule).toContain('UBND huyện Đăk Hà');
  });

  it.each<[Sector, string | undefined, string]>([
    ['officer_conduct', 'xa-dak-mar', 'ubnd-huyen-dak-ha'], // commune official → the district above
    ['officer_conduct', 'p-quyet-thang', 'ubnd-tp-kon-tum'],
    ['officer_conduct', undefined, 'so-noi-vu'],
    ['officer_conduct', 'kon-tum', 'so-noi-vu'], // province: $district cannot resolve, next rule
    ['land', 'huyen-sa-thay', 'ubnd-huyen-sa-thay'],
    ['land', 'xa-ha-mon', 'ubnd-huyen-dak-ha'],
    ['land', undefined, 'so-tai-nguyen-moi-truong'],
    ['construction', 'tt-plei-kan', 'ubnd-huyen-ngoc-hoi'],
    ['construction', undefined, 'so-xay-dung'],
    ['business_registration', 'xa-dak-mar', 'so-ke-hoach-dau-tu'],
    ['business_registration', undefined, 'so-ke-hoach-dau-tu'],
    ['tax', 'huyen-dak-to', 'cuc-thue-tinh'],
    ['electricity', 'huyen-kon-ray', 'so-cong-thuong'],
    ['market_management', undefined, 'cuc-quan-ly-thi-truong'],
    ['health', 'xa-bo-y', 'so-y-te'],
    ['civil_status', 'xa-dak-cam', 'ubnd-xa-dak-cam'], // $locality: the commune itself
    ['civil_status', 'huyen-dak-glei', 'so-tu-phap'],
    ['other', 'tt-dak-ha', 'ubnd-tt-dak-ha'],
    ['other', 'huyen-tu-mo-rong', 'ubnd-huyen-tu-mo-rong'],
    ['other', undefined, 'van-phong-ubnd-tinh'],
  ])('%s at %s → %s', (sector, localityId, agencyId) => {
    expect(route(sector, localityId).agency.id).toBe(agencyId);
  });

  it('explains the default', () => {
    const decision = route('other');
    expect(decision.ruleIndex).toBeUndefined();
    expect(decision.rule).toMatch(/^no rule matched/);
    expect(decision.rule).toContain('Văn phòng UBND tỉnh');
  });

  it('ignores an unknown locality id and says so', () => {
    const decision = route('land', 'no-such-place');
    expect(decision.agency.id).toBe('so-tai-nguyen-moi-truong');
    expect(route('other', 'no-such-place').rule).toContain("unknown locality id 'no-such-place'");
  });
});

describe('routeComplaint rule semantics', () => {
  function dir(rules: string): Directory {
    const result = parseDirectory('t.yaml', SMALL_DIRECTORY.replace(/rules:\n[\s\S]*?defaultAgency/, `rules:\n${rules}defaultAgency`));
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    return result.value;
  }

  it('first match wins, in file order', () => {
    const d = dir('  - sector: land\n    agency: ubnd-b\n  - sector: land\n    agency: ubnd-a\n');
    expect(routeComplaint(d, { sector: 'land' }).agency.id).toBe('ubnd-b');
  });

  it('locality matches the place and everything inside it', () => {
    const d = dir('  - locality: huyen-a\n    agency: ubnd-b\n');
    expect(routeComplaint(d, { sector: 'tax', localityId: 'xa-b' }).agency.id).toBe('ubnd-b');
    expect(routeComplaint(d, { sector: 'tax', localityId: 'huyen-a' }).agency.id).toBe('ubnd-b');
    expect(routeComplaint(d, { sector: 'tax' }).agency.id).toBe('so-noi-vu');
  });

  it('$locality climbs to the nearest place with a UBND; $district finds the district', () => {
    const text = SMALL_DIRECTORY.replace('    agency: ubnd-b\n', '').replace(
      /rules:\n[\s\S]*?defaultAgency/,
      'rules:\n  - sector: other\n    agency: $locality\n  - sector: tax\n    agency: $district\ndefaultAgency',
    );
    const result = parseDirectory('t.yaml', text);
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    expect(routeComplaint(result.value, { sector: 'other', localityId: 'xa-b' }).agency.id).toBe('ubnd-a');
    expect(routeComplaint(result.value, { sector: 'tax', localityId: 'xa-b' }).agency.id).toBe('ubnd-a');
  });
});
