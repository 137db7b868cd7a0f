import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { generateApiKey, keyInstructions } from '../../src/cli/agency-key';
import type { Directory } from '../../src/complaints/directory/directory';
import { parseDirectory } from '../../src/complaints/directory/directory-loader';
import type { ComplaintUseCases } from '../../src/complaints/use-cases/complaint-use-cases';
import { MongoPhotoStore } from '../../src/storage/mongo/mongo-photo-store';
import { deliveryOutbox } from '../../src/storage/mongo/mongo-outbox';
import { createComplaintService } from '../support/complaint-service';
import { HolidayCalendar } from '../../src/complaints/holiday-calendar';
import { agencyApiRoutes, hashApiKey } from '../../src/http/agency-api';
import { silentLogger } from '../../src/infra/logger';
import type { Database } from '../../src/storage/mongo/database';
import { dropTestDatabase, openTestDatabase } from '../support/database';

const KEY_A = generateApiKey();
const KEY_A2 = generateApiKey();
const KEY_B = generateApiKey();
const KEY_COORDINATOR = generateApiKey();

function apiDirectory(): Directory {
  const text = `version: 1
name: agency api test
localities:
  - id: huyen-a
    kind: district
    name: { vi: Huyện A }
    agency: ubnd-a
agencies:
  - id: so-noi-vu
    name: { vi: Sở Nội vụ, en: Home Affairs }
    kind: department
    coordinator: true
    deadlineWorkingDays: 10
    delivery: { email: snv@test.example }
    apiKeyHashes: [${hashApiKey(KEY_COORDINATOR)}]
  - id: ubnd-a
    name: { vi: UBND huyện A, en: A }
    kind: district
    deadlineWorkingDays: 7
    delivery: { email: a@test.example }
    apiKeyHashes: [${hashApiKey(KEY_A)}, ${hashApiKey(KEY_A2)}]
  - id: ubnd-b
    name: { vi: UBND huyện B, en: B }
    kind: district
    deadlineWorkingDays: 5
    delivery: { email: b@test.example }
    apiKeyHashes: [${hashApiKey(KEY_B)}]
rules:
  - sector: construction
    agency: ubnd-a
  - sector: land
    agency: ubnd-b
defaultAgency: so-noi-vu
`;
  const result = parseDirectory('agency-api-test.yaml', text);
  if (!result.ok) throw new Error(result.errors.map((e) => `${e.line}: ${e.message}`).join('\n'));
  return result.value;
}

const auth = (key: string) => ({ authorization: `Bearer ${key}` });

interface Response {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly body: string;
  readonly rawPayload: Buffer;
  json(): ApiJson;
}

/** The response shapes the tests read (a given response has only some of them). */
interface ApiJson {
  readonly error: { readonly code: string; readonly message: string };
  readonly complaint: { readonly code: string; readonly status: string; readonly agencyId: string };
  readonly complaints: readonly { readonly code: string; readonly agencyId: string }[];
  readonly deliveries: readonly { readonly key: string; readonly agencyId: string; readonly state: string }[];
  readonly delivery: { readonly key: string; readonly state: string };
}

interface Request {
  readonly method: 'GET' | 'POST';
  readonly url: string;
  readonly headers?: Record<string, string>;
  readonly payload?: string | object;
}

/**
 * Real HTTP on 127.0.0.1 rather than fastify's `inject`: inject's light-my-request
 * requires the ESM-only `cookie@2`, which jest's CommonJS runtime cannot load.
 */
async function request(base: string, req: Request): Promise<Response> {
  const headers: Record<string, string> = { ...req.headers };
  let body: string | undefined;
  if (req.payload !== undefined) {
    body = typeof req.payload === 'string' ? req.payload : JSON.stringify(req.payload);
    headers['content-type'] ??= 'application/json';
  }
  const res = await fetch(base + req.url, { method: req.method, headers, body });
  const rawPayload = Buffer.from(await res.arrayBuffer());
  const text = rawPayload.toString('utf8');
  const responseHeaders: Record<string, string> = {};
  res.headers.forEach((value, name) => (responseHeaders[name] = value));
  return { statusCode: res.status, headers: responseHeaders, body: text, rawPayload, json: () => JSON.parse(text) as ApiJson };
}

describe('agency API (fastify on 127.0.0.1, the complaint use cases on FerretDB)', () => {
  let db: Database;
  let app: FastifyInstance;
  let service: ComplaintUseCases;
  const directory = apiDirectory();
  const source = { current: () => directory };
  let codeA: string;
  let codeB: string;
  let photoId: string;
  let api: { inject(req: Request): Promise<Response> };

  beforeAll(async () => {
    db = await openTestDatabase('agency_api');
    service = createComplaintService({ db, directory: source, holidays: HolidayCalendar.EMPTY });
    const draft = {
      channel: 'telegram' as const,
      userId: '555',
      locale: 'vi' as const,
      localityId: 'huyen-a',
      photoRefs: [],
      contact: { name: 'Trần Thị B', phone: '0987654321' },
    };
    codeA = (
      await service.submit({ ...draft, text: 'Công trình xây dựng lấn chiếm vỉa hè ở thôn 3 nhiều tháng nay', sector: 'construction' })
    ).code;
    codeB = (await service.submit({ ...draft, text: 'Tranh chấp ranh giới đất với nhà hàng xóm chưa được giải quyết', sector: 'land' }))
      .code;
    const photo = await db.models.ComplaintPhoto.create({
      complaintCode: codeA,
      contentType: 'image/jpeg',
      data: Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]),
      size: 7,
    });
    photoId = String(photo._id);
    await db.models.Complaint.updateOne(
      { code: codeA },
      { $set: { photos: [{ sourceRef: 'tg-file', photoId, contentType: 'image/jpeg', size: 7 }] } },
    );
    app = Fastify();
    await app.register(agencyApiRoutes, {
      complaints: service,
      directory: source,
      photos: new MongoPhotoStore(db),
      deliveries: deliveryOutbox(db),
      logger: silentLogger(),
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    api = { inject: (req: Request) => request(base, req) };
  });

  afterAll(async () => {
    await app.close();
    await dropTestDatabase(db);
  });

  const snapshot = async (code: string) => {
    const doc = await db.models.Complaint.findOne({ code }).lean();
    return {
      status: doc?.status,
      agencyId: doc?.agencyId,
      history: doc?.history.length,
      notifications: await db.models.Notification.countDocuments({ complaintCode: code }),
    };
  };

  describe('authentication', () => {
    it('rejects a missing or forged key with 401 and a JSON error', async () => {
      const attempts: Record<string, string>[] = [
        {},
        auth('cchc_forged-key-0000000000000000000000'),
        { 'x-api-key': 'not-a-real-key-at-all-000' },
        { authorization: `Basic ${KEY_A}` },
        auth('short'),
      ];
      for (const headers of attempts) {
        const res = await api.inject({ method: 'GET', url: '/api/agency/complaints', headers });
        expect(res.statusCode).toBe(401);
        expect(res.json()).toEqual({ error: { code: 'UNAUTHORIZED', message: expect.any(String) } });
        expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
      }
    });

    it('rejects before reading the body: an unauthenticated POST changes nothing', async () => {
      const before = await snapshot(codeA);
      const res = await api.inject({ method: 'POST', url: `/api/agency/complaints/${codeA}/answer`, payload: { text: 'forged answer' } });
      expect(res.statusCode).toBe(401);
      expect(await snapshot(codeA)).toEqual(before);
    });

    it('accepts the key as Bearer token or X-Api-Key; a key generated by the CLI works once its hash is in the directory', async () => {
      expect((await api.inject({ method: 'GET', url: '/api/agency/complaints', headers: auth(KEY_A) })).statusCode).toBe(200);
      expect((await api.inject({ method: 'GET', url: '/api/agency/complaints', headers: { 'x-api-key': KEY_A2 } })).statusCode).toBe(200);
      expect(keyInstructions(KEY_A, 'ubnd-a')).toContain(`- ${hashApiKey(KEY_A)}`);
      expect(KEY_A).toMatch(/^cchc_[A-Za-z0-9_-]{43}$/);
    });
  });

  describe('reading', () => {
    it('lists only the caller’s own complaints, with a validated status filter', async () => {
      const res = await api.inject({ method: 'GET', url: '/api/agency/complaints', headers: auth(KEY_A) });
      const codes = res.json().complaints.map((c) => c.code);
      expect(codes).toContain(codeA);
      expect(codes).not.toContain(codeB);
      const filtered = await api.inject({ method: 'GET', url: '/api/agency/complaints?status=resolved', headers: auth(KEY_A) });
      expect(filtered.json()).toEqual({ complaints: [] });
      const bad = await api.inject({ method: 'GET', url: '/api/agency/complaints?status[$ne]=x', headers: auth(KEY_A) });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().error.code).toBe('INVALID_REQUEST');
    });

    it('returns the caller’s complaint with text, contact and photo ids', async () => {
      const res = await api.inject({ method: 'GET', url: `/api/agency/complaints/${codeA}`, headers: auth(KEY_A) });
      expect(res.statusCode).toBe(200);
      expect(res.json().complaint).toMatchObject({
        code: codeA,
        agencyId: 'ubnd-a',
        contact: { phone: '0987654321' },
        photoIds: [photoId],
      });
    });

    it('answers 404 for another agency’s complaint exactly as for an unknown code; 400 for a malformed code', async () => {
      const other = await api.inject({ method: 'GET', url: `/api/agency/complaints/${codeB}`, headers: auth(KEY_A) });
      const unknown = await api.inject({ method: 'GET', url: '/api/agency/complaints/PA-22222A', headers: auth(KEY_A) });
      expect(other.statusCode).toBe(404);
      expect(unknown.statusCode).toBe(404);
      expect(other.json()).toEqual(unknown.json());
      expect(other.body).not.toContain('ubnd-b');
      const malformed = await api.inject({ method: 'GET', url: '/api/agency/complaints/hello', headers: auth(KEY_A) });
      expect(malformed.statusCode).toBe(400);
    });

    it('serves a photo only to the responsible agency', async () => {
      const url = `/api/agency/complaints/${codeA}/photos/${photoId}`;
      const ok = await api.inject({ method: 'GET', url, headers: auth(KEY_A) });
      expect(ok.statusCode).toBe(200);
      expect(ok.headers['content-type']).toBe('image/jpeg');
      expect(ok.headers['x-content-type-options']).toBe('nosniff');
      expect(ok.rawPayload.equals(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]))).toBe(true);
      expect((await api.inject({ method: 'GET', url, headers: auth(KEY_B) })).statusCode).toBe(404);
      expect(
        (await api.inject({ method: 'GET', url: `/api/agency/complaints/${codeA}/photos/65f0c0ffee0000000000abcd`, headers: auth(KEY_A) }))
          .statusCode,
      ).toBe(404);
      expect(
        (await api.inject({ method: 'GET', url: `/api/agency/complaints/${codeA}/photos/..%2F..%2Fetc`, headers: auth(KEY_A) })).statusCode,
      ).toBe(400);
    });

    it('answers unknown routes under the prefix with a JSON 404', async () => {
      const res = await api.inject({ method: 'GET', url: '/api/agency/nothing-here', headers: auth(KEY_A) });
      expect(res.statusCode).toBe(404);
      expect(res.json().error.code).toBe('NOT_FOUND');
    });
  });

  describe('bad input changes nothing', () => {
    const answerUrl = () => `/api/agency/complaints/${codeA}/answer`;
    const json = { ...auth(KEY_A), 'content-type': 'application/json' };

    it.each([
      ['malformed JSON', 400, 'INVALID_JSON', '{"text": "unterminated'],
      ['an operator object instead of a string', 400, 'INVALID_REQUEST', JSON.stringify({ text: { $gt: '' } })],
      ['an unknown field', 400, 'INVALID_REQUEST', JSON.stringify({ text: 'ok', status: 'resolved' })],
      ['an empty text', 400, 'INVALID_REQUEST', JSON.stringify({ text: '   ' })],
      ['a text over 4000 characters', 400, 'INVALID_REQUEST', JSON.stringify({ text: 'a'.repeat(4001) })],
      ['a JSON array', 400, 'INVALID_REQUEST', '[1,2]'],
      ['a 1 MB body', 413, 'PAYLOAD_TOO_LARGE', JSON.stringify({ text: 'x'.repeat(1024 * 1024) })],
    ])('%s → %i %s', async (_what, status, code, payload) => {
      const before = await snapshot(codeA);
      const res = await api.inject({ method: 'POST', url: answerUrl(), headers: json, payload });
      expect(res.statusCode).toBe(status);
      expect(res.json()).toEqual({ error: { code, message: expect.any(String) } });
      expect(await snapshot(codeA)).toEqual(before);
    });

    it('another agency cannot answer, transfer or resolve: 404 and nothing changes', async () => {
      const before = await snapshot(codeB);
      for (const [action, payload] of [
        ['answer', { text: 'Trả lời giả mạo' }],
        ['transfer', { agencyId: 'ubnd-a' }],
        ['resolve', {}],
        ['acknowledge', {}],
      ] as const) {
        const res = await api.inject({ method: 'POST', url: `/api/agency/complaints/${codeB}/${action}`, headers: auth(KEY_A), payload });
        expect(res.statusCode).toBe(404);
      }
      expect(await snapshot(codeB)).toEqual(before);
    });

    it('unknown code → 404; transfer to an unknown agency → 422', async () => {
      const unknown = await api.inject({
        method: 'POST',
        url: '/api/agency/complaints/PA-22222A/answer',
        headers: auth(KEY_A),
        payload: { text: 'x' },
      });
      expect(unknown.statusCode).toBe(404);
      const before = await snapshot(codeA);
      const res = await api.inject({
        method: 'POST',
        url: `/api/agency/complaints/${codeA}/transfer`,
        headers: auth(KEY_A),
        payload: { agencyId: 'ubnd-z' },
      });
      expect(res.statusCode).toBe(422);
      expect(res.json().error.code).toBe('UNKNOWN_AGENCY');
      expect(await snapshot(codeA)).toEqual(before);
    });
  });

  describe('actions', () => {
    it('acknowledge, answer: recorded in the history with the key’s actor, and the citizen is notified', async () => {
      const ack = await api.inject({ method: 'POST', url: `/api/agency/complaints/${codeA}/acknowledge`, headers: auth(KEY_A) });
      expect(ack.statusCode).toBe(200);
      expect(ack.json().complaint.status).toBe('acknowledged');
      const again = await api.inject({
        method: 'POST',
        url: `/api/agency/complaints/${codeA}/acknowledge`,
        headers: auth(KEY_A),
        payload: {},
      });
      expect(again.statusCode).toBe(409);
      expect(again.json().error.code).toBe('INVALID_STATE');

      const text = 'UBND huyện đã kiểm tra và yêu cầu tháo dỡ công trình trong 15 ngày.';
      const res = await api.inject({
        method: 'POST',
        url: `/api/agency/complaints/${codeA}/answer`,
        headers: auth(KEY_A),
        payload: { text },
      });
      expect(res.statusCode).toBe(200);
      expect(res.json().complaint).toMatchObject({ code: codeA, status: 'answered' });
      const doc = await db.models.Complaint.findOne({ code: codeA }).lean();
      const last = doc?.history[doc.history.length - 1];
      expect(last).toMatchObject({
        action: 'answered',
        note: text,
        actor: { kind: 'agency_api', id: `apikey:${hashApiKey(KEY_A).slice(0, 8)}`, agencyId: 'ubnd-a' },
      });
      expect(await db.models.Notification.countDocuments({ complaintCode: codeA, kind: 'answer' })).toBe(1);
    });

    it('transfer moves the complaint: the old agency no longer sees it, the new one does; resolve by the new one', async () => {
      const res = await api.inject({
        method: 'POST',
        url: `/api/agency/complaints/${codeA}/transfer`,
        headers: auth(KEY_A),
        payload: { agencyId: 'ubnd-b', note: 'Thuộc thẩm quyền huyện B' },
      });
      expect(res.statusCode).toBe(200);
      expect(res.json().complaint.agencyId).toBe('ubnd-b');
      expect((await api.inject({ method: 'GET', url: `/api/agency/complaints/${codeA}`, headers: auth(KEY_A) })).statusCode).toBe(404);
      expect((await api.inject({ method: 'GET', url: `/api/agency/complaints/${codeA}`, headers: auth(KEY_B) })).statusCode).toBe(200);
      const resolved = await api.inject({
        method: 'POST',
        url: `/api/agency/complaints/${codeA}/resolve`,
        headers: auth(KEY_B),
        payload: { note: 'Đã xử lý xong' },
      });
      expect(resolved.statusCode).toBe(200);
      expect(resolved.json().complaint.status).toBe('resolved');
    });
  });

  describe('the same work for "not yours" and "unknown"', () => {
    it('a foreign code and an unknown code send the very same database commands, and get the same 404', async () => {
      const unknown = 'PA-ZZZZZZ';
      const foreignCode = (
        await service.submit({
          channel: 'web',
          userId: 'w-foreign',
          locale: 'vi',
          text: 'Công trình xây dựng lấn chiếm lòng đường ở thôn 7 nhiều tuần',
          sector: 'construction',
          photoRefs: [],
        })
      ).code;
      for (const [method, path, payload] of [
        ['GET', '', undefined],
        ['POST', '/acknowledge', {}],
        ['POST', '/answer', { text: 'x' }],
        ['POST', '/close', { note: 'trùng' }],
        ['GET', '/photos/65f0c0ffee0000000000abcd', undefined],
      ] as const) {
        const call = (code: string) => () =>
          api.inject({ method, url: `/api/agency/complaints/${code}${path}`, headers: auth(KEY_B), ...(payload ? { payload } : {}) });
        const foreign = await db.commands.record(call(foreignCode));
        const none = await db.commands.record(call(unknown));
        expect(foreign.result.statusCode).toBe(404);
        expect(none.result.statusCode).toBe(404);
        expect(foreign.result.body).toBe(none.result.body);
        expect(foreign.commands).toEqual(none.commands);
        expect(foreign.commands).toEqual([{ name: 'find', collection: 'complaints', filterKeys: '_id', projectionKeys: 'agencyId' }]);
      }
    });
  });

  describe('the coordinator and closing', () => {
    it('the coordinator lists every agency’s complaints, acts on any, and alone re-assigns', async () => {
      const mine = (await api.inject({ method: 'GET', url: '/api/agency/complaints', headers: auth(KEY_COORDINATOR) })).json();
      const all = (await api.inject({ method: 'GET', url: '/api/agency/complaints?scope=all', headers: auth(KEY_COORDINATOR) })).json();
      expect(all.complaints.length).toBeGreaterThan(mine.complaints.length);
      expect(new Set(all.complaints.map((c) => c.agencyId)).size).toBeGreaterThan(1);
      const onlyB = (await api.inject({ method: 'GET', url: '/api/agency/complaints?scope=all', headers: auth(KEY_B) })).json();
      expect(onlyB.complaints.every((c) => c.agencyId === 'ubnd-b')).toBe(true);

      const fresh = (
        await service.submit({
          channel: 'web',
          userId: 'w-coord',
          locale: 'vi',
          text: 'Công trình xây dựng không phép trên đất nông nghiệp ở thôn 5',
          sector: 'construction',
          photoRefs: [],
        })
      ).code;
      const byB = await api.inject({
        method: 'POST',
        url: `/api/agency/complaints/${fresh}/reassign`,
        headers: auth(KEY_A),
        payload: { agencyId: 'ubnd-b' },
      });
      expect(byB.statusCode).toBe(404);
      const moved = await api.inject({
        method: 'POST',
        url: `/api/agency/complaints/${fresh}/reassign`,
        headers: auth(KEY_COORDINATOR),
        payload: { agencyId: 'ubnd-b', note: 'Giao huyện B' },
      });
      expect(moved.statusCode).toBe(200);
      expect(moved.json().complaint).toMatchObject({ agencyId: 'ubnd-b', status: 'forwarded' });
      const stored = await db.models.Complaint.findById(fresh).lean();
      expect(stored?.history.at(-1)).toMatchObject({ action: 'reassigned', actor: { kind: 'agency_api', agencyId: 'so-noi-vu' } });
      expect(await db.models.Delivery.countDocuments({ complaintCode: fresh, agencyId: 'ubnd-b' })).toBe(1);

      const noReason = await api.inject({
        method: 'POST',
        url: `/api/agency/complaints/${fresh}/close`,
        headers: auth(KEY_B),
        payload: {},
      });
      expect(noReason.statusCode).toBe(400);
      const closed = await api.inject({
        method: 'POST',
        url: `/api/agency/complaints/${fresh}/close`,
        headers: auth(KEY_B),
        payload: { note: 'Trùng phản ánh' },
      });
      expect(closed.json().complaint.status).toBe('closed');
      expect(await db.models.Notification.countDocuments({ complaintCode: fresh, kind: 'closed' })).toBe(1);
    });
  });

  describe('dead deliveries', () => {
    it('are listed for their agency (the coordinator sees all) and re-sent once, recorded with who did it', async () => {
      await db.models.Delivery.updateOne(
        { _id: `${codeB}:forwarded:0:email` },
        { $set: { state: 'dead', attempts: 8, lastError: 'SMTP 550' } },
      );
      const forB = (await api.inject({ method: 'GET', url: '/api/agency/deliveries', headers: auth(KEY_B) })).json();
      expect(forB.deliveries.map((d) => d.key)).toEqual([`${codeB}:forwarded:0:email`]);
      expect(JSON.stringify(forB)).not.toContain('Tranh chấp');
      expect((await api.inject({ method: 'GET', url: '/api/agency/deliveries', headers: auth(KEY_A) })).json().deliveries).toEqual([]);
      const forCoordinator = (await api.inject({ method: 'GET', url: '/api/agency/deliveries', headers: auth(KEY_COORDINATOR) })).json();
      expect(forCoordinator.deliveries.map((d) => d.key)).toContain(`${codeB}:forwarded:0:email`);

      const url = `/api/agency/deliveries/${encodeURIComponent(`${codeB}:forwarded:0:email`)}/resend`;
      expect((await api.inject({ method: 'POST', url, headers: auth(KEY_A), payload: {} })).statusCode).toBe(404);
      const resent = await api.inject({ method: 'POST', url, headers: auth(KEY_B), payload: {} });
      expect(resent.statusCode).toBe(200);
      expect(resent.json().delivery).toMatchObject({ state: 'pending' });
      expect((await api.inject({ method: 'POST', url, headers: auth(KEY_B), payload: {} })).statusCode).toBe(409);
      const stored = await db.models.Delivery.findById(`${codeB}:forwarded:0:email`).lean();
      expect(stored).toMatchObject({ state: 'pending', attemptBase: 8, resends: [{ by: `apikey:${hashApiKey(KEY_B).slice(0, 8)}` }] });
      const unknownKey = `/api/agency/deliveries/${encodeURIComponent('PA-ZZZZZZ:forwarded:0:email')}/resend`;
      expect((await api.inject({ method: 'POST', url: unknownKey, headers: auth(KEY_B), payload: {} })).statusCode).toBe(404);
    });
  });
});
