/**
 * The coordinator's view of the agency outbox: deliveries that could not be made (dead),
 * or in another state, and re-sending them — the same store and the same re-send as
 * `npm run deliveries` and the agency API, recorded on the delivery with who did it.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { OutboxState } from '../outbox/outbox-store';
import { describeDelivery } from '../forwarding/delivery-item';
import type { ConsoleRequestTools } from './console-context';

const STATES: readonly OutboxState[] = ['dead', 'pending', 'sending', 'sent'];
const STATE_LABELS: Readonly<Record<OutboxState, string>> = {
  dead: 'Không gửi được',
  pending: 'Đang chờ gửi',
  sending: 'Đang gửi',
  sent: 'Đã gửi',
  held: 'Chờ người dân quay lại',
};
const Query = z.object({
  state: z
    .enum(STATES as [OutboxState, ...OutboxState[]])
    .optional()
    .catch(undefined),
  agency: z.string().max(100).optional().catch(undefined),
  done: z.string().max(20).optional().catch(undefined),
});
const ResendBody = z.object({ key: z.string().regex(/^PA-[0-9A-Z]{6}:[\w:.\-#]{1,200}$/) });

export function registerDeliveryRoutes(scope: FastifyInstance, tools: ConsoleRequestTools): void {
  const { deps } = tools;
  const coordinator = { preHandler: tools.requireRoles('coordinator') };

  scope.get('/deliveries', coordinator, async (request, reply) => {
    const query = Query.parse(request.query ?? {});
    const directory = deps.directory.current();
    const agency = query.agency && directory.agencyById.has(query.agency) ? query.agency : undefined;
    const items = await deps.deliveries.list({
      state: query.state ?? 'dead',
      limit: 200,
      ...(agency ? { match: { agencyId: agency } } : {}),
    });
    return tools.page(request, reply, 'deliveries', 'Gửi đến cơ quan không thành công', {
      deliveries: items.map(describeDelivery),
      state: query.state ?? 'dead',
      states: STATES,
      stateLabels: STATE_LABELS,
      agency,
      agencies: directory.agencies.map((a) => ({ id: a.id, name: a.name.vi })),
      agencyLabel: (id: string) => deps.reports.labels().agency(id),
      done: query.done,
    });
  });

  scope.post('/deliveries/resend', coordinator, async (request, reply) => {
    const body = ResendBody.safeParse(request.body ?? {});
    if (!body.success) return reply.redirect('/console/deliveries?done=invalid', 303);
    const by = `console:${tools.account(request).username}`;
    const outcome = await deps.deliveries.resend(body.data.key, by, tools.now());
    await tools.audit(request, {
      action: 'delivery.resend',
      target: body.data.key,
      outcome: outcome === 'resent' ? 'ok' : 'refused',
      detail: outcome,
    });
    return reply.redirect(`/console/deliveries?done=${outcome}`, 303);
  });
}
