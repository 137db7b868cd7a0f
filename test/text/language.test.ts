/** The language detector on the shipped hold-out sets, and the spelling rules it rests on. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { evaluateLanguage } from '../../src/nlu/evaluation';
import { detectLanguage, type DetectedLanguage } from '../../src/text/language';
import { isVietnameseSyllable } from '../../src/text/vietnamese-syllable';
import { foldDiacritics } from '../../src/text/vietnamese';

const ROOT = join(__dirname, '..', '..');
const abbreviations = new Set(
  Object.keys((parse(readFileSync(join(ROOT, 'config', 'abbreviations.yaml'), 'utf8')) as { expansions: object }).expansions),
);
const texts = (file: string): string[] =>
  readFileSync(join(ROOT, 'test', 'data', file), 'utf8')
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => (JSON.parse(line) as { text: string }).text);
const detect = (text: string): DetectedLanguage | undefined => detectLanguage(text, abbreviations);

describe('language detection on the hold-out sets', () => {
  it.each([
    ['nlu-holdout.jsonl', 'vi', false],
    ['nlu-holdout.jsonl', 'vi', true],
    ['procedure-holdout.jsonl', 'vi', false],
    ['procedure-holdout.jsonl', 'vi', true],
    ['nlu-holdout-en.jsonl', 'en', false],
    ['procedure-holdout-en.jsonl', 'en', false],
  ] as const)('%s is told as %s in ≥ 98 %% (diacritics stripped: %s), never as the other language', (file, language, strip) => {
    const lines = texts(file).map((t) => (strip ? foldDiacritics(t) : t));
    const report = evaluateLanguage(lines, language, detect);
    expect(report.n).toBeGreaterThanOrEqual(50);
    expect(report.accuracy).toBeGreaterThanOrEqual(0.98);
    expect(report.misses.filter((m) => m.detected !== 'undecided')).toEqual([]);
  });
});

describe('evaluateLanguage', () => {
  it('tells misses in the other language from undecided ones', () => {
    const report = evaluateLanguage(['how do I register my business', 'đăng ký kinh doanh ở đâu', 'ok'], 'en', detect);
    expect(report).toMatchObject({ n: 3, wrong: 1, undecided: 1 });
    expect(report.accuracy).toBeCloseTo(1 / 3);
    expect(report.misses).toEqual([
      { text: 'đăng ký kinh doanh ở đâu', detected: 'vi' },
      { text: 'ok', detected: 'undecided' },
    ]);
  });
});

describe('language of one message', () => {
  it.each([
    ['how do I register the birth of my baby?', 'en'],
    ['I am going to open a restaurant', 'en'], // "going": a closed diphthong before a consonant
    ['is the main office open on Saturday', 'en'], // "main"
    ['I am here to pay the fee', 'en'], // "I" is no unmarked Vietnamese word
    ['pay by e-wallet', 'en'], // "by": Vietnamese writes "bi"; "pay": no such syllable
    ['I got it, bye', 'en'], // "got": an English function word, not an unmarked Vietnamese one
    ['getting married in Kon Tum', 'en'], // "Kon Tum": a name, no Vietnamese evidence
    ['appreciate it', 'en'], // a long English word counts twice when nothing is Vietnamese
    ['unsubscribe', 'en'],
    ['cho minh gui feedback voi', 'vi'], // …but not inside a Vietnamese sentence
    ['lam giay khai sinh cho con', 'vi'],
    ['tks bot nha', 'vi'], // "nha": no English word starts with "nh"
    ['cho e hoi thu tuc cap so do', 'vi'],
    ['lam giay to o Kon Tum', 'vi'],
    ['Lam Giay Khai Sinh', 'vi'], // all capitalised: no lower-case word, so no names
  ] as const)('%s → %s', (text, language) => {
    expect(detect(text)).toBe(language);
  });

  it('keeps the conversation language for a word or two, numbers, codes and mixed evidence', () => {
    for (const text of ['ok', 'hi', 'bye', 'menu', '12', 'PA-7K3M9X', 'show menu', 'hahahaha', 'asdfghjkl', '#pa:confirm'])
      expect([text, detect(text)]).toEqual([text, undefined]);
  });

  it('reads Vietnamese place names in an English question as names, not as Vietnamese', () => {
    expect(detect('where do I apply for a work permit in Quang Ngai')).toBe('en');
    expect(detect('hello, I live in Ngoc Hoi district now')).toBe('en');
  });
});

describe('Vietnamese syllables without marks', () => {
  it.each([
    'nguoi',
    'khai',
    'sinh',
    'quyen',
    'nguyen',
    'khuya',
    'truong',
    'ty',
    'xoong',
    'gieng',
    'nghiem',
    'hoach',
    'huynh',
    'kon',
    'pin',
  ])('%s can be one syllable', (word) => expect(isVietnameseSyllable(word)).toBe(true));
  it.each(['going', 'main', 'rain', 'thing', 'by', 'bye', 'too', 'soon', 'much', 'city', 'pay', 'register', 'how'])('%s cannot', (word) =>
    expect(isVietnameseSyllable(word)).toBe(false),
  );
});
