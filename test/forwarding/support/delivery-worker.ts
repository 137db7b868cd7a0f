/** The agency outbox worker as the service builds it (app-background.ts), over a test database. */
import type { Directory } from '../../../src/complaints/directory/directory';
import type { AgencyTransportKind } from '../../../src/complaints/domain/agency-delivery-plan';
import { agencyDeliveryHandler } from '../../../src/forwarding/agency-delivery-handler';
import { createAgencyMessageBuilder } from '../../../src/forwarding/agency-message-builder';
import type { DeliveryItem } from '../../../src/forwarding/delivery-item';
import type { Transport } from '../../../src/forwarding/transport';
import { silentLogger } from '../../../src/infra/logger';
import { OutboxWorker, type AttemptOutcome, type OutboxWorkerOptions } from '../../../src/outbox/outbox-worker';
import type { Database } from '../../../src/storage/mongo/database';
import { MongoComplaintOutbox } from '../../../src/storage/mongo/mongo-complaint-outbox';
import { MongoComplaintRepository } from '../../../src/storage/mongo/mongo-complaint-repository';
import { deliveryOutbox } from '../../../src/storage/mongo/mongo-outbox';
import { localeTranslator } from '../../support/locale-texts';

export interface TestDeliveryWorkerOptions extends Partial<Omit<OutboxWorkerOptions<DeliveryItem>, 'store' | 'handler'>> {
  readonly directory: { current(): Directory };
  readonly transports: Partial<Record<AgencyTransportKind, Transport>>;
  readonly apiBaseUrl?: string;
  readonly onOutcome?: (outcome: AttemptOutcome, delivery: DeliveryItem) => void;
  readonly onForwarded?: (code: string, agencyId: string) => Promise<void>;
}

export function createDeliveryWorker(db: Database, options: TestDeliveryWorkerOptions): OutboxWorker<DeliveryItem> {
  const { directory, transports, apiBaseUrl, onOutcome, onForwarded, ...worker } = options;
  return new OutboxWorker({
    store: deliveryOutbox(db),
    handler: agencyDeliveryHandler({
      directory,
      transports,
      buildMessage: createAgencyMessageBuilder({
        complaints: new MongoComplaintRepository(db, worker.owner ?? 'test-worker'),
        directory,
        texts: () => localeTranslator(),
        apiBaseUrl: apiBaseUrl ?? 'https://phananh.test/',
      }),
      outbox: new MongoComplaintOutbox(db),
      logger: silentLogger(),
      ...(onOutcome ? { onOutcome } : {}),
      ...(onForwarded ? { onForwarded } : {}),
    }),
    owner: worker.owner ?? 'test-worker',
    logger: silentLogger(),
    ...worker,
  });
}
