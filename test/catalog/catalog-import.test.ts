/** Importing a province's procedure list: every row valid, or nothing written. */
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importProcedures } from '../../src/content/catalog-import';
import { validateContentFiles } from '../../src/content/content-loader';
import { loadProcedureFiles } from '../../src/content/procedure-files';
import { contentRequirements } from '../../src/app-text-keys';
import { PROJECT_ROOT } from '../../src/cli/project-paths';

const HEADER = 'Mã thủ tục,Tên thủ tục,Lĩnh vực,Cơ quan thực hiện,Cấp thực hiện,Thời hạn giải quyết,Phí lệ phí,Căn cứ pháp lý,Mức độ';
const GOOD_ROW =
  '1.009999,Cấp giấy phép khai thác cát sỏi lòng sông,Xây dựng,Sở Nông nghiệp và Môi trường,Cấp tỉnh,30 ngày,Theo biểu phí của tỉnh,"Luật Khoáng sản; Nghị định số 10/2026",Toàn trình';

function setUp(): { dir: string; procedures: string; file: (name: string, text: string) => string } {
  const dir = mkdtempSync(join(tmpdir(), 'catalog-import-test-'));
  for (const part of ['intents', 'locales', 'procedures']) cpSync(join(PROJECT_ROOT, part), join(dir, part), { recursive: true });
  cpSync(join(PROJECT_ROOT, 'config'), join(dir, 'config'), { recursive: true });
  return {
    dir,
    procedures: join(dir, 'procedures'),
    file: (name, text) => {
      writeFileSync(join(dir, name), text);
      return join(dir, name);
    },
  };
}

function validator(dir: string) {
  return async (proceduresDir: string) => {
    const result = await validateContentFiles(
      {
        root: dir,
        intentsDir: join(dir, 'intents'),
        localesDir: join(dir, 'locales'),
        abbreviationsFile: join(dir, 'config', 'abbreviations.yaml'),
        sectorsFile: join(dir, 'config', 'sectors.yaml'),
        proceduresDir,
      },
      contentRequirements(),
    );
    return result.ok ? [] : result.errors;
  };
}

const count = (procedures: string) => readdirSync(procedures, { recursive: true }).filter((n) => String(n).endsWith('.yaml')).length;

describe('npm run catalog -- import', () => {
  it('imports valid CSV rows as procedure files the catalog accepts, facts marked unconfirmed', async () => {
    const { dir, procedures, file } = setUp();
    const before = count(procedures);
    const report = await importProcedures(file('export.csv', `${HEADER}\n${GOOD_ROW}\n`), procedures, {
      validate: validator(dir),
      today: '2026-11-29',
    });
    expect(report.ok).toBe(true);
    expect(report.written).toEqual(['xay-dung/cap-giay-phep-khai-thac-cat-soi-long-song.yaml']);
    expect(count(procedures)).toBe(before + 1);
    const catalog = await loadProcedureFiles(procedures);
    expect(catalog.ok).toBe(true);
    const imported = catalog.ok ? catalog.value.procedures.find((p) => p.code === '1.009999') : undefined;
    expect(imported).toMatchObject({
      field: 'xay-dung',
      authority: { level: 'province' },
      submit: { online: 'toan-trinh' },
      fee: { certainty: 'unconfirmed' },
      time_limit: { vi: '30 ngày', certainty: 'unconfirmed' },
      legal_basis: ['Luật Khoáng sản', 'Nghị định số 10/2026'],
    });
  }, 60_000);

  it('writes nothing when one row is wrong, and says which row and why', async () => {
    const { dir, procedures, file } = setUp();
    const before = count(procedures);
    const bad = `${HEADER}\n${GOOD_ROW}\n1.001193,Đăng ký khai sinh lần hai,Hộ tịch,UBND xã,Cấp xã,,,,\n1.000001,,Hộ tịch,,,,,,\n`;
    const report = await importProcedures(file('bad.csv', bad), procedures, { validate: validator(dir) });
    expect(report.ok).toBe(false);
    expect(report.lines.join('\n')).toMatch(/row 2: code 1\.001193 is already in the catalog/);
    expect(report.lines.join('\n')).toMatch(/row 3: no procedure name/);
    expect(report.lines.at(-1)).toBe('Nothing was imported.');
    expect(count(procedures)).toBe(before);
    expect(existsSync(join(procedures, 'xay-dung', 'cap-giay-phep-khai-thac-cat-soi-long-song.yaml'))).toBe(false);
  }, 60_000);

  it('writes nothing when the catalog with the new files does not validate (an alias of another procedure)', async () => {
    const { dir, procedures, file } = setUp();
    const before = count(procedures);
    const json = JSON.stringify([
      {
        ma_thu_tuc: '1.009998',
        ten_thu_tuc: 'Thủ tục thử nghiệm',
        linh_vuc: 'Hộ tịch',
        ten_goi_khac: 'làm giấy khai sinh',
        link: 'https://dichvucong.gov.vn/x',
      },
    ]);
    const report = await importProcedures(file('export.json', json), procedures, { validate: validator(dir) });
    expect(report.ok).toBe(false);
    expect(report.lines.join('\n')).toMatch(
      /procedures\/ho-tich\/thu-tuc-thu-nghiem\.yaml:\d+: alias 'làm giấy khai sinh' is also a name of 'dang-ky-khai-sinh'/,
    );
    expect(count(procedures)).toBe(before);
  }, 60_000);

  it("a family name (shared_aliases) that is also one procedure's own name is refused, with file and line", async () => {
    const { procedures } = setUp();
    const file = join(procedures, 'ho-tich', 'dang-ky-lai-khai-sinh.yaml');
    writeFileSync(file, `${readFileSync(file, 'utf8')}\nshared_aliases:\n  vi: [làm giấy khai sinh]\n`);
    const result = await loadProcedureFiles(procedures);
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(result.errors).toContainEqual(
        expect.objectContaining({
          file: 'procedures/ho-tich/dang-ky-lai-khai-sinh.yaml',
          line: expect.any(Number),
          message: expect.stringMatching(/shared name 'làm giấy khai sinh' is also a name of 'dang-ky-khai-sinh'/),
        }),
      );
  });

  it('a dry run validates and writes nothing; an unreadable file is a clear error', async () => {
    const { dir, procedures, file } = setUp();
    const before = count(procedures);
    const dry = await importProcedures(file('export.csv', `${HEADER}\n${GOOD_ROW}\n`), procedures, {
      validate: validator(dir),
      dryRun: true,
    });
    expect(dry.ok).toBe(true);
    expect(count(procedures)).toBe(before);
    const broken = await importProcedures(file('broken.json', '{"procedures": 3'), procedures, { validate: validator(dir) });
    expect(broken.ok).toBe(false);
    expect(broken.lines.at(-1)).toBe('Nothing was imported.');
  }, 60_000);
});
