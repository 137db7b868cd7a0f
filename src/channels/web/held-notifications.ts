/**
 * A minimal `takeHeld` over the `notifications` collection, for the web chat's polling.
 *
 * Stand-in: the notification module owns notifications and how each kind is worded, and
 * is expected to provide the real `takeHeld`; this one exists so the web chat works (and
 * is tested) before that, with the wording injected as `render`.
 *
 * Why a claim per notification: two polls of the same session (two tabs, a retried
 * request) may run at once, and FerretDB's conditional updates are not atomic, so
 * `updateOne({state: 'held'} → 'sent')` alone could hand the same notification to both.
 * Claiming `notification-take:<idempotencyKey>` (a unique insert) picks exactly one.
 */
import type { ChannelName, Locale, OutgoingMessage } from '../../core/messages';
import { conversationKey } from '../../core/messages';
import type { Claims } from '../../storage/mongo/claims';
import type { Models } from '../../storage/mongo/models';
import type { TakeHeld } from './web-chat-routes';

/** What `render` gets of a held notification. */
export interface HeldNotification {
  readonly kind: string;
  readonly complaintCode?: string;
  readonly params: Readonly<Record<string, unknown>>;
}

export interface MongoTakeHeldDeps {
  readonly models: Pick<Models, 'Notification' | 'Conversation'>;
  readonly claims: Claims;
  /** Words one notification in the citizen's language. */
  readonly render: (notification: HeldNotification, locale: Locale) => OutgoingMessage[] | Promise<OutgoingMessage[]>;
  /** Most notifications returned per poll; default 20. */
  readonly limit?: number;
  readonly owner?: string;
}

export function mongoTakeHeld(deps: MongoTakeHeldDeps): TakeHeld {
  return async (channel: ChannelName, userId: string) => {
    const held = await deps.models.Notification.find({ channel, userId, state: 'held' })
      .sort({ createdAt: 1 })
      .limit(deps.limit ?? 20)
      .lean();
    if (held.length === 0) return [];
    const locale = await localeOf(deps, channel, userId);
    const messages: OutgoingMessage[] = [];
    for (const doc of held) {
      if (!(await deps.claims.tryClaim(`notification-take:${doc.idempotencyKey}`, deps.owner ?? 'web-chat'))) continue;
      const notification: HeldNotification = {
        kind: doc.kind,
        ...(doc.complaintCode ? { complaintCode: doc.complaintCode } : {}),
        params: (doc.params ?? {}) as Record<string, unknown>,
      };
      messages.push(...(await deps.render(notification, locale)));
      await deps.models.Notification.updateOne({ _id: doc._id }, { $set: { state: 'sent', sentAt: new Date() } });
    }
    return messages;
  };
}

async function localeOf(deps: MongoTakeHeldDeps, channel: ChannelName, userId: string): Promise<Locale> {
  const conversation = await deps.models.Conversation.findById(conversationKey(channel, userId)).lean();
  return conversation?.locale === 'en' ? 'en' : 'vi';
}
