/** What an agency is owed after a routing action, and how a message becomes deliveries — without a database. */
import type { Directory } from '../../../src/complaints/directory/directory';
import { planDeliveries } from '../../../src/complaints/domain/agency-delivery-plan';
import { pendingAgencyNotice } from '../../../src/complaints/domain/complaint-events';
import type { HistoryEntry } from '../../../src/complaints/domain/complaint';
import { loadSampleDirectory } from '../sample-directory';

const at = new Date('2025-03-10T03:00:00Z');
const entry = (action: string, note?: string): HistoryEntry => ({ at, action, actor: { kind: 'system' }, ...(note ? { note } : {}) });
const complaint = (history: HistoryEntry[], score?: number) => ({
  code: 'PA-7K3M9X',
  agencyId: 'ubnd-huyen-dak-ha',
  history,
  ...(score ? { rating: { score } } : {}),
});

let directory: Directory;
beforeAll(async () => {
  directory = await loadSampleDirectory();
});

describe('pendingAgencyNotice', () => {
  it('follows the last routing action', () => {
    expect(pendingAgencyNotice(complaint([entry('submitted')]))).toMatchObject({
      event: 'complaint.forwarded',
      messageKey: 'PA-7K3M9X:forwarded:0',
    });
    const transferred = pendingAgencyNotice(complaint([entry('submitted'), entry('transferred', 'why'), entry('acknowledged')]));
    expect(transferred).toMatchObject({ event: 'complaint.forwarded', messageKey: 'PA-7K3M9X:forwarded:1', note: 'why' });
    const reassigned = pendingAgencyNotice(complaint([entry('submitted'), entry('transferred'), entry('reassigned')]));
    expect(reassigned.messageKey).toBe('PA-7K3M9X:forwarded:2');
    const reopened = pendingAgencyNotice(complaint([entry('submitted'), entry('resolved'), entry('rated'), entry('reopened', 'bad')], 1));
    expect(reopened).toMatchObject({
      event: 'complaint.reopened',
      messageKey: 'PA-7K3M9X:reopened:1',
      notices: [{ key: 'agency.note.reopened_comment', params: { score: '1', comment: 'bad' } }],
    });
  });
});

describe('planDeliveries', () => {
  const notice = {
    event: 'complaint.forwarded' as const,
    messageKey: 'PA-7K3M9X:forwarded:0',
    complaintCode: 'PA-7K3M9X',
    agencyId: 'ubnd-huyen-dak-ha',
  };

  it('one delivery per configured transport, keyed by message and transport', () => {
    const plan = planDeliveries(directory, notice, at);
    expect(plan.records.map((r) => r.key).sort()).toEqual(['PA-7K3M9X:forwarded:0:email', 'PA-7K3M9X:forwarded:0:telegram']);
    expect(plan.redirected).toBeUndefined();
  });

  it('an agency without transports, or missing, gets its message sent to the coordinator with a notice saying why', () => {
    const bare = { ...directory.agencyById.get('ubnd-huyen-dak-ha')!, delivery: {} };
    const broken: Directory = { ...directory, agencyById: new Map(directory.agencyById).set(bare.id, bare) };
    const plan = planDeliveries(broken, notice, at);
    expect(plan.redirected).toEqual({ from: 'ubnd-huyen-dak-ha', to: 'so-noi-vu' });
    expect(plan.records.every((r) => r.agencyId === 'so-noi-vu' && r.notices[0].key === 'agency.note.no_transport')).toBe(true);
    const missing = planDeliveries(directory, { ...notice, agencyId: 'gone' }, at);
    expect(missing.records[0].notices[0]).toEqual({ key: 'agency.note.not_in_directory', params: { agencyId: 'gone' } });
  });

  it('keeps only the transports this process has, unless none would remain', () => {
    expect(planDeliveries(directory, notice, at, ['email']).records.map((r) => r.transport)).toEqual(['email']);
    expect(
      planDeliveries(directory, notice, at, ['webhook'])
        .records.map((r) => r.transport)
        .sort(),
    ).toEqual(['email', 'telegram']);
  });
});
