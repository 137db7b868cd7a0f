/** One notification in the citizen outbox: a message about a complaint, rendered in the citizen's language at send time. */
import type { OutboxItem } from '../outbox/outbox-store';

export interface NotificationItem extends OutboxItem {
  readonly complaintCode?: string;
  readonly channel: string;
  readonly userId: string;
  readonly kind: string;
  /** Data to render the text at send time. */
  readonly params: Readonly<Record<string, unknown>>;
}
