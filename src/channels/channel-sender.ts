/** The port every channel implements for the citizen outbox; it belongs to src/notifications (the side that uses it). */
export type { ChannelSender, ChannelSendResult } from '../notifications/channel-sender';
