/**
 * The pseudonym key every process on one database shares, kept in `settings`
 * (`_id: pseudonym-key`): the first process to start creates it with a unique insert,
 * the others read it. So a web address maps to the same requester key — and the same
 * daily counters — whichever instance a request reaches, with nothing to configure.
 */
import { isDuplicateKeyError } from '../../storage/mongo/claims';
import type { Models } from '../../storage/mongo/models';
import { newPseudonymKey } from '../../infra/pseudonyms';

const SETTING_ID = 'pseudonym-key';

export async function loadPseudonymKey(models: Pick<Models, 'Setting'>): Promise<Buffer> {
  for (let attempt = 0; attempt < 2; attempt++) {
    const doc = await models.Setting.findById(SETTING_ID).lean<{ value?: unknown }>();
    if (typeof doc?.value === 'string' && doc.value.length >= 32) return Buffer.from(doc.value, 'base64');
    try {
      const key = newPseudonymKey();
      await models.Setting.create({ _id: SETTING_ID, value: key.toString('base64') });
      return key;
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
    }
  }
  throw new Error('the pseudonym key could not be read or created');
}
