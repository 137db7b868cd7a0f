/** What every complaint use case is built with: the ports, the directory, the calendar, a clock. */
import type { ChannelName } from '../../core/messages';
import type { Logger } from '../../infra/logger';
import type { PhotoFetcher } from '../complaint-photos';
import type { HolidayCalendar } from '../holiday-calendar';
import type { RuleContext } from '../domain/complaint-rules';
import type {
  AttemptCounter,
  ComplaintObserver,
  ComplaintOutbox,
  ComplaintRepository,
  ConversationEraser,
  DailyCounter,
  DirectorySource,
  PhotoStore,
} from './ports';

export interface ComplaintUseCaseDeps {
  readonly repository: ComplaintRepository;
  readonly outbox: ComplaintOutbox;
  readonly dailyCounter: DailyCounter;
  readonly attempts: AttemptCounter;
  readonly photos: PhotoStore;
  /** Where conversation state lives, so forgetting a citizen deletes it. */
  readonly conversations: ConversationEraser;
  readonly directory: DirectorySource;
  readonly holidays: HolidayCalendar;
  readonly clock: () => Date;
  readonly logger: Logger;
  /** Per channel, how to download the photos it references (none: only the reference is kept). */
  readonly photoFetchers?: Partial<Readonly<Record<ChannelName, PhotoFetcher>>>;
  /** Draws tracking codes and PINs (tests make them predictable). */
  readonly newCode?: () => string;
  readonly newPin?: () => string;
  /** Complaints one citizen (requester) may file per Vietnamese calendar day; default DEFAULT_COMPLAINTS_PER_DAY (domain/limits.ts). */
  readonly dailyLimit?: number;
  readonly observer?: ComplaintObserver;
  /** The citizen's other data erased with their complaints (subscriptions, survey answers: Decree 13/2023). */
  readonly otherCitizenData?: readonly { forgetCitizen(channel: ChannelName, userId: string): Promise<void> }[];
}

export function ruleContext(deps: Pick<ComplaintUseCaseDeps, 'directory' | 'holidays'>, now: Date): RuleContext {
  return { now, directory: deps.directory.current(), holidays: deps.holidays };
}
