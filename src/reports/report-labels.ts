/** Display names for the reports, from the directory and the content in service (both may be reloaded). */
import type { Directory } from '../complaints/directory/directory';
import type { BotContent } from '../core/bot-content';
import type { ReportLabels } from './report-sections';
import { FALLBACK_INTENT } from './report-sections';

const PROCEDURE_PREFIX = 'procedure:';

export function reportLabels(directory: Directory, content: Pick<BotContent, 'sectors' | 'intents' | 'catalog'>): ReportLabels {
  return {
    agency: (id) => directory.agencyById.get(id)?.name.vi ?? id,
    sector: (id) => content.sectors.sectors.find((s) => s.id === id)?.label.vi ?? id,
    locality: (id) => (id ? (directory.localityById.get(id)?.name.vi ?? id) : 'Không rõ địa bàn'),
    intent: (id) => {
      if (id === FALLBACK_INTENT) return 'Chưa trả lời được';
      // A question the procedure catalog answered is recorded as "procedure:<id>": its official name.
      if (id.startsWith(PROCEDURE_PREFIX)) return content.catalog?.procedures.get(id.slice(PROCEDURE_PREFIX.length))?.name.vi ?? id;
      // Intent files describe themselves as "Đăng ký khai sinh — birth registration": the Vietnamese half.
      const description = content.intents.get(id)?.description;
      return description ? description.split(' — ')[0].trim() : id;
    },
  };
}
