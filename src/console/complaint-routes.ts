/**
 * Complaints in the console: the list (filters), one complaint, and the officer actions —
 * through the complaint use cases, so the rules, the history and the citizen's
 * notifications are those of the Telegram desk and the agency API. An officer acts for
 * their agency; a coordinator for the coordinating agency, which the rules let see and act
 * on every complaint and alone re-assign. Another agency's complaint answers "not found"
 * (page and JSON alike), and the refusal is audited.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { ActionResult, Actor, ComplaintStatus, OfficerCommand } from '../complaints/complaint-service';
import { isSector, SECTORS } from '../complaints/sectors';
import { isTrackingCode } from '../complaints/tracking-code';
import { actingAgency, type ConsoleRequestTools } from './console-context';
import type { ConsoleAccount } from './console-ports';

const STATUSES: readonly ComplaintStatus[] = ['received', 'forwarded', 'acknowledged', 'answered', 'resolved', 'reopened', 'closed'];
const STATUS_LABELS: Readonly<Record<ComplaintStatus, string>> = {
  received: 'Mới nhận',
  forwarded: 'Đã chuyển đến cơ quan',
  acknowledged: 'Đã tiếp nhận',
  answered: 'Đã trả lời',
  resolved: 'Đã giải quyết',
  reopened: 'Mở lại',
  closed: 'Đã đóng',
};
const MAX_TEXT = 4000;
const IMAGE_TYPES = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp']);
/** History entries and actors as a Vietnamese civil servant reads them. */
const HISTORY_LABELS: Readonly<Record<string, string>> = {
  submitted: 'Người dân gửi',
  forwarded: 'Đã chuyển đến cơ quan',
  acknowledged: 'Tiếp nhận',
  answered: 'Trả lời',
  transferred: 'Chuyển cơ quan',
  reassigned: 'Giao lại',
  resolved: 'Giải quyết xong',
  closed: 'Đóng',
  rated: 'Người dân đánh giá',
  rating_comment: 'Ý kiến kèm đánh giá',
  reopened: 'Mở lại',
};
const ACTOR_LABELS: Readonly<Record<string, string>> = {
  citizen: 'người dân',
  officer: 'cán bộ',
  agency_api: 'hệ thống của cơ quan',
  system: 'hệ thống',
};

const ListQuery = z.object({
  status: z
    .enum(STATUSES as [ComplaintStatus, ...ComplaintStatus[]])
    .optional()
    .catch(undefined),
  sector: z.string().max(40).optional().catch(undefined),
  agency: z.string().max(100).optional().catch(undefined),
  overdue: z.string().max(5).optional().catch(undefined),
});
const Note = z.string().trim().max(MAX_TEXT).optional();
const ActionBodies = {
  acknowledge: z.object({ note: Note }),
  answer: z.object({ text: z.string().trim().min(1).max(MAX_TEXT) }),
  transfer: z.object({ agencyId: z.string().trim().min(1).max(100), note: Note }),
  reassign: z.object({ agencyId: z.string().trim().min(1).max(100), note: Note }),
  resolve: z.object({ note: Note }),
  close: z.object({ note: z.string().trim().min(1).max(MAX_TEXT) }),
} as const;
type ActionName = keyof typeof ActionBodies;

const DONE_TEXTS: Readonly<Record<ActionName, string>> = {
  acknowledge: 'Đã tiếp nhận phản ánh.',
  answer: 'Đã gửi trả lời; người phản ánh sẽ nhận được trên kênh đã gửi.',
  transfer: 'Đã chuyển phản ánh sang cơ quan khác.',
  reassign: 'Đã giao lại phản ánh.',
  resolve: 'Đã giải quyết xong; người phản ánh được mời đánh giá.',
  close: 'Đã đóng phản ánh.',
};
const ERROR_TEXTS: Readonly<Record<string, string>> = {
  not_found: 'Không tìm thấy phản ánh.',
  forbidden: 'Bạn không có quyền thực hiện thao tác này.',
  invalid_state: 'Phản ánh đang ở trạng thái không cho phép thao tác này.',
  unknown_agency: 'Không tìm thấy cơ quan nhận.',
  invalid_input: 'Nội dung không hợp lệ (cần 1–4.000 ký tự).',
};

function toCommand(action: ActionName, body: Record<string, string | undefined>): OfficerCommand {
  const note = body.note ? { note: body.note } : {};
  switch (action) {
    case 'answer':
      return { kind: 'answer', text: body.text ?? '' };
    case 'transfer':
    case 'reassign':
      return { kind: action, toAgencyId: body.agencyId ?? '', ...note };
    case 'close':
      return { kind: 'close', note: body.note ?? '' };
    default:
      return { kind: action, ...note };
  }
}

export function registerComplaintRoutes(scope: FastifyInstance, tools: ConsoleRequestTools): void {
  const { deps } = tools;
  const desk = { preHandler: tools.requireRoles('officer', 'coordinator') };
  const agencyOf = (account: ConsoleAccount): string => {
    const agency = actingAgency(account, deps.directory);
    if (!agency) throw new Error('a desk account without an agency');
    return agency;
  };
  const actorOf = (account: ConsoleAccount): Actor => ({ kind: 'officer', id: `console:${account.username}`, agencyId: agencyOf(account) });

  const list = async (request: FastifyRequest) => {
    const account = tools.account(request);
    const query = ListQuery.parse(request.query ?? {});
    const coordinator = account.role === 'coordinator';
    const agencyFilter = coordinator && query.agency && deps.directory.current().agencyById.has(query.agency) ? query.agency : undefined;
    const complaints = await deps.complaints.listForAgency(agencyOf(account), {
      status: query.status,
      limit: 200,
      allAgencies: coordinator,
      ...(agencyFilter ? { agencyId: agencyFilter } : {}),
      ...(query.sector && isSector(query.sector) ? { sector: query.sector } : {}),
      ...(query.overdue ? { overdue: true } : {}),
    });
    return { complaints, query: { ...query, agency: agencyFilter }, coordinator };
  };

  scope.get('/complaints', desk, async (request, reply) => {
    const { complaints, query, coordinator } = await list(request);
    await tools.audit(request, { action: 'complaint.list', outcome: 'ok', detail: JSON.stringify(query) });
    return tools.page(request, reply, 'complaints', query.overdue ? 'Phản ánh quá hạn' : 'Phản ánh', {
      complaints,
      query,
      coordinator,
      moved: 'moved' in (request.query as object),
      statuses: STATUSES,
      statusLabels: STATUS_LABELS,
      sectorLabel: (id: string) => deps.reports.labels().sector(id),
      allSectors: sectorOptions(tools),
      agencies: deps.directory.current().agencies.map((a) => ({ id: a.id, name: a.name.vi })),
    });
  });

  scope.get('/api/complaints', desk, async (request, reply) => {
    const { complaints, query } = await list(request);
    await tools.audit(request, { action: 'complaint.list', outcome: 'ok', detail: `api ${JSON.stringify(query)}` });
    return reply.send({ complaints });
  });

  /** One complaint for the account's agency; a refusal is audited and answered "not found". */
  const open = async (request: FastifyRequest, reply: FastifyReply): Promise<ActionResult | undefined> => {
    const code = String((request.params as { code?: string }).code ?? '');
    const account = tools.account(request);
    const result = isTrackingCode(code)
      ? await deps.complaints.getForAgency(code, agencyOf(account))
      : ({ ok: false, error: 'not_found', message: 'not a tracking code' } as const);
    await tools.audit(request, {
      action: 'complaint.open',
      target: isTrackingCode(code) ? code : undefined,
      outcome: result.ok ? 'ok' : 'refused',
      ...(result.ok ? {} : { detail: result.error }),
    });
    if (result.ok) return result;
    await tools.fail(request, reply, 404, 'Không tìm thấy phản ánh này trong phạm vi của cơ quan bạn.');
    return undefined;
  };

  scope.get('/complaints/:code', desk, async (request, reply) => {
    const result = await open(request, reply);
    if (!result?.ok) return reply;
    const query = request.query as { done?: string; error?: string };
    const account = tools.account(request);
    const directory = deps.directory.current();
    const labels = deps.reports.labels();
    return tools.page(request, reply, 'complaint', `Phản ánh ${result.complaint.code}`, {
      complaint: result.complaint,
      statusLabels: STATUS_LABELS,
      historyLabels: HISTORY_LABELS,
      actorLabels: ACTOR_LABELS,
      sectorLabel: labels.sector(result.complaint.sector),
      localityLabel: result.complaint.localityId ? labels.locality(result.complaint.localityId) : '',
      agencyName: labels.agency(result.complaint.agencyId),
      agencyLabel: (id: string) => labels.agency(id),
      otherAgencies: directory.agencies.filter((a) => a.id !== result.complaint.agencyId).map((a) => ({ id: a.id, name: a.name.vi })),
      coordinator: account.role === 'coordinator',
      done: query.done && query.done in DONE_TEXTS ? DONE_TEXTS[query.done as ActionName] : undefined,
      error: query.error && query.error in ERROR_TEXTS ? ERROR_TEXTS[query.error] : undefined,
    });
  });

  scope.get('/api/complaints/:code', desk, async (request, reply) => {
    const result = await open(request, reply);
    if (!result?.ok) return reply;
    return reply.send({ complaint: result.complaint });
  });

  // Photos of a complaint the account may open (the same check), served as images only.
  scope.get('/complaints/:code/photos/:photoId', desk, async (request, reply) => {
    const result = await open(request, reply);
    if (!result?.ok) return reply;
    const photoId = String((request.params as { photoId?: string }).photoId ?? '');
    const photo = result.complaint.photoIds.includes(photoId) ? await deps.photos.load(result.complaint.code, photoId) : undefined;
    if (!photo || !IMAGE_TYPES.has(photo.contentType)) return tools.fail(request, reply, 404, 'Không có ảnh này.');
    return reply.header('content-type', photo.contentType).header('cache-control', 'private, no-store').send(photo.bytes);
  });

  scope.post('/complaints/:code/:action', { ...desk, bodyLimit: 64 * 1024 }, async (request, reply) => {
    const { code, action } = request.params as { code: string; action: string };
    const account = tools.account(request);
    if (!isTrackingCode(code) || !(action in ActionBodies)) return tools.fail(request, reply, 404, 'Không có thao tác này.');
    const name = action as ActionName;
    const body = ActionBodies[name].safeParse(request.body ?? {});
    const base = `/console/complaints/${code}`;
    if (!body.success) {
      await tools.audit(request, { action: `complaint.${name}`, target: code, outcome: 'refused', detail: 'invalid_input' });
      return reply.redirect(`${base}?error=invalid_input`, 303);
    }
    const input = body.data as Record<string, string | undefined>;
    const result = await deps.complaints.act(code, actorOf(account), toCommand(name, input));
    await tools.audit(request, {
      action: `complaint.${name}`,
      target: code,
      outcome: result.ok ? 'ok' : 'refused',
      detail: result.ok ? (input.agencyId ? `to ${input.agencyId}` : undefined) : result.error,
    });
    if (!result.ok && (result.error === 'not_found' || result.error === 'forbidden')) {
      return tools.fail(request, reply, 404, 'Không tìm thấy phản ánh này trong phạm vi của cơ quan bạn.');
    }
    // After a transfer the complaint may no longer be the officer's: back to the list.
    if (result.ok && name === 'transfer' && account.role !== 'coordinator') return reply.redirect('/console/complaints?moved=1', 303);
    return reply.redirect(result.ok ? `${base}?done=${name}` : `${base}?error=${result.error}`, 303);
  });
}

function sectorOptions(tools: ConsoleRequestTools): { id: string; label: string }[] {
  const labels = tools.deps.reports.labels();
  return SECTORS.map((id) => ({ id, label: labels.sector(id) }));
}
