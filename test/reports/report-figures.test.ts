/**
 * The reports' figures against hand counts, on seeded data in a real database: complaints
 * filed, answered on time or late, left overdue, rated — through the use cases with a
 * controlled clock — and question records of two weeks. Each pipeline runs on the test
 * server (FerretDB here, MongoDB with MONGODB_URI).
 */
import type { Actor, ComplaintDraft } from '../../src/complaints/complaint-service';
import type { Directory } from '../../src/complaints/directory/directory';
import type { ComplaintUseCases } from '../../src/complaints/use-cases/complaint-use-cases';
import { questionRecord } from '../../src/core/question-record';
import { reportCsv } from '../../src/reports/csv';
import { parseMonth } from '../../src/reports/report-period';
import { COMPLAINT_AND_QUESTION_REPORTS, type ReportContext, type ReportResult } from '../../src/reports/report-sections';
import type { ReportFilter } from '../../src/reports/report-source';
import { reportLabels } from '../../src/reports/report-labels';
import type { Database } from '../../src/storage/mongo/database';
import { MongoQuestionLog } from '../../src/storage/mongo/mongo-question-log';
import { MongoReportSource } from '../../src/storage/mongo/mongo-report-source';
import { fixed, loadSampleDirectory, loadTestContent, loadTestHolidays, SETUP_TIMEOUT_MS } from '../complaints/complaint-test-kit';
import { createComplaintService } from '../support/complaint-service';
import { dropTestDatabase, openTestDatabase } from '../support/database';

/** 10:00 in Vietnam on a day of November 2026 (the 2nd is a Monday). */
const nov = (day: number, hour = 10) => new Date(Date.UTC(2026, 10, day, hour - 7));
const DAK_HA: Actor = { kind: 'officer', id: 'console:canbo.dakha', agencyId: 'ubnd-huyen-dak-ha' };
const TAX: Actor = { kind: 'officer', id: 'console:canbo.thue', agencyId: 'cuc-thue-tinh' };

let db: Database;
let directory: Directory;
let service: ComplaintUseCases;
let now = nov(1);
let ctx: ReportContext;
const november = parseMonth('2026-11', nov(1))!;
const filter: ReportFilter = { from: november.from, to: november.to };

let n = 0;
async function file(at: Date, draft: Partial<ComplaintDraft> & Pick<ComplaintDraft, 'sector' | 'text'>): Promise<string> {
  now = at;
  n++;
  return (await service.submit({ channel: 'web', userId: `citizen-${n}`, locale: 'vi', photoRefs: [], ...draft }, at)).code;
}
async function act(at: Date, run: () => Promise<{ ok: boolean }>): Promise<void> {
  now = at;
  expect((await run()).ok).toBe(true);
}

const section = (id: string) => COMPLAINT_AND_QUESTION_REPORTS.find((s) => s.id === id)!;
const load = (id: string, f: ReportFilter = filter): Promise<ReportResult> => section(id).load(ctx, f);

beforeAll(async () => {
  db = await openTestDatabase('reports');
  directory = await loadSampleDirectory();
  const content = await loadTestContent();
  service = createComplaintService({ db, directory: fixed(directory), holidays: await loadTestHolidays(), clock: () => now });
  ctx = { source: new MongoReportSource(db), labels: reportLabels(directory, content), now: new Date(Date.UTC(2026, 11, 1, 3)) };

  const land = { sector: 'land' as const, localityId: 'xa-ha-mon' };
  // 1. Đăk Hà, answered the next day (on time), resolved, rated 5.
  const c1 = await file(nov(2), { ...land, text: 'Đất nhà tôi ở thôn 3 xã Hà Mòn bị lấn chiếm, đề nghị giải quyết' });
  await act(nov(3), () => service.answer(c1, DAK_HA, 'Đã cử cán bộ địa chính kiểm tra, hẹn làm việc thứ Năm.'));
  await act(nov(3, 15), () => service.resolve(c1, DAK_HA));
  await act(nov(3, 16), () => service.rate(c1, 'web', 'citizen-1', 5));
  // 2. Đăk Hà, never answered: due 11 November (7 working days), overdue on 1 December.
  await file(nov(2, 11), { ...land, text: 'Xã Hà Mòn chưa trả kết quả chuyển mục đích sử dụng đất' });
  // 3. Tax, answered on 30 November: late (due 17 November, 10 working days); rated 2 (reopened).
  const c3 = await file(nov(3), { sector: 'tax', text: 'Hoàn thuế thu nhập cá nhân của tôi đã quá hạn ba tháng' });
  await act(nov(30), () => service.answer(c3, TAX, 'Hồ sơ hoàn thuế đã được duyệt, tiền về tài khoản trong tuần.'));
  await act(nov(30, 11), () => service.resolve(c3, TAX));
  await act(nov(30, 12), () => service.rate(c3, 'web', 'citizen-3', 2));
  // 4. Tax, answered the next day, resolved, rated 4.
  const c4 = await file(nov(4), { sector: 'tax', text: 'Không nộp được tờ khai thuế môn bài qua mạng' });
  await act(nov(5), () => service.answer(c4, TAX, 'Cổng thuế điện tử đã khắc phục lỗi, mời ông/bà nộp lại.'));
  await act(nov(5, 11), () => service.resolve(c4, TAX));
  await act(nov(5, 12), () => service.rate(c4, 'web', 'citizen-4', 4));
  // 5. Health, filed on 28 November: still within its deadline on 1 December (not in the on-time rate).
  await file(nov(28), { sector: 'health', text: 'Trạm y tế xã không có thuốc cho người bệnh mãn tính' });
  // 6. October: outside the period.
  const c6 = await file(new Date(Date.UTC(2026, 9, 30, 3)), { ...land, text: 'Đường vào khu đất của tôi bị rào chắn trái phép' });
  await act(new Date(Date.UTC(2026, 9, 30, 4)), () => service.answer(c6, DAK_HA, 'Đã yêu cầu tháo dỡ rào chắn.'));

  const log = new MongoQuestionLog(db);
  const ask = (at: Date, intent: string, text = 'câu hỏi') =>
    log.record(questionRecord({ at, channel: 'web', locale: 'vi', intent, fallback: intent === 'fallback', text }));
  for (let i = 0; i < 3; i++) ask(nov(3), 'proc_birth_registration');
  ask(nov(4), 'fallback', 'Xin mẫu đơn ly hôn ở đâu?');
  for (let i = 0; i < 2; i++) ask(nov(10), 'proc_birth_registration');
  ask(nov(10), 'greeting');
  ask(nov(11), 'fallback', 'xin mau don ly hon o dau');
  ask(nov(12), 'fallback', 'Xin mẫu đơn ly hôn ở đâu');
  ask(nov(15, 22), 'fallback', 'giá vé xe buýt gọi 0905 123 456');
  ask(new Date(Date.UTC(2026, 9, 31, 3)), 'proc_birth_registration');
  await log.flush(); // the log group-commits its records
}, SETUP_TIMEOUT_MS);

afterAll(async () => {
  if (db) await dropTestDatabase(db);
});

describe('report figures against hand counts (November 2026)', () => {
  it('counts questions per ISO week and topic', async () => {
    const result = await load('questions');
    expect(result.tables[0].rows).toEqual([
      ['2026-W45', 'Đăng ký khai sinh', 'proc_birth_registration', 3],
      ['2026-W45', 'Chưa trả lời được', 'fallback', 1],
      ['2026-W46', 'Chưa trả lời được', 'fallback', 3],
      ['2026-W46', 'Đăng ký khai sinh', 'proc_birth_registration', 2],
      ['2026-W46', expect.any(String), 'greeting', 1],
    ]);
    expect(result.chart?.labels).toEqual(['2026-W45', '2026-W46']);
  });

  it('gives the fallback rate per week and the unanswered questions grouped, digits masked', async () => {
    const result = await load('unanswered');
    expect(result.tables[0].rows).toEqual([
      ['2026-W45', 4, 1, 25],
      ['2026-W46', 6, 3, 50],
      ['Cả kỳ', 10, 4, 40],
    ]);
    expect(result.tables[1].rows).toEqual([
      ['xin mẫu đơn ly hôn ở đâu', 3],
      ['giá vé xe buýt gọi # # #', 1],
    ]);
    expect(result.chart?.datasets[0].data).toEqual([25, 50]);
  });

  it('counts complaints per agency, sector and locality (October left out)', async () => {
    expect((await load('by-agency')).tables[0].rows).toEqual([
      ['Cục Thuế tỉnh', 'cuc-thue-tinh', 2],
      ['UBND huyện Đăk Hà', 'ubnd-huyen-dak-ha', 2],
      ['Sở Y tế', 'so-y-te', 1],
      ['Tổng cộng', '', 5],
    ]);
    expect((await load('by-sector')).tables[0].rows.map((r) => [r[1], r[2]])).toEqual([
      ['land', 2],
      ['tax', 2],
      ['health', 1],
      ['', 5],
    ]);
    expect((await load('by-locality')).tables[0].rows).toEqual([
      ['Không rõ địa bàn', '', 3],
      [expect.stringContaining('Hà Mòn'), 'xa-ha-mon', 2],
      ['Tổng cộng', '', 5],
    ]);
    const dakHaOnly = await load('by-sector', { ...filter, agencyId: 'ubnd-huyen-dak-ha' });
    expect(dakHaOnly.tables[0].rows.map((r) => [r[1], r[2]])).toEqual([
      ['land', 2],
      ['', 2],
    ]);
  });

  it('computes the on-time rate against the working-day deadlines', async () => {
    expect((await load('on-time')).tables[0].rows).toEqual([
      ['Cục Thuế tỉnh', 1, 1, 0, 50],
      ['UBND huyện Đăk Hà', 1, 0, 1, 50],
      ['Tổng cộng', 2, 1, 1, 50],
    ]);
  });

  it('averages the ratings per agency', async () => {
    expect((await load('ratings')).tables[0].rows).toEqual([
      ['Cục Thuế tỉnh', 2, 3, 0, 1, 0, 1, 0, 50],
      ['UBND huyện Đăk Hà', 1, 5, 0, 0, 0, 0, 1, 100],
    ]);
  });

  it('exports CSV with a BOM, quoted cells and formulas defused', async () => {
    const csv = reportCsv({
      id: 'x',
      title: 'x',
      tables: [
        {
          columns: ['Câu hỏi', 'Số lần'],
          rows: [
            ['=HYPERLINK("http://x")', 2],
            ['a, "b"', 1],
          ],
        },
      ],
    });
    expect(csv).toBe('\uFEFFCâu hỏi,Số lần\r\n"\'=HYPERLINK(""http://x"")",2\r\n"a, ""b""",1\r\n');
  });
});
