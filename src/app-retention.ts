/**
 * The retention rules: how long each kind of record is kept (docs/privacy.md gives the
 * reasons; the periods are settings in config.ts). Part of the composition root: it
 * knows the stores and the complaint use cases; the job that runs the rules is generic
 * (jobs/retention.ts) and runs hourly under a lease (app-background.ts).
 */
import type { Config } from './config';
import type { ComplaintUseCases } from './complaints/use-cases/complaint-use-cases';
import { localDateKey } from './complaints/working-days';
import type { RetentionRule } from './jobs/retention';
import type { MongoRetentionStore } from './storage/mongo/retention-store';

const DAY_MS = 24 * 3_600_000;
/** Claims only guard attempts and versions long finished after a week. */
const CLAIM_RETENTION_MS = 7 * DAY_MS;
/** Complaints whose personal data one round erases at most (the next round, an hour later, goes on). */
const ERASURES_PER_ROUND = 200;

export type RetentionSettings = Pick<
  Config,
  | 'RETENTION_FINISHED_COMPLAINT_DAYS'
  | 'RETENTION_CONVERSATION_DAYS'
  | 'RETENTION_WEB_CONVERSATION_DAYS'
  | 'RETENTION_TELEGRAM_CARD_DAYS'
  | 'RETENTION_ZALO_MENU_DAYS'
>;

export function retentionRules(
  store: MongoRetentionStore,
  complaints: Pick<ComplaintUseCases, 'erasePersonalDataOfFinished'>,
  settings: RetentionSettings,
): RetentionRule[] {
  const ago = (now: Date, days: number): Date => new Date(now.getTime() - days * DAY_MS);
  return [
    {
      name: 'complaint_personal_data',
      prune: async (now) =>
        (await complaints.erasePersonalDataOfFinished(now, settings.RETENTION_FINISHED_COMPLAINT_DAYS * DAY_MS, ERASURES_PER_ROUND)).erased,
    },
    { name: 'conversations', prune: (now) => store.conversations(ago(now, settings.RETENTION_CONVERSATION_DAYS), 'citizens') },
    { name: 'web_conversations', prune: (now) => store.conversations(ago(now, settings.RETENTION_WEB_CONVERSATION_DAYS), 'anonymous') },
    { name: 'processed_ids', prune: (now) => store.processedIds(now) },
    // Today's and yesterday's counters stay (a day in Vietnam time, whatever the server's zone).
    { name: 'day_counters', prune: (now) => store.dayCounters(localDateKey(ago(now, 1))) },
    { name: 'telegram_cards', prune: (now) => store.telegramCards(ago(now, settings.RETENTION_TELEGRAM_CARD_DAYS)) },
    { name: 'zalo_menus', prune: (now) => store.zaloMenus(ago(now, settings.RETENTION_ZALO_MENU_DAYS)) },
    { name: 'claims', prune: (now) => store.claims(new Date(now.getTime() - CLAIM_RETENTION_MS)) },
  ];
}
