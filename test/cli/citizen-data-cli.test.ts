/**
 * `npm run citizen-data`: a citizen's export and erasure requests on the test FerretDB —
 * selected by tracking code or by phone, everything held exported, the erasure confirmed
 * and irreversible, the complaint records kept without personal data, nothing personal
 * in the log.
 */
import { Writable } from 'node:stream';
import { runCitizenDataCli } from '../../src/cli/citizen-data';
import { UsageError } from '../../src/cli/operator-command';
import type { ComplaintDraft } from '../../src/complaints/complaint-service';
import type { ComplaintUseCases } from '../../src/complaints/use-cases/complaint-use-cases';
import { createLogger } from '../../src/infra/logger';
import { MongoCitizenDataStore } from '../../src/storage/mongo/citizen-data-store';
import type { Database } from '../../src/storage/mongo/database';
import { MongoConversationStore } from '../../src/storage/mongo/mongo-conversation-store';
import { createComplaintService } from '../support/complaint-service';
import { dropTestDatabase, openTestDatabase } from '../support/database';
import { MONDAY_10AM, SETUP_TIMEOUT_MS, fixed, loadSampleDirectory, loadTestHolidays } from '../complaints/complaint-test-kit';

const PHONE = '0912345678';
let db: Database;
let service: ComplaintUseCases;
const codes: Record<string, string> = {};

function draft(channel: ComplaintDraft['channel'], userId: string, text: string, phone: string): ComplaintDraft {
  return {
    channel,
    userId,
    locale: 'vi',
    text,
    sector: 'officer_conduct',
    localityId: 'huyen-dak-ha',
    contact: { name: 'Lê Thị Hoa', phone },
    photoRefs: [],
  };
}

beforeAll(async () => {
  const [opened, directory, holidays] = await Promise.all([openTestDatabase('citizen_data'), loadSampleDirectory(), loadTestHolidays()]);
  db = opened;
  service = createComplaintService({ db, directory: fixed(directory), holidays, clock: () => MONDAY_10AM });
  codes.a1 = (await service.submit(draft('telegram', '555001', 'Cán bộ xã đòi tiền mới ký xác nhận hồ sơ', PHONE), MONDAY_10AM)).code;
  codes.a2 = (await service.submit(draft('telegram', '555001', 'Cán bộ huyện hẹn mãi không trả kết quả', PHONE), MONDAY_10AM)).code;
  codes.b = (await service.submit(draft('zalo', 'zalo-777', 'Cán bộ một cửa thái độ không đúng mực', PHONE), MONDAY_10AM)).code;
  codes.c = (await service.submit(draft('telegram', '555002', 'Cán bộ địa chính nhận tiền của dân', '0987654321'), MONDAY_10AM)).code;
  await new MongoConversationStore(db).save('telegram:555001', { locale: 'vi' }, 0);
  await db.connection.collection('zalo_menus').insertOne({ _id: 'zalo-777' as never, items: ['/help'], at: new Date() });
  await service.resolve(codes.a1, { kind: 'officer', id: '100000001', agencyId: 'ubnd-huyen-dak-ha' }, 'Đã xử lý');
}, SETUP_TIMEOUT_MS);

afterAll(async () => {
  await dropTestDatabase(db);
});

async function run(args: string[], confirm = false) {
  const out: string[] = [];
  const log: string[] = [];
  const logger = createLogger({ level: 'info', destination: new Writable({ write: (c, _e, done) => (log.push(String(c)), done()) }) });
  const code = await runCitizenDataCli(args, {
    store: new MongoCitizenDataStore(db),
    complaints: service,
    out: (t) => out.push(t),
    confirm: async () => confirm,
    logger,
  });
  return { code, out: out.join('\n'), log: log.join('') };
}

describe('citizen-data export', () => {
  it('gives everything held about the account that filed a code, and nothing of others', async () => {
    const { code, out, log } = await run(['export', '--code', codes.a1.toLowerCase()]);
    expect(code).toBe(0);
    const json = JSON.parse(out) as {
      citizens: {
        account: unknown;
        complaints: { _id: string; pinHash?: string; history: unknown[] }[];
        notifications: unknown[];
        conversation: unknown;
      }[];
    };
    expect(json.citizens).toHaveLength(1);
    const [citizen] = json.citizens;
    expect(citizen.account).toEqual({ channel: 'telegram', userId: '555001' });
    expect(citizen.complaints.map((c) => c._id).sort()).toEqual([codes.a1, codes.a2].sort());
    expect(citizen.complaints.every((c) => c.pinHash === undefined && c.history.length > 0)).toBe(true);
    expect(citizen.notifications.length).toBeGreaterThan(0); // the resolution's notice
    expect(citizen.conversation).toMatchObject({ _id: 'telegram:555001', locale: 'vi' });
    expect(out).toContain('Cán bộ xã đòi tiền');
    expect(out).not.toContain(codes.c);
    expect(log).not.toContain(PHONE);
    expect(log).not.toContain('555001');
  });

  it('finds every account that left a phone number, however it is typed', async () => {
    const { code, out } = await run(['export', '--phone', '+84 91 234 5678']);
    expect(code).toBe(0);
    const accounts = (JSON.parse(out) as { citizens: { account: { channel: string } }[] }).citizens.map((c) => c.account.channel).sort();
    expect(accounts).toEqual(['telegram', 'zalo']);
  });

  it('refuses a bad command line, and says when nothing matches', async () => {
    await expect(run(['export', '--code', 'not-a-code'])).rejects.toBeInstanceOf(UsageError);
    await expect(run(['export', '--code', codes.a1, '--phone', PHONE])).rejects.toBeInstanceOf(UsageError);
    await expect(run(['export', '--phone', '12'])).rejects.toBeInstanceOf(UsageError);
    await expect(run(['wipe', '--code', codes.a1])).rejects.toBeInstanceOf(UsageError);
    expect(await run(['export', '--code', 'PA-ZZZZZZ'])).toMatchObject({ code: 1 });
  });
});

describe('citizen-data erase', () => {
  it('does nothing without confirmation', async () => {
    const { code, out } = await run(['erase', '--code', codes.a1]);
    expect(code).toBe(1);
    expect(out).toContain('not erased');
    expect((await db.models.Complaint.findById(codes.a1).lean())?.contact?.phone).toBe(PHONE);
  });

  it('erases the personal data of every account with the phone, keeps the records for statistics, logs nothing personal', async () => {
    const { code, log } = await run(['erase', '--phone', PHONE], true);
    expect(code).toBe(0);
    for (const c of [codes.a1, codes.a2, codes.b]) {
      const doc = (await db.models.Complaint.findById(c).lean())!;
      expect(doc).toMatchObject({ text: '', userId: `forgotten:${c}`, agencyId: 'ubnd-huyen-dak-ha', sector: 'officer_conduct' });
      expect(doc.contact).toBeUndefined();
      expect(doc.personalDataErasedAt).toBeInstanceOf(Date);
    }
    expect((await db.models.Complaint.findById(codes.a1).lean())?.status).toBe('resolved');
    expect(await db.models.Conversation.findById('telegram:555001').lean()).toBeNull();
    expect(await db.models.Notification.countDocuments({ userId: '555001' })).toBe(0);
    expect(await db.connection.collection('zalo_menus').countDocuments({})).toBe(0);
    // Someone else's complaint is untouched.
    expect((await db.models.Complaint.findById(codes.c).lean())?.contact?.phone).toBe('0987654321');
    expect(log).toContain('citizen data erased on request');
    for (const personal of [PHONE, '555001', 'zalo-777', 'Lê Thị Hoa']) expect(log).not.toContain(personal);
    // Irreversible, and a second request finds nothing left.
    expect(await run(['export', '--phone', PHONE])).toMatchObject({ code: 1 });
  });
});
