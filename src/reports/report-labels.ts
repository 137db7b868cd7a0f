/** Display names for the reports, from the directory and the content in service (both may be reloaded). */
import type { Directory } from '../complaints/directory/directory';
import type { BotContent } from '../core/bot-content';
import type { ReportLabels } from './report-sections';
import { FALLBACK_INTENT } from './report-sections';

export function reportLabels(directory: Directory, content: Pick<BotContent, 'sectors' | 'intents'>): ReportLabels {
  return {
    agency: (id) => directory.agencyById.get(id)?.name.vi ?? id,
    sector: (id) => content.sectors.sectors.find((s) => s.id === id)?.label.vi ?? id,
    locality: (id) => (id ? (directory.localityById.get(id)?.name.vi ?? id) : 'Không rõ địa bàn'),
    intent: (id) => {
      if (id === FALLBACK_INTENT) return 'Chưa trả lời được';
      // Intent files describe themselves as "Đăng ký khai sinh — birth registration": the Vietnamese half.
      const description = content.intents.get(id)?.description;
      return description ? description.split(' — ')[0].trim() : id;
    },
  };
}
