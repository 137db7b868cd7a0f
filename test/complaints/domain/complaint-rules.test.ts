/** The complaint rules without a database: command + complaint + time → change, history, notices, or a refusal. */
import type { Directory } from '../../../src/complaints/directory/directory';
import { HolidayCalendar } from '../../../src/complaints/holiday-calendar';
import { applyChange, type Actor, type Complaint } from '../../../src/complaints/domain/complaint';
import {
  decideForwarded,
  decideOfficerCommand,
  decideRating,
  mayAct,
  type RuleContext,
} from '../../../src/complaints/domain/complaint-rules';
import { newComplaint } from '../../../src/complaints/domain/new-complaint';
import { loadSampleDirectory } from '../sample-directory';

const MONDAY_10AM = new Date('2025-03-10T03:00:00Z');
const DAK_HA: Actor = { kind: 'officer', id: '100000001', agencyId: 'ubnd-huyen-dak-ha' };
const OTHER: Actor = { kind: 'agency_api', id: 'apikey:1', agencyId: 'so-xay-dung' };
const COORDINATOR: Actor = { kind: 'agency_api', id: 'apikey:2', agencyId: 'so-noi-vu' };

let directory: Directory;
let ctx: RuleContext;

beforeAll(async () => {
  directory = await loadSampleDirectory();
  ctx = { now: MONDAY_10AM, directory, holidays: HolidayCalendar.EMPTY };
});

function filed(overrides: Partial<Complaint> = {}): Complaint {
  const complaint = newComplaint(
    {
      channel: 'telegram',
      userId: 'u1',
      locale: 'vi',
      text: 'Cán bộ huyện Đăk Hà đòi tiền mới giải quyết hồ sơ',
      sector: 'officer_conduct',
      localityId: 'huyen-dak-ha',
      photoRefs: [],
    },
    'PA-7K3M9X',
    'hash',
    ctx,
  );
  return { ...complaint, ...overrides };
}

function ok(decision: ReturnType<typeof decideOfficerCommand>) {
  if (!decision.ok) throw new Error(`refused: ${decision.error} ${decision.message}`);
  return decision;
}

describe('a new complaint', () => {
  it('is routed by the directory, due in working days, at version 0 and waiting for its deliveries', () => {
    const c = filed();
    expect(c).toMatchObject({ agencyId: 'ubnd-huyen-dak-ha', status: 'received', version: 0, deliveriesPlanned: false });
    expect(c.history.map((h) => h.action)).toEqual(['submitted']);
    expect(c.dueAt.getTime()).toBeGreaterThan(MONDAY_10AM.getTime());
  });

  it('refuses a text outside 10–4,000 characters', () => {
    const draft = { channel: 'web' as const, userId: 'u', locale: 'vi' as const, sector: 'land' as const, photoRefs: [], text: 'ngắn' };
    expect(() => newComplaint(draft, 'PA-7K3M9X', 'h', ctx)).toThrow(RangeError);
  });
});

describe('who may act', () => {
  it('the responsible agency acts; another agency does not; the coordinator acts on all and alone re-assigns', () => {
    expect(mayAct(DAK_HA, 'acknowledge', 'ubnd-huyen-dak-ha', directory)).toBe(true);
    expect(mayAct(OTHER, 'acknowledge', 'ubnd-huyen-dak-ha', directory)).toBe(false);
    expect(mayAct(COORDINATOR, 'answer', 'ubnd-huyen-dak-ha', directory)).toBe(true);
    expect(mayAct(DAK_HA, 'reassign', 'ubnd-huyen-dak-ha', directory)).toBe(false);
    expect(mayAct(COORDINATOR, 'reassign', 'ubnd-huyen-dak-ha', directory)).toBe(true);
    expect(mayAct({ kind: 'citizen', id: 'citizen', agencyId: 'ubnd-huyen-dak-ha' }, 'answer', 'ubnd-huyen-dak-ha', directory)).toBe(false);
    expect(mayAct({ kind: 'system', id: 'x' }, 'close', 'ubnd-huyen-dak-ha', directory)).toBe(true);
  });

  it('a refusal changes nothing', () => {
    const decision = decideOfficerCommand(filed(), { kind: 'acknowledge' }, OTHER, ctx);
    expect(decision).toMatchObject({ ok: false, error: 'forbidden' });
  });
});

describe('officer commands', () => {
  it('acknowledge: status, a history entry with the actor, one notice to the citizen numbered by the history', () => {
    const d = ok(decideOfficerCommand(filed(), { kind: 'acknowledge', note: ' Đã nhận ' }, DAK_HA, ctx));
    expect(d.after.status).toBe('acknowledged');
    expect(d.after.version).toBe(1);
    expect(d.after.history[1]).toMatchObject({ action: 'acknowledged', note: 'Đã nhận', actor: { kind: 'officer', id: '100000001' } });
    expect(d.citizenNotices).toEqual([
      expect.objectContaining({ kind: 'acknowledged', sequence: 1, channel: 'telegram', userId: 'u1', complaintCode: 'PA-7K3M9X' }),
    ]);
    expect(d.citizenNotices[0].params).toMatchObject({ agencyName: 'UBND huyện Đăk Hà', code: 'PA-7K3M9X' });
    expect(d.rerouted).toBe(false);
    expect(decideOfficerCommand(d.after, { kind: 'acknowledge' }, DAK_HA, ctx)).toMatchObject({ ok: false, error: 'invalid_state' });
  });

  it('answers are numbered; an empty answer is refused', () => {
    const first = ok(decideOfficerCommand(filed(), { kind: 'answer', text: 'Một' }, DAK_HA, ctx));
    const second = ok(decideOfficerCommand(first.after, { kind: 'answer', text: 'Hai' }, DAK_HA, ctx));
    expect(second.citizenNotices.map((n) => [n.kind, n.sequence, n.params.answer])).toEqual([['answer', 2, 'Hai']]);
    expect(decideOfficerCommand(filed(), { kind: 'answer', text: '  \u200B ' }, DAK_HA, ctx)).toMatchObject({ error: 'invalid_input' });
  });

  it('transfer moves agency and deadline, asks for new deliveries and tells the citizen where it went', () => {
    const later = { ...ctx, now: new Date(MONDAY_10AM.getTime() + 86_400_000) };
    const c = filed({ reminderSentAt: MONDAY_10AM });
    const d = ok(decideOfficerCommand(c, { kind: 'transfer', toAgencyId: 'so-noi-vu', note: 'Thẩm quyền Sở' }, DAK_HA, later));
    expect(d.after).toMatchObject({ agencyId: 'so-noi-vu', status: 'forwarded', deliveriesPlanned: false });
    expect(d.after.dueAt.getTime()).toBeGreaterThan(c.dueAt.getTime());
    expect(d.change.unset).toContain('reminderSentAt');
    expect(d.rerouted).toBe(true);
    expect(d.citizenNotices[0]).toMatchObject({ kind: 'transferred', sequence: 1, params: { fromAgencyName: 'UBND huyện Đăk Hà' } });
    expect(decideOfficerCommand(c, { kind: 'transfer', toAgencyId: 'nowhere' }, DAK_HA, ctx)).toMatchObject({ error: 'unknown_agency' });
    expect(decideOfficerCommand(c, { kind: 'transfer', toAgencyId: 'ubnd-huyen-dak-ha' }, DAK_HA, ctx)).toMatchObject({
      error: 'invalid_input',
    });
  });

  it('the coordinator re-assigns; hand-overs share one numbering', () => {
    const moved = ok(decideOfficerCommand(filed(), { kind: 'transfer', toAgencyId: 'so-noi-vu' }, DAK_HA, ctx));
    const back = ok(decideOfficerCommand(moved.after, { kind: 'reassign', toAgencyId: 'ubnd-huyen-dak-ha' }, COORDINATOR, ctx));
    expect(back.after.history.map((h) => h.action)).toEqual(['submitted', 'transferred', 'reassigned']);
    expect(back.citizenNotices[0]).toMatchObject({ kind: 'transferred', sequence: 2 });
  });

  it('resolve clears the rating and asks for a new one a second later; close needs a reason and ends the actions', () => {
    const d = ok(decideOfficerCommand(filed({ rating: { score: 1 } }), { kind: 'resolve', note: 'Xong' }, DAK_HA, ctx));
    expect(d.change.unset).toEqual(['rating']);
    expect(d.citizenNotices.map((n) => n.kind)).toEqual(['resolved', 'rating_request']);
    expect(d.citizenNotices[1].at.getTime() - d.citizenNotices[0].at.getTime()).toBe(1000);
    expect(decideOfficerCommand(filed(), { kind: 'close', note: ' ' }, DAK_HA, ctx)).toMatchObject({ error: 'invalid_input' });
    const closed = ok(decideOfficerCommand(d.after, { kind: 'close', note: 'Trùng phản ánh PA-22222A' }, DAK_HA, ctx));
    expect(closed.after.status).toBe('closed');
    expect(decideOfficerCommand(closed.after, { kind: 'answer', text: 'muộn' }, DAK_HA, ctx)).toMatchObject({ error: 'invalid_state' });
  });
});

describe('rating', () => {
  const resolved = (): Complaint => ok(decideOfficerCommand(filed(), { kind: 'resolve' }, DAK_HA, ctx)).after;

  it('only a resolved, unrated complaint is rated; 1–5 only', () => {
    expect(decideRating(filed(), 4, undefined, ctx)).toMatchObject({ ok: false, error: 'invalid_state' });
    expect(decideRating(resolved(), 0, undefined, ctx)).toMatchObject({ ok: false, error: 'invalid_input' });
    const rated = decideRating(resolved(), 4, undefined, ctx);
    expect(rated.ok && rated.after).toMatchObject({ status: 'resolved', rating: { score: 4 } });
  });

  it('1–2 reopens with a new deadline and new deliveries; a later comment reaches the agency', () => {
    const d = decideRating(resolved(), 2, undefined, ctx);
    if (!d.ok) throw new Error(d.message);
    expect(d.after).toMatchObject({ status: 'reopened', deliveriesPlanned: false, rating: { score: 2 } });
    expect(d.after.history.slice(-2).map((h) => h.action)).toEqual(['rated', 'reopened']);
    expect(d.rerouted).toBe(true);
    const comment = decideRating(d.after, 2, 'Vẫn chưa sửa', ctx);
    if (!comment.ok) throw new Error(comment.message);
    expect(comment.after.rating?.comment).toBe('Vẫn chưa sửa');
    expect(comment.agencyNotices).toEqual([
      expect.objectContaining({
        event: 'complaint.reopened',
        messageKey: 'PA-7K3M9X:reopened:1:comment',
        notices: [{ key: 'agency.note.citizen_comment', params: { comment: 'Vẫn chưa sửa' } }],
      }),
    ]);
  });
});

describe('forwarded', () => {
  it('only a received complaint of that agency becomes forwarded', () => {
    const change = decideForwarded(filed(), 'ubnd-huyen-dak-ha', MONDAY_10AM);
    expect(change && applyChange(filed(), change).status).toBe('forwarded');
    expect(decideForwarded(filed(), 'so-noi-vu', MONDAY_10AM)).toBeUndefined();
    expect(decideForwarded(filed({ status: 'acknowledged' }), 'ubnd-huyen-dak-ha', MONDAY_10AM)).toBeUndefined();
  });
});
