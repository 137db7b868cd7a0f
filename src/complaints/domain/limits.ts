/** Limits of what a complaint carries, shared by the conversation, the rules and storage. */

export const MAX_PHOTOS = 5;
export const MAX_PHOTO_BYTES = 5 * 1024 * 1024;
/** Complaints one citizen may file per day (Vietnam time) unless configured (COMPLAINTS_PER_DAY): an abuse limit. */
export const DEFAULT_COMPLAINTS_PER_DAY = 5;
