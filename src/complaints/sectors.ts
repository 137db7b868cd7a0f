/**
 * The sectors (lĩnh vực) a complaint can be about, and a keyword guess of the sector
 * from the citizen's own words.
 *
 * The ids are stable: they appear in the agency directory's routing rules, in stored
 * complaints and in the webhook payload sent to agencies. Labels may change freely.
 *
 * Why keywords and not the intent classifier: the sector decides who receives the
 * complaint, so the guess must be explainable ("you wrote 'sổ đỏ', so this is about
 * land") and the conversation confirms it with the citizen. When nothing matches we
 * return `undefined` and the conversation asks.
 */
import { normalizeText } from '../text/normalize';
import { foldDiacritics } from '../text/vietnamese';

/** Every sector id, in the order menus show them. */
export const SECTORS = [
  'land',
  'construction',
  'business_registration',
  'civil_status',
  'tax',
  'health',
  'electricity',
  'market_management',
  'officer_conduct',
  'other',
] as const;

export type Sector = (typeof SECTORS)[number];

/** Vietnamese and English labels, for menus, e-mails and the webhook payload. */
export const SECTOR_LABELS: Readonly<Record<Sector, { readonly vi: string; readonly en: string }>> = {
  land: { vi: 'Đất đai', en: 'Land' },
  construction: { vi: 'Xây dựng', en: 'Construction' },
  business_registration: { vi: 'Đăng ký kinh doanh', en: 'Business registration' },
  civil_status: { vi: 'Hộ tịch', en: 'Civil status' },
  tax: { vi: 'Thuế', en: 'Tax' },
  health: { vi: 'Y tế', en: 'Health' },
  electricity: { vi: 'Tiếp cận điện năng', en: 'Electricity access' },
  market_management: { vi: 'Quản lý thị trường', en: 'Market management' },
  officer_conduct: { vi: 'Thái độ, trách nhiệm của cán bộ', en: 'Conduct of officials' },
  other: { vi: 'Lĩnh vực khác', en: 'Other' },
};

/** Type guard for ids read from storage or from a button press. */
export function isSector(value: string): value is Sector {
  return (SECTORS as readonly string[]).includes(value);
}

/**
 * Keyword phrases per sector, written with diacritics. A phrase matches whole words.
 * A citizen's word typed WITH marks must match the marks exactly ("đặt" is not "đất");
 * a word typed without marks matches any accented form ("dat" matches "đất").
 * A leading "!" makes the phrase match only when typed with the exact marks, for words
 * whose unaccented form is too common ("thuoc" is usually "thuộc", not "thuốc").
 *
 * The order of this table breaks ties (see {@link inferSector}).
 */
const SECTOR_KEYWORDS: ReadonlyArray<readonly [Exclude<Sector, 'other'>, readonly string[]]> = [
  [
    'officer_conduct',
    [
      'đòi tiền',
      'vòi tiền',
      'ăn tiền',
      'hối lộ',
      'bồi dưỡng',
      'phong bì',
      'tiền cà phê',
      'gây khó dễ',
      'gây khó khăn',
      'làm khó',
      'hách dịch',
      'thái độ',
      'sách nhiễu',
      'nhũng nhiễu',
      'cửa quyền',
      'tiêu cực',
      'thiếu trách nhiệm',
      'vô trách nhiệm',
      'quát mắng',
      'lăng mạ',
      'xúc phạm',
    ],
  ],
  [
    'market_management',
    [
      'hàng giả',
      'hàng nhái',
      'hàng lậu',
      'hàng kém chất lượng',
      'quản lý thị trường',
      'giá cả',
      'tăng giá',
      'nâng giá',
      'găm hàng',
      'không niêm yết giá',
      'cân điêu',
      'hết hạn sử dụng',
      'buôn lậu',
    ],
  ],
  [
    'construction',
    [
      'xây dựng',
      'giấy phép xây',
      'giấy phép xây dựng',
      'cấp phép xây',
      'xây nhà',
      'xây trái phép',
      'trật tự xây dựng',
      'công trình',
      'sửa chữa nhà',
      'cơi nới',
    ],
  ],
  [
    'land',
    [
      'đất',
      'đất đai',
      'sổ đỏ',
      'sổ hồng',
      'bìa đỏ',
      'thửa đất',
      'số thửa',
      '!thửa',
      'quyền sử dụng đất',
      'qsdđ',
      'địa chính',
      'giải phóng mặt bằng',
      'đền bù',
      'bồi thường đất',
      'tranh chấp đất',
      'lấn chiếm',
      'chuyển mục đích sử dụng',
      'tách thửa',
      'sang tên',
    ],
  ],
  ['tax', ['thuế', 'mst', 'mã số thuế', 'cục thuế', 'chi cục thuế', 'hóa đơn', 'quyết toán thuế', 'hoàn thuế', 'lệ phí trước bạ']],
  [
    'business_registration',
    [
      'kinh doanh',
      'hộ kinh doanh',
      'đăng ký kinh doanh',
      'giấy phép kinh doanh',
      'doanh nghiệp',
      'đăng ký doanh nghiệp',
      'đăng ký công ty',
      'thành lập công ty',
      'công ty',
      'hợp tác xã',
      'đkkd',
    ],
  ],
  [
    'civil_status',
    [
      'khai sinh',
      'giấy khai sinh',
      'kết hôn',
      'đăng ký kết hôn',
      'hộ tịch',
      'khai tử',
      'trích lục',
      'tình trạng hôn nhân',
      'cải chính',
      'nhận cha mẹ con',
      'giám hộ',
      'thay đổi họ tên',
    ],
  ],
  [
    'health',
    [
      'bệnh viện',
      'y tế',
      'trạm y tế',
      'bác sĩ',
      'y bác sĩ',
      'khám bệnh',
      'chữa bệnh',
      'khám chữa bệnh',
      'bảo hiểm y tế',
      'bhyt',
      'nhà thuốc',
      'hiệu thuốc',
      '!thuốc',
      'tiêm chủng',
      'vệ sinh an toàn thực phẩm',
    ],
  ],
  [
    'electricity',
    [
      'điện',
      'cấp điện',
      'mất điện',
      'cúp điện',
      'đồng hồ điện',
      'công tơ',
      'công tơ điện',
      'tiền điện',
      'hóa đơn điện',
      'điện lực',
      'lưới điện',
      'đường dây điện',
      'câu điện',
      'kéo điện',
    ],
  ],
];

/**
 * Phrases that contain a keyword but mean something else; their words are removed
 * before keywords are looked for ("điện thoại" is a phone, not electricity;
 * "đặt lịch" typed as "dat lich" is booking, not land).
 */
const FALSE_FRIENDS: readonly string[] = [
  'điện thoại',
  'điện tử',
  'thư điện tử',
  'điện báo',
  'điện thư',
  'cổng điện tử',
  'đặt lịch',
  'đặt hàng',
  'đạt được',
  'đạt chuẩn',
  'đặt câu hỏi',
  'thái độ phục vụ tốt',
  'công trình nghiên cứu',
];

interface Phrase {
  readonly tokens: readonly string[];
  readonly folded: readonly string[];
  readonly exactOnly: boolean;
}

interface SectorPhrases {
  readonly sector: Exclude<Sector, 'other'>;
  readonly phrases: readonly Phrase[];
}

function compilePhrase(raw: string): Phrase {
  const exactOnly = raw.startsWith('!');
  const n = normalizeText(exactOnly ? raw.slice(1) : raw);
  return { tokens: n.tokens, folded: n.foldedTokens, exactOnly };
}

const COMPILED: readonly SectorPhrases[] = SECTOR_KEYWORDS.map(([sector, phrases]) => ({
  sector,
  phrases: phrases.map(compilePhrase),
}));
const COMPILED_FALSE_FRIENDS: readonly Phrase[] = FALSE_FRIENDS.map(compilePhrase);

/** A citizen's word carries no tone or shape marks (we do not count đ: many type it and nothing else). */
function isUnmarked(token: string): boolean {
  const withoutD = token.replace(/đ/g, 'd');
  return foldDiacritics(withoutD) === withoutD;
}

interface Words {
  readonly tokens: readonly string[];
  readonly folded: readonly string[];
  readonly used: boolean[];
}

function tokenMatches(words: Words, i: number, phrase: Phrase, j: number): boolean {
  if (words.used[i]) return false;
  if (words.tokens[i] === phrase.tokens[j]) return true;
  return !phrase.exactOnly && isUnmarked(words.tokens[i]) && words.folded[i] === phrase.folded[j];
}

/** Start positions where `phrase` occurs in `words` as whole words. */
function occurrences(words: Words, phrase: Phrase): number[] {
  const found: number[] = [];
  const n = phrase.tokens.length;
  for (let i = 0; n > 0 && i + n <= words.tokens.length; i++) {
    let all = true;
    for (let j = 0; j < n && all; j++) all = tokenMatches(words, i + j, phrase, j);
    if (all) found.push(i);
  }
  return found;
}

function maskFalseFriends(words: Words): void {
  for (const phrase of COMPILED_FALSE_FRIENDS) {
    for (const start of occurrences(words, phrase)) {
      for (let k = 0; k < phrase.tokens.length; k++) words.used[start + k] = true;
    }
  }
}

/** Number of the citizen's words covered by this sector's phrases (overlaps counted once). */
function sectorScore(words: Words, entry: SectorPhrases): number {
  const covered = new Set<number>();
  for (const phrase of entry.phrases) {
    for (const start of occurrences(words, phrase)) {
      for (let k = 0; k < phrase.tokens.length; k++) covered.add(start + k);
    }
  }
  return covered.size;
}

/**
 * Guesses the sector of a complaint from its text, or `undefined` if no keyword matches.
 *
 * Precedence (documented because it decides who receives the complaint):
 * 1. **Officer conduct wins.** If the text complains about an official's behaviour
 *    (demanding money, bribes, "bồi dưỡng", obstruction, arrogance), the sector is
 *    `officer_conduct` even when a field is also named ("cán bộ đòi tiền mới giải quyết
 *    hồ sơ đất"): a grievance about an official must not be sent back to that official's
 *    own office, and the routing rules send `officer_conduct` one level up.
 * 2. Otherwise the sector whose phrases cover the most words wins, so the specific
 *    phrase beats the generic word ("giấy phép xây dựng trên đất" → construction:
 *    three words against one).
 * 3. Ties go to the sector listed first in the keyword table (market management before
 *    business registration, construction before land, tax before business registration).
 */
export function inferSector(text: string): Sector | undefined {
  const n = normalizeText(text);
  const words: Words = { tokens: n.tokens, folded: n.foldedTokens, used: n.tokens.map(() => false) };
  maskFalseFriends(words);
  let best: { sector: Sector; score: number } | undefined;
  for (const entry of COMPILED) {
    const score = sectorScore(words, entry);
    if (score === 0) continue;
    if (entry.sector === 'officer_conduct') return 'officer_conduct';
    if (!best || score > best.score) best = { sector: entry.sector, score }; // strict >: earlier table rows win ties
  }
  return best?.sector;
}
