/** A sample agency and message shared by the forwarding tests. */
import type { Agency, AgencyMessage } from '../../src/forwarding/transport';
import { sampleAgencyTexts } from '../support/locale-texts';

export function sampleAgency(delivery: Agency['delivery']): Agency {
  return {
    id: 'ubnd-huyen-dak-ha',
    name: { vi: 'UBND huyện Đăk Hà', en: 'Dak Ha District People’s Committee' },
    kind: 'district',
    coordinator: false,
    deadlineWorkingDays: 7,
    delivery,
    apiKeyHashes: [],
  };
}

export function sampleMessage(overrides: Partial<AgencyMessage> = {}): AgencyMessage {
  return {
    event: 'complaint.forwarded',
    idempotencyKey: 'PA-7K3M9X.forwarded.1',
    texts: sampleAgencyTexts(overrides.event ?? 'complaint.forwarded', 'PA-7K3M9X.forwarded.1'),
    complaint: {
      code: 'PA-7K3M9X',
      agencyId: 'ubnd-huyen-dak-ha',
      agencyName: 'UBND huyện Đăk Hà',
      sector: 'officer_conduct',
      sectorLabel: 'Thái độ, trách nhiệm của cán bộ',
      localityName: 'Huyện Đăk Hà',
      text: 'Cán bộ xã đòi tiền mới giải quyết hồ sơ đất <script>alert(1)</script>',
      contact: { name: 'Nguyễn Văn A', phone: '0912345678' },
      photos: [{ url: 'https://files.example/p/1.jpg', contentType: 'image/jpeg' }, { url: 'javascript:alert(1)' }],
      createdAt: '2025-03-03T03:00:00.000Z',
      dueAt: '2025-03-12T10:00:00.000Z',
      status: 'forwarded',
      publicUrl: 'https://phananh.example/PA-7K3M9X',
    },
    ...overrides,
  };
}
