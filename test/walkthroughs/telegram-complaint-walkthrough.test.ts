/**
 * Walk-through on Telegram (the fake Bot API, real HTTP, the real engine with its complaint
 * flow, FerretDB): a complaint interrupted by a question, a switch to English in the middle,
 * a corrected phone number; then a second Telegram user looks the complaint up with its
 * code alone (status and dates only) and with the PIN (everything). The transcript goes to
 * test-artifacts/walkthrough-telegram.txt for a person to read.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadDirectory } from '../../src/complaints/directory/directory-loader';
import type { Database } from '../../src/storage/mongo/database';
import { createStoryWorld, type StoryWorld } from '../../src/stories/story-world';
import { FakeTelegramServer, privateChatOf, type Message, type User } from '../fakes/telegram-bot-api';
import { createHarness, SETUP_TIMEOUT_MS, type TelegramHarness } from '../channels/telegram/telegram-harness';
import { dropTestDatabase, openTestDatabase } from '../support/database';

const ROOT = join(__dirname, '..', '..');
const ARTIFACTS = join(ROOT, 'test-artifacts');
/** How long the bot must stay silent before a turn counts as answered: a turn may send several messages, paced at one a second per chat as Telegram asks. */
const QUIET_MS = 1_300;

jest.setTimeout(120_000);

describe('Telegram walk-through: interruption, language switch, edited contact, look-up from another account', () => {
  let fake: FakeTelegramServer;
  let db: Database;
  let world: StoryWorld;
  let h: TelegramHarness;
  const transcript: string[] = [];

  beforeAll(async () => {
    fake = new FakeTelegramServer();
    await fake.start();
    db = await openTestDatabase('walkthrough_telegram');
    world = await createStoryWorld(db, ROOT);
    world.now = new Date();
    const directory = await loadDirectory(join(ROOT, 'config', 'directory', 'kontum-2021.yaml'));
    if (!directory.ok) throw new Error('directory did not load');
    h = await createHarness({
      fake,
      db,
      content: world.content({ hotline: true }),
      directory: directory.value,
      engine: world.engine({ hotline: true }),
    });
    await h.channel.start();
  }, SETUP_TIMEOUT_MS);

  afterAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    writeFileSync(join(ARTIFACTS, 'walkthrough-telegram.txt'), transcript.join('\n'));
    await h?.channel.stop(1000);
    await fake?.close();
    if (db) await dropTestDatabase(db);
  });

  const t = (locale: 'vi' | 'en', key: string): string => world.content({ hotline: true }).translator.t(locale, key);
  const labels = (message: Message): string[] => (message.reply_markup?.inline_keyboard ?? []).flat().map((b) => b.text);

  /** Waits for the bot's messages to `user` after `before` of them, until it has been quiet a moment. */
  async function answer(user: User, before: number): Promise<Message[]> {
    await fake.waitForMessages(user.id, before + 1, 15_000);
    let count = -1;
    let all: Message[] = [];
    while (count !== all.length) {
      count = all.length;
      await new Promise((resolve) => setTimeout(resolve, QUIET_MS));
      all = await fake.waitForMessages(user.id, before + 1, 1000);
    }
    const fresh = all.slice(before);
    for (const m of fresh)
      transcript.push(`  bot → ${user.first_name}: ${m.text ?? ''}${labels(m).length ? `\n    [${labels(m).join('] [')}]` : ''}`);
    return fresh;
  }

  async function says(user: User, text: string): Promise<string> {
    const before = (await fake.waitForMessages(user.id, 0)).length;
    transcript.push(`${user.first_name}: ${text}`);
    fake.userSendsText(user, privateChatOf(user), text);
    return (await answer(user, before)).map((m) => m.text ?? '').join('\n');
  }

  async function presses(user: User, label: string): Promise<string> {
    const sent = await fake.waitForMessages(user.id, 0);
    const message = [...sent].reverse().find((m) => labels(m).includes(label));
    if (!message) throw new Error(`no button "${label}" in the bot's messages`);
    const button = (message.reply_markup?.inline_keyboard ?? []).flat().find((b) => b.text === label)!;
    transcript.push(`${user.first_name}: [${label}]`);
    fake.userPressesButton(user, message, String(button.callback_data));
    return (await answer(user, sent.length)).map((m) => m.text ?? '').join('\n');
  }

  it('files the complaint, then another account sees only status and dates without the PIN, everything with it', async () => {
    const citizen: User = { id: 7101, is_bot: false, first_name: 'Bình', language_code: 'vi' };
    const neighbour: User = { id: 7102, is_bot: false, first_name: 'Lan', language_code: 'vi' };

    expect(await says(citizen, 'đường vào thôn 3 xã Hà Mòn bị sạt lở nửa năm rồi chưa ai sửa')).toContain(
      t('vi', 'complaint.ack_described'),
    );

    const interrupted = await says(citizen, 'làm giấy khai sinh cho con cần giấy tờ gì');
    expect(interrupted).toMatch(/khai sinh/i);
    expect(interrupted).toContain(t('vi', 'conversation.continue_offer.complaint'));

    expect(await presses(citizen, t('vi', 'conversation.button.continue'))).toContain(t('vi', 'complaint.ask_contact').slice(0, 40));
    const readBack = await says(citizen, 'Nguyễn Văn Bình 0905 123 456');
    expect(readBack).toContain('Nguyễn Văn Bình, 0905123456');
    expect(readBack).toContain('Giao thông, đường sá');

    const english = await says(citizen, '/en');
    expect(english).toContain(t('en', 'conversation.language_switched'));
    expect(english).toContain('Roads and transport');

    await says(citizen, 'change the phone number');
    expect(await says(citizen, '0260 3862 345')).toContain('Nguyễn Văn Bình, 02603862345');

    const done = await presses(citizen, t('en', 'complaint.button.confirm'));
    const code = /PA-[A-Z0-9]{6}/.exec(done)?.[0];
    const pin = /\b(\d{6})\b/.exec(done.replace(/PA-[A-Z0-9]{6}/g, ''))?.[1];
    expect(code).toBeDefined();
    expect(pin).toBeDefined();
    const stored = await db.models.Complaint.findOne({ code }).lean();
    expect(stored).toMatchObject({ channel: 'telegram', sector: 'transport', contact: { name: 'Nguyễn Văn Bình', phone: '02603862345' } });

    const codeOnly = await says(neighbour, `/tracuu ${code}`);
    expect(codeOnly).toContain(code!);
    expect(codeOnly).toContain(t('vi', 'complaint.status.secret_hint').slice(0, 30));
    for (const secret of ['Nguyễn Văn Bình', '0905123456', '02603862345', 'sạt lở']) expect(codeOnly).not.toContain(secret);

    const wrongPin = await says(neighbour, `/tracuu ${code} ${pin === '000000' ? '111111' : '000000'}`);
    expect(wrongPin).toContain(t('vi', 'complaint.status.secret_wrong'));
    expect(wrongPin).not.toContain('sạt lở');

    const withPin = await says(neighbour, `/tracuu ${code} ${pin}`);
    expect(withPin).toContain('UBND xã Hà Mòn');
    expect(withPin).not.toContain(t('vi', 'complaint.status.secret_hint').slice(0, 30));
  });
});
