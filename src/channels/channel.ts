/**
 * The contract every channel folder fulfils (Telegram, Zalo, the web chat), in the spirit
 * of Rasa's input/output channels: what it gives the rest of the service — a sender the
 * notification outbox reaches citizens with, maybe a transport to agencies and a photo
 * fetcher — and how it receives: `attach` registers its routes (webhooks, the web chat)
 * and hands every incoming message to the one {@link InboundPipeline}; `start`/`stop` run
 * a poller when it has one. The composition root loops over channels; it knows none of
 * their insides.
 *
 * Outbound parts exist from construction, the inbound side from `attach`: the complaint
 * service needs the photo fetchers and the outbox the senders before the pipeline (and
 * the officers' desk, which needs the complaint service) can be built.
 */
import type { FastifyInstance } from 'fastify';
import type { ChannelName } from '../core/messages';
import type { PhotoFetcher } from '../complaints/complaint-photos';
import type { ComplaintService } from '../complaints/complaint-service';
import type { Transport } from '../forwarding/transport';
import type { ChannelSender } from './channel-sender';
import type { InboundPipeline } from './pipeline/inbound-pipeline';

/** What a channel receives with: the pipeline, the public HTTP server, the complaint service (officers, consent withdrawal). */
export interface ChannelContext {
  readonly inbound: InboundPipeline;
  readonly http: FastifyInstance;
  readonly complaints: ComplaintService;
}

export interface Channel {
  readonly name: ChannelName;
  /** How the notification outbox reaches this channel's citizens. */
  readonly sender?: ChannelSender;
  /** Delivery to agencies over this channel (Telegram groups). */
  readonly transport?: Transport;
  /** Downloads the photos citizens send, so complaints keep them. */
  readonly photoFetcher?: PhotoFetcher;
  /** Registers this channel's routes on the public HTTP server; every message goes to the pipeline. */
  attach(context: ChannelContext): Promise<void>;
  /** After the HTTP server listens (Telegram: polling or setWebhook). */
  start?(): Promise<void>;
  /** Stops receiving and finishes what is in flight. */
  stop?(): Promise<void>;
}
