import { ConfigError, loadConfig } from '../src/config';

describe('configuration', () => {
  it('runs with no settings at all: web chat, embedded database', () => {
    const config = loadConfig({});
    expect(config.PORT).toBe(3000);
    expect(config.MONGODB_URI).toBeUndefined();
    expect(config.TELEGRAM_BOT_TOKEN).toBeUndefined();
  });

  it('lists every problem at once, without echoing secrets', () => {
    const env = {
      PORT: 'eighty',
      TELEGRAM_BOT_TOKEN: 'not-a-token',
      TELEGRAM_MODE: 'webhook',
      ZALO_APP_ID: '123',
      LOG_LEVEL: 'loud',
      NLU_THRESHOLD: '2',
    };
    let error: unknown;
    try {
      loadConfig(env);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    for (const key of [
      'PORT',
      'LOG_LEVEL',
      'NLU_THRESHOLD',
      'TELEGRAM_BOT_TOKEN',
      'PUBLIC_URL',
      'TELEGRAM_WEBHOOK_SECRET',
      'ZALO_APP_SECRET',
      'ZALO_OA_SECRET_KEY',
      'ZALO_REFRESH_TOKEN',
    ]) {
      expect(problems).toContain(key);
    }
    expect(problems).not.toContain('not-a-token');
  });

  it('treats empty values as unset', () => {
    expect(loadConfig({ MONGODB_URI: '', TELEGRAM_BOT_TOKEN: '' }).MONGODB_URI).toBeUndefined();
  });
});
