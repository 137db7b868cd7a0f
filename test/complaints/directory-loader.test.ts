import { writeFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDirectory, parseDirectory } from '../../src/complaints/directory/directory-loader';
import { SMALL_DIRECTORY, lineOf, loadSampleDirectory } from './sample-directory';

const FILE = 'config/directory/broken.yaml';

function errorsOf(text: string) {
  const result = parseDirectory(FILE, text);
  if (result.ok) throw new Error('expected the directory to be rejected');
  return result.errors;
}

describe('the shipped Kon Tum 2021 sample directory', () => {
  it('loads and has the structure the seed plan describes', async () => {
    const dir = await loadSampleDirectory();
    expect(dir.coordinator.id).toBe('so-noi-vu');
    expect(dir.defaultAgency.id).toBe('van-phong-ubnd-tinh');
    const districts = dir.localities.filter((l) => l.kind === 'district');
    expect(districts).toHaveLength(10);
    for (const d of districts) {
      expect(d.agency).toBeDefined();
      expect(dir.agencyById.get(d.agency ?? '')?.kind).toBe('district');
    }
    for (const id of [
      'trung-tam-phuc-vu-hcc-tinh',
      'so-tai-nguyen-moi-truong',
      'so-xay-dung',
      'so-ke-hoach-dau-tu',
      'so-tu-phap',
      'cuc-thue-tinh',
      'so-y-te',
      'so-cong-thuong',
      'cuc-quan-ly-thi-truong',
    ]) {
      expect(dir.agencyById.has(id)).toBe(true);
    }
    expect(dir.localityById.get('xa-dak-mar')?.parent).toBe('huyen-dak-ha');
    // no secret in the file: only the name of the environment variable
    expect(dir.agencyById.get('so-xay-dung')?.delivery.webhook?.secretEnv).toBe('WEBHOOK_SECRET_SO_XAY_DUNG');
  });

  it('normalises one-or-many rule fields into lists', async () => {
    const dir = await loadSampleDirectory();
    expect(dir.rules[0]).toMatchObject({
      index: 0,
      sectors: ['officer_conduct'],
      localityKinds: ['district', 'commune'],
      agency: '$district',
    });
  });
});

describe('broken directory files are reported with file and line', () => {
  it('accepts the small base directory (so the failures below are caused by the edits)', () => {
    expect(parseDirectory(FILE, SMALL_DIRECTORY).ok).toBe(true);
  });

  it('unknown agency in a rule', () => {
    const text = SMALL_DIRECTORY.replace('agency: ubnd-a\ndefaultAgency', 'agency: ubnd-zzz\ndefaultAgency');
    const errors = errorsOf(text);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ file: FILE, line: lineOf(text, 'agency: ubnd-zzz') });
    expect(errors[0].message).toContain("unknown agency 'ubnd-zzz'");
  });

  it('duplicate agency id names both lines', () => {
    const text = SMALL_DIRECTORY.replace('  - id: ubnd-b\n    name: { vi: UBND xã B', '  - id: ubnd-a\n    name: { vi: UBND xã B');
    const errors = errorsOf(text);
    const dup = errors.find((e) => e.message.includes("duplicate agency id 'ubnd-a'"));
    expect(dup).toBeDefined();
    const first = lineOf(text, '  - id: ubnd-a');
    expect(dup?.line).toBe(lineOf(text, '  - id: ubnd-a', first));
    expect(dup?.message).toContain(`first defined on line ${first}`);
  });

  it('bad YAML syntax', () => {
    const text = SMALL_DIRECTORY.replace('    aliases: [Hà B]', '    aliases: [Hà B');
    const errors = errorsOf(text);
    expect(errors[0].file).toBe(FILE);
    expect(errors[0].message).toMatch(/^YAML syntax/);
    expect(errors[0].line).toBeGreaterThanOrEqual(lineOf(text, 'aliases: [Hà B'));
  });

  it('unknown key (a typo) and unknown sector', () => {
    const text = SMALL_DIRECTORY.replace('    deadlineWorkingDays: 7', '    deadlineWorkingDay: 7').replace(
      'sector: other',
      'sector: roads',
    );
    const errors = errorsOf(text);
    const typo = errors.find((e) => e.message.includes("unknown key(s) 'deadlineWorkingDay'"));
    expect(typo?.line).toBe(lineOf(text, 'deadlineWorkingDay: 7'));
    const sector = errors.find((e) => e.message.startsWith('rules[1].sector'));
    expect(sector?.line).toBe(lineOf(text, 'sector: roads'));
  });

  it('no coordinator, or two', () => {
    const none = SMALL_DIRECTORY.replace('    coordinator: true\n', '');
    expect(
      errorsOf(none)
        .map((e) => e.message)
        .join(),
    ).toMatch(/exactly one agency must have coordinator: true/);
    const two = SMALL_DIRECTORY.replace(
      '    kind: district\n    deadlineWorkingDays: 7',
      '    kind: district\n    coordinator: true\n    deadlineWorkingDays: 7',
    );
    const errors = errorsOf(two);
    expect(errors).toHaveLength(1);
    expect(errors[0].line).toBe(lineOf(two, 'coordinator: true', lineOf(two, 'id: ubnd-a', 10)));
  });

  it('parent that does not exist, and a district inside a commune', () => {
    const missing = SMALL_DIRECTORY.replace('parent: huyen-a', 'parent: huyen-q');
    expect(errorsOf(missing)[0]).toMatchObject({ line: lineOf(missing, 'parent: huyen-q'), message: "unknown locality 'huyen-q'" });
    const inverted = SMALL_DIRECTORY.replace(
      '    agency: ubnd-a\n    aliases: [Đăk A]',
      '    agency: ubnd-a\n    parent: xa-b\n    aliases: [Đăk A]',
    );
    const errors = errorsOf(inverted);
    expect(errors[0].line).toBe(lineOf(inverted, 'parent: xa-b'));
    expect(errors[0].message).toMatch(/a district cannot be inside a commune/);
  });

  it('the same alias (after folding diacritics and case) for two places', () => {
    const text = SMALL_DIRECTORY.replace('aliases: [Hà B]', 'aliases: [Hà B, DAK A]');
    const errors = errorsOf(text);
    expect(errors).toHaveLength(1);
    expect(errors[0].line).toBe(lineOf(text, 'aliases: [Hà B, DAK A]'));
    expect(errors[0].message).toContain("already names locality 'huyen-a'");
  });

  it('unknown default agency, unknown rule locality, unreachable rules', () => {
    const text = SMALL_DIRECTORY.replace('defaultAgency: so-noi-vu', 'defaultAgency: nobody').replace(
      '  - sector: land\n    agency: $district',
      '  - agency: so-noi-vu\n  - locality: nowhere\n    agency: $district',
    );
    const messages = errorsOf(text).map((e) => `${e.line}: ${e.message}`);
    expect(messages).toContain(`${lineOf(text, 'defaultAgency: nobody')}: unknown agency 'nobody'`);
    expect(messages).toContain(`${lineOf(text, 'locality: nowhere')}: unknown locality 'nowhere'`);
    expect(messages.some((m) => m.includes('unreachable: rules[0] above matches every complaint'))).toBe(true);
  });

  it('secret-like values and malformed delivery are refused by the schema', () => {
    const text = SMALL_DIRECTORY.replace(
      'delivery: { email: snv@test.example }',
      'delivery: { webhook: { url: "ftp://x", secretEnv: my-secret-value } }',
    );
    const messages = errorsOf(text)
      .map((e) => e.message)
      .join('\n');
    expect(messages).toMatch(/url: must be an http\(s\) URL/);
    expect(messages).toMatch(/secretEnv: must be an environment variable name/);
    const empty = SMALL_DIRECTORY.replace('delivery: { email: snv@test.example }', 'delivery: {}');
    expect(errorsOf(empty)[0].message).toMatch(/needs at least one of telegramChatId, email, webhook/);
  });

  it('loadDirectory reads from disk and reports a missing file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'directory-'));
    try {
      const path = join(dir, 'd.yaml');
      const text = SMALL_DIRECTORY.replace('agency: ubnd-a\ndefaultAgency', 'agency: ubnd-zzz\ndefaultAgency');
      await writeFile(path, text);
      const result = await loadDirectory(path, 'd.yaml');
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.errors[0]).toMatchObject({ file: 'd.yaml', line: lineOf(text, 'agency: ubnd-zzz') });
      const missing = await loadDirectory(join(dir, 'nope.yaml'), 'nope.yaml');
      expect(missing.ok).toBe(false);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
