/**
 * What agencies do with complaints — acknowledge, answer, transfer, resolve, close, and
 * the coordinator's re-assignment — and what they may read. The same use case serves the
 * Telegram officer desk, the agency API and a web console: one rule, one history.
 *
 * "Not yours" and "unknown code" must not be told apart, not even by timing: both paths
 * read only the complaint's agency (`agencyOf`, the same small read by `_id`) and stop;
 * the whole complaint is read only once access is granted.
 */
import type { Actor, Complaint } from '../domain/complaint';
import { decideOfficerCommand, mayAct, mayRead, checkOfficerCommand, type OfficerCommand, type Refusal } from '../domain/complaint-rules';
import { toAgencyView } from '../domain/complaint-views';
import type { ActionResult, AgencyListFilter } from '../complaint-service';
import { isTrackingCode } from '../tracking-code';
import { commitDecision } from './commit-decision';
import type { ComplaintUseCaseDeps } from './use-case-deps';
import { ruleContext } from './use-case-deps';
import type { AgencyComplaintView } from '../domain/complaint-views';

const DEFAULT_AGENCY_LIST = 50;
const MAX_AGENCY_LIST = 200;

const notFound = (code: string): Refusal => ({ ok: false, error: 'not_found', message: `no complaint ${code} for this agency` });

export async function performOfficerCommand(
  deps: ComplaintUseCaseDeps,
  code: string,
  actor: Actor,
  command: OfficerCommand,
): Promise<ActionResult> {
  const invalid = checkOfficerCommand(command, deps.directory.current());
  if (invalid) return invalid;
  const load = async (): Promise<Complaint | undefined | Refusal> => {
    if (!isTrackingCode(code)) return notFound(code);
    const agencyId = await deps.repository.agencyOf(code);
    if (!agencyId || !mayAct(actor, command.kind, agencyId, deps.directory.current())) {
      // The same answer, after the same read, for an unknown code and someone else's.
      return agencyId ? { ok: false, error: 'forbidden', message: `complaint ${code} is not handled by this agency` } : notFound(code);
    }
    return deps.repository.findByCode(code);
  };
  const committed = await commitDecision(deps, code, (c, now) => decideOfficerCommand(c, command, actor, ruleContext(deps, now)), load);
  if (!committed.ok) return committed;
  deps.logger.info({ code, action: command.kind, actorKind: actor.kind, agencyId: committed.after.agencyId }, 'complaint action');
  return { ok: true, complaint: toAgencyView(committed.after, deps.directory.current(), deps.clock()) };
}

export async function getForAgency(deps: ComplaintUseCaseDeps, code: string, agencyId: string): Promise<ActionResult> {
  if (!isTrackingCode(code)) return notFound(code);
  const directory = deps.directory.current();
  const routedTo = await deps.repository.agencyOf(code);
  if (!routedTo) return notFound(code);
  if (!mayRead(agencyId, routedTo, directory))
    return { ok: false, error: 'forbidden', message: `complaint ${code} is not handled by this agency` };
  const complaint = await deps.repository.findByCode(code);
  if (!complaint) return notFound(code);
  return { ok: true, complaint: toAgencyView(complaint, directory, deps.clock()) };
}

export async function listForAgency(
  deps: ComplaintUseCaseDeps,
  agencyId: string,
  filter: AgencyListFilter = {},
): Promise<AgencyComplaintView[]> {
  const directory = deps.directory.current();
  const all = filter.allAgencies === true && agencyId === directory.coordinator.id;
  const limit = Math.max(1, Math.min(filter.limit ?? DEFAULT_AGENCY_LIST, MAX_AGENCY_LIST));
  const now = deps.clock();
  const complaints = await deps.repository.listForAgency(all ? filter.agencyId : agencyId, {
    status: filter.status,
    limit,
    ...(filter.sector ? { sector: filter.sector } : {}),
    ...(filter.overdue ? { dueBefore: now } : {}),
  });
  return complaints.map((c) => toAgencyView(c, directory, now));
}
