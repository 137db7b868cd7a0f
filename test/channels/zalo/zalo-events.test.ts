import { parseZaloEvent } from '../../../src/channels/zalo/zalo-events';

const USER = '2468458835296117922'; // 19 digits: above Number.MAX_SAFE_INTEGER
const OA = '388613280878808645';
const TS = '1712345678901';

function message(eventName: string, msg: Record<string, unknown>, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    app_id: '3608465248940903967',
    sender: { id: USER },
    recipient: { id: OA },
    user_id_by_app: '552177279717587730',
    event_name: eventName,
    message: { msg_id: '96d3cdf3af150460909', ...msg },
    timestamp: TS,
    ...extra,
  };
}

describe('parseZaloEvent', () => {
  it('normalises user_send_text', () => {
    expect(parseZaloEvent(message('user_send_text', { text: 'Thủ tục cấp CCCD?' }))).toEqual({
      ok: true,
      event: { kind: 'text', userId: USER, msgId: '96d3cdf3af150460909', text: 'Thủ tục cấp CCCD?', timestamp: TS },
    });
  });

  it('keeps a 19-digit id as the exact same string (no number round trip)', () => {
    const raw = `{"app_id":"1","sender":{"id":"${USER}"},"recipient":{"id":"${OA}"},"event_name":"user_send_text","message":{"text":"a","msg_id":"m"},"timestamp":"${TS}"}`;
    const result = parseZaloEvent(JSON.parse(raw));
    expect(result.ok && result.event.kind === 'text' && result.event.userId).toBe('2468458835296117922');
    expect(Number(USER).toString()).not.toBe(USER); // what a numeric parse would have done
  });

  it('rejects an id sent as a JSON number, naming the field', () => {
    const result = parseZaloEvent({ ...message('user_send_text', { text: 'a' }), sender: { id: 2468458835296118000 } });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(/^user_send_text: sender\.id must be a string/);
  });

  it('rejects a text event without msg_id or text', () => {
    const noMsgId = parseZaloEvent({ ...message('user_send_text', {}), message: { text: 'a' } });
    expect(noMsgId.ok).toBe(false);
    if (!noMsgId.ok) expect(noMsgId.reason).toContain('message.msg_id');
    const noText = parseZaloEvent(message('user_send_text', {}));
    expect(noText.ok).toBe(false);
    if (!noText.ok) expect(noText.reason).toContain('message.text');
  });

  it('rejects a numeric timestamp (Zalo sends a string of epoch ms)', () => {
    const result = parseZaloEvent({ ...message('user_send_text', { text: 'a' }), timestamp: 1712345678901 });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toContain('timestamp');
  });

  it('normalises user_send_image with every image url and the caption', () => {
    const event = message('user_send_image', {
      text: 'Ổ gà trên đường Trần Hưng Đạo',
      attachments: [
        { type: 'image', payload: { thumbnail: 'http://x/t1.jpg', url: 'http://x/1.jpg' } },
        { type: 'image', payload: { thumbnail: 'http://x/t2.jpg', url: 'http://x/2.jpg' } },
      ],
    });
    expect(parseZaloEvent(event)).toEqual({
      ok: true,
      event: {
        kind: 'image',
        userId: USER,
        msgId: '96d3cdf3af150460909',
        urls: ['http://x/1.jpg', 'http://x/2.jpg'],
        text: 'Ổ gà trên đường Trần Hưng Đạo',
        timestamp: TS,
      },
    });
  });

  it('omits text on an image without caption and rejects an image without any url', () => {
    const plain = parseZaloEvent(message('user_send_image', { attachments: [{ type: 'image', payload: { url: 'http://x/1.jpg' } }] }));
    expect(plain).toEqual({
      ok: true,
      event: { kind: 'image', userId: USER, msgId: '96d3cdf3af150460909', urls: ['http://x/1.jpg'], timestamp: TS },
    });
    const empty = parseZaloEvent(message('user_send_image', { attachments: [{ type: 'image', payload: {} }] }));
    expect(empty).toEqual({ ok: false, reason: 'user_send_image: no image attachment with a url' });
  });

  it('normalises user_send_location with string or number coordinates', () => {
    const asStrings = message('user_send_location', {
      attachments: [{ type: 'location', payload: { coordinates: { latitude: '14.3497', longitude: '108.0005' } } }],
    });
    expect(parseZaloEvent(asStrings)).toEqual({
      ok: true,
      event: { kind: 'location', userId: USER, msgId: '96d3cdf3af150460909', latitude: 14.3497, longitude: 108.0005, timestamp: TS },
    });
    const asNumbers = message('user_send_location', {
      attachments: [{ type: 'location', payload: { coordinates: { latitude: 14.5, longitude: 108 } } }],
    });
    const result = parseZaloEvent(asNumbers);
    expect(result.ok && result.event.kind === 'location' && [result.event.latitude, result.event.longitude]).toEqual([14.5, 108]);
  });

  it('rejects impossible or non-numeric coordinates', () => {
    for (const coordinates of [
      { latitude: '91', longitude: '0' },
      { latitude: 'abc', longitude: '0' },
      { latitude: '', longitude: '0' },
    ]) {
      const result = parseZaloEvent(message('user_send_location', { attachments: [{ type: 'location', payload: { coordinates } }] }));
      expect(result.ok).toBe(false);
    }
  });

  it.each(['follow', 'unfollow'] as const)('normalises %s (follower replaces sender)', (name) => {
    const body = {
      app_id: '1',
      oa_id: OA,
      follower: { id: USER },
      user_id_by_app: '5',
      event_name: name,
      source: 'oa_profile',
      timestamp: TS,
    };
    expect(parseZaloEvent(body)).toEqual({ ok: true, event: { kind: name, userId: USER, timestamp: TS } });
  });

  it('rejects follow without follower', () => {
    const result = parseZaloEvent({ app_id: '1', event_name: 'follow', timestamp: TS });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toContain('follower');
  });

  it('normalises user_submit_info in the flat info layout', () => {
    const body = {
      app_id: '1',
      sender: { id: USER },
      recipient: { id: OA },
      event_name: 'user_submit_info',
      timestamp: TS,
      info: { name: 'Nguyễn Văn A', phone: '84912345678', address: '12 Trần Phú', ward: '', district: 'TP Kon Tum', city: 'Kon Tum' },
    };
    expect(parseZaloEvent(body)).toEqual({
      ok: true,
      event: {
        kind: 'user_submit_info',
        userId: USER,
        name: 'Nguyễn Văn A',
        phone: '84912345678',
        address: '12 Trần Phú, TP Kon Tum, Kon Tum',
        timestamp: TS,
      },
    });
  });

  it('normalises user_submit_info in the full_address layout, and with no info at all', () => {
    const body = {
      app_id: '1',
      sender: { id: USER },
      recipient: { id: OA },
      event_name: 'user_submit_info',
      timestamp: TS,
      info: {
        name: 'Trần Thị B',
        phone: '84987654321',
        full_address: { user_address: 'Thôn 1', user_ward: 'Xã Đăk Blà', user_city: 'Kon Tum' },
      },
    };
    const result = parseZaloEvent(body);
    expect(result.ok && result.event).toMatchObject({ name: 'Trần Thị B', address: 'Thôn 1, Xã Đăk Blà, Kon Tum' });
    const bare = parseZaloEvent({ ...body, info: undefined });
    expect(bare).toEqual({ ok: true, event: { kind: 'user_submit_info', userId: USER, timestamp: TS } });
  });

  it('normalises user_withdraw from sender, follower or a flat user_id', () => {
    const expected = { ok: true, event: { kind: 'user_withdraw', userId: USER, timestamp: TS } };
    expect(
      parseZaloEvent({ app_id: '1', event_name: 'user_withdraw', sender: { id: USER }, recipient: { id: OA }, timestamp: TS }),
    ).toEqual(expected);
    expect(parseZaloEvent({ app_id: '1', event_name: 'user_withdraw', follower: { id: USER }, timestamp: TS })).toEqual(expected);
    expect(parseZaloEvent({ app_id: '1', event_name: 'user_withdraw', user_id: USER, timestamp: TS })).toEqual(expected);
    expect(parseZaloEvent({ app_id: '1', event_name: 'user_withdraw', timestamp: TS }).ok).toBe(false);
  });

  it.each(['user_send_sticker', 'user_send_audio', 'user_send_file', 'user_send_link', 'user_seen_message'])(
    'maps %s to other with the sender as user',
    (name) => {
      expect(parseZaloEvent(message(name, { attachments: [] }))).toEqual({
        ok: true,
        event: { kind: 'other', eventName: name, userId: USER, timestamp: TS },
      });
    },
  );

  it('maps an OA echo (oa_send_text) to other with the recipient as user', () => {
    const echo = {
      app_id: '1',
      sender: { id: OA, admin_id: '9' },
      recipient: { id: USER },
      event_name: 'oa_send_text',
      message: { text: 'x', msg_id: 'm' },
      timestamp: TS,
    };
    expect(parseZaloEvent(echo)).toEqual({ ok: true, event: { kind: 'other', eventName: 'oa_send_text', userId: USER, timestamp: TS } });
  });

  it('maps an unknown event without ids to other, dropping malformed ids', () => {
    expect(parseZaloEvent({ event_name: 'change_oa_daily_quota', sender: { id: 5 } })).toEqual({
      ok: true,
      event: { kind: 'other', eventName: 'change_oa_daily_quota' },
    });
  });

  it.each([null, 'text', 42, [], {}, { event_name: '' }, { event_name: 7 }])('rejects input without event_name: %p', (input) => {
    const result = parseZaloEvent(input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(/^webhook body: /);
  });
});
